from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("sunlight.api_urls")),
    path("org/", include("sunlight.org.urls")),
    path("monitoring/", include("sunlight.monitoring.urls")),
    path("risks/", include("sunlight.risks.urls")),
    path("warnings/", include("sunlight.warnings.urls")),
    path("", include("sunlight.core.urls")),
]

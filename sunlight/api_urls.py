"""Every app's REST endpoints under /api/v1/."""

from rest_framework.routers import DefaultRouter

from sunlight.org.api import register as register_org

router = DefaultRouter()
register_org(router)

urlpatterns = router.urls

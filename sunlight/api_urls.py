"""Every app's REST endpoints under /api/v1/."""

from rest_framework.routers import DefaultRouter

from sunlight.monitoring.api import register as register_monitoring
from sunlight.org.api import register as register_org

router = DefaultRouter()
register_org(router)
register_monitoring(router)

urlpatterns = router.urls

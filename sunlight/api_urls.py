"""Every app's REST endpoints under /api/v1/."""

from rest_framework.routers import DefaultRouter

from sunlight.monitoring.api import register as register_monitoring
from sunlight.org.api import register as register_org
from sunlight.risks.api import register as register_risks
from sunlight.warnings.api import register as register_warnings

router = DefaultRouter()
register_org(router)
register_monitoring(router)
register_risks(router)
register_warnings(router)

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Adds the organisation's endpoints to the /api/v1/ router."""

"""The monitoring app under /api/v1/: traces in (``imports``) and rules, checks, decisions
(``rules``); ``register`` adds both to the project's router."""

from rest_framework.routers import DefaultRouter

from sunlight.monitoring.api import imports, rules


def register(router: DefaultRouter) -> None:
    imports.register(router)
    rules.register(router)

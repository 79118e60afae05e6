"""Small helpers for views that answer both full-page requests and htmx partial requests."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest

from sunlight.core.models import User


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx wants a fragment, not a whole document.

    A history restore (the user went back to a page htmx had pushed) needs the whole page.
    """
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)


def current_user(request: HttpRequest) -> User:
    """The logged-in user, with the units in their scope loaded once for the whole request.

    Every access check asks for the user's scope; prefetching it here keeps a page's query count
    independent of how many rows it checks.
    """
    user = request.user
    assert isinstance(user, User)  # views are wrapped in ``login_required``
    prefetch_related_objects([user], "scope_units")
    return user

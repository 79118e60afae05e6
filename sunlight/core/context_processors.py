from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sunlight.core import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu may offer; the pages themselves still check access on every request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_manages_org": access.manages_org(user),
        "nav_sees_everything": access.sees_everything(user),
        "nav_read_only": access.is_read_only(user),
        "nav_edits_calendar": access.edits_calendar(user),
    }

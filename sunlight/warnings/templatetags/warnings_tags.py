"""Template tags for other apps' pages: a case's warnings, pinned on its timeline."""

from __future__ import annotations

from typing import Any

from django import template

from sunlight.core.models import User
from sunlight.warnings import queries
from sunlight.warnings.models import Warning

register = template.Library()


@register.simple_tag(takes_context=True)
def case_warnings(context: Any, case_id: int) -> list[Warning]:
    """The case's warnings the viewer may see (the same scope as the warning pages)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return queries.case_warnings(user, case_id) if isinstance(user, User) else []


@register.filter
def pinned_at(warnings: list[Warning], event_id: int) -> list[Warning]:
    """Of ``warnings``, those whose evidence includes the event."""
    return [w for w in warnings if event_id in getattr(w, "evidence_ids", ())]

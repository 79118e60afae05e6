"""Template tags: a case's warnings, pinned on its timeline (for other apps' pages), and the
names of people, posts and users on the warning pages (``labels``)."""

from __future__ import annotations

from typing import Any

from django import template

from sunlight.core.models import User
from sunlight.org.templatetags import org_labels
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


# The names of people, posts and users, as every page gives them.
register.filter("person", org_labels.person)
register.filter("post", org_labels.post)
register.filter("account", org_labels.account)

"""Reads for the demo loader: the organisation as a roster. A system read (no user scope): it
runs from ``manage.py loaddemo`` before anyone logs in."""

from __future__ import annotations

from sunlight.monitoring.demo.roster import Roster, Tenure
from sunlight.org.models import Assignment, PowerItem


def demo_roster() -> Roster:
    """Every assignment ever held, with the post's unit, and the power list's codes."""
    rows = Assignment.objects.values_list(
        "staff__staff_no", "post__code", "post__unit__code", "start", "end"
    ).order_by("pk")
    tenures = [Tenure(staff, post, unit, start, end) for staff, post, unit, start, end in rows]
    return Roster(tenures, PowerItem.objects.values_list("code", flat=True))

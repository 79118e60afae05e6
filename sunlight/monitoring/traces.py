"""Reads for the runner: stored traces as the engine's events, and the cases still open.

Not scoped by a user (``queries`` is): the runner and the preventive control judge every case.
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from controls.events import Event
from sunlight.monitoring import rulesets
from sunlight.monitoring.models import Case, TraceEvent

# Cases untouched for longer are no longer ticked: an abandoned open case must not be re-read
# every few minutes forever (a batch re-check still judges it).
OPEN_HORIZON = dt.timedelta(days=400)

_ROW = (
    "pk", "case__external_id", "case__process", "activity", "time", "lifecycle",
    "source_process", "source_resource", "source_post", "source_unit", "data",
    "staff__staff_no", "post__code", "unit__code",
)  # fmt: skip


def event_of(row: Sequence[Any]) -> Event:
    """The engine's event from a stored one: organisation codes where the mapping found them,
    the source's values otherwise; the stored event's id as its index."""
    (pk, case, case_process, activity, time, lifecycle, process, resource, post, unit, data,
     staff_no, post_code, unit_code) = row  # fmt: skip
    return Event(
        case=case,
        activity=activity,
        time=time,
        resource=staff_no or resource,
        post=post_code or post,
        unit=unit_code or unit,
        process=process or case_process,
        lifecycle=lifecycle,
        data=data or {},
        index=pk,
    )


def events_of(events: QuerySet[TraceEvent]) -> Iterator[Event]:
    for row in events.values_list(*_ROW).iterator(chunk_size=5000):
        yield event_of(row)


def case_events(case_ids: Iterable[int]) -> list[Event]:
    """The traces of these cases, case by case, each in time order."""
    ids = list(case_ids)
    found: list[Event] = []
    for start in range(0, len(ids), 500):
        chunk = TraceEvent.objects.filter(case_id__in=ids[start : start + 500])
        found.extend(events_of(chunk.order_by("case_id", "time", "id")))
    return found


def open_case_ids(now: dt.datetime) -> list[int]:
    """Cases that have not reached an end step of any rule set and moved within the horizon."""
    force = rulesets.in_force()
    ends = sorted(set().union(*(a.rules.case_end for a in force.sets)))
    recent = TraceEvent.objects.filter(time__gte=now - OPEN_HORIZON).values("case_id")
    cases = Case.objects.filter(pk__in=recent)
    if ends:
        cases = cases.exclude(pk__in=TraceEvent.objects.filter(activity__in=ends).values("case_id"))
    return list(cases.order_by("pk").values_list("pk", flat=True))

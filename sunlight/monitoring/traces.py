"""Reads for the runner: stored traces as the engine's events, and the cases still open.

Not scoped by a user (``queries`` is): the runner and the preventive control judge every case.
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform

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


def related_events(
    *,
    since: dt.datetime,
    until: dt.datetime,
    activities: Collection[str] | None,
    parties: Mapping[str, Any],
    resource: str,
    limit: int,
) -> tuple[list[Event], bool]:
    """Stored events from ``since`` to ``until`` (inclusive) of these activities (None: any)
    that name one of ``parties`` (data field → value) or were done by ``resource``: what the
    cross-case rules of a decision can need. In time order; when more than ``limit`` match, the
    latest ``limit`` (the window's end decides), and True as the second value."""
    who = Q(staff__staff_no=resource) | Q(staff__isnull=True, source_resource=resource)
    # Each data field as an alias: a field name may hold "__", which a lookup path would split.
    fields = {f"party_{i}": KeyTransform(key, "data") for i, key in enumerate(parties)}
    for alias, value in zip(fields, parties.values(), strict=True):
        who |= Q(**{alias: value})
    events = TraceEvent.objects.alias(**fields).filter(who, time__gte=since, time__lte=until)
    if activities is not None:
        events = events.filter(activity__in=sorted(activities))
    rows = list(events.order_by("-time", "-id").values_list(*_ROW)[: limit + 1])
    return [event_of(row) for row in reversed(rows[:limit])], len(rows) > limit


def open_case_ids(now: dt.datetime) -> list[int]:
    """Cases that have not reached an end step of any rule set and moved within the horizon."""
    force = rulesets.in_force()
    ends = sorted(set().union(*(a.rules.case_end for a in force.sets)))
    recent = TraceEvent.objects.filter(time__gte=now - OPEN_HORIZON).values("case_id")
    cases = Case.objects.filter(pk__in=recent)
    if ends:
        cases = cases.exclude(pk__in=TraceEvent.objects.filter(activity__in=ends).values("case_id"))
    return list(cases.order_by("pk").values_list("pk", flat=True))

"""Reads of the monitoring app, each scoped by the user's access (see ``core/access.py``).

Imports are followed by the office, administrators and auditors. Cases are seen by them, by a
head or leader when one of the case's events happened in a unit of their subtree, and by an
officer when they acted in the case. Outside the scope a record is simply not found.

The case page reads as a case file (``case_file``): what is the same on every step is said once
in its header, each step shows only what it adds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from controls.calendar import WorkCalendar
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import policy
from sunlight.monitoring.models import (
    Case,
    CheckRun,
    Decision,
    ImportJob,
    ImportRowError,
    MappingKind,
    ReferenceTable,
    ReferenceTableVersion,
    RuleSet,
    RuleSetVersion,
    RuleSwitch,
    TraceEvent,
    ValueMapping,
)
from sunlight.org import queries as org_queries


def imports_for(user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if policy.sees_imports(user) else jobs.none()


def row_errors(job: ImportJob, limit: int = 100) -> QuerySet[ImportRowError]:
    return job.row_errors.order_by("position", "id")[:limit]


def cases_for(user: User) -> QuerySet[Case]:
    cases = Case.objects.select_related("power_item")
    if access.sees_everything(user):
        return cases
    staff_id = access.own_staff_id(user)
    own = Q(staff_id=staff_id) if staff_id else Q(pk__in=[])
    visible = TraceEvent.objects.filter(access.subtree_q(user, "unit__path") | own)
    return cases.filter(pk__in=visible.values("case_id"))


def case_timeline(case: Case) -> QuerySet[TraceEvent]:
    """Every event of a case in order, with who did it, in which post and unit."""
    return case.events.select_related("staff", "post", "unit").order_by("time", "id")


@dataclass(frozen=True)
class Involved:
    """An officer or unit who took part in a case; ``pk`` only when the viewer may open it."""

    name: str
    code: str
    pk: int | None


@dataclass(frozen=True)
class Step:
    """One event of the timeline with what it adds to the header: its own data, and the working
    days since the step before (``None`` for the first step and for steps on the same day)."""

    event: TraceEvent
    data: list[tuple[str, Any]]
    gap: int | None


@dataclass(frozen=True)
class CaseFile:
    case: Case
    steps: list[Step]
    attributes: list[tuple[str, Any]]
    officers: list[Involved]
    units: list[Involved]
    power_item_visible: bool
    workdays: int | None  # from the first step's day to the last one's


def case_file(user: User, case: Case, calendar: WorkCalendar) -> CaseFile:
    """The case page of a case the user sees: the header's facts once, then the steps."""
    events = list(case_timeline(case))
    attributes = case_attributes([event.data or {} for event in events])
    days = [timezone.localdate(event.time) for event in events]
    return CaseFile(
        case=case,
        steps=case_steps(events, attributes, calendar),
        attributes=list(attributes.items()),
        officers=_officers(user, events),
        units=_units(user, events),
        power_item_visible=case.power_item_id is not None
        and org_queries.power_items_for(user).filter(pk=case.power_item_id).exists(),
        workdays=calendar.workdays_between(days[0], days[-1]) if days else None,
    )


def case_attributes(datas: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The data keys that describe the case rather than a step: the same value on every event
    carrying the key, carried by more than half of the events and by at least two (a lone
    event's data is the step's own)."""
    values: dict[str, list[Any]] = {}
    for data in datas:
        for key, value in data.items():
            values.setdefault(key, []).append(value)
    return {
        key: found[0]
        for key, found in values.items()
        if len(found) >= 2 and 2 * len(found) > len(datas) and all(v == found[0] for v in found)
    }


def case_steps(
    events: Sequence[TraceEvent], attributes: Mapping[str, Any], calendar: WorkCalendar
) -> list[Step]:
    """Each event with the data the header does not already say, and its working-day gap."""
    steps: list[Step] = []
    before: dt.date | None = None
    for event in events:
        day = timezone.localdate(event.time)
        data = [
            (key, value)
            for key, value in (event.data or {}).items()
            if key not in attributes or attributes[key] != value
        ]
        gap = calendar.workdays_between(before, day) if before and day != before else None
        steps.append(Step(event=event, data=data, gap=gap))
        before = day
    return steps


def _officers(user: User, events: Sequence[TraceEvent]) -> list[Involved]:
    """The officers in order of first appearance; those not matched to a staff record by the
    mapping are listed by the source's name, without a link."""
    ids = {e.staff_id for e in events if e.staff_id is not None}
    visible = set(org_queries.staff_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    found: dict[tuple[str, object], Involved] = {}
    for event in events:
        if event.staff is not None:
            person = event.staff
            link = person.pk if person.pk in visible else None
            found.setdefault(("staff", person.pk), Involved(person.name, person.staff_no, link))
        elif name := event.source_resource:
            found.setdefault(("source", name), Involved(name, "", None))
    return list(found.values())


def _units(user: User, events: Sequence[TraceEvent]) -> list[Involved]:
    ids = {e.unit_id for e in events if e.unit_id is not None}
    visible = set(org_queries.units_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    found: dict[tuple[str, object], Involved] = {}
    for event in events:
        if event.unit is not None:
            unit = event.unit
            link = unit.pk if unit.pk in visible else None
            found.setdefault(("unit", unit.pk), Involved(unit.name, unit.code, link))
        elif name := event.source_unit:
            found.setdefault(("source", name), Involved(name, "", None))
    return list(found.values())


def pending_values(unknowns: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Of a job's unmatched values, those no one has mapped since, by kind."""
    listed = {kind: list(values) for kind, values in unknowns.items() if kind in MappingKind.values}
    mapped = set(
        ValueMapping.objects.filter(
            value__in=[value for values in listed.values() for value in values]
        ).values_list("kind", "value")
    )
    pending = {
        kind: [value for value in values if (kind, value) not in mapped]
        for kind, values in listed.items()
    }
    return {kind: values for kind, values in pending.items() if values}


def unknown_counts(job: ImportJob, kind: str, values: list[str]) -> dict[str, int]:
    """How many of the job's events carry each unmatched value (what mapping it would fix)."""
    column = {
        MappingKind.STAFF: "source_resource",
        MappingKind.POST: "source_post",
        MappingKind.UNIT: "source_unit",
        MappingKind.PROCESS: "source_process",
    }[MappingKind(kind)]
    rows = (
        TraceEvent.objects.filter(import_job=job, **{f"{column}__in": values})
        .values(column)
        .annotate(n=Count("id"))
        .values_list(column, "n")
    )
    return dict(rows)


# --- rules, runs and decisions --------------------------------------------------------------


def rule_sets_for(user: User) -> QuerySet[RuleSet]:
    return RuleSet.objects.all() if policy.sees_rules(user) else RuleSet.objects.none()


def rule_set_versions(rule_set: RuleSet) -> QuerySet[RuleSetVersion]:
    return rule_set.versions.select_related("author").order_by("-number")


def reference_tables_for(user: User) -> QuerySet[ReferenceTable]:
    tables = ReferenceTable.objects.prefetch_related("versions")
    return tables if policy.sees_rules(user) else tables.none()


def reference_versions(table: ReferenceTable) -> QuerySet[ReferenceTableVersion]:
    return table.versions.select_related("author").order_by("-number")


def rule_switches_for(user: User) -> QuerySet[RuleSwitch]:
    switches = RuleSwitch.objects.select_related("rule_set", "unit", "created_by")
    return switches if policy.sees_rules(user) else switches.none()


def check_runs_for(user: User) -> QuerySet[CheckRun]:
    runs = CheckRun.objects.select_related("requested_by")
    return runs if policy.sees_rules(user) else runs.none()


def decisions_for(user: User) -> QuerySet[Decision]:
    decisions = Decision.objects.select_related("asked_by")
    return decisions if policy.sees_decisions(user) else decisions.none()

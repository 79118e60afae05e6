"""Reads of the monitoring app, each scoped by the user's access (see ``core/access.py``).

Imports are followed by the office, administrators and auditors. Cases are seen by them, by a
head or leader when one of the case's events happened in a unit of their subtree, and by an
officer when they acted in the case. Outside the scope a record is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Count, Q, QuerySet

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

"""Reads of warnings, each scoped by the user's access (see ``core/access.py``).

Staff see the warnings about themselves; a head or leader those of the units in their subtree
(and any they were made verifier of); the office, auditors and administrators see all. Outside
the scope a warning is simply not found.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.org.models import Unit
from sunlight.warnings import deadlines, policy
from sunlight.warnings.models import (
    OPEN_STATUSES,
    Accountability,
    Notification,
    Status,
    SupervisionOrder,
    Warning,
)


def warnings_for(user: User) -> QuerySet[Warning]:
    warnings = Warning.objects.select_related(
        "staff", "post__unit", "unit", "verifier__staff", "risk_point"
    )
    if access.sees_everything(user):
        return warnings
    if not access.is_active(user):
        return warnings.none()
    staff_id = access.own_staff_id(user)
    own = Q(staff_id=staff_id) if staff_id else Q(pk__in=[])
    return warnings.filter(own | Q(verifier=user) | access.subtree_q(user, "unit__path"))


def warning_history(warning: Warning) -> list[Any]:
    return list(warning.transitions.select_related("by__staff").prefetch_related("attachments"))


def accountabilities_for(user: User) -> QuerySet[Accountability]:
    return Accountability.objects.filter(warning__in=warnings_for(user)).select_related(
        "warning", "staff", "decided_by__staff", "appeal_decided_by__staff"
    )


def supervision_orders_for(user: User) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.filter(warning__in=warnings_for(user)).select_related(
        "warning", "issued_to__staff", "issued_by__staff"
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("warning")


def unread_count(user: User) -> int:
    if not access.is_active(user):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _month_range(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    """A ``YYYY-MM`` month as an aware local interval; ``None`` when it is not one."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        return None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=zone),
        dt.datetime.combine(following, dt.time(), tzinfo=zone),
    )


FILTERS = ("status", "stage", "rule", "unit", "month", "staff", "case", "open", "overdue")


def apply_filters(warnings: QuerySet[Warning], params: Any) -> QuerySet[Warning]:
    """Filters of the queue and the API: ``status``, ``stage``, ``rule``, ``unit`` (a unit code:
    that unit and below), ``month`` (``YYYY-MM`` of the finding), ``staff`` (staff number),
    ``case`` (a case id), ``open=1``, ``overdue=1`` and ``risk_level`` (of the risk point)."""
    if value := params.get("status"):
        warnings = warnings.filter(status=value)
    if value := params.get("stage"):
        warnings = warnings.filter(stage=value)
    if value := params.get("rule"):
        warnings = warnings.filter(rule=value)
    if value := params.get("unit"):
        warnings = warnings.filter(
            Q(unit__code=value) | Q(unit__path__startswith=_unit_path(value))
        )
    if (value := params.get("month")) and (span := _month_range(value)):
        warnings = warnings.filter(found_at__gte=span[0], found_at__lt=span[1])
    if value := params.get("staff"):
        warnings = warnings.filter(staff__staff_no=value)
    if (value := params.get("case")) and str(value).isdigit():
        warnings = warnings.filter(cases=int(value))
    if params.get("open") in ("1", "true"):
        warnings = warnings.filter(status__in=OPEN_STATUSES)
    if params.get("overdue") in ("1", "true"):
        warnings = warnings.filter(status__in=OPEN_STATUSES, due_date__lt=deadlines.local_day())
    if value := params.get("risk_level"):
        warnings = warnings.filter(risk_point__level=value)
    return warnings


def _unit_path(code: str) -> str:
    path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
    # A unit with no path yet must not match every unit below the root.
    return path or "\x00no such unit"


def rules_in(warnings: QuerySet[Warning]) -> list[str]:
    return list(warnings.order_by("rule").values_list("rule", flat=True).distinct())


@dataclass
class Statistics:
    """Counts as the seeds report them, and how promptly warnings were handled."""

    total: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_unit: list[tuple[str, int]] = field(default_factory=list)
    by_rule: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    by_outcome: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    closed_in_time: int = 0
    mean_workdays_to_close: float | None = None
    open_overdue: int = 0

    @property
    def in_time_share(self) -> float | None:
        return self.closed_in_time / self.closed if self.closed else None


def _counts(warnings: QuerySet[Warning], name: str) -> list[tuple[Any, int]]:
    rows = warnings.order_by().values(name).annotate(n=Count("pk")).order_by("-n", name)
    return [(row[name], row["n"]) for row in rows]


def statistics(warnings: QuerySet[Warning]) -> Statistics:
    stats = Statistics(total=warnings.count())
    stats.by_stage = dict(_counts(warnings, "stage"))
    stats.by_status = dict(_counts(warnings, "status"))
    stats.by_outcome = {k: v for k, v in _counts(warnings, "outcome") if k}
    stats.by_unit = [(name or "—", n) for name, n in _counts(warnings, "unit__name")]
    stats.by_rule = _counts(warnings, "rule")
    # Months of the bureau's local calendar (the current time zone).
    months = (
        warnings.order_by()
        .annotate(month=TruncMonth("found_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    stats.by_month = [(row["month"].strftime("%Y-%m"), row["n"]) for row in months]
    _timeliness(stats, warnings)
    return stats


def _timeliness(stats: Statistics, warnings: QuerySet[Warning]) -> None:
    closed = warnings.filter(status=Status.CLOSED).values_list(
        "raised_at", "closed_at", "was_overdue"
    )
    days: list[int] = []
    late = Counter[bool]()
    for raised_at, closed_at, was_overdue in closed:
        late[bool(was_overdue)] += 1
        if closed_at is not None:
            days.append(
                deadlines.workdays_between(
                    deadlines.local_day(raised_at), deadlines.local_day(closed_at)
                )
            )
    stats.closed = late[True] + late[False]
    stats.closed_in_time = late[False]
    stats.mean_workdays_to_close = round(sum(days) / len(days), 1) if days else None
    stats.open_overdue = warnings.filter(
        status__in=OPEN_STATUSES, due_date__lt=deadlines.local_day()
    ).count()


def verifier_candidates(warning: Warning) -> QuerySet[User]:
    """Users who could be named verifier: heads over the warning's unit, and the office (only
    the office for a leader's own warning)."""
    unit = policy.warning_unit(warning)
    heads = Q(pk__in=[])
    if unit is not None and unit.path and not policy.office_verifies(warning):
        prefixes = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/" and i]
        heads = Q(role=Role.HEAD, scope_units__path__in=prefixes)
    users = User.objects.filter(heads | Q(role=Role.OFFICE), is_active=True).distinct()
    if warning.staff_id is not None:
        users = users.exclude(staff_id=warning.staff_id)
    return users.select_related("staff").order_by("role", "username")


def reassign_candidates(warning: Warning) -> QuerySet[User]:
    """Verifier candidates other than whoever verifies the warning now."""
    users = verifier_candidates(warning)
    if warning.verifier_is_office:
        return users.exclude(role__in=access.MANAGERS)
    return users.exclude(pk=warning.verifier_id) if warning.verifier_id else users


def case_warnings(user: User, case_id: int) -> list[Warning]:
    """The warnings of a case the user may see, each with ``evidence_ids`` to pin on the
    timeline."""
    warnings = list(
        warnings_for(user).filter(cases=case_id).prefetch_related("evidence").order_by("found_at")
    )
    for warning in warnings:
        warning.evidence_ids = {e.pk for e in warning.evidence.all()}  # type: ignore[attr-defined]
    return warnings

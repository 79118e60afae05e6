"""The runner: stored events → the rule sets in force → findings → warnings.

Three ways in, one engine (``controls.monitor.Monitor``):

* **Incremental** (``check_marked``): storing events marks their cases (``mark_cases``, in the
  transaction that stores them). A runner takes marked cases under a lease, feeds each case's
  whole trace to the per-case rules, ticks the clock to now, and raises the findings; the marks
  are deleted in the transaction that stores the warnings, and only if no newer mark came
  meanwhile. A runner killed at any point leaves the marks, which its lease releases: nothing
  is lost, and a re-raised finding is known to the warnings app by its id (never duplicated).
* **Batch** (``check_period``, a ``CheckRun``): every case with an event in [start, end), fed in
  time order to all rules, the cross-case ones included (splitting, familiarity …).
* **Clock** (``tick_open_cases``): the open cases re-judged against now, so that deadline
  pre-warnings (stage *before*) and breaches of open matters appear as time passes. Deadlines
  count Chinese working days (``controls.calendar``): a warning due on the 8th working day after
  acceptance does not come during the National Day holidays.

Open cases are judged as they stand, never as if they had ended: ``Monitor.finish`` (which closes
every case at the end of a log) runs only in a batch run asked to judge open cases as ended.

With no rule set in force a check simply clears the marks: once rules exist, a re-check of the
period judges those events.

These functions write (warnings, marks, runs) and are the runner's actions; a run asked for by a
person leaves an audit record. The traces are read by ``traces``; the engine runs in ``runner``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.events import Event, Finding
from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import eventstore, policy, rulesets, runner, traces
from sunlight.monitoring.models import (
    Case,
    CaseCheck,
    CheckRun,
    ClockTick,
    RunStatus,
    TraceEvent,
)
from sunlight.warnings.actions import raise_warnings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
RUN_LEASE = dt.timedelta(minutes=30)
CHECK_CHUNK = 50  # cases per incremental check: small, so a pushed case never waits long
TICK_CHUNK = 500  # open cases per clock chunk
RAISE_CHUNK = 200  # findings per transaction of a batch re-check
TICK_EVERY = dt.timedelta(minutes=5)
PUSHED, IMPORTED = 0, 1
RUNNER = "monitoring-runner"

# --- marking ---------------------------------------------------------------------------------


def mark_cases(case_ids: Iterable[int], *, priority: int = IMPORTED) -> None:
    """Mark cases for checking; called inside the transaction that stored their events.

    One statement per call: an import marks every case of every batch, so going through model
    instances here cost more than storing the events. One token serves the whole call, since
    it only has to differ from the token a running check read.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return
    token = uuid.uuid4().hex
    marked_at = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(CaseCheck._meta.db_table)
    sql = (
        f"INSERT INTO {table} (case_id, token, marked_at, priority, lease_owner, lease_until) "  # noqa: S608 -- the name is the model's, values are parameters
        "VALUES (%s, %s, %s, %s, '', NULL) ON CONFLICT (case_id) DO UPDATE SET "
        "token = excluded.token, marked_at = excluded.marked_at, "
        # A case someone waits for (pushed) keeps its place when an import marks it too.
        f"priority = CASE WHEN excluded.priority < {table}.priority "
        f"THEN excluded.priority ELSE {table}.priority END"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement over the ids sent as one JSON array: psycopg's ``executemany``
            # costs tens of microseconds a row, and an import marks tens of thousands of cases.
            many = (
                "SELECT value::bigint, %s, %s, %s, '', NULL FROM json_array_elements_text(%s::json)"
            )
            cursor.execute(
                sql.replace("VALUES (%s, %s, %s, %s, '', NULL)", many),
                [token, marked_at, priority, eventstore.json_array(ids)],
            )
        else:
            cursor.executemany(sql, [(pk, token, marked_at, priority) for pk in ids])


def mark_stored(
    *, source_system: str, events: Sequence[Event], statuses: Sequence[str], priority: int
) -> None:
    """Mark the cases of the events that were newly stored (a duplicate changes nothing)."""
    names = sorted(
        {e.case for e, status in zip(events, statuses, strict=True) if status == "stored"}
    )
    ids: list[int] = []
    for start in range(0, len(names), 500):
        ids.extend(
            Case.objects.filter(
                source_system=source_system, external_id__in=names[start : start + 500]
            ).values_list("pk", flat=True)
        )
    mark_cases(ids, priority=priority)


def mark_events(events: QuerySet[TraceEvent]) -> None:
    """Mark the cases of stored events whose meaning changed (a source value newly mapped)."""
    mark_cases(events.values_list("case_id", flat=True).distinct())


# --- incremental ---------------------------------------------------------------------------


@dataclass
class Checked:
    cases: int = 0
    findings: int = 0
    new: int = 0
    warning_ids: list[int] = field(default_factory=list)


def _claim(owner: str, limit: int, priority: int | None) -> dict[int, str]:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    queue = CaseCheck.objects.filter(free)
    if priority is not None:
        queue = queue.filter(priority=priority)
    ids = list(queue.order_by("priority", "marked_at").values_list("case_id", flat=True)[:limit])
    if not ids:
        return {}
    # Conditional: a mark another runner took between the read and now is not taken twice.
    CaseCheck.objects.filter(free, case_id__in=ids).update(
        lease_owner=owner, lease_until=now + LEASE
    )
    return dict(
        CaseCheck.objects.filter(case_id__in=ids, lease_owner=owner).values_list("case_id", "token")
    )


def check_marked(
    *, owner: str, limit: int = CHECK_CHUNK, priority: int | None = None,
    now: dt.datetime | None = None,
) -> Checked:  # fmt: skip
    """Check up to ``limit`` marked cases (``priority``: only pushed or only imported ones)."""
    claimed = _claim(owner, limit, priority)
    if not claimed:
        return Checked()
    moment = now or timezone.now()
    try:
        force = rulesets.in_force()
        per_set = runner.per_case(force, traces.case_events(claimed), moment)
        with transaction.atomic():
            result = _raise_all(per_set, moment)
            CaseCheck.objects.filter(case_id__in=claimed, token__in=claimed.values()).delete()
            # Marked again while this check ran: the newer events need another check.
            CaseCheck.objects.filter(case_id__in=claimed, lease_owner=owner).update(
                lease_owner="", lease_until=None
            )
    except Exception:
        CaseCheck.objects.filter(case_id__in=claimed, lease_owner=owner).update(lease_until=None)
        raise
    result.cases = len(claimed)
    return result


def _raise_all(
    per_set: Sequence[tuple[rulesets.ActiveRuleSet, list[Finding]]], now: dt.datetime
) -> Checked:
    result = Checked()
    for active, findings in per_set:
        if not findings:
            continue
        raised = raise_warnings(findings, rule_set=active.rule_set.name[:100], now=now)
        result.findings += len(findings)
        result.new += raised.new
        result.warning_ids.extend(raised.warning_ids)
    return result


# --- the clock -------------------------------------------------------------------------------

TICK_NAME = "open-cases"


def tick_if_due(*, every: dt.timedelta = TICK_EVERY, now: dt.datetime | None = None) -> bool:
    """Tick open cases if the last tick (by any runner) is ``every`` old; claimed by update."""
    moment = now or timezone.now()
    ClockTick.objects.get_or_create(name=TICK_NAME)
    due = Q(last_at__isnull=True) | Q(last_at__lte=moment - every)
    if not ClockTick.objects.filter(due, name=TICK_NAME).update(last_at=moment):
        return False  # not due, or another runner took this tick
    tick_open_cases(now=moment)
    return True


def tick_open_cases(*, now: dt.datetime) -> Checked:
    """Re-judge open cases against ``now``; only what the clock causes is raised (what their
    events cause was raised when they came)."""
    force = rulesets.in_force()
    total = Checked()
    if not force.sets:
        return total
    ids = traces.open_case_ids(now)
    for start in range(0, len(ids), TICK_CHUNK):
        chunk = ids[start : start + TICK_CHUNK]
        per_set = runner.clock_only(force, traces.case_events(chunk), now)
        with transaction.atomic():
            done = _raise_all(per_set, now)
        total.cases += len(chunk)
        total.findings += done.findings
        total.new += done.new
    return total


# --- batch re-check of a period --------------------------------------------------------------


def check_run_request(
    *, by: User | None, start: dt.datetime, end: dt.datetime, close_open: bool = False
) -> CheckRun:
    """Queue a re-check of [start, end) for the runner (``by`` None: the command line)."""
    if by is not None:
        access.require(policy.may_recheck(by))
    if end <= start:
        raise ValidationError({"end": _("The end must come after the start.")})
    with transaction.atomic():
        run = CheckRun.objects.create(
            start=start, end=end, close_open=close_open, requested_by=by,
            created_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            by=by, actor_name="" if by else "manage.py check_rules",
            action="monitoring.check.request", obj=run,
            after=snapshot(run, ["start", "end", "close_open"]),
        )  # fmt: skip
    return run


def check_run_claim_next(*, owner: str) -> CheckRun | None:
    now = timezone.now()
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
    for pk in (
        CheckRun.objects.filter(claimable)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:5]
    ):
        taken = CheckRun.objects.filter(claimable, pk=pk).update(
            status=RunStatus.RUNNING, lease_owner=owner, lease_until=now + RUN_LEASE,
            started_at=now,
        )  # fmt: skip
        if taken:
            return CheckRun.objects.get(pk=pk)
    return None


def check_run_execute(run: CheckRun, *, owner: str) -> CheckRun:
    """Run a claimed re-check to the end and record its counts (or its failure)."""
    try:
        counts = check_period(start=run.start, end=run.end, close_open=run.close_open)
    except Exception as exc:
        _end_run(run, owner, failure=f"{type(exc).__name__}: {exc}")
        raise
    run.cases, run.events, run.findings = counts.cases, counts.events, counts.findings
    _end_run(run, owner)
    return run


def _end_run(run: CheckRun, owner: str, failure: str = "") -> None:
    with transaction.atomic():
        CheckRun.objects.filter(pk=run.pk, lease_owner=owner).update(
            status=RunStatus.FAILED if failure else RunStatus.DONE,
            failure=failure, finished_at=timezone.now(), lease_owner="", lease_until=None,
            cases=run.cases, events=run.events, findings=run.findings,
        )  # fmt: skip
        run.refresh_from_db()
        audit_record(
            by=None, actor_name=RUNNER, action="monitoring.check.finish", obj=run,
            after=snapshot(run, ["status", "cases", "events", "findings", "failure"]),
        )  # fmt: skip


@dataclass
class PeriodCounts:
    cases: int = 0
    events: int = 0
    findings: int = 0
    new: int = 0


def check_period(
    *, start: dt.datetime, end: dt.datetime, close_open: bool = False,
    now: dt.datetime | None = None,
) -> PeriodCounts:  # fmt: skip
    """Every rule in force over the cases with an event in [start, end): their traces up to
    ``end`` in time order (so a case begun before ``start`` is judged whole), then the clock at
    ``end`` (or now, if earlier); with ``close_open`` open cases are judged as ended."""
    force = rulesets.in_force()
    counts = PeriodCounts()
    touched = TraceEvent.objects.filter(time__gte=start, time__lt=end).values("case_id")
    counts.cases = Case.objects.filter(pk__in=touched).count()
    if not force.sets or not counts.cases:
        return counts
    trace = TraceEvent.objects.filter(case_id__in=touched, time__lt=end).order_by("time", "id")
    clock = min(end, now or timezone.now())
    counts.events, judged = runner.period(
        force, traces.events_of(trace), clock=clock, close_open=close_open
    )
    for active, kept in judged:
        # Short transactions: a year's findings must not hold the database from pushes.
        for start_at in range(0, len(kept), RAISE_CHUNK):
            with transaction.atomic():
                raised = _raise_all([(active, kept[start_at : start_at + RAISE_CHUNK])], clock)
            counts.findings += raised.findings
            counts.new += raised.new
    return counts

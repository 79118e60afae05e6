"""The runner: pushed events → marked cases → warnings; batch re-checks; the clock tick."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.monitoring import rulesets, traces
from sunlight.monitoring.actions import checking
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.models import Case, CaseCheck, CheckRun, RunStatus
from sunlight.monitoring.tests.rules_kit import SPLITTING, event, push, rule_set
from sunlight.warnings.actions import raise_warnings
from sunlight.warnings.models import Warning

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _self_approved(case: str = "C1") -> list[dict[str, Any]]:
    return [
        event(case, "受理", "2026-03-02T09:00:00+08:00", who="S-B"),
        event(case, "审核", "2026-03-02T10:00:00+08:00"),
        event(case, "批准", "2026-03-02T11:00:00+08:00"),
        event(case, "办结", "2026-03-02T12:00:00+08:00"),
    ]


def test_a_pushed_breach_becomes_one_warning_and_the_mark_is_cleared(world: World) -> None:
    rule_set(world)
    push(world, *_self_approved())
    assert CaseCheck.objects.filter(case__external_id="C1", priority=checking.PUSHED).exists()

    call_command("monitoring_worker", "--once", "--tick-every", "0")

    warning = Warning.objects.get()
    assert (warning.rule, warning.stage, warning.rule_set) == ("SOD-01", "during", "测试规则")
    assert warning.staff == world.staff_a
    assert not CaseCheck.objects.exists()


def test_checking_again_adds_no_warning(world: World) -> None:
    rule_set(world)
    push(world, *_self_approved())
    checking.check_marked(owner="t")
    checking.mark_cases(Case.objects.values_list("pk", flat=True))
    again = checking.check_marked(owner="t")
    assert (again.cases, again.findings, again.new) == (1, 1, 0)
    assert Warning.objects.count() == 1
    # The same events pushed again are duplicates: nothing to check.
    push(world, *_self_approved())
    assert not CaseCheck.objects.exists()


def test_a_crash_before_the_warnings_commit_leaves_the_mark(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_set(world)
    push(world, *_self_approved())

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("killed")

    monkeypatch.setattr(checking, "raise_warnings", crash)
    with pytest.raises(RuntimeError):
        checking.check_marked(owner="dead")
    assert Warning.objects.count() == 0
    mark = CaseCheck.objects.get()
    assert mark.lease_until is None  # released: the next runner takes it at once
    monkeypatch.undo()

    assert checking.check_marked(owner="next").new == 1
    assert not CaseCheck.objects.exists()


class Killed(BaseException):
    """Like SIGKILL: not an ``Exception``, so nothing in the runner gets to clean up."""


def test_a_runner_killed_after_raising_but_before_commit_loses_and_duplicates_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_set(world)
    push(world, *_self_approved("K1"), *_self_approved("K2"))

    def raise_then_die(*args: Any, **kwargs: Any) -> Any:
        raise_warnings(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(checking, "raise_warnings", raise_then_die)
    with pytest.raises(Killed):
        checking.check_marked(owner="dead")
    monkeypatch.undo()
    assert Warning.objects.count() == 0  # rolled back with the marks' deletion
    assert set(CaseCheck.objects.values_list("lease_owner", flat=True)) == {"dead"}
    assert checking.check_marked(owner="next").cases == 0  # its lease still holds

    CaseCheck.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert checking.check_marked(owner="next").new == 2
    assert sorted(Warning.objects.values_list("cases__external_id", flat=True)) == ["K1", "K2"]
    assert not CaseCheck.objects.exists()


def test_a_case_marked_again_during_its_check_stays_marked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_set(world)
    push(world, *_self_approved()[:2])
    read = traces.case_events

    def read_then_new_event(ids: Any) -> Any:
        events = read(ids)
        push(world, event("C1", "批准", "2026-03-02T11:00:00+08:00"))  # arrives meanwhile
        return events

    monkeypatch.setattr(traces, "case_events", read_then_new_event)
    now = _at("2026-03-02", 15)
    assert checking.check_marked(owner="t", now=now).new == 0
    mark = CaseCheck.objects.get()
    assert (mark.lease_owner, mark.lease_until) == ("", None)
    monkeypatch.undo()
    assert checking.check_marked(owner="t", now=now).new == 1
    assert Warning.objects.get().rule == "SOD-01"


def test_a_held_lease_keeps_other_runners_off(world: World) -> None:
    rule_set(world)
    push(world, *_self_approved())
    assert checking._claim("first", 10, None)
    assert checking.check_marked(owner="second").cases == 0


def test_the_batch_command_finds_cross_case_splitting_once(world: World) -> None:
    rule_set(world, SPLITTING, name="拆分")
    push(
        world,
        event("J1", "受理", "2026-04-01T09:00:00+08:00", party="P1", amount=480000),
        event("J2", "受理", "2026-04-10T09:00:00+08:00", party="P1", amount=470000),
    )
    call_command("monitoring_worker", "--once", "--tick-every", "0")
    assert Warning.objects.count() == 0  # per case, nothing is wrong

    call_command("check_rules", "--from", "2026-04-01", "--to", "2026-05-01")
    warning = Warning.objects.get()
    assert warning.rule == "SPLIT-01"
    assert set(warning.cases.values_list("external_id", flat=True)) == {"J1", "J2"}
    run = CheckRun.objects.get()
    assert (run.status, run.cases, run.events, run.findings) == (RunStatus.DONE, 2, 2, 1)
    assert AuditRecord.objects.filter(action="monitoring.check.request").exists()

    call_command("check_rules", "--from", "2026-04-01", "--to", "2026-05-01")
    assert Warning.objects.count() == 1
    # A period that does not reach the second case finds nothing.
    call_command("check_rules", "--from", "2026-04-01", "--to", "2026-04-05")
    assert Warning.objects.count() == 1


def test_a_requested_run_is_done_by_the_worker(world: World) -> None:
    rule_set(world)
    push(world, *_self_approved())
    run = checking.check_run_request(
        by=world.user("office"),
        start=dt.datetime(2026, 3, 1, tzinfo=BEIJING),
        end=dt.datetime(2026, 4, 1, tzinfo=BEIJING),
    )
    call_command("monitoring_worker", "--once", "--tick-every", "0")
    run.refresh_from_db()
    assert (run.status, run.cases, run.findings) == (RunStatus.DONE, 1, 1)
    assert Warning.objects.count() == 1


def _at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING)


def test_the_clock_warns_before_a_deadline_on_working_days_across_national_day(
    world: World,
) -> None:
    # Accepted Friday 2026-09-25; 6 working days: 09-28, 09-29, 09-30, (holidays 10-01..10-07),
    # 10-08, 10-09 and Saturday 10-10 (a make-up working day): due at the end of 10-10.
    rule_set(world)
    push(world, event("T1", "受理", "2026-09-25T10:00:00+08:00"))
    checking.check_marked(owner="t", now=_at("2026-09-25"))
    assert Warning.objects.count() == 0

    for day in ("2026-09-30", "2026-10-03", "2026-10-07"):
        checking.tick_open_cases(now=_at(day))
        assert Warning.objects.count() == 0, day

    checking.tick_open_cases(now=_at("2026-10-09"))
    warning = Warning.objects.get()
    assert (warning.rule, warning.stage) == ("TL-01", "before")

    checking.tick_open_cases(now=_at("2026-10-09", 16))
    assert Warning.objects.count() == 1  # the same pre-warning is not raised twice
    checking.tick_open_cases(now=_at("2026-10-12", 9))
    assert set(Warning.objects.values_list("stage", flat=True)) == {"before", "during"}


def test_a_closed_case_is_not_ticked(world: World) -> None:
    rule_set(world)
    push(
        world,
        event("T2", "受理", "2026-09-25T10:00:00+08:00"),
        event("T2", "办结", "2026-09-28T10:00:00+08:00"),
    )
    assert traces.open_case_ids(_at("2026-10-09")) == []
    checking.tick_open_cases(now=_at("2026-10-09"))
    assert Warning.objects.count() == 0


def test_the_tick_runs_once_per_period_across_runners(world: World) -> None:
    rule_set(world)
    now = _at("2026-10-09")
    every = dt.timedelta(minutes=5)
    assert checking.tick_if_due(every=every, now=now)
    assert not checking.tick_if_due(every=every, now=now + dt.timedelta(minutes=1))
    assert checking.tick_if_due(every=every, now=now + dt.timedelta(minutes=5))


def test_a_switched_off_unit_gets_no_warning(world: World) -> None:
    rules = rule_set(world)
    rule_actions.rule_switch_off(
        by=world.user("office"), rule_set=rules, unit=world.county_a, rule_id="SOD-01"
    )
    rulesets.forget()
    push(world, *_self_approved("A1"))
    push(world, *[{**e, "resource": "S-B"} for e in _self_approved("B1")])
    checking.check_marked(owner="t")
    assert list(Warning.objects.values_list("rule", "unit__code")) == [("SOD-01", "B1")]

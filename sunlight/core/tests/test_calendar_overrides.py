"""The bureau's calendar entries win over the official table everywhere time limits are counted,
and every process sees an edit: at once where it was made, within the check period elsewhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import chinese_calendar.constants as official_table
import pytest
from django.utils import timezone

from sunlight.audit.models import AuditRecord
from sunlight.core import workdays
from sunlight.core.actions import calendar as calendar_actions
from sunlight.core.models import CalendarDay
from sunlight.core.testing import World
from sunlight.monitoring import rulesets
from sunlight.monitoring.actions import checking
from sunlight.monitoring.tests.rules_kit import event, push, rule_set
from sunlight.warnings import deadlines
from sunlight.warnings.models import Warning

pytestmark = pytest.mark.django_db

NEW_YEAR_2027 = dt.date(2027, 1, 1)  # a Friday
SATURDAY = dt.date(2027, 1, 9)
Capture = Callable[..., Any]


def _enter_2027(world: World, capture: Capture) -> None:
    with capture(execute=True):
        calendar_actions.calendar_day_set(
            by=world.user("office"), date=NEW_YEAR_2027, is_workday=False, name="元旦"
        )
        calendar_actions.calendar_day_set(
            by=world.user("office"), date=SATURDAY, is_workday=True, name="调休上班"
        )


def test_the_installed_official_table_stops_before_2027() -> None:
    # Why the bureau must enter 2027 itself: the package publishes 2004 to 2026.
    assert workdays.official_years() == range(2004, 2027)
    assert not any(day.year == 2027 for day in official_table.holidays)
    assert workdays.calendar().is_provisional(NEW_YEAR_2027)


def test_the_entries_move_the_warning_deadlines(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    assert deadlines.due_after(dt.date(2026, 12, 31), 1) == NEW_YEAR_2027  # Monday-to-Friday

    _enter_2027(world, django_capture_on_commit_callbacks)

    assert deadlines.due_after(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    assert deadlines.due_after(dt.date(2027, 1, 8), 1) == SATURDAY
    assert deadlines.workdays_between(dt.date(2026, 12, 31), dt.date(2027, 1, 11)) == 7
    assert not deadlines.calendar().is_provisional(NEW_YEAR_2027)
    assert rulesets.calendar() is deadlines.calendar()  # one calendar, not two


def _closed_case_breaches(world: World, case: str) -> bool:
    # Accepted Thursday 2026-12-31, finished Monday 2027-01-11: TL-01 allows 6 working days.
    push(
        world,
        event(case, "受理", "2026-12-31T10:00:00+08:00"),
        event(case, "办结", "2027-01-11T10:00:00+08:00"),
    )
    checking.check_marked(owner="t", now=dt.datetime.fromisoformat("2027-01-12T09:00:00+08:00"))
    return Warning.objects.filter(rule="TL-01", cases__external_id=case).exists()


def test_a_rules_working_day_count_follows_the_entries(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    rule_set(world)
    span = (dt.date(2026, 12, 31), dt.date(2027, 1, 11))
    # Monday to Friday: 01-01, 01-04 … 01-08, 01-11 are 7 working days, one too many.
    assert rulesets.calendar().workdays_between(*span) == 7
    assert _closed_case_breaches(world, "K1")

    with django_capture_on_commit_callbacks(execute=True):
        calendar_actions.calendar_day_set(
            by=world.user("office"), date=NEW_YEAR_2027, is_workday=False, name="元旦"
        )
    assert rulesets.calendar().workdays_between(*span) == 6  # New Year's Day is off: in time
    assert not _closed_case_breaches(world, "K2")

    with django_capture_on_commit_callbacks(execute=True):
        calendar_actions.calendar_day_set(
            by=world.user("office"), date=SATURDAY, is_workday=True, name="调休上班"
        )
    assert rulesets.calendar().workdays_between(*span) == 7  # the make-up Saturday counts
    assert _closed_case_breaches(world, "K3")


# --- the cache ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(workdays, "clock", fake)
    workdays.forget()
    return fake


def _entry(day: dt.date, is_workday: bool) -> CalendarDay:
    # Written as another process would: no on-commit invalidation in this one.
    now = timezone.now()
    return CalendarDay.objects.create(
        date=day, is_workday=is_workday, created_at=now, updated_at=now
    )


def test_another_process_edit_is_seen_after_the_check_period(clock: FakeClock) -> None:
    assert workdays.calendar().is_workday(NEW_YEAR_2027)

    _entry(NEW_YEAR_2027, is_workday=False)
    clock.now += workdays.CHECK_SECONDS - 1
    assert workdays.calendar().is_workday(NEW_YEAR_2027)  # not checked again yet

    clock.now += 1
    assert not workdays.calendar().is_workday(NEW_YEAR_2027)


def test_a_deletion_and_an_addition_in_one_period_still_change_the_stamp(
    clock: FakeClock,
) -> None:
    first = _entry(NEW_YEAR_2027, is_workday=False)
    assert not workdays.calendar().is_workday(NEW_YEAR_2027)

    first.delete()
    _entry(SATURDAY, is_workday=True)  # the same count, and the same second perhaps
    clock.now += workdays.CHECK_SECONDS
    calendar = workdays.calendar()
    assert (calendar.is_workday(NEW_YEAR_2027), calendar.is_workday(SATURDAY)) == (True, True)


def test_an_unchanged_stamp_keeps_the_built_calendar(clock: FakeClock) -> None:
    built = workdays.calendar()
    clock.now += workdays.CHECK_SECONDS
    assert workdays.calendar() is built
    workdays.forget()
    assert workdays.calendar() is built


def test_an_edit_is_seen_at_once_in_its_own_process_on_commit(
    world: World, clock: FakeClock, django_capture_on_commit_callbacks: Capture
) -> None:
    assert workdays.calendar().is_workday(NEW_YEAR_2027)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_actions.calendar_day_set(
            by=world.user("admin"), date=NEW_YEAR_2027, is_workday=False
        )
    assert workdays.calendar().is_workday(NEW_YEAR_2027)  # not committed yet: still cached

    for callback in callbacks:
        callback()
    assert not workdays.calendar().is_workday(NEW_YEAR_2027)  # no wait for the check period


def test_removing_an_entry_gives_the_day_back_to_the_official_table(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    national_day = dt.date(2026, 10, 1)
    office = world.user("office")
    with django_capture_on_commit_callbacks(execute=True):
        day = calendar_actions.calendar_day_set(by=office, date=national_day, is_workday=True)
    assert workdays.calendar().is_workday(national_day)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_actions.calendar_day_remove(by=office, day=day)
    assert not workdays.calendar().is_workday(national_day)
    actions = list(
        AuditRecord.objects.filter(action__startswith="core.calendar.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["core.calendar.set", "core.calendar.remove"]

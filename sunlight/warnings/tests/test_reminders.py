"""Reminders: a step due within ``REMIND_DAYS`` working days brings whoever must take it one
in-app notification, once per step and deadline, however often the sweep runs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from sunlight.audit.models import AuditRecord
from sunlight.core.models import User
from sunlight.core.testing import World
from sunlight.warnings import actions, deadlines
from sunlight.warnings.models import Notification, Reminder, Status, Warning
from sunlight.warnings.tests.kit import BEIJING, raised


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def reminded() -> list[str]:
    """User names reminded so far, in order."""
    return list(
        Notification.objects.filter(kind="reminder")
        .order_by("pk")
        .values_list("user__username", flat=True)
    )


def sweep(day: dt.date, hour: int = 8) -> int:
    return actions.warnings_sweep(now=at(day, hour)).reminders


def test_remind_days_is_one_working_day() -> None:
    assert deadlines.REMIND_DAYS == 1


def test_a_response_due_monday_is_reminded_of_on_friday_once(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2), 10))  # Monday
    assert warning.due_date == dt.date(2026, 3, 9)  # the next Monday

    sent = [sweep(dt.date(2026, 3, day)) for day in (5, 6, 6, 7, 8, 9)]  # Thu … Mon

    assert sent == [0, 1, 0, 0, 0, 0]  # Friday: Monday is the next working day
    assert reminded() == ["staff"]  # the person answers
    reminder = Reminder.objects.get()
    assert (reminder.step_status, reminder.due_date, reminder.sent_at) == (
        Status.ASSIGNED, dt.date(2026, 3, 9), at(dt.date(2026, 3, 6)),
    )  # fmt: skip
    audit = AuditRecord.objects.get(action="warnings.reminder.send")
    assert (audit.after or {}).get("to") == [world.user("staff").pk]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((11, 12, 13), [0, 1, 0]),  # Wed: two working days ahead; Thu: the next working day
        ((13,), [1]),  # a first sweep on the Friday itself reminds: due today
    ],
)
def test_a_step_due_friday(world: World, days: tuple[int, ...], expected: list[int]) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 6), 10))  # a Friday
    assert warning.due_date is not None
    assert (warning.due_date, warning.due_date.strftime("%a")) == (dt.date(2026, 3, 13), "Fri")

    assert [sweep(dt.date(2026, 3, day)) for day in days] == expected
    assert reminded() == ["staff"]
    assert sweep(dt.date(2026, 3, 14)) == 0  # Saturday: overdue, not due soon


def test_a_step_due_after_national_day_is_reminded_of_before_the_holiday(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 9, 28), 10))
    actions.warning_decide(
        by=world.user("head"), warning=warning, outcome="justified", note="属实",
        rectify_days=2, now=at(dt.date(2026, 9, 29), 7),
    )  # fmt: skip
    warning.refresh_from_db()
    assert (warning.status, warning.due_date) == (Status.RECTIFYING, dt.date(2026, 10, 8))

    sent = [sweep(day) for day in (dt.date(2026, 9, 29), dt.date(2026, 9, 30))]
    sent += [sweep(dt.date(2026, 10, day)) for day in (3, 7, 8)]

    # 09-29: two working days ahead; 09-30: 10-08 is the next working day, 8 days later.
    assert sent == [0, 1, 0, 0, 0]
    assert reminded() == ["staff"]  # the person reports the rectification


def test_a_decision_due_soon_reminds_the_verifier(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2), 10))
    actions.warning_respond(
        by=world.user("staff"),
        warning=warning,
        explanation="已说明",
        now=at(dt.date(2026, 3, 2), 11),
    )

    assert sweep(dt.date(2026, 3, 6)) == 1
    assert reminded() == ["head"]


def test_a_rectification_to_confirm_reminds_the_verifier(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2), 10))
    head, staff = world.user("head"), world.user("staff")
    actions.warning_decide(
        by=head, warning=warning, outcome="justified", note="属实", now=at(dt.date(2026, 3, 2), 11)
    )
    actions.warning_rectify(
        by=staff, warning=warning, report="已整改", now=at(dt.date(2026, 3, 3), 10)
    )
    warning.refresh_from_db()
    assert warning.due_date == dt.date(2026, 3, 10)

    assert [sweep(dt.date(2026, 3, 9)), sweep(dt.date(2026, 3, 10))] == [1, 0]
    assert reminded() == ["head"]


def test_a_warning_not_yet_assigned_reminds_the_head_who_assigns(world: World) -> None:
    raised(world, assign=False, now=at(dt.date(2026, 3, 2), 10))  # due the next working day

    assert sweep(dt.date(2026, 3, 2), 11) == 1
    assert reminded() == ["head"]


def test_a_person_without_a_login_leaves_the_reminder_to_the_verifier(world: World) -> None:
    # S-B has no login and county B no head: the office verifies, and may decide for them.
    raised(world, officer="S-B", post="PB1", unit="B1", now=at(dt.date(2026, 3, 2), 10))

    assert sweep(dt.date(2026, 3, 6)) == 1
    assert reminded() == ["office"]


def test_closed_warnings_are_not_reminded_of(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2), 10))
    actions.warning_decide(
        by=world.user("head"), warning=warning, outcome="unfounded", note="有授权",
        now=at(dt.date(2026, 3, 3), 10),
    )  # fmt: skip

    assert sweep(dt.date(2026, 3, 6)) == 0
    assert not Reminder.objects.exists()


def test_a_new_deadline_is_reminded_of_anew(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2), 10))
    actions.warning_respond(
        by=world.user("staff"),
        warning=warning,
        explanation="已说明",
        now=at(dt.date(2026, 3, 2), 11),
    )
    assert sweep(dt.date(2026, 3, 6)) == 1  # the decision, due Monday 03-09
    new = User.objects.create_user("city_head", role="head")
    new.scope_units.add(world.city)
    actions.warning_reassign(
        by=world.user("office"), warning=warning, verifier=new, reason="回避",
        now=at(dt.date(2026, 3, 6), 9),
    )  # fmt: skip
    warning.refresh_from_db()
    assert warning.due_date == dt.date(2026, 3, 13)

    assert [
        sweep(dt.date(2026, 3, 9)),
        sweep(dt.date(2026, 3, 12)),
        sweep(dt.date(2026, 3, 13)),
    ] == [0, 1, 0]
    assert reminded() == ["head", "city_head"]


def test_the_command_runs_twice_and_reminds_once(world: World) -> None:
    raised(world, now=at(dt.date(2026, 3, 2), 10))
    outputs = []

    for _run in range(2):
        out = StringIO()
        call_command("warnings_sweep", "--now", "2026-03-06T08:00:00+08:00", stdout=out)
        outputs.append(out.getvalue())

    assert "reminders sent: 1" in outputs[0]
    assert "reminders sent: 0" in outputs[1]
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert Warning.objects.get().reminders.count() == 1

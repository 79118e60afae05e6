"""Deadlines in Chinese working days; overdue steps bring supervision orders; e-mail on commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from sunlight.core.testing import World
from sunlight.warnings import actions, deadlines
from sunlight.warnings.models import Notification, Status, Step, SupervisionOrder
from sunlight.warnings.tests.kit import BEIJING, raised


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.mark.django_db  # the calendar includes the bureau's own entries (core.CalendarDay)
def test_three_working_days_after_the_30th_of_september_end_on_the_make_up_saturday() -> None:
    # 10-01..10-07 are National Day holidays; 10-08 and 10-09 count, Saturday 10-10 is worked.
    assert deadlines.due_after(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert deadlines.workdays_between(dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3


def test_a_rectification_decided_on_the_30th_of_september_is_due_after_the_holiday(
    world: World,
) -> None:
    warning = raised(world, now=at(dt.date(2026, 9, 29)))

    actions.warning_decide(
        by=world.user("head"), warning=warning, outcome="justified", note="属实",
        rectify_days=3, now=at(dt.date(2026, 9, 30)),
    )  # fmt: skip

    warning.refresh_from_db()
    assert (warning.status, warning.rectify_due, warning.due_date) == (
        Status.RECTIFYING, dt.date(2026, 10, 10), dt.date(2026, 10, 10),
    )  # fmt: skip


def test_an_overdue_step_brings_one_supervision_order_to_the_unit_head(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 9, 30)))
    assert warning.due_date == dt.date(2026, 10, 13)

    on_time = actions.warnings_sweep(now=at(dt.date(2026, 10, 13), 23))
    late = actions.warnings_sweep(now=at(dt.date(2026, 10, 14)))
    again = actions.warnings_sweep(now=at(dt.date(2026, 10, 15)))

    assert (on_time.orders, late.orders, again.orders) == (0, 1, 0)
    order = SupervisionOrder.objects.get()
    assert (order.issued_to, order.to_office, order.step_status, order.missed_due) == (
        world.user("head"), False, Status.ASSIGNED, dt.date(2026, 10, 13),
    )  # fmt: skip
    assert order.due_date == dt.date(2026, 10, 19)  # 3 working days after Wednesday 10-14
    warning.refresh_from_db()
    assert warning.was_overdue
    assert warning.transitions.filter(step=Step.SUPERVISE, by=None).count() == 1
    assert Notification.objects.filter(user=world.user("head"), kind="supervision").count() == 1


def test_an_order_is_resolved_when_the_step_is_taken(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 9, 30)))
    actions.warnings_sweep(now=at(dt.date(2026, 10, 14)))

    actions.warning_respond(by=world.user("staff"), warning=warning, explanation="补充说明",
                            now=at(dt.date(2026, 10, 15)))  # fmt: skip

    assert SupervisionOrder.objects.get().resolved_at == at(dt.date(2026, 10, 15))


def test_overdue_without_a_head_goes_to_the_office(world: World) -> None:
    raised(world, officer="S-B", post="PB1", unit="B1", now=at(dt.date(2026, 9, 30)))

    call_command("warnings_sweep", "--now", "2026-10-20T09:00:00+08:00")

    order = SupervisionOrder.objects.get()
    assert (order.issued_to, order.to_office) == (None, True)
    assert Notification.objects.filter(user=world.user("office"), kind="supervision").exists()


def test_notifications_are_e_mailed_after_commit_when_smtp_is_set(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_HOST = "smtp.example.invalid"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    head = world.user("head")
    head.email = "head@example.invalid"
    head.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        raised(world)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert [m.to for m in mail.outbox] == [["head@example.invalid"]]
    assert "four_eyes" in mail.outbox[0].body


def test_no_e_mail_without_smtp(world: World, django_capture_on_commit_callbacks: Any) -> None:
    head = world.user("head")
    head.email = "head@example.invalid"
    head.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        raised(world)

    assert mail.outbox == []
    assert Notification.objects.filter(user=head).count() == 1

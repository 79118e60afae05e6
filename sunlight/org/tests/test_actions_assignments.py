"""Assignments: one primary post at a time per person; acting posts may overlap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Assignment, AssignmentKind

D = dt.date


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def test_rotation_closes_one_post_and_opens_the_next(world: World) -> None:
    office = world.user("office")
    current = Assignment.objects.get(staff=world.staff_a, post=world.post_a1)

    actions.assignment_update(by=office, assignment=current, end=D(2024, 2, 29))
    new = actions.assignment_create(
        by=office, staff=world.staff_a, post=world.post_a2, start=D(2024, 3, 1)
    )

    current.refresh_from_db()
    assert current.end == D(2024, 2, 29)
    assert new.kind == AssignmentKind.PRIMARY
    record = last_audit()
    assert record.action == "org.assignment.create"
    assert record.after["start"] == "2024-03-01"  # type: ignore[index]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2024, 1, 1), None),  # open-ended against open-ended
        (D(2010, 1, 1), D(2015, 3, 1)),  # ends on the first day of the other
        (D(2010, 1, 1), None),
    ],
)
def test_overlapping_primary_is_refused(world: World, start: D, end: D | None) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.assignment_create(
            by=world.user("office"), staff=world.staff_a, post=world.post_a2, start=start, end=end
        )
    assert "start" in exc.value.message_dict
    assert not Assignment.objects.filter(post=world.post_a2).exists()


def test_primary_before_the_other_is_accepted(world: World) -> None:
    actions.assignment_create(
        by=world.user("office"),
        staff=world.staff_a,
        post=world.post_a2,
        start=D(2010, 1, 1),
        end=D(2015, 2, 28),
    )
    assert Assignment.objects.filter(staff=world.staff_a).count() == 2


def test_acting_may_overlap(world: World) -> None:
    acting = actions.assignment_create(
        by=world.user("office"),
        staff=world.staff_a,
        post=world.post_b1,
        start=D(2024, 5, 1),
        end=D(2024, 7, 31),
        kind=AssignmentKind.ACTING,
    )
    assert acting.pk is not None


def test_end_before_start_names_end(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.assignment_create(
            by=world.user("office"),
            staff=world.staff_b,
            post=world.post_a2,
            start=D(2024, 5, 1),
            end=D(2024, 4, 1),
            kind=AssignmentKind.ACTING,
        )
    assert "end" in exc.value.message_dict


def test_update_cannot_create_overlap(world: World) -> None:
    office = world.user("office")
    old = actions.assignment_create(
        by=office, staff=world.staff_a, post=world.post_a2, start=D(2012, 1, 1), end=D(2014, 12, 31)
    )
    with pytest.raises(ValidationError) as exc:
        actions.assignment_update(by=office, assignment=old, end=D(2016, 1, 1))
    assert "start" in exc.value.message_dict
    old.refresh_from_db()
    assert old.end == D(2014, 12, 31)


def test_update_without_change_writes_nothing(world: World) -> None:
    assignment = Assignment.objects.get(staff=world.staff_b)
    count = AuditRecord.objects.count()
    actions.assignment_update(
        by=world.user("office"), assignment=assignment, start="2019-07-01", end=None
    )
    assert AuditRecord.objects.count() == count


def test_invalid_kind_and_date(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.assignment_create(
            by=None, staff=world.staff_b, post=world.post_a2, start=D(2000, 1, 1), kind="boss"
        )
    assert "kind" in exc.value.message_dict
    assignment = Assignment.objects.get(staff=world.staff_b)
    with pytest.raises(ValidationError) as exc:
        actions.assignment_update(by=None, assignment=assignment, start="someday")
    assert "start" in exc.value.message_dict


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_refused(world: World, role: str) -> None:
    assignment = Assignment.objects.get(staff=world.staff_b)
    with pytest.raises(PermissionDenied):
        actions.assignment_create(
            by=world.user(role), staff=world.staff_b, post=world.post_a2, start=D(2001, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        actions.assignment_update(by=world.user(role), assignment=assignment, end=D(2025, 1, 1))
    assignment.refresh_from_db()
    assert assignment.end is None

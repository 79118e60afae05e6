"""Goals: set top-down by whoever oversees the unit; post goals break unit goals down."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Goal


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def test_head_sets_unit_goal_and_post_goal(world: World) -> None:
    head = world.user("head")
    unit_goal = actions.goal_set(
        by=head, unit=world.county_a, year=2026, title="税收收入完成率100%", target="≥100%"
    )
    post_goal = actions.goal_set(
        by=head,
        unit=world.dept_a1,
        year=2026,
        title="户籍巡查全覆盖",
        post=world.post_a1,
        parent=unit_goal,
    )
    post_goal.refresh_from_db()
    assert (post_goal.parent, post_goal.set_by) == (unit_goal, head)
    record = last_audit()
    assert record.action == "org.goal.set"
    assert record.after["post"] == world.post_a1.pk  # type: ignore[index]


@pytest.mark.parametrize(
    ("role", "unit", "allowed"),
    [
        ("head", "county_a", True),
        ("head", "dept_a1", True),
        ("head", "county_b", False),
        ("head", "city", False),
        ("leader", "dept_b1", True),
        ("leader", "dept_a1", False),
        ("office", "city", True),
        ("admin", "dept_b1", True),
        ("staff", "dept_a1", False),
        ("auditor", "dept_a1", False),
    ],
)
def test_who_sets_goals(world: World, role: str, unit: str, allowed: bool) -> None:
    target = getattr(world, unit)
    if allowed:
        assert actions.goal_set(by=world.user(role), unit=target, year=2026, title="目标").pk
    else:
        with pytest.raises(PermissionDenied):
            actions.goal_set(by=world.user(role), unit=target, year=2026, title="目标")
        assert not Goal.objects.exists()


def test_invalid_goals_name_the_field(world: World) -> None:
    office = world.user("office")
    with pytest.raises(ValidationError) as exc:
        actions.goal_set(by=office, unit=world.county_a, year=2026, title="")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.goal_set(by=office, unit=world.dept_a1, year=2026, title="t", post=world.post_b1)
    assert "post" in exc.value.message_dict
    other_year = actions.goal_set(by=office, unit=world.county_a, year=2025, title="上年")
    with pytest.raises(ValidationError) as exc:
        actions.goal_set(by=office, unit=world.dept_a1, year=2026, title="t", parent=other_year)
    assert "parent" in exc.value.message_dict
    b_goal = actions.goal_set(by=office, unit=world.county_b, year=2026, title="B")
    with pytest.raises(ValidationError) as exc:
        actions.goal_set(by=office, unit=world.dept_a1, year=2026, title="t", parent=b_goal)
    assert "parent" in exc.value.message_dict


def test_update_and_noop(world: World) -> None:
    head = world.user("head")
    goal = actions.goal_set(by=head, unit=world.dept_a1, year=2026, title="目标", target="90%")
    actions.goal_update(by=head, goal=goal, target="95%")
    goal.refresh_from_db()
    assert goal.target == "95%"
    record = last_audit()
    assert (record.action, record.before["target"]) == ("org.goal.update", "90%")  # type: ignore[index]
    count = AuditRecord.objects.count()
    actions.goal_update(by=head, goal=goal, target="95%", year="2026", unit=world.dept_a1)
    assert AuditRecord.objects.count() == count


def test_update_cannot_move_a_goal_out_of_scope(world: World) -> None:
    goal = actions.goal_set(by=world.user("head"), unit=world.dept_a1, year=2026, title="目标")
    with pytest.raises(PermissionDenied):
        actions.goal_update(by=world.user("head"), goal=goal, unit=world.dept_b1)
    with pytest.raises(PermissionDenied):
        actions.goal_update(by=world.user("leader"), goal=goal, title="改")
    goal.refresh_from_db()
    assert (goal.unit, goal.title) == (world.dept_a1, "目标")

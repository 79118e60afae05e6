"""Posts and staff records: created and changed by the office or an admin, audited, idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Post, PowerType, Staff


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def test_post_create(world: World) -> None:
    post = actions.post_create(
        by=world.user("office"),
        code="PA3",
        name="发票管理岗",
        unit=world.dept_a1,
        power_type=PowerType.EXECUTE,
        is_high_risk=True,
        term_limit_years=5,
    )
    post.refresh_from_db()
    assert (post.unit, post.is_high_risk, post.term_limit_years) == (world.dept_a1, True, 5)
    record = last_audit()
    assert record.action == "org.post.create"
    assert record.after == {**record.after, "code": "PA3", "unit": world.dept_a1.pk}  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"code": "PA1"}, "code"),
        ({"power_type": "rule"}, "power_type"),
        ({"name": ""}, "name"),
    ],
)
def test_post_create_invalid(world: World, fields: dict[str, Any], bad: str) -> None:
    data: dict[str, Any] = {
        "code": "PX",
        "name": "岗",
        "unit": world.dept_a1,
        "power_type": PowerType.DECIDE,
    }
    with pytest.raises(ValidationError) as exc:
        actions.post_create(by=world.user("admin"), **{**data, **fields})
    assert bad in exc.value.message_dict
    assert not Post.objects.filter(code="PX").exists()


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_post_create_refused(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.post_create(
            by=world.user(role),
            code="PX",
            name="岗",
            unit=world.dept_a1,
            power_type=PowerType.DECIDE,
        )


def test_post_update_and_noop(world: World) -> None:
    office = world.user("office")
    actions.post_update(by=office, post=world.post_a2, is_high_risk=True, term_limit_years=5)
    world.post_a2.refresh_from_db()
    assert world.post_a2.is_high_risk
    record = last_audit()
    assert record.action == "org.post.update"
    assert record.before["is_high_risk"] is False  # type: ignore[index]
    assert record.after["term_limit_years"] == 5  # type: ignore[index]

    count = AuditRecord.objects.count()
    actions.post_update(
        by=office, post=world.post_a2, is_high_risk=True, term_limit_years="5", unit=world.dept_a1
    )
    assert AuditRecord.objects.count() == count


def test_post_update_refused_and_invalid(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.post_update(by=world.user("head"), post=world.post_a1, name="x")
    with pytest.raises(ValidationError) as exc:
        actions.post_update(by=world.user("office"), post=world.post_a1, code="PB1")
    assert "code" in exc.value.message_dict


def test_staff_create(world: World) -> None:
    staff = actions.staff_create(
        by=world.user("office"),
        staff_no="S-C",
        name="王五",
        unit=world.dept_b1,
        gender="F",
        email="wangwu@example.org",
    )
    staff.refresh_from_db()
    assert (staff.name, staff.unit, staff.gender) == ("王五", world.dept_b1, "F")
    record = last_audit()
    assert record.action == "org.staff.create"
    assert record.object_id == str(staff.pk)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"staff_no": "S-A"}, "staff_no"),
        ({"email": "not-an-address"}, "email"),
        ({"gender": "X"}, "gender"),
    ],
)
def test_staff_create_invalid(world: World, fields: dict[str, Any], bad: str) -> None:
    data: dict[str, Any] = {"staff_no": "S-C", "name": "王五", "unit": world.dept_b1}
    with pytest.raises(ValidationError) as exc:
        actions.staff_create(by=world.user("office"), **{**data, **fields})
    assert bad in exc.value.message_dict


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_staff_writes_refused(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.staff_create(by=world.user(role), staff_no="S-C", name="王五", unit=world.dept_b1)
    with pytest.raises(PermissionDenied):
        actions.staff_update(by=world.user(role), staff=world.staff_a, rank="一级主任科员")
    assert not Staff.objects.filter(staff_no="S-C").exists()


def test_staff_update_moves_and_is_idempotent(world: World) -> None:
    office = world.user("office")
    actions.staff_update(by=office, staff=world.staff_a, unit=world.dept_b1, rank="四级主任科员")
    world.staff_a.refresh_from_db()
    assert world.staff_a.unit == world.dept_b1
    record = last_audit()
    assert (record.before["unit"], record.after["unit"]) == (  # type: ignore[index]
        world.dept_a1.pk,
        world.dept_b1.pk,
    )
    count = AuditRecord.objects.count()
    actions.staff_update(by=office, staff=world.staff_a, unit=world.dept_b1, rank="四级主任科员")
    assert AuditRecord.objects.count() == count

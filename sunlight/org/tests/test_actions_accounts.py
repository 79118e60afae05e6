"""Accounts (``sunlight.core.actions``): only administrators manage logins and their scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core import actions
from sunlight.core.models import Role, User
from sunlight.core.testing import World

PASSWORD = "sunlight-demo-9"


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def test_admin_creates_a_head(world: World) -> None:
    user = actions.account_create(
        by=world.user("admin"),
        username="head_b",
        password=PASSWORD,
        role=Role.HEAD,
        staff=world.staff_b,
        scope_units=[world.county_b],
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert (user.role, user.staff) == (Role.HEAD, world.staff_b)
    assert list(user.scope_units.all()) == [world.county_b]
    record = last_audit()
    assert record.action == "core.account.create"
    assert record.after == {
        "username": "head_b",
        "role": "head",
        "staff": world.staff_b.pk,
        "is_active": True,
        "scope_units": [world.county_b.pk],
    }
    assert "password" not in str(record.after)


@pytest.mark.parametrize("role", ["staff", "head", "leader", "office", "auditor"])
def test_only_admins(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.account_create(by=world.user(role), username="x", password=PASSWORD, role="staff")
    with pytest.raises(PermissionDenied):
        actions.account_update(by=world.user(role), user=world.user("staff"), role=Role.ADMIN)
    assert not User.objects.filter(username="x").exists()
    assert User.objects.get(username="staff").role == Role.STAFF


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"username": "staff"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"password": "123"}, "password"),
        ({"role": "king"}, "role"),
        ({"role": "staff", "scope_units": "county_a"}, "scope_units"),
    ],
)
def test_invalid(world: World, fields: dict[str, Any], bad: str) -> None:
    data: dict[str, Any] = {"username": "new", "password": PASSWORD, "role": "head"}
    data.update(fields)
    if "scope_units" in data:
        data["scope_units"] = [getattr(world, data["scope_units"])]
    with pytest.raises(ValidationError) as exc:
        actions.account_create(by=world.user("admin"), **data)
    assert bad in exc.value.message_dict
    assert not User.objects.filter(username="new").exists()


def test_staff_record_links_one_account(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.account_create(
            by=None, username="second", password=PASSWORD, role="staff", staff=world.staff_a
        )
    assert "staff" in exc.value.message_dict


def test_update_role_and_scope(world: World) -> None:
    admin = world.user("admin")
    user = world.user("leader")
    actions.account_update(by=admin, user=user, scope_units=[world.county_a, world.county_b])
    assert set(user.scope_units.all()) == {world.county_a, world.county_b}
    record = last_audit()
    assert record.action == "core.account.update"
    assert record.before["scope_units"] == [world.county_b.pk]  # type: ignore[index]
    assert len(record.after["scope_units"]) == 2  # type: ignore[index]

    actions.account_update(by=admin, user=user, role=Role.OFFICE, scope_units=[])
    user.refresh_from_db()
    assert (user.role, user.scope_units.count()) == (Role.OFFICE, 0)


def test_role_without_subtree_cannot_keep_scope(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.account_update(by=world.user("admin"), user=world.user("head"), role=Role.STAFF)
    assert "scope_units" in exc.value.message_dict
    assert User.objects.get(username="head").role == Role.HEAD


def test_deactivate_and_noop(world: World) -> None:
    admin = world.user("admin")
    user = world.user("auditor")
    actions.account_update(by=admin, user=user, is_active=False)
    user.refresh_from_db()
    assert not user.is_active
    count = AuditRecord.objects.count()
    actions.account_update(
        by=admin, user=world.user("head"), role=Role.HEAD, scope_units=[world.county_a]
    )
    assert AuditRecord.objects.count() == count


def test_admin_cannot_lock_themselves_out(world: World) -> None:
    admin = world.user("admin")
    with pytest.raises(ValidationError):
        actions.account_update(by=admin, user=admin, is_active=False)
    with pytest.raises(ValidationError):
        actions.account_update(by=admin, user=admin, role=Role.STAFF)
    admin.refresh_from_db()
    assert (admin.is_active, admin.role) == (True, Role.ADMIN)

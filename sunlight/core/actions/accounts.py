"""Login accounts: who may sign in, with which role, as which staff member, over which units.

Only administrators manage accounts (``by=None`` is reserved for system jobs such as the demo
loader). The audit rows never contain the password or its hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.org.actions import restored_on_error
from sunlight.org.models import Staff, Unit

_AUDITED_FIELDS = ["username", "role", "staff", "is_active"]


def _require_admin(by: User | None) -> None:
    if by is not None:
        access.require(access.is_active(by) and by.role == Role.ADMIN)


def _account_snapshot(user: User) -> dict[str, Any]:
    data = snapshot(user, _AUDITED_FIELDS)
    data["scope_units"] = sorted(user.scope_units.values_list("pk", flat=True))
    return data


def _check_scope(role: str, scope_units: list[Unit]) -> None:
    """Only heads and leaders oversee subtrees; a scope on any other role would mislead."""
    if scope_units and role not in access.SUBTREE_ROLES:
        raise ValidationError(
            {"scope_units": _("Only unit heads and leaders have units in scope.")}
        )


def _audit(*, by: User | None, action: str, user: User, before: dict[str, Any] | None) -> None:
    audit_record(
        by=by,
        action=action,
        obj=user,
        before=before,
        after=_account_snapshot(user),
    )


def account_create(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    staff: Staff | None = None,
    scope_units: Iterable[Unit] = (),
) -> User:
    _require_admin(by)
    units = list(scope_units)
    _check_scope(role, units)
    with transaction.atomic():
        user = User(username=username, role=role, staff=staff)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.full_clean()
        user.save()
        user.scope_units.set(units)
        _audit(by=by, action="core.account.create", user=user, before=None)
    return user


def _refuse_self_lockout(by: User | None, user: User) -> None:
    # An administrator who demotes or deactivates themselves may leave nobody able to undo it.
    if by is not None and by.pk == user.pk and (user.role != Role.ADMIN or not user.is_active):
        raise ValidationError({"role": _("You cannot remove your own administrator access.")})


def account_update(
    *,
    by: User | None,
    user: User,
    role: str | None = None,
    staff: Staff | None = None,
    scope_units: Iterable[Unit] | None = None,
    is_active: bool | None = None,
) -> User:
    """Change what is given; ``staff`` links a staff record (unlinking is not done here)."""
    _require_admin(by)
    with restored_on_error(user), transaction.atomic():
        before = _account_snapshot(user)
        changed = [
            name
            for name, value in (("role", role), ("staff", staff), ("is_active", is_active))
            if value is not None and _set(user, name, value)
        ]
        units = list(scope_units) if scope_units is not None else list(user.scope_units.all())
        _check_scope(user.role, units)
        scope_changed = scope_units is not None and sorted(u.pk for u in units) != sorted(
            before["scope_units"]
        )
        if not changed and not scope_changed:
            return user
        _refuse_self_lockout(by, user)
        user.full_clean()
        if changed:
            user.save(update_fields=changed)
        if scope_changed:
            user.scope_units.set(units)
        _audit(by=by, action="core.account.update", user=user, before=before)
    return user


def _set(user: User, name: str, value: Any) -> bool:
    current = user.staff_id if name == "staff" else getattr(user, name)
    new = value.pk if isinstance(value, Staff) else value
    if current == new:
        return False
    setattr(user, name, value)
    return True

"""Who may take which step of a warning, from the primitives of ``core.access``.

The person responsible answers and reports the rectification; the verifier (a unit head, or the
office) assigns, decides and closes; the office (and administrators, ``access.MANAGERS``) may step
in anywhere, issue supervision orders and decide accountability. Auditors only read.
"""

from __future__ import annotations

from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.org.models import Unit
from sunlight.warnings.models import Accountability, Warning


def is_manager(user: User) -> bool:
    return access.can_write(user) and user.role in access.MANAGERS


def warning_unit(warning: Warning) -> Unit | None:
    """The unit a warning belongs to: its own, else the person's, else the post's."""
    if warning.unit is not None:
        return warning.unit
    if warning.staff is not None:
        return warning.staff.unit
    return warning.post.unit if warning.post is not None else None


def heads_unit(user: User, warning: Warning) -> bool:
    unit = warning_unit(warning)
    return user.role == Role.HEAD and unit is not None and access.unit_in_scope(user, unit)


def is_person(user: User, warning: Warning) -> bool:
    staff_id = access.own_staff_id(user)
    return access.can_write(user) and staff_id is not None and staff_id == warning.staff_id


def may_assign(user: User, warning: Warning) -> bool:
    if not access.can_write(user) or is_person(user, warning):
        return False
    return user.role in access.MANAGERS or heads_unit(user, warning)


def is_verifier(user: User, warning: Warning) -> bool:
    """The assigned head, or the office (which may always step in); never the person."""
    if not access.can_write(user) or is_person(user, warning):
        return False
    return user.role in access.MANAGERS or (
        warning.verifier_id is not None and warning.verifier_id == user.pk
    )


def may_verify_unit(user: User, warning: Warning) -> bool:
    """Could ``user`` be named the verifier of ``warning``?"""
    if not user.is_active or (user.staff_id is not None and user.staff_id == warning.staff_id):
        return False
    return user.role in access.MANAGERS or heads_unit(user, warning)


def may_respond(user: User, warning: Warning) -> bool:
    return is_person(user, warning)


def may_rectify(user: User, warning: Warning) -> bool:
    return is_person(user, warning) or is_verifier(user, warning)


def may_supervise(user: User) -> bool:
    return is_manager(user)


def may_hold_accountable(user: User) -> bool:
    return is_manager(user)


def may_appeal(user: User, record: Accountability) -> bool:
    staff_id = access.own_staff_id(user)
    return access.can_write(user) and staff_id is not None and staff_id == record.staff_id


def may_decide_appeal(user: User, record: Accountability) -> bool:
    """Someone other than who decided the measure reviews the appeal."""
    return is_manager(user) and user.pk != record.decided_by_id

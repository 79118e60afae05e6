"""Who may take which step of a warning, from the primitives of ``core.access``.

The person responsible answers and reports the rectification; the verifier (a unit head, or the
office) assigns, decides and closes; the office (and administrators, ``access.MANAGERS``) may step
in anywhere, issue supervision orders and decide accountability. Auditors only read.
"""

from __future__ import annotations

from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.org.models import Unit
from sunlight.warnings.models import Accountability, Status, Warning

# Whose own warnings the office verifies, never a unit head: leaders and the office's own staff.
OFFICE_CASES = frozenset({Role.LEADER, Role.OFFICE, Role.ADMIN})
# A verifier may be replaced until the decision is taken (after it, the decision stands).
REASSIGNABLE = (Status.ASSIGNED, Status.RESPONDED)


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


def office_verifies(warning: Warning) -> bool:
    """Is the warning about a leader (or the office's own staff), whom no unit head judges?"""
    if warning.staff_id is None:
        return False
    return User.objects.filter(
        staff_id=warning.staff_id, is_active=True, role__in=OFFICE_CASES
    ).exists()


def may_verify_unit(user: User, warning: Warning) -> bool:
    """Could ``user`` be named the verifier of ``warning``? (``choose_verifier``'s rules.)"""
    if not user.is_active or (user.staff_id is not None and user.staff_id == warning.staff_id):
        return False
    if user.role in access.MANAGERS:
        return True
    return heads_unit(user, warning) and not office_verifies(warning)


def may_reassign(user: User, warning: Warning) -> bool:
    """Who may route a new warning (the office, a head of its unit) may re-route it."""
    return may_assign(user, warning)


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

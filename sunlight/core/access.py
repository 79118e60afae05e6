"""The access choke point: every page, partial and API endpoint asks here what a user may see
and do. Scope is a unit subtree (a head sees their unit and below, a leader the units in their
charge, staff their own records); the office, auditors and admins see everything; auditors never
write. Apps build their scoped querysets in ``queries.py`` from these primitives only.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from sunlight.core.models import Role, User
from sunlight.org.models import Assignment, DutyStatus, Post, Unit

EVERYTHING = frozenset({Role.OFFICE, Role.AUDITOR, Role.ADMIN})
MANAGERS = frozenset({Role.OFFICE, Role.ADMIN})
SUBTREE_ROLES = frozenset({Role.HEAD, Role.LEADER})


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (HTTP 403 for pages and API alike) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def is_active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_everything(user: User) -> bool:
    return is_active(user) and user.role in EVERYTHING


def is_read_only(user: User) -> bool:
    return user.role == Role.AUDITOR


def manages_org(user: User) -> bool:
    """May change the organisation's structure and the power list (units, posts, staff …)."""
    return is_active(user) and user.role in MANAGERS


def scope_paths(user: User) -> list[str]:
    """Path prefixes of the subtrees a head or leader oversees (empty for everyone else)."""
    if not is_active(user) or user.role not in SUBTREE_ROLES:
        return []
    # An empty path (a unit not yet placed in the tree) would prefix-match every unit.
    return sorted(u.path for u in user.scope_units.all() if u.path)


def subtree_q(user: User, path_field: str) -> Q:
    """A filter on ``path_field`` (a unit's ``path``) matching the user's subtrees; empty → none."""
    paths = scope_paths(user)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths))


def unit_in_scope(user: User, unit: Unit) -> bool:
    if sees_everything(user):
        return True
    return any(unit.path.startswith(p) for p in scope_paths(user))


def own_staff_id(user: User) -> int | None:
    return user.staff_id if is_active(user) else None


def current_post_ids(user: User, on: dt.date | None = None) -> set[int]:
    """Posts the user's staff record holds on ``on`` (today by default)."""
    staff_id = own_staff_id(user)
    if staff_id is None:
        return set()
    day = on or timezone.localdate()
    return set(
        Assignment.objects.filter(staff_id=staff_id, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values_list("post_id", flat=True)
    )


def can_write(user: User) -> bool:
    return is_active(user) and not is_read_only(user)


def can_draft_duty(user: User, post: Post) -> bool:
    """Duties are drafted bottom-up: by the holder of the post, or for it by its unit head."""
    if not can_write(user):
        return False
    if user.role in MANAGERS:
        return True
    if user.role == Role.HEAD and unit_in_scope(user, post.unit):
        return True
    return post.pk in current_post_ids(user)


_REVIEWERS = {
    DutyStatus.HEAD_REVIEW: frozenset({Role.HEAD}),
    DutyStatus.LEADER_REVIEW: frozenset({Role.LEADER}),
    # The personnel office's step is taken by the internal-control office or an administrator.
    DutyStatus.PERSONNEL_REVIEW: MANAGERS,
}


def can_review_duty(user: User, status: str, post: Post) -> bool:
    """Who approves or returns a duty depends on the stage it waits at."""
    roles = _REVIEWERS.get(DutyStatus(status)) if status in DutyStatus.values else None
    if not roles or not can_write(user) or user.role not in roles:
        return False
    return user.role in MANAGERS or unit_in_scope(user, post.unit)


def can_set_goal(user: User, unit: Unit) -> bool:
    """Goals are set top-down by whoever oversees the unit."""
    if not can_write(user):
        return False
    if user.role in MANAGERS:
        return True
    return user.role in SUBTREE_ROLES and unit_in_scope(user, unit)


def edits_calendar(user: User) -> bool:
    """The working-day calendar moves every time limit: the office and administrators keep it
    (everyone signed in reads it)."""
    return can_write(user) and user.role in MANAGERS

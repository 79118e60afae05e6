"""Reads of the organisation, each scoped by the user's access (see ``core/access.py``).

Views and API endpoints fetch through these functions only; an object outside the scope is
simply not found (404), so its existence is not disclosed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sunlight.core import access
from sunlight.core.models import User
from sunlight.org.models import Assignment, Duty, Goal, Post, PowerItem, Staff, Unit


def units_for(user: User) -> QuerySet[Unit]:
    units = Unit.objects.select_related("parent")
    if access.sees_everything(user):
        return units
    own = Q(staff__pk=access.own_staff_id(user)) if access.own_staff_id(user) else Q(pk__in=[])
    return units.filter(access.subtree_q(user, "path") | own).distinct()


def posts_for(user: User) -> QuerySet[Post]:
    posts = Post.objects.select_related("unit")
    if access.sees_everything(user):
        return posts
    return posts.filter(
        access.subtree_q(user, "unit__path") | Q(pk__in=access.current_post_ids(user))
    )


def duties_for(user: User) -> QuerySet[Duty]:
    duties = Duty.objects.select_related("post", "post__unit", "drafted_by")
    if access.sees_everything(user):
        return duties
    return duties.filter(
        access.subtree_q(user, "post__unit__path") | Q(post_id__in=access.current_post_ids(user))
    )


def staff_for(user: User) -> QuerySet[Staff]:
    staff = Staff.objects.select_related("unit")
    if access.sees_everything(user):
        return staff
    return staff.filter(access.subtree_q(user, "unit__path") | Q(pk=access.own_staff_id(user)))


def assignments_for(user: User) -> QuerySet[Assignment]:
    assignments = Assignment.objects.select_related("staff", "post", "post__unit")
    if access.sees_everything(user):
        return assignments
    return assignments.filter(
        access.subtree_q(user, "post__unit__path")
        | access.subtree_q(user, "staff__unit__path")
        | Q(staff_id=access.own_staff_id(user))
    )


def power_items_for(user: User) -> QuerySet[PowerItem]:
    """The published power list is open to every user; unpublished items follow unit scope."""
    items = PowerItem.objects.select_related("unit", "post")
    if access.sees_everything(user):
        return items
    return items.filter(
        Q(is_public=True)
        | access.subtree_q(user, "unit__path")
        | Q(post_id__in=access.current_post_ids(user))
    )


def goals_for(user: User) -> QuerySet[Goal]:
    goals = Goal.objects.select_related("unit", "post", "parent")
    if access.sees_everything(user):
        return goals
    own_staff = access.own_staff_id(user)
    own_unit = Q(unit__staff__pk=own_staff, post__isnull=True) if own_staff else Q(pk__in=[])
    return goals.filter(
        access.subtree_q(user, "unit__path")
        | Q(post_id__in=access.current_post_ids(user))
        | own_unit
    ).distinct()

"""The access matrix at query and action level: role × own / same-unit / other-unit objects.

The world (``sunlight.core.testing``): ``staff`` is staff_a, holding PA1 in dept A1; ``head``
oversees county A; ``leader`` county B; ``office``, ``auditor`` and ``admin`` see everything.
Below, "own" is staff_a's post and records, "same" a neighbour's in dept A1, "other" county B's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from sunlight.core import actions as accounts
from sunlight.core.models import User
from sunlight.core.testing import World
from sunlight.org import actions, queries
from sunlight.org.models import (
    Assignment,
    Duty,
    DutyStatus,
    Goal,
    PowerCategory,
    PowerItem,
    PowerType,
    Staff,
    Unit,
)

ROLES = ("staff", "head", "leader", "office", "auditor", "admin")
EVERYONE = frozenset(ROLES)
ALL_SEEING = frozenset({"office", "auditor", "admin"})
MANAGERS = frozenset({"office", "admin"})


class Objects(dict[str, dict[str, Any]]):
    """Labelled objects of each kind: ``objects["duties"]["own"]``."""


@pytest.fixture
def objects(world: World) -> Objects:
    w = world
    neighbour = actions.staff_create(by=None, staff_no="S-A2", name="王五", unit=w.dept_a1)
    actions.assignment_create(by=None, staff=neighbour, post=w.post_a2, start=dt.date(2020, 1, 1))

    def duty(post: Any) -> Duty:
        return actions.duty_draft(by=None, post=post, text="职责")

    def item(code: str, unit: Any, post: Any, public: bool) -> PowerItem:
        return actions.power_item_create(
            by=None,
            code=code,
            name=code,
            category=PowerCategory.RELIEF,
            power_type=PowerType.DECIDE,
            unit=unit,
            post=post,
            is_public=public,
        )

    def goal(unit: Any, post: Any = None) -> Goal:
        return actions.goal_set(by=None, unit=unit, year=2026, title="目标", post=post)

    return Objects(
        units={"city": w.city, "county_a": w.county_a, "own": w.dept_a1, "other": w.dept_b1}
        | {"county_b": w.county_b},
        posts={"own": w.post_a1, "same": w.post_a2, "other": w.post_b1},
        duties={"own": duty(w.post_a1), "same": duty(w.post_a2), "other": duty(w.post_b1)},
        staff={"own": w.staff_a, "same": neighbour, "other": w.staff_b},
        assignments={
            "own": Assignment.objects.get(staff=w.staff_a),
            "same": Assignment.objects.get(staff=neighbour),
            "other": Assignment.objects.get(staff=w.staff_b),
        },
        power_items={
            "own_public": item("Q1", w.dept_a1, w.post_a1, True),
            "own_private": item("Q2", w.dept_a1, w.post_a1, False),
            "same_private": item("Q3", w.dept_a1, w.post_a2, False),
            "unit_private": item("Q4", w.county_a, None, False),
            "other_public": item("Q5", w.dept_b1, w.post_b1, True),
            "other_private": item("Q6", w.dept_b1, None, False),
        },
        goals={
            "own_post": goal(w.dept_a1, w.post_a1),
            "own_unit": goal(w.dept_a1),
            "same_post": goal(w.dept_a1, w.post_a2),
            "county_a": goal(w.county_a),
            "other": goal(w.dept_b1),
            "city": goal(w.city),
        },
    )


QUERIES: dict[str, Callable[[User], QuerySet[Any]]] = {
    "units": queries.units_for,
    "posts": queries.posts_for,
    "duties": queries.duties_for,
    "staff": queries.staff_for,
    "assignments": queries.assignments_for,
    "power_items": queries.power_items_for,
    "goals": queries.goals_for,
}

# What each role sees of each kind; the all-seeing roles see every label.
SEES: dict[str, dict[str, set[str]]] = {
    "units": {
        "staff": {"own"},
        "head": {"county_a", "own"},
        "leader": {"county_b", "other"},
    },
    "posts": {"staff": {"own"}, "head": {"own", "same"}, "leader": {"other"}},
    "duties": {"staff": {"own"}, "head": {"own", "same"}, "leader": {"other"}},
    "staff": {"staff": {"own"}, "head": {"own", "same"}, "leader": {"other"}},
    "assignments": {"staff": {"own"}, "head": {"own", "same"}, "leader": {"other"}},
    "power_items": {
        "staff": {"own_public", "own_private", "other_public"},
        "head": {"own_public", "own_private", "same_private", "unit_private", "other_public"},
        "leader": {"own_public", "other_public", "other_private"},
    },
    "goals": {
        "staff": {"own_post", "own_unit"},
        "head": {"own_post", "own_unit", "same_post", "county_a"},
        "leader": {"other"},
    },
}


def visible(objects: Objects, kind: str, user: User) -> set[str]:
    pks = set(QUERIES[kind](user).values_list("pk", flat=True))
    return {label for label, obj in objects[kind].items() if obj.pk in pks}


@pytest.mark.parametrize("kind", list(QUERIES))
def test_what_each_role_sees(objects: Objects, world: World, kind: str) -> None:
    expected = {
        role: set(objects[kind]) if role in ALL_SEEING else SEES[kind][role] for role in ROLES
    }
    assert {role: visible(objects, kind, world.user(role)) for role in ROLES} == expected


@pytest.mark.parametrize("kind", list(QUERIES))
def test_queries_return_each_object_once(objects: Objects, world: World, kind: str) -> None:
    for role in ROLES:
        pks = list(QUERIES[kind](world.user(role)).values_list("pk", flat=True))
        assert len(pks) == len(set(pks))


@pytest.mark.parametrize("kind", list(QUERIES))
def test_a_deactivated_login_sees_only_the_published_list(
    objects: Objects, world: World, kind: str
) -> None:
    expected = {"own_public", "other_public"} if kind == "power_items" else set()
    for role in ROLES:
        user = world.user(role)
        user.is_active = False
        assert visible(objects, kind, user) == expected, role


def test_a_head_sees_their_own_staff_record_outside_their_scope(
    objects: Objects, world: World
) -> None:
    head = world.user("head")
    head.staff = world.staff_b
    head.save(update_fields=["staff"])
    assert visible(objects, "staff", head) == {"own", "same", "other"}


# --- actions --------------------------------------------------------------------------------------

Act = Callable[[Objects, World, User, str], Any]


def _at(duty: Duty, status: str) -> Duty:
    """Walk a duty (as the system) to the stage under test, unless it already waits there."""
    if duty.status == DutyStatus.DRAFT:
        actions.duty_submit(by=None, duty=duty)
    while duty.status != status:
        actions.duty_approve(by=None, duty=duty)
    return duty


def _approve_at(status: str) -> Act:
    def act(o: Objects, w: World, user: User, target: str) -> Any:
        duty = _at(o["duties"][target], status)
        return actions.duty_approve(by=user, duty=duty)

    return act


def _return_at(status: str) -> Act:
    def act(o: Objects, w: World, user: User, target: str) -> Any:
        duty = _at(o["duties"][target], status)
        return actions.duty_return(by=user, duty=duty, comment="请修改")

    return act


GOAL_UNITS = {"own": "dept_a1", "other": "dept_b1", "city": "city"}
UNIT_TARGETS = {"own": "dept_a1", "same": "county_a", "other": "dept_b1"}

ACTIONS: dict[str, tuple[Act, dict[str, frozenset[str]]]] = {
    "unit_update": (
        lambda o, w, u, t: actions.unit_update(by=u, unit=getattr(w, UNIT_TARGETS[t]), name="新"),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "unit_create": (
        lambda o, w, u, t: actions.unit_create(
            by=u, code="N", name="新", kind="team", parent=getattr(w, UNIT_TARGETS[t])
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "post_create": (
        lambda o, w, u, t: actions.post_create(
            by=u, code="NP", name="新岗", unit=getattr(w, UNIT_TARGETS[t]), power_type="execute"
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "post_update": (
        lambda o, w, u, t: actions.post_update(by=u, post=o["posts"][t], name="新"),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "staff_create": (
        lambda o, w, u, t: actions.staff_create(
            by=u, staff_no="S-NEW", name="赵六", unit=getattr(w, UNIT_TARGETS[t])
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "staff_update": (
        lambda o, w, u, t: actions.staff_update(by=u, staff=o["staff"][t], rank="一级科员"),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "assignment_create": (
        lambda o, w, u, t: actions.assignment_create(
            by=u,
            staff=o["staff"][t],
            post=o["posts"][t],
            start=dt.date(2031, 1, 1),
            kind="acting",
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "assignment_update": (
        lambda o, w, u, t: actions.assignment_update(
            by=u, assignment=o["assignments"][t], end=dt.date(2030, 1, 1)
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "power_item_create": (
        lambda o, w, u, t: actions.power_item_create(
            by=u,
            code="Q-NEW",
            name="新权力",
            category=PowerCategory.PENALTY,
            power_type=PowerType.DECIDE,
            unit=getattr(w, UNIT_TARGETS[t]),
            legal_bases=[("《中华人民共和国税收征收管理法》", "第六十二条")],
        ),
        {"own": MANAGERS, "same": MANAGERS, "other": MANAGERS},
    ),
    "power_item_update": (
        lambda o, w, u, t: actions.power_item_update(
            by=u, power_item=o["power_items"][t], is_public=True, time_limit_days=5
        ),
        {"own_private": MANAGERS, "other_public": MANAGERS},
    ),
    "duty_draft": (
        lambda o, w, u, t: actions.duty_draft(by=u, post=o["posts"][t], text="新职责"),
        {
            "own": MANAGERS | {"staff", "head"},
            "same": MANAGERS | {"head"},
            "other": MANAGERS,
        },
    ),
    "duty_update": (
        lambda o, w, u, t: actions.duty_update(by=u, duty=o["duties"][t], text="改"),
        {
            "own": MANAGERS | {"staff", "head"},
            "same": MANAGERS | {"head"},
            "other": MANAGERS,
        },
    ),
    "duty_submit": (
        lambda o, w, u, t: actions.duty_submit(by=u, duty=o["duties"][t]),
        {
            "own": MANAGERS | {"staff", "head"},
            "same": MANAGERS | {"head"},
            "other": MANAGERS,
        },
    ),
    "duty_approve_head": (
        _approve_at(DutyStatus.HEAD_REVIEW),
        {"own": frozenset({"head"}), "same": frozenset({"head"}), "other": frozenset()},
    ),
    "duty_return_head": (
        _return_at(DutyStatus.HEAD_REVIEW),
        {"own": frozenset({"head"}), "other": frozenset()},
    ),
    "duty_approve_leader": (
        _approve_at(DutyStatus.LEADER_REVIEW),
        {"own": frozenset(), "other": frozenset({"leader"})},
    ),
    "duty_return_leader": (
        _return_at(DutyStatus.LEADER_REVIEW),
        {"own": frozenset(), "other": frozenset({"leader"})},
    ),
    "duty_approve_personnel": (
        _approve_at(DutyStatus.PERSONNEL_REVIEW),
        {"own": MANAGERS, "other": MANAGERS},
    ),
    "duty_return_personnel": (
        _return_at(DutyStatus.PERSONNEL_REVIEW),
        {"own": MANAGERS, "other": MANAGERS},
    ),
    "goal_set": (
        lambda o, w, u, t: actions.goal_set(
            by=u, unit=getattr(w, GOAL_UNITS[t]), year=2026, title="新目标"
        ),
        {
            "own": MANAGERS | {"head"},
            "other": MANAGERS | {"leader"},
            "city": MANAGERS,
        },
    ),
    "goal_update": (
        lambda o, w, u, t: actions.goal_update(by=u, goal=o["goals"][t], target="新"),
        {
            "own_post": MANAGERS | {"head"},
            "county_a": MANAGERS | {"head"},
            "other": MANAGERS | {"leader"},
            "city": MANAGERS,
        },
    ),
    "account_update": (
        lambda o, w, u, t: accounts.account_update(
            by=u, user=w.user(t), is_active=not w.user(t).is_active
        ),
        {"staff": frozenset({"admin"}), "office": frozenset({"admin"})},
    ),
    "account_create": (
        lambda o, w, u, t: accounts.account_create(
            by=u, username="new", password="sunlight-demo-9", role=t
        ),
        {"staff": frozenset({"admin"}), "admin": frozenset({"admin"})},
    ),
}

CASES = [(name, target) for name, (_, table) in ACTIONS.items() for target in table]


def fresh(objects: Objects, world: World) -> tuple[Objects, World]:
    """The same objects re-read, so one role's attempt cannot leak into the next in memory."""

    def again(obj: Any) -> Any:
        return type(obj).objects.get(pk=obj.pk)

    units = {f: again(getattr(world, f)) for f in ("city", "county_a", "dept_a1", "county_b")}
    return (
        Objects({kind: {k: again(v) for k, v in group.items()} for kind, group in objects.items()}),
        replace(
            world,
            **units,
            dept_b1=again(world.dept_b1),
            users={role: again(user) for role, user in world.users.items()},
        ),
    )


@pytest.mark.parametrize(("name", "target"), CASES)
def test_what_each_role_may_do(objects: Objects, world: World, name: str, target: str) -> None:
    """Each role tries in turn; every attempt is rolled back before the next."""
    act, table = ACTIONS[name]
    outcome = {}
    for role in ROLES:
        with transaction.atomic():
            o, w = fresh(objects, world)
            try:
                assert act(o, w, w.user(role), target) is not None
                outcome[role] = "allowed"
            except PermissionDenied:
                outcome[role] = "denied"
            transaction.set_rollback(True)
    assert outcome == {r: "allowed" if r in table[target] else "denied" for r in ROLES}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_a_deactivated_login_may_do_nothing(objects: Objects, world: World, name: str) -> None:
    act, table = ACTIONS[name]
    target, allowed = next(iter(table.items()))
    for role in allowed:
        user = world.user(role)
        user.is_active = False
        with pytest.raises(PermissionDenied):
            act(objects, world, user, target)


def test_a_refused_action_changes_nothing(objects: Objects, world: World) -> None:
    duty = objects["duties"]["own"]
    assert isinstance(duty, Duty)
    with pytest.raises(PermissionDenied):
        actions.duty_update(by=world.user("auditor"), duty=duty, text="改")
    duty.refresh_from_db()
    assert duty.text == "职责"
    assert Staff.objects.filter(staff_no="S-A2").exists()


def test_a_unit_without_a_path_does_not_open_every_subtree(objects: Objects, world: World) -> None:
    """A unit written outside the actions has no path yet; "" must not prefix-match all."""
    Unit.objects.filter(pk=world.county_a.pk).update(path="")
    head = world.user("head")
    assert visible(objects, "units", head) == set()
    assert visible(objects, "duties", head) == set()
    with pytest.raises(PermissionDenied):
        actions.goal_set(by=head, unit=world.dept_b1, year=2026, title="越权")

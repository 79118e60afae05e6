"""A small organisation with one login per role, for tests of access and behaviour.

    city (市局)
    ├── county A (A县局) ── dept A1 (A县局征管科): post PA1 (held by staff_a), post PA2
    └── county B (B县局) ── dept B1 (B县局征管科): post PB1 (held by staff_b)

``head`` heads county A (its subtree), ``leader`` is in charge of county B, ``staff`` logs in as
staff_a; ``office``, ``auditor`` and ``admin`` see everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sunlight.core.models import Role, User
from sunlight.org.models import Assignment, Post, PowerType, Staff, Unit, UnitKind

PASSWORD = "correct horse battery staple"  # noqa: S105  (test accounts only)


@dataclass
class World:
    city: Unit
    county_a: Unit
    dept_a1: Unit
    county_b: Unit
    dept_b1: Unit
    post_a1: Post
    post_a2: Post
    post_b1: Post
    staff_a: Staff
    staff_b: Staff
    users: dict[str, User]

    def user(self, role: str) -> User:
        return self.users[role]


def _unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
    unit = Unit.objects.create(code=code, name=name, kind=kind, parent=parent)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def build_world() -> World:
    city = _unit("C", "示例市税务局", UnitKind.BUREAU, None)
    county_a = _unit("A", "A县税务局", UnitKind.BUREAU, city)
    dept_a1 = _unit("A1", "A县税务局征管科", UnitKind.DEPARTMENT, county_a)
    county_b = _unit("B", "B县税务局", UnitKind.BUREAU, city)
    dept_b1 = _unit("B1", "B县税务局征管科", UnitKind.DEPARTMENT, county_b)
    post_a1 = Post.objects.create(
        code="PA1", name="税源管理员", unit=dept_a1, power_type=PowerType.EXECUTE
    )
    post_a2 = Post.objects.create(
        code="PA2", name="减免税审核岗", unit=dept_a1, power_type=PowerType.DECIDE
    )
    post_b1 = Post.objects.create(
        code="PB1", name="纳税评估岗", unit=dept_b1, power_type=PowerType.EXECUTE
    )
    staff_a = Staff.objects.create(staff_no="S-A", name="张三", unit=dept_a1)
    staff_b = Staff.objects.create(staff_no="S-B", name="李四", unit=dept_b1)
    Assignment.objects.create(staff=staff_a, post=post_a1, start=dt.date(2015, 3, 1))
    Assignment.objects.create(staff=staff_b, post=post_b1, start=dt.date(2019, 7, 1))
    users = {role: User.objects.create_user(role, password=PASSWORD, role=role) for role in Role}
    users[Role.STAFF].staff = staff_a
    users[Role.STAFF].save(update_fields=["staff"])
    users[Role.HEAD].scope_units.add(county_a)
    users[Role.LEADER].scope_units.add(county_b)
    return World(
        city,
        county_a,
        dept_a1,
        county_b,
        dept_b1,
        post_a1,
        post_a2,
        post_b1,
        staff_a,
        staff_b,
        {str(k): v for k, v in users.items()},
    )

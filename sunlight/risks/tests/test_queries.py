"""What each role sees of the register, and the rule → measure → risk point link."""

from __future__ import annotations

import pytest

from sunlight.core.testing import World
from sunlight.org.models import Unit, UnitKind
from sunlight.risks import actions, queries
from sunlight.risks.models import Level
from sunlight.risks.tests.kit import Register, build_register

SEES = {
    "staff": {"RP-A1"},  # the post staff_a holds
    "head": {"RP-A1", "RP-A2"},  # county A and below
    "leader": {"RP-B1"},  # county B and below
    "office": {"RP-A1", "RP-A2", "RP-B1"},
    "auditor": {"RP-A1", "RP-A2", "RP-B1"},
    "admin": {"RP-A1", "RP-A2", "RP-B1"},
}


@pytest.fixture
def register(world: World) -> Register:
    return build_register(world)


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_register_is_scoped_by_role(world: World, register: Register, role: str) -> None:
    codes = set(queries.risk_points_for(world.user(role)).values_list("code", flat=True))

    assert codes == SEES[role]


def test_an_inactive_user_sees_nothing(world: World, register: Register) -> None:
    office = world.user("office")
    office.is_active = False

    assert not queries.risk_points_for(office).exists()


def test_filters(world: World, register: Register) -> None:
    points = queries.risk_points_for(world.user("office"))

    def codes(**given: object) -> set[str]:
        return set(queries.filter_register(points, **given).values_list("code", flat=True))  # type: ignore[arg-type]

    assert codes(unit=world.county_a) == {"RP-A1", "RP-A2"}
    assert codes(post=world.post_b1) == {"RP-B1"}
    assert codes(level=Level.HIGH) == {"RP-A1"}
    assert codes(q="自由裁量") == {"RP-B1"}
    assert codes(q="减免税核准") == {"RP-A1", "RP-A2"}  # the item's name


def test_measures_for_a_rule(world: World, register: Register) -> None:
    every = queries.measures_for_rule(register.rules.name, "SOD-01")
    mine = queries.measures_for_rule(register.rules.name, "SOD-01", user=world.user("leader"))

    assert list(every) == [register.a1_checked, register.b1_checked]
    assert list(mine) == [register.b1_checked]
    assert not queries.measures_for_rule(register.rules.name, "TL-01").exists()
    assert not queries.measures_for_rule("another set", "SOD-01").exists()


def test_the_risk_point_of_a_rule_is_the_one_nearest_the_finding(
    world: World, register: Register
) -> None:
    name = register.rules.name

    assert queries.risk_point_for_rule(name, "SOD-01", post=world.post_b1) == register.b1
    assert queries.risk_point_for_rule(name, "SOD-01", unit=world.county_b) == register.b1
    assert queries.risk_point_for_rule(name, "SOD-01", unit=world.dept_a1) == register.a1
    # A unit under county B, with no point of its own: the relative in county B is nearest.
    team = Unit.objects.create(code="B1T", name="B1 组", kind=UnitKind.TEAM, parent=world.dept_b1)
    team.path = f"{world.dept_b1.path}{team.pk}/"
    assert queries.risk_point_for_rule(name, "SOD-01", unit=team) == register.b1
    # Nothing says where: the first in the register.
    assert queries.risk_point_for_rule(name, "SOD-01") == register.a1
    assert queries.risk_point_for_rule(name, "TL-01", unit=world.dept_a1) is None


def test_an_ancestor_wins_over_a_cousin_at_the_same_distance(
    world: World, register: Register
) -> None:
    city_point = actions.risk_point_create(
        by=None, code="RP-C", name="市局通用", item=register.item, unit=world.county_b,
        manifestation="x", likelihood=1, impact=1,
    )  # fmt: skip
    actions.measure_add(
        by=None, risk_point=city_point, text="x", kind="process", rule_set=register.rules,
        rule="TL-01",
    )  # fmt: skip
    actions.measure_add(
        by=None, risk_point=register.a2, text="x", kind="process", rule_set=register.rules,
        rule="TL-01",
    )  # fmt: skip

    found = queries.risk_point_for_rule(register.rules.name, "TL-01", unit=world.dept_b1)

    assert found == city_point

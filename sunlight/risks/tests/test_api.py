"""``/api/v1/risk-points/``: read-only, scoped like the pages, with measures and their rules."""

from __future__ import annotations

import pytest

from sunlight.core.testing import World
from sunlight.risks.tests.kit import Register, build_register, client_for
from sunlight.risks.tests.test_queries import SEES


@pytest.fixture
def register(world: World) -> Register:
    return build_register(world)


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_list_is_scoped(world: World, register: Register, role: str) -> None:
    answer = client_for(world, role).get("/api/v1/risk-points/")

    assert answer.status_code == 200
    assert {p["code"] for p in answer.json()["results"]} == SEES[role]


def test_a_point_with_its_measures(world: World, register: Register) -> None:
    answer = client_for(world, "auditor").get(f"/api/v1/risk-points/{register.a1.pk}/")

    point = answer.json()
    assert (point["code"], point["item"], point["unit"], point["post"], point["level"]) == (
        "RP-A1", "I1", "A1", "PA1", "high",
    )  # fmt: skip
    assert [(m["seq"], m["kind"], m["rule_set"], m["rule"]) for m in point["measures"]] == [
        (1, "process", register.rules.name, "SOD-01"),
        (2, "supervision", None, ""),
    ]


def test_filters(world: World, register: Register) -> None:
    client = client_for(world, "office")

    def codes(query: str) -> set[str]:
        return {p["code"] for p in client.get(f"/api/v1/risk-points/?{query}").json()["results"]}

    assert codes("unit=A") == {"RP-A1", "RP-A2"}
    assert codes("post=PB1") == {"RP-B1"}
    assert codes("level=low") == {"RP-A2"}
    assert codes("unit=NOPE") == set()
    assert codes("search=裁量") == {"RP-B1"}


def test_outside_the_scope_is_not_found_and_nothing_is_written(
    world: World, register: Register
) -> None:
    client = client_for(world, "staff")

    assert client.get(f"/api/v1/risk-points/{register.b1.pk}/").status_code == 404
    office = client_for(world, "office")
    assert office.post("/api/v1/risk-points/", {}).status_code == 405
    assert office.delete(f"/api/v1/risk-points/{register.a1.pk}/").status_code == 405


def test_the_list_costs_the_same_for_more_points(world: World, register: Register) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "office")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/risk-points/")
    for n in range(5):
        from sunlight.risks import actions

        point = actions.risk_point_create(
            by=None, code=f"RP-X{n}", name="x", item=register.item, unit=world.dept_a1,
            manifestation="x", likelihood=1, impact=1,
        )  # fmt: skip
        actions.measure_add(by=None, risk_point=point, text="x", kind="rule")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/risk-points/")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_schema_lists_the_endpoints(world: World) -> None:
    schema = client_for(world, "office").get("/api/schema/?format=json").json()

    assert set(schema["paths"]["/api/v1/risk-points/"]) == {"get"}
    assert set(schema["paths"]["/api/v1/risk-points/{id}/"]) == {"get"}

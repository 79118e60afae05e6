"""Warnings raised by a rule that backs a control measure carry that measure and its risk point;
the register is read once per batch, not once per finding."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sunlight.core.testing import World
from sunlight.risks.tests.kit import Register, build_register, client_for
from sunlight.warnings import actions
from sunlight.warnings.models import Warning
from sunlight.warnings.tests.kit import finding, push_case


@pytest.fixture
def register(world: World) -> Register:
    return build_register(world)


def test_a_finding_of_a_linked_rule_carries_its_risk_point(
    world: World, register: Register
) -> None:
    events = push_case(world, "C1")

    result = actions.raise_warnings([finding(events, rule="SOD-01")], rule_set=register.rules.name)

    warning = Warning.objects.get(pk=result.warning_ids[0])
    assert (warning.risk_point, warning.control_measure) == (register.a1, register.a1_checked)


def test_a_finding_in_county_b_goes_to_county_bs_point(world: World, register: Register) -> None:
    events = push_case(world, "C2", officer="S-B", post="PB1", unit="B1")

    actions.raise_warnings([finding(events, rule="SOD-01")], rule_set=register.rules.name)

    assert Warning.objects.get().risk_point == register.b1


def test_an_unlinked_rule_or_another_rule_set_gives_no_risk_point(
    world: World, register: Register
) -> None:
    events = push_case(world, "C1")

    actions.raise_warnings([finding(events, rule="TL-01")], rule_set=register.rules.name)
    actions.raise_warnings([finding(events, rule="SOD-01")], rule_set="另一个规则集")

    raised: list[tuple[str, int | None]] = sorted(Warning.objects.values_list("rule", "risk_point"))
    assert raised == [
        ("SOD-01", None), ("TL-01", None),
    ]  # fmt: skip


def test_the_register_is_read_once_per_batch(world: World, register: Register) -> None:
    first = push_case(world, "C1")
    second = push_case(world, "C2")
    third = push_case(world, "C3")

    def raise_(events: list[list]) -> int:  # type: ignore[type-arg]
        findings = [finding(e, rule="SOD-01", key=str(i)) for i, e in enumerate(events)]
        with CaptureQueriesContext(connection) as queries:
            actions.raise_warnings(findings, rule_set=register.rules.name, assign=False)
        return sum("risks_controlmeasure" in q["sql"] for q in queries.captured_queries)

    assert raise_([first]) == 1
    assert raise_([second, third]) == 1
    assert Warning.objects.filter(risk_point=register.a1).count() == 3


def test_the_warning_page_links_its_risk_point(world: World, register: Register) -> None:
    events = push_case(world, "C1")
    result = actions.raise_warnings([finding(events, rule="SOD-01")], rule_set=register.rules.name)

    page = client_for(world, "office").get(f"/warnings/{result.warning_ids[0]}/")

    assert page.status_code == 200
    assert f'href="/risks/points/{register.a1.pk}/"' in page.content.decode()
    assert "违规减免税款" in page.content.decode()


def test_the_queue_filters_by_risk_level(world: World, register: Register) -> None:
    events = push_case(world, "C1")
    actions.raise_warnings([finding(events, rule="SOD-01")], rule_set=register.rules.name)
    actions.raise_warnings([finding(events, rule="TL-01")], rule_set=register.rules.name)
    client = client_for(world, "office")

    high = client.get("/api/v1/warnings/?risk_level=high").json()
    low = client.get("/api/v1/warnings/?risk_level=low").json()

    assert [(w["rule"], w["risk_point"]) for w in high["results"]] == [("SOD-01", "RP-A1")]
    assert low["count"] == 0
    assert client.get("/warnings/?risk_level=high").status_code == 200

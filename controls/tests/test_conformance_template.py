"""The ``conformance`` rule template: a finding per case below the minimum fitness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from controls.conformance import Replayer, read_bpmn
from controls.events import Stage
from controls.rules.base import RuleError
from controls.tests.rules_kit import ev, rules, run

MODEL = Path(__file__).parent / "models" / "parallel.bpmn"
RULE = {"id": "CONF-01", "template": "conformance", "model": str(MODEL), "min_fitness": 0.9}
GOOD = ["立案", "告知当事人", "调查取证", "审理", "处罚决定"]
SKIPPED = ["立案", "调查取证", "审理", "处罚决定"]  # no notice to the party


def _log(case: str, trace: list[str], who: str = "张三") -> list[Any]:
    return [ev(case, a, f"2026-03-{i + 2:02d}", who, post="稽查岗") for i, a in enumerate(trace)]


def test_a_fitting_case_gives_no_finding() -> None:
    assert run(RULE, _log("C1", GOOD)) == []


def test_a_case_below_the_minimum_lists_its_deviating_steps() -> None:
    (found,) = run(RULE, _log("C1", GOOD) + _log("C2", SKIPPED, "李四"))
    fitness = Replayer(read_bpmn(MODEL)).replay(SKIPPED).fitness
    assert fitness < 0.9
    assert found.cases == ("C2",)
    assert found.stage is Stage.AFTER
    assert [e.activity for e in found.events] == ["审理"]
    assert (found.resource, found.post) == ("李四", "稽查岗")
    assert found.details["fitness"] == fitness
    assert found.details["left_in"] == ["ent_t_notify"]
    assert "审理" in found.message_zh
    assert f"{fitness:.3f}" in found.message_en


def test_the_minimum_decides() -> None:
    fitness = Replayer(read_bpmn(MODEL)).replay(SKIPPED).fitness
    assert run({**RULE, "min_fitness": fitness}, _log("C2", SKIPPED)) == []
    assert len(run({**RULE, "min_fitness": 1}, _log("C2", SKIPPED))) == 1


def test_an_unfinished_case_names_nobody() -> None:
    (found,) = run(RULE, _log("C3", ["立案"]))
    assert found.resource == ""
    assert [e.activity for e in found.events] == ["立案"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"model": "missing.bpmn"}, "model", "missing.bpmn: cannot open"),
        ({"model": "model.txt"}, "model", "unknown model format"),
        ({"min_fitness": 1.5}, "min_fitness", "must be <= 1"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(RuleError) as info:
        rules({**RULE, **change})
    assert info.value.field == field
    assert message in str(info.value)

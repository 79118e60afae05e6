"""The ``declare`` rule template: a finding per violated constraint per case."""

from __future__ import annotations

from typing import Any

import pytest

from controls.declare import check_trace, parse_model
from controls.events import Event, Stage
from controls.monitor import Monitor
from controls.rules.base import RuleError
from controls.tests.rules_kit import ev, rules, run

PRECEDENCE = {"template": "precedence", "activities": ["审核", "审批"]}
ONCE = {"template": "exactly_one", "activities": ["审批"]}
CHAIN = {"template": "chainresponse", "activities": ["审批", "送达"]}
RULE = {"id": "DCL-01", "template": "declare", "constraints": [PRECEDENCE, ONCE]}


def _summary(found: list[Any]) -> list[tuple[str, str, str, str]]:
    return [(f.cases[0], f.key, f.resource, f.events[0].activity) for f in found]


@pytest.mark.parametrize(
    ("rule", "log", "expected"),
    [
        pytest.param(
            RULE,
            [ev("C1", "审核", "2026-03-02", "李四"), ev("C1", "审批", "2026-03-03", "王五")],
            [],
            id="reviewed, then approved once: fine",
        ),
        pytest.param(
            RULE,
            [ev("C1", "审批", "2026-03-02", "王五"), ev("C1", "审核", "2026-03-03", "李四")],
            [("C1", "precedence(审核, 审批)", "王五", "审批")],
            id="approved before review: the approver is named",
        ),
        pytest.param(
            RULE,
            [ev("C1", "审核", "2026-03-02", "李四")],
            [("C1", "exactly_one(审批)", "", "审核")],
            id="never approved: no one to name, the last step is shown",
        ),
        pytest.param(
            RULE,
            [
                ev("C1", "审核", "2026-03-02", "李四"),
                ev("C1", "审批", "2026-03-03", "王五"),
                ev("C1", "审批", "2026-03-04", "赵六"),
            ],
            [("C1", "exactly_one(审批)", "赵六", "审批")],
            id="approved twice: the second approval is named",
        ),
        pytest.param(
            {**RULE, "constraints": CHAIN},
            [
                ev("C1", "审批", "2026-03-02", "王五"),
                ev("C1", "补正", "2026-03-03", "李四"),
                ev("C1", "送达", "2026-03-04", "李四"),
            ],
            [("C1", "chainresponse(审批, 送达)", "李四", "补正")],
            id="a single constraint; a chain sees the step in between",
        ),
        pytest.param(
            RULE,
            [ev("C1", "审批", "2026-03-02", "王五"), ev("C2", "审核", "2026-03-02", "李四")],
            [
                ("C1", "precedence(审核, 审批)", "王五", "审批"),
                ("C2", "exactly_one(审批)", "", "审核"),
            ],
            id="two cases are judged apart",
        ),
    ],
)
def test_declare_rule(rule: dict[str, Any], log: list[Event], expected: list[Any]) -> None:
    found = run(rule, log)
    assert _summary(found) == expected
    assert all(f.stage is Stage.AFTER and f.template == "declare" for f in found)


def test_a_case_is_judged_when_it_ends_and_then_forgotten() -> None:
    monitor = Monitor(rules(RULE, case_end=["办结"]))
    assert monitor.feed(ev("C1", "审批", "2026-03-02", "王五")) == []
    found = monitor.feed(ev("C1", "办结", "2026-03-03", "王五"))
    assert [f.key for f in found] == ["precedence(审核, 审批)"]
    assert "审核" in found[0].message_zh
    assert "王五" in found[0].message_zh
    assert monitor.finish() == []


def test_during_raises_irreparable_breaches_at_once_and_the_rest_at_the_end() -> None:
    rule = {**RULE, "stage": "during"}
    monitor = Monitor(rules(rule, case_end=["办结"]))
    first = monitor.feed(ev("C1", "审批", "2026-03-02", "王五"))
    assert [(f.key, f.stage, f.resource) for f in first] == [
        ("precedence(审核, 审批)", Stage.DURING, "王五")
    ]
    assert monitor.feed(ev("C1", "审核", "2026-03-03", "李四")) == []
    second = monitor.feed(ev("C1", "审批", "2026-03-04", "赵六"))
    assert [(f.key, f.stage, f.resource) for f in second] == [
        ("exactly_one(审批)", Stage.DURING, "赵六")
    ]
    assert monitor.feed(ev("C1", "办结", "2026-03-05", "赵六")) == []


def test_during_leaves_repairable_breaches_to_the_end_of_the_case() -> None:
    rule = {
        **RULE,
        "stage": "during",
        "constraints": {"template": "response", "activities": ["审核", "审批"]},
    }
    monitor = Monitor(rules(rule, case_end=["办结"]))
    assert monitor.feed(ev("C1", "审核", "2026-03-02", "李四")) == []
    found = monitor.feed(ev("C1", "办结", "2026-03-03", "李四"))
    assert [(f.key, f.stage) for f in found] == [("response(审核, 审批)", Stage.AFTER)]


def test_findings_agree_with_the_batch_checker() -> None:
    model_data = [PRECEDENCE, ONCE, CHAIN, {"template": "absence", "activities": ["撤销"]}]
    traces = {
        "C1": ["审核", "审批", "送达"],
        "C2": ["审批", "撤销", "审核"],
        "C3": ["审核", "审批", "审批", "补正", "送达"],
    }
    log = [
        ev(case, activity, f"2026-03-{i + 2:02d}", "某人")
        for case, trace in traces.items()
        for i, activity in enumerate(trace)
    ]
    found = run({**RULE, "constraints": model_data}, log)
    model = parse_model(model_data)
    expected = {
        (case, str(c)) for case, t in traces.items() for c in check_trace(model, t).deviations
    }
    assert {(f.cases[0], f.key) for f in found} == expected
    assert len(expected) == 5


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        ({"template": "respons", "activities": ["a", "b"]}, "unknown DECLARE template"),
        ([{"template": "response", "activities": ["a"]}], "takes a pair of activity names"),
        ([], "at least one constraint"),
    ],
)
def test_bad_constraints_are_refused_naming_the_field(constraints: Any, message: str) -> None:
    with pytest.raises(RuleError) as info:
        rules({**RULE, "constraints": constraints})
    assert info.value.field == "constraints"
    assert message in str(info.value)

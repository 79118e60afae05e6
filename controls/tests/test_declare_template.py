"""The ``declare`` rule template: a finding per violated constraint per case."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from controls.cli import main
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


# --- every template from a rule file, on the command line, against the reference --------------
EVERY_TEMPLATE = [
    ("existence", ["审核"]),
    ("absence", ["撤销"]),
    ("exactly_one", ["审批"]),
    ("init", ["受理"]),
    ("responded_existence", ["受理", "审核"]),
    ("coexistence", ["审核", "审批"]),
    ("noncoexistence", ["撤销", "审批"]),
    ("response", ["受理", "审批"]),
    ("precedence", ["审核", "审批"]),
    ("succession", ["审核", "审批"]),
    ("altresponse", ["审核", "审批"]),
    ("altprecedence", ["审核", "审批"]),
    ("altsuccession", ["受理", "审核"]),
    ("chainresponse", ["审批", "送达"]),
    ("chainprecedence", ["审批", "送达"]),
    ("chainsuccession", ["审批", "送达"]),
    ("nonsuccession", ["审批", "审核"]),
    ("nonchainsuccession", ["送达", "受理"]),
]


def _cli_traces() -> dict[str, list[str]]:
    rng = random.Random(2026)
    steps = ["受理", "审核", "审批", "送达", "撤销"]
    traces = {"K0": ["受理", "审核", "审批", "送达"], "K1": [], "K2": ["送达", "受理"]}
    for n in range(3, 60):
        traces[f"K{n}"] = [rng.choice(steps) for _ in range(rng.randint(1, 7))]
    return {case: trace for case, trace in traces.items() if trace}  # a CSV has no empty case


def test_every_template_from_the_command_line_agrees_with_the_reference(tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")
    traces = _cli_traces()
    log = tmp_path / "log.csv"
    rows = ["case,activity,time,resource"] + [
        f"{case},{a},2026-03-02T{9 + i:02d}:00:00+08:00,officer-{case}-{i}"
        for case, trace in traces.items()
        for i, a in enumerate(trace)
    ]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    constraints = [{"template": t, "activities": a} for t, a in EVERY_TEMPLATE]
    rule = {"id": "DCL", "name": "全部模板", "template": "declare", "constraints": constraints}
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"version": "t", "rules": [rule]}, allow_unicode=True))
    out = io.StringIO()
    assert main(["check", "--rules", str(rules_file), "--log", str(log), "--format", "json"],
                out=out) == 0  # fmt: skip
    found = json.loads(out.getvalue())

    reference_model = parse_model(rule["constraints"]).to_pm4py()
    expected = set()
    for case, trace in traces.items():
        (result,) = pm4py.conformance_declare(_reference_log(trace), reference_model)
        for template, key in result["deviations"]:
            acts = [key] if isinstance(key, str) else list(key)
            expected.add((case, f"{template}({', '.join(acts)})"))
    assert {(f["cases"][0], f["details"]["constraint"] + _args(f)) for f in found} == expected
    assert {f["details"]["constraint"] for f in found} == {t for t, _ in EVERY_TEMPLATE}
    # Whoever did the step where a case went wrong is named (none for a step never done).
    for f in found:
        if f["resource"]:
            i = int(f["resource"].rsplit("-", 1)[1])
            assert f["events"][0]["activity"] == traces[f["cases"][0]][i]


def _args(finding: dict[str, Any]) -> str:
    return f"({', '.join(finding['details']['activities'])})"


def _reference_log(trace: list[str]) -> Any:
    log_obj = pytest.importorskip("pm4py.objects.log.obj")
    return log_obj.EventLog([log_obj.Trace([log_obj.Event({"concept:name": a}) for a in trace])])

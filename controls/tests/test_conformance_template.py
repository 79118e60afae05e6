"""The ``conformance`` rule template: a finding per case below the minimum fitness."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from controls.cli import main
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


# --- from the command line, against the reference ---------------------------------------------
PNML = Path(__file__).parent / "models" / "penalty.pnml"
CLI_LOG = {
    "P1": (GOOD, "张三"),
    "P2": (SKIPPED, "李四"),  # the notice is skipped: 审理 lacks a token
    "P3": (
        ["立案", "调查取证", "补正材料", "告知当事人", "审理", "处罚决定"],
        "王五",
    ),  # unknown step
    "P4": (["立案", "审理", "告知当事人", "调查取证", "处罚决定"], "赵六"),  # review first
    "P5": (["立案", "调查取证"], "钱七"),  # stopped half-way
}


def _cli_log(tmp_path: Path) -> Path:
    lines = ["case,activity,time,resource,post"]
    for case, (trace, who) in CLI_LOG.items():
        lines += [f"{case},{a},2026-03-{i + 2:02d}T10:00:00+08:00,{who},稽查岗" for i, a in
                  enumerate(trace)]  # fmt: skip
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reference_fitness(model: Path, trace: list[str]) -> float:
    pm4py = pytest.importorskip("pm4py")
    log_obj = pytest.importorskip("pm4py.objects.log.obj")
    log = log_obj.EventLog([log_obj.Trace([log_obj.Event({"concept:name": a}) for a in trace])])
    if model.suffix == ".bpmn":
        net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(model)))
    else:
        net, im, fm = pm4py.read_pnml(str(model))
    (result,) = pm4py.conformance_diagnostics_token_based_replay(log, net, im, fm)
    return float(result["trace_fitness"])


@pytest.mark.parametrize("model", [MODEL, PNML], ids=["bpmn", "pnml"])
def test_check_from_the_command_line_agrees_with_the_reference(tmp_path: Path, model: Path) -> None:
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        f"version: t\nrules:\n  - id: CONF\n    name: 按流程图办理\n    template: conformance\n"
        f"    model: {model}\n    min_fitness: 0.9\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    argv = ["check", "--rules", str(rules_file), "--log", str(_cli_log(tmp_path))]
    assert main([*argv, "--format", "json"], out=out) == 0
    found = {f["cases"][0]: f for f in json.loads(out.getvalue())}
    expected = {
        case: fitness
        for case, (trace, _) in CLI_LOG.items()
        if (fitness := _reference_fitness(model, trace)) < 0.9
    }
    assert {case: f["details"]["fitness"] for case, f in found.items()} == expected
    assert sorted(expected) == ["P2", "P4", "P5"]
    assert (found["P2"]["resource"], [e["activity"] for e in found["P2"]["events"]]) == (
        "李四",
        ["审理"],
    )
    assert found["P4"]["resource"] == "赵六"
    assert found["P5"]["resource"] == ""  # nothing was done wrong, something was left undone
    assert all(f["rule"] == "CONF" and f["stage"] == "after" for f in found.values())

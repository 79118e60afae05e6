"""Rule files: a good one loads; a bad one is refused naming the rule, the field and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from controls.events import Severity, Stage
from controls.rules import RuleError, load_rules, parse_rules

HERE = Path(__file__).parent / "rules"
GOOD = {"id": "R1", "template": "separation_of_duties", "name": "分离", "first": "A", "second": "B"}


def test_the_bureau_rule_file_loads() -> None:
    ruleset = load_rules(HERE / "bureau.yaml")
    assert ruleset.version == "2026.1"
    assert ruleset.case_end == frozenset({"办结"})
    assert [s.id for s in ruleset.specs] == ["SOD-01", "TL-01", "TH-01", "NC-01", "WT-01", "OLD-01"]
    assert [s.id for s in ruleset.enabled][-1] == "WT-01"
    th = ruleset.spec("TH-01")
    assert (th.severity, th.stage, th.processes) == (
        Severity.HIGH,
        Stage.DURING,
        frozenset({"减免税审批"}),
    )
    assert th.params == {"activity": "批准", "when": "amount >= 500000", "requires": ["集体审理"]}
    assert len(ruleset.build()) == 5


def one(**changes: Any) -> dict[str, Any]:
    rule = {**GOOD, **changes}
    return {"rules": [{k: v for k, v in rule.items() if v is not None}]}


@pytest.mark.parametrize(
    ("data", "rule", "field"),
    [
        pytest.param([], "", "", id="not a mapping"),
        pytest.param({"rules": [], "owner": "x"}, "", "owner", id="unknown file field"),
        pytest.param({"rules": "R1"}, "", "rules", id="rules not a list"),
        pytest.param({"rules": [GOOD], "case_end": 3}, "", "case_end", id="bad case_end"),
        pytest.param({"rules": ["R1"]}, "#1", "", id="rule not a mapping"),
        pytest.param(one(id=None), "#1", "id", id="missing id"),
        pytest.param({"rules": [GOOD, GOOD]}, "R1", "id", id="duplicate id"),
        pytest.param(one(template="four_eyes"), "R1", "template", id="unknown template"),
        pytest.param(one(name=None), "R1", "name", id="missing name"),
        pytest.param(one(severity="critical"), "R1", "severity", id="bad severity"),
        pytest.param(one(stage="later"), "R1", "stage", id="bad stage"),
        pytest.param(one(processes="x", enabled="yes"), "R1", "enabled", id="enabled not bool"),
        pytest.param(one(processes=[1]), "R1", "processes", id="processes not texts"),
        pytest.param(one(frist="A"), "R1", "frist", id="misspelt parameter"),
        pytest.param(one(second=None), "R1", "second", id="missing parameter"),
        pytest.param(one(second="A"), "R1", "second", id="same step twice"),
        pytest.param(one(by="person"), "R1", "by", id="bad choice"),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "from": "A",
                        "to": "B",
                        "limit": 10,
                        "stage": "before",
                    }
                ]
            },
            "T",
            "stage",
            id="time limit sets its own stages",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "from": "A",
                        "to": "B",
                        "limit": 2.5,
                    }
                ]
            },
            "T",
            "limit",
            id="fractional working days",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "from": "A",
                        "to": "B",
                        "limit": 0,
                    }
                ]
            },
            "T",
            "limit",
            id="zero limit",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "from": "A",
                        "to": "B",
                        "limit": 5,
                        "warn_at": 1,
                    }
                ]
            },
            "T",
            "warn_at",
            id="warning at the limit",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "activity": "A",
                        "to": "B",
                        "limit": 5,
                    }
                ]
            },
            "T",
            "to",
            id="activity with to",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "T",
                        "template": "time_limit",
                        "name": "n",
                        "from": "A",
                        "to": "B",
                        "limit": 5,
                        "timezone": "Mars/Base",
                    }
                ]
            },
            "T",
            "timezone",
            id="unknown time zone",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "W",
                        "template": "working_time",
                        "name": "n",
                        "activities": ["A"],
                        "hours": "18:00-08:30",
                    }
                ]
            },
            "W",
            "hours",
            id="window ends before it starts",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "W",
                        "template": "working_time",
                        "name": "n",
                        "activities": ["A"],
                        "hours": "9 to 5",
                    }
                ]
            },
            "W",
            "hours",
            id="window not a time range",
        ),
        pytest.param(
            {"rules": [{"id": "W", "template": "working_time", "name": "n", "activities": "A"}]},
            "W",
            "hours",
            id="working time without a constraint",
        ),
        pytest.param(
            {"rules": [{"id": "N", "template": "no_change_after", "name": "n", "after": "A"}]},
            "N",
            "forbidden",
            id="no change of nothing",
        ),
        pytest.param(
            {
                "rules": [
                    {
                        "id": "Q",
                        "template": "required_step",
                        "name": "n",
                        "activity": "A",
                        "requires": ["A"],
                    }
                ]
            },
            "Q",
            "requires",
            id="a step requiring itself",
        ),
    ],
)
def test_bad_rule_files_are_refused(data: Any, rule: str, field: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rules(data)
    assert (caught.value.rule, caught.value.field) == (rule, field)
    assert caught.value.reason_en
    assert caught.value.reason_zh


def test_error_message_names_file_rule_field_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(one(severity="critical"), allow_unicode=True), "utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}, rule R1, field severity: must be low, medium or high / 必须是 low、medium 或 high"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("rules: [\n  - id: R1\n    name: [unclosed\n", "line 2, column 3"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str | bytes, reason: str) -> None:
    path = tmp_path / "rules.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    with pytest.raises(RuleError, match=reason):
        load_rules(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read"):
        load_rules(tmp_path / "absent.yaml")

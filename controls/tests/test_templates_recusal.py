"""Template 9: recusal against a table of officer-party relations."""

from __future__ import annotations

from typing import Any

import pytest

from controls.events import Event, Finding
from controls.monitor import check
from controls.rules.base import RuleError
from controls.tests.rules_kit import CALENDAR, ev, rules

RELATIONS = [
    {"officer": "S306", "party": "P-SPOUSE", "relation": "配偶"},
    {"officer": "S404", "party": "P-KIN", "relation": "近亲属"},
]
RULE = {"id": "CF-05", "template": "recusal", "activities": ["调查", "审理", "决定"]}


def run(log: list[Event], rule: dict[str, Any] = RULE, table: Any = RELATIONS) -> list[Finding]:
    return check(
        log, rules(rule, case_end=["结案"]), calendar=CALENDAR, reference={"relations": table}
    )


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        pytest.param(
            [ev("C1", "调查", "2026-05-18", "S306", party="P-SPOUSE")],
            [("C1", "S306", "调查")],
            id="related inspector investigates: breach",
        ),
        pytest.param(
            [ev("C1", "调查", "2026-05-18", "S306", party="P-OTHER")],
            [],
            id="related officer, unrelated party: fine",
        ),
        pytest.param(
            [ev("C1", "调查", "2026-05-18", "S307", party="P-SPOUSE")],
            [],
            id="unrelated officer, listed party: fine",
        ),
        pytest.param(
            [ev("C1", "执行", "2026-05-18", "S306", party="P-SPOUSE")],
            [],
            id="a step outside the rule's activities: not judged",
        ),
        pytest.param(
            [
                ev("C1", "调查", "2026-05-18", "S306", party="P-SPOUSE"),
                ev("C1", "决定", "2026-05-20", "S306", party="P-SPOUSE"),
            ],
            [("C1", "S306", "调查")],
            id="one finding per officer and case, at the first step",
        ),
        pytest.param(
            [
                ev("C1", "调查", "2026-05-18", "S404"),
                ev("C1", "审理", "2026-05-19", "S500", party="P-KIN"),
            ],
            [("C1", "S404", "调查")],
            id="party named later: earlier step judged then",
        ),
        pytest.param(
            [
                ev("C1", "调查", "2026-05-18", "S404", party="P-KIN"),
                ev("C1", "结案", "2026-05-19", "S500"),
                ev("C1", "审理", "2026-05-20", "S404"),
            ],
            [("C1", "S404", "调查")],
            id="a closed case is forgotten",
        ),
    ],
)
def test_recusal(log: list[Event], expected: list[tuple[str, str, str]]) -> None:
    found = run(log)
    assert [(f.cases[0], f.resource, f.events[0].activity) for f in found] == expected


def test_message_names_officer_party_and_relation() -> None:
    (finding,) = run([ev("C1", "调查", "2026-05-18", "S306", post="检查岗", party="P-SPOUSE")])
    assert "S306（检查岗）" in finding.message_zh
    assert "配偶" in finding.message_zh
    assert "P-SPOUSE" in finding.message_en
    assert finding.post == "检查岗"


def test_every_step_when_no_activities_given() -> None:
    rule = {"id": "CF-05", "template": "recusal"}
    assert len(run([ev("C1", "执行", "2026-05-18", "S306", party="P-SPOUSE")], rule)) == 1


def test_table_without_officer_names_the_row() -> None:
    table = [*RELATIONS, {"officer": "", "party": "P", "relation": "配偶"}]
    with pytest.raises(RuleError) as error:
        run([], table=table)
    assert error.value.field == "relations row 4 column officer"

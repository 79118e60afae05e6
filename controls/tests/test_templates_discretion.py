"""Template 4: the discretion band, on both sides of every kind of bound."""

from __future__ import annotations

from typing import Any

import pytest

from controls.events import Event, Finding
from controls.monitor import check
from controls.rules.base import RuleError
from controls.tests.rules_kit import CALENDAR, ev, rules

BANDS = [
    {"violation": "逾期申报", "circumstance": "一般", "min": "500", "max": "2000",
     "min_inclusive": "false", "max_inclusive": "true"},
    {"violation": "发票", "circumstance": "一般", "min": "1000", "max": "10000",
     "min_inclusive": "true", "max_inclusive": "false"},
]  # fmt: skip
RULE = {"id": "CF-03", "template": "discretion_band", "activity": "决定"}


def decide(
    value: Any, violation: str = "逾期申报", circumstance: str = "一般", **data: Any
) -> Event:
    return ev("C1", "决定", "2026-04-20 10:00", "S211", post="稽查局局长",
              violation=violation, circumstance=circumstance, penalty=value, **data)  # fmt: skip


def run(log: list[Event], rule: dict[str, Any] = RULE, table: Any = BANDS) -> list[Finding]:
    reference = {"discretion_bands": table}
    return check(log, rules(rule), calendar=CALENDAR, reference=reference)


@pytest.mark.parametrize(
    ("event", "miss"),
    [
        pytest.param(decide(500), 0.0, id="exclusive minimum itself: breach"),
        pytest.param(decide(500.01), None, id="just above an exclusive minimum: fine"),
        pytest.param(decide(499), 1.0, id="below the minimum by 1"),
        pytest.param(decide(2000), None, id="inclusive maximum itself: fine"),
        pytest.param(decide(2001), 1.0, id="one over an inclusive maximum"),
        pytest.param(decide(1000, "发票"), None, id="inclusive minimum itself: fine"),
        pytest.param(decide(999, "发票"), 1.0, id="one below an inclusive minimum"),
        pytest.param(decide(10000, "发票"), 0.0, id="exclusive maximum itself: breach"),
        pytest.param(decide(9999, "发票"), None, id="one below an exclusive maximum: fine"),
        pytest.param(decide("2,000"), None, id="a number written as text with a comma"),
        pytest.param(decide("2500"), 500.0, id="text over the maximum by 500"),
    ],
)
def test_band_bounds(event: Event, miss: float | None) -> None:
    found = run([event])
    if miss is None:
        assert found == []
    else:
        assert [f.details["miss"] for f in found] == [miss]
        assert found[0].resource == "S211"
        assert found[0].post == "稽查局局长"
        assert "CF-03" in found[0].message_zh
        assert "CF-03" in found[0].message_en


def test_message_says_by_how_much_and_which_band() -> None:
    (finding,) = run([decide(2001)])
    assert "高于上限 1" in finding.message_zh
    assert "(500, 2000]" in finding.message_zh
    assert "1 above the band" in finding.message_en


@pytest.mark.parametrize(
    ("event", "found"),
    [
        pytest.param(decide(800, "逾期申报", "较重"), 1, id="unknown circumstance: finding"),
        pytest.param(decide(800, "偷税", "一般"), 1, id="unknown violation: finding"),
        pytest.param(decide(800, "", ""), 1, id="no violation recorded: finding"),
        pytest.param(decide(None), 0, id="no value decided (an exemption): nothing to check"),
        pytest.param(decide("约八百"), 1, id="a value that is not a number: finding"),
    ],
)
def test_unknown_band_and_odd_values(event: Event, found: int) -> None:
    assert len(run([event])) == found


def test_condition_limits_which_decisions_are_measured() -> None:
    rule = {**RULE, "when": 'decision == "处罚"'}
    log = [decide(5, decision="不予处罚"), decide(5, decision="处罚")]
    assert len(run(log, rule)) == 1


@pytest.mark.parametrize(
    ("row", "field"),
    [
        pytest.param({"max": "abc"}, "discretion_bands row 2 column max", id="max not a number"),
        pytest.param({"min": "3000"}, "discretion_bands row 2 column max", id="max below min"),
        pytest.param(
            {"min_inclusive": "maybe"},
            "discretion_bands row 2 column min_inclusive",
            id="flag not true/false",
        ),
        pytest.param({"violation": ""}, "discretion_bands row 2 column violation", id="empty key"),
    ],
)
def test_bad_table_names_row_and_column(row: dict[str, str], field: str) -> None:
    table = [{**BANDS[0], **row}, BANDS[1]]
    with pytest.raises(RuleError) as error:
        run([decide(800)], table=table)
    assert error.value.field == field
    assert error.value.rule == "CF-03"


def test_repeated_band_is_refused() -> None:
    with pytest.raises(RuleError, match="row 3 column circumstance"):
        run([decide(800)], table=[BANDS[0], BANDS[0]])


def test_missing_table_is_named() -> None:
    with pytest.raises(RuleError, match="discretion_bands"):
        check([decide(800)], rules(RULE), calendar=CALENDAR, reference={})

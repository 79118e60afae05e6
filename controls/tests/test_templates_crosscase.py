"""Template 10: splitting, familiarity and concentration across cases, over windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from controls.events import Event, Finding
from controls.monitor import Monitor, check
from controls.rules.templates.crosscase import Span, Window
from controls.tests.rules_kit import CALENDAR, ev, rules

SPLIT = {
    "id": "JM-05",
    "template": "splitting",
    "activity": "受理",
    "threshold": 500000,
    "lower": 450000,
    "window_days": 30,
}
FAMILIAR = {
    "id": "CF-06",
    "template": "familiarity",
    "activities": ["调查"],
    "max_cases": 3,
    "window_days": 180,
}
CONCENTRATION = {
    "id": "CF-07",
    "template": "concentration",
    "activity": "决定",
    "share": 0.8,
    "min_decisions": 5,
    "window_days": 90,
}
BANDS = [
    {"violation": "逾期办理税务登记", "circumstance": "一般", "min": "200", "max": "2000",
     "min_inclusive": "true", "max_inclusive": "true"},
]  # fmt: skip


def run(rule: dict[str, Any], log: list[Event]) -> list[Finding]:
    return check(log, rules(rule), calendar=CALENDAR, reference={"discretion_bands": BANDS})


def accept(case: str, day: str, amount: Any, party: str = "P1") -> Event:
    return ev(case, "受理", day, "S001", amount=amount, party=party)


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        pytest.param(
            [accept("A", "2026-07-01", 450000), accept("B", "2026-07-31", 499999)],
            [("A", "B")],
            id="30 days apart, at the band's bottom and one below the threshold: split",
        ),
        pytest.param(
            [accept("A", "2026-07-03", 480000), accept("B", "2026-08-03", 470000)],
            [],
            id="31 days apart: outside the window",
        ),
        pytest.param(
            [accept("A", "2026-07-06", 449999), accept("B", "2026-07-09", 449999)],
            [],
            id="one yuan below the just-below band",
        ),
        pytest.param(
            [accept("A", "2026-07-06", 500000), accept("B", "2026-07-09", 480000)],
            [],
            id="one at the threshold is not below it",
        ),
        pytest.param(
            [accept("A", "2026-07-06", 480000), accept("B", "2026-07-09", 480000, "P2")],
            [],
            id="two parties",
        ),
        pytest.param(
            [
                accept("A", "2026-07-06", 460000),
                accept("B", "2026-07-07", "470000"),
                accept("C", "2026-07-08", 480000),
            ],
            [("A", "B"), ("A", "B", "C")],
            id="each new piece is reported with all the pieces in the window",
        ),
        pytest.param(
            [accept("A", "2026-07-06", 460000), accept("A", "2026-07-07", 470000)],
            [],
            id="one case's amount seen twice is not a split",
        ),
    ],
)
def test_splitting(log: list[Event], expected: list[tuple[str, ...]]) -> None:
    assert [f.cases for f in run(SPLIT, log)] == expected


def test_splitting_minimum_cases_and_message() -> None:
    rule = {**SPLIT, "min_cases": 3}
    two = [accept("A", "2026-07-06", 460000), accept("B", "2026-07-07", 470000)]
    assert run(rule, two) == []
    (finding,) = run(SPLIT, two)
    assert "合计 930000" in finding.message_zh
    assert "430000 over the threshold" in finding.message_en


def probe(case: str, day: str, officer: str = "S311", party: str = "P1") -> Event:
    return ev(case, "调查", day, officer, post="检查岗", party=party)


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        pytest.param(
            [
                probe("A", "2026-02-04"),
                probe("B", "2026-03-18"),
                probe("C", "2026-05-06"),
                probe("D", "2026-06-16"),
            ],
            [("A", "B", "C", "D")],
            id="4 cases in 180 days: more than 3",
        ),
        pytest.param(
            [probe("A", "2026-02-04"), probe("B", "2026-03-18"), probe("C", "2026-05-06")],
            [],
            id="3 cases: not more than 3",
        ),
        pytest.param(
            [
                probe("A", "2026-03-05"),
                probe("B", "2026-05-06"),
                probe("C", "2026-07-01"),
                probe("D", "2026-09-02"),
            ],
            [],
            id="the first 181 days before the fourth",
        ),
        pytest.param(
            [
                probe("A", "2026-03-06"),
                probe("B", "2026-05-06"),
                probe("C", "2026-07-01"),
                probe("D", "2026-09-02"),
            ],
            [("A", "B", "C", "D")],
            id="the first exactly 180 days before the fourth",
        ),
        pytest.param(
            [
                probe("A", "2026-02-04"),
                probe("A", "2026-02-05"),
                probe("B", "2026-03-18"),
                probe("C", "2026-05-06"),
            ],
            [],
            id="two steps of one case count once",
        ),
        pytest.param(
            [
                probe("A", "2026-02-04"),
                probe("B", "2026-03-18"),
                probe("C", "2026-05-06"),
                probe("D", "2026-06-16", officer="S312"),
            ],
            [],
            id="another officer",
        ),
    ],
)
def test_familiarity(log: list[Event], expected: list[tuple[str, ...]]) -> None:
    found = run(FAMILIAR, log)
    assert [f.cases for f in found] == expected
    assert all(f.resource == "S311" for f in found)


def decide(case: str, day: str, penalty: Any, officer: str = "S217") -> Event:
    return ev(case, "决定", day, officer, post="稽查局副局长", violation="逾期办理税务登记",
              circumstance="一般", penalty=penalty)  # fmt: skip


def decisions(values: list[int], start: str = "2026-08-03", prefix: str = "C") -> list[Event]:
    first = dt.date.fromisoformat(start)
    return [
        decide(f"{prefix}{i}", (first + dt.timedelta(days=3 * i)).isoformat(), v)
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("values", "breach"),
    [
        pytest.param([200, 200, 1500, 200, 200], True, id="4 of 5 at the minimum: 80%"),
        pytest.param([200, 1500, 200, 1500, 200], False, id="3 of 5: 60%"),
        pytest.param([200, 200, 200, 200], False, id="4 of 4: one decision short of 5"),
        pytest.param([201, 201, 201, 201, 201], False, id="one yuan above the minimum"),
    ],
)
def test_concentration(values: list[int], breach: bool) -> None:
    found = run(CONCENTRATION, decisions(values))
    assert [len(f.cases) for f in found] == ([len(values)] if breach else [])


def test_concentration_reports_once_per_episode_and_again_after_it_ends() -> None:
    # Five at the minimum (reported), a sixth keeps the pattern (not again); after 90 days
    # the window holds only new decisions: a second episode is reported again.
    log = decisions([200] * 6) + decisions([200] * 5, start="2026-12-01", prefix="D")
    found = run(CONCENTRATION, log)
    assert [f.cases[-1] for f in found] == ["C4", "D4"]
    assert [f.time.month for f in found] == [8, 12]


def test_concentration_margin_widens_the_minimum() -> None:
    rule = {**CONCENTRATION, "margin": 0.01}  # 1% of the 1800-yuan band: up to 218
    assert len(run(rule, decisions([218, 218, 218, 218, 1500]))) == 1
    assert run(rule, decisions([219, 219, 219, 219, 1500])) == []


def test_concentration_message() -> None:
    (finding,) = run(CONCENTRATION, decisions([200, 200, 1500, 200, 200]))
    assert "其中 4 件处于裁量基准下限（80%" in finding.message_zh
    assert "S217 (稽查局副局长)" in finding.message_en
    assert finding.post == "稽查局副局长"


def test_incremental_equals_batch_and_memory_stays_bounded() -> None:
    # A year of probes by one officer for one party every 10 days: the window must hold at
    # most 19 entries, and the monitor fed one by one must give the batch findings.
    first = dt.date(2026, 1, 5)
    log = [probe(f"K{i}", (first + dt.timedelta(days=10 * i)).isoformat()) for i in range(36)]
    batch = run(FAMILIAR, log)
    monitor = Monitor(rules(FAMILIAR), calendar=CALENDAR)
    incremental = [f for e in log for f in monitor.feed(e)] + monitor.finish()
    assert [f.id for f in incremental] == [f.id for f in batch]
    assert len(batch) == 33
    rule = monitor.rules[0]
    window = rule._window  # type: ignore[attr-defined]
    assert len(window) == 19


@pytest.mark.parametrize(
    ("span", "today", "earliest"),
    [
        (Span(days=30), dt.date(2026, 7, 31), dt.date(2026, 7, 1)),
        (Span(months=6), dt.date(2026, 8, 31), dt.date(2026, 2, 28)),
        (Span(months=12), dt.date(2026, 1, 15), dt.date(2025, 1, 15)),
        (Span(months=1), dt.date(2026, 3, 31), dt.date(2026, 2, 28)),
    ],
)
def test_span_earliest(span: Span, today: dt.date, earliest: dt.date) -> None:
    assert span.earliest(today) == earliest


def test_window_evicts_whole_keys() -> None:
    window: Window[str, int] = Window(Span(days=5))
    window.add("a", dt.date(2026, 1, 1), 1)
    window.add("b", dt.date(2026, 1, 3), 2)
    window.advance(dt.date(2026, 1, 7))
    assert window.get("a") is None
    assert window.get("b") is not None
    assert len(window) == 1


def test_window_forgets_the_oldest_entries_of_a_key_and_says_which() -> None:
    window: Window[str, int] = Window(Span(days=5))
    for day, key, value in ((1, "a", 1), (2, "b", 2), (2, "a", 3), (4, "a", 4), (6, "a", 5)):
        window.add(key, dt.date(2026, 1, day), value)
    assert window.advance(dt.date(2026, 1, 8)) == [("a", 1), ("a", 3), ("b", 2)]
    assert [value for _, value in window.get("a") or []] == [4, 5]
    assert window.get("b") is None
    assert len(window) == 2
    assert not window.advance(dt.date(2026, 1, 8))  # the same day again: nothing new

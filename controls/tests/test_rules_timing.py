"""Templates 2 (time limits) and 8 (working time), on both sides of every boundary.

Calendar facts used (official 2026 arrangement): 2026-09-25 is Mid-Autumn (rest), National Day
runs 2026-10-01 to 10-07, and Saturday 2026-10-10 is a make-up working day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from controls.events import Event, Stage
from controls.rules.templates.timing import TimeLimit
from controls.tests.rules_kit import at, ev, run

TL = {"id": "TL-01", "template": "time_limit", "from": "受理", "to": "办结", "limit": 10}
TL3 = {**TL, "limit": 3}
TL1 = {**TL, "limit": 1}
TL_WARN = {**TL, "warn_at": 0.8}
TL_HOURS = {**TL, "limit": 24, "unit": "hours", "warn_at": 0.5}
TL_DAYS = {**TL, "limit": 5, "unit": "days"}
DURATION = {
    "id": "TL-02",
    "template": "time_limit",
    "activity": "审核",
    "limit": 4,
    "unit": "hours",
}


def closed(start: str, end: str) -> list[Event]:
    return [ev("C1", "受理", start, "张三"), ev("C1", "办结", end, "李四", post="办税服务岗")]


@pytest.mark.parametrize(
    ("rule", "log", "expected"),
    [
        pytest.param(TL, closed("2026-09-28", "2026-10-16"), [], id="10th working day: on time"),
        pytest.param(TL, closed("2026-09-28", "2026-10-17"), [], id="rest day after: no day used"),
        pytest.param(TL, closed("2026-09-28", "2026-10-19"), [11], id="11th working day: late"),
        pytest.param(TL3, closed("2026-09-30", "2026-10-10"), [], id="make-up Saturday counts"),
        pytest.param(TL3, closed("2026-09-30", "2026-10-12"), [4], id="past make-up Saturday"),
        pytest.param(TL1, closed("2026-09-24", "2026-09-28"), [], id="Mid-Autumn not counted"),
        pytest.param(TL1, closed("2026-09-24", "2026-09-29"), [2], id="after Mid-Autumn"),
        pytest.param(TL, closed("2026-09-24", "2026-10-16"), [11], id="across National Day"),
        pytest.param(TL_DAYS, closed("2026-09-28", "2026-10-03"), [], id="5 calendar days"),
        pytest.param(TL_DAYS, closed("2026-09-28", "2026-10-04"), [6], id="6 calendar days"),
        pytest.param(
            TL_HOURS, closed("2026-03-02 09:00", "2026-03-03 09:00"), [], id="exactly 24 hours"
        ),
        pytest.param(
            TL_HOURS, closed("2026-03-02 09:00", "2026-03-03 09:01"), [24 + 1 / 60], id="24h01"
        ),
        pytest.param(TL, [ev("C1", "办结", "2026-10-19", "李四")], [], id="no start, no clock"),
    ],
)
def test_completed_cases(rule: dict[str, Any], log: list[Event], expected: list[float]) -> None:
    found = run(rule, log)
    assert [f.details["used"] for f in found] == pytest.approx(expected)
    assert all(f.stage is Stage.AFTER and f.resource == "李四" for f in found)


def test_late_message_in_plain_language() -> None:
    (finding,) = run(TL, closed("2026-09-24", "2026-10-16"))
    assert finding.message_zh == (
        "案件 C1：受理（2026-09-24）至办结（2026-10-16）用时 11 个工作日，"
        "超过时限 10 个工作日 1 个工作日；责任人 李四（办税服务岗）。"
    )
    assert finding.message_en == (
        "Case C1: 受理 (2026-09-24) to 办结 (2026-10-16) took 11 working days, 1 over the "
        "limit of 10; responsible: 李四 (办税服务岗)."
    )
    assert finding.details["deadline"] == "2026-10-15"
    assert finding.details["provisional"] is False


OPEN = [
    ev("C1", "受理", "2026-09-28", "张三"),
    ev("C1", "承办", "2026-09-29", "王五", post="管理岗"),
]


@pytest.mark.parametrize(
    ("rule", "now", "expected"),
    [
        pytest.param(TL_WARN, "2026-10-13 23:59", [], id="before the 8th working day"),
        pytest.param(TL_WARN, "2026-10-14 00:00", [Stage.BEFORE], id="8th working day: warn"),
        pytest.param(TL_WARN, "2026-10-18 23:59", [Stage.BEFORE], id="weekend after deadline"),
        pytest.param(TL_WARN, "2026-10-19 00:00", [Stage.DURING], id="11th working day: breach"),
        pytest.param(TL, "2026-10-16 17:00", [], id="no warn_at, no warning"),
        pytest.param(TL, "2026-10-19 08:00", [Stage.DURING], id="breach without warning"),
    ],
)
def test_open_case_judged_at_now(rule: dict[str, Any], now: str, expected: list[Stage]) -> None:
    found = run(rule, OPEN, now=now)
    assert [f.stage for f in found] == expected
    # who holds the case now: the actor of the case's latest event
    assert all(f.resource == "王五" and f.post == "管理岗" for f in found)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-03-02 20:59", []),
        ("2026-03-02 21:00", [Stage.BEFORE]),
        ("2026-03-03 09:00", [Stage.BEFORE]),
        ("2026-03-03 09:00:01", [Stage.DURING]),
    ],
)
def test_open_case_hours(now: str, expected: list[Stage]) -> None:
    log = [ev("C1", "受理", "2026-03-02 09:00", "张三")]
    assert [f.stage for f in run(TL_HOURS, log, now=now)] == expected


def test_open_breach_message_names_holder_and_overrun() -> None:
    (finding,) = run(TL, OPEN, now="2026-10-20 10:00")
    assert finding.message_zh == (
        "案件 C1：受理（2026-09-28）后已用 12 个工作日，仍未办结，"
        "超过时限 10 个工作日 2 个工作日（截止 2026-10-16）；当前经办人 王五（管理岗）。"
    )
    assert [e.activity for e in finding.events] == ["受理", "承办"]


def test_end_of_log_judges_open_cases_at_the_last_time_seen() -> None:
    log = [*OPEN, ev("C2", "受理", "2026-10-20", "赵六")]
    found = run(TL, log)
    assert [(f.cases, f.stage) for f in found] == [(("C1",), Stage.DURING)]


def test_warning_and_breach_are_raised_once_each() -> None:
    from controls.monitor import Monitor
    from controls.tests.rules_kit import CALENDAR, rules

    monitor = Monitor(rules(TL_WARN), calendar=CALENDAR)
    for event in OPEN:
        monitor.feed(event)
    ticks = ["2026-10-14 09:00", "2026-10-15 09:00", "2026-10-19 09:00", "2026-10-20 09:00"]
    stages = [[f.stage for f in monitor.tick(at(t))] for t in ticks]
    assert stages == [[Stage.BEFORE], [], [Stage.DURING], []]
    late = monitor.feed(ev("C1", "办结", "2026-10-21", "王五"))
    assert [(f.stage, f.details["used"]) for f in late] == [(Stage.AFTER, 13)]
    assert monitor.finish() == []


def test_stopped_clocks_do_not_pile_up_and_change_nothing() -> None:
    """Most clocks stop (B comes) long before they are due, and a batch run ticks only at the
    end: their heap entries are dropped as they pile up, keeping the running clocks, their
    warnings already raised, and the order of their findings."""
    from controls.monitor import Monitor
    from controls.tests.rules_kit import CALENDAR, rules

    monitor, only_open = (Monitor(rules(TL_WARN), calendar=CALENDAR) for _ in range(2))
    rule = monitor.rules[0]
    assert isinstance(rule, TimeLimit)
    found: list[list[dict[str, Any]]] = [[], []]
    for i in range(600):
        day = f"2026-03-{2 + i // 20:02}"
        start = ev(f"C{i:03}", "受理", day, "张三")
        if day == "2026-03-16" and i % 20 == 0:  # a tick half-way: warnings and breaches
            for m, into in ((monitor, found[0]), (only_open, found[1])):
                into += [f.as_dict() for f in m.tick(at("2026-03-16 08:00"))]
        monitor.feed(start)
        assert len(rule._due) <= 2 * len(rule._open) + 65
        if i % 7:
            monitor.feed(ev(f"C{i:03}", "办结", day, "李四"))
        else:
            only_open.feed(start)
    for m, into in ((monitor, found[0]), (only_open, found[1])):
        into += [f.as_dict() for f in m.tick(at("2026-04-20 09:00"))]
    stages = [f["stage"] for f in found[0]]
    assert stages.count("before") > 0
    assert stages.count("during") == 86
    assert found[0] == found[1]


def test_a_case_id_used_again_is_not_judged_by_the_old_clock() -> None:
    """After a case ends its id may come again; the new clock counts from 1 again, and the old
    clock's dues (warning 03-12, breach 03-17) must not be taken for the new one's."""
    from controls.monitor import Monitor
    from controls.tests.rules_kit import CALENDAR, rules

    monitor = Monitor(rules(TL_WARN, case_end=["办结"]), calendar=CALENDAR)
    for event in (*closed("2026-03-02", "2026-03-03"), ev("C1", "受理", "2026-04-01", "张三")):
        monitor.feed(event)
    assert monitor.tick(at("2026-04-02 09:00")) == []
    assert [f.stage for f in monitor.tick(at("2026-04-14 09:00"))] == [Stage.BEFORE]
    assert monitor.tick(at("2026-04-16 23:59")) == []  # the deadline day (Qingming 04-04..06)
    assert [f.stage for f in monitor.tick(at("2026-04-17 09:00"))] == [Stage.DURING]


def test_case_end_forgets_the_clock() -> None:
    log = [ev("C1", "受理", "2026-09-28", "张三"), ev("C1", "撤回", "2026-09-29", "张三")]
    assert run(TL, log, now="2026-12-31 09:00", case_end=["撤回"]) == []
    assert len(run(TL, log, now="2026-12-31 09:00")) == 1


def test_clock_restarts_after_completion() -> None:
    log = [
        *closed("2026-03-02", "2026-03-03"),
        ev("C1", "受理", "2026-04-01", "张三"),
        ev("C1", "办结", "2026-04-30", "李四"),
    ]
    (finding,) = run(TL, log)
    assert finding.key == "2"
    assert finding.events[0].time == at("2026-04-01")


def test_deadline_in_an_unpublished_year_is_provisional() -> None:
    (finding,) = run(TL, closed("2027-03-01", "2027-03-31"))
    assert finding.details["provisional"] is True
    assert "暂定" in finding.message_zh
    assert "Provisional" in finding.message_en


@pytest.mark.parametrize(
    ("minutes", "late"),
    [(240, False), (241, True)],
)
def test_duration_of_one_step(minutes: int, late: bool) -> None:
    start = at("2026-03-02 09:00")
    end = start + dt.timedelta(minutes=minutes)
    log = [
        ev("C1", "审核", "2026-03-02 09:00", "李四", lifecycle="start"),
        Event("C1", "审核", end, resource="李四", lifecycle="complete"),
    ]
    found = run(DURATION, log)
    assert [f.details["used"] for f in found] == ([minutes / 60] if late else [])


WT = {"id": "WT-01", "template": "working_time", "activities": ["批准"], "hours": "08:30-18:00"}
WT_LUNCH = {**WT, "hours": ["08:30-12:00", "13:30-18:00"]}
WT_DAYS = {"id": "WT-02", "template": "working_time", "activities": "批准", "workdays_only": True}
WT_BOTH = {**WT, "workdays_only": True}


@pytest.mark.parametrize(
    ("rule", "when", "off_hours", "rest_day"),
    [
        (WT, "2026-03-02 08:29", True, False),
        (WT, "2026-03-02 08:30", None, None),
        (WT, "2026-03-02 17:59", None, None),
        (WT, "2026-03-02 18:00", True, False),
        (WT_LUNCH, "2026-03-02 11:59", None, None),
        (WT_LUNCH, "2026-03-02 12:00", True, False),
        (WT_LUNCH, "2026-03-02 13:30", None, None),
        (WT_DAYS, "2026-10-10 10:00", None, None),  # make-up Saturday is a working day
        (WT_DAYS, "2026-10-03 10:00", False, True),
        (WT_DAYS, "2026-10-11 10:00", False, True),
        (WT_DAYS, "2026-09-20 10:00", None, None),  # make-up Sunday
        (WT_BOTH, "2026-10-03 20:00", True, True),
    ],
)
def test_working_time(
    rule: dict[str, Any], when: str, off_hours: bool | None, rest_day: bool | None
) -> None:
    found = run(rule, [ev("C1", "批准", when, "王五"), ev("C1", "审核", "2026-10-03 23:00")])
    flags = [(f.details["off_hours"], f.details["rest_day"]) for f in found]
    assert flags == ([] if off_hours is None else [(off_hours, rest_day)])


def test_working_time_uses_the_bureau_time_zone() -> None:
    utc = Event("C1", "批准", dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), resource="王五")
    (finding,) = run(WT, [utc])
    assert finding.details["local_time"] == "2026-03-02 18:00"
    assert finding.message_zh == (
        "案件 C1：批准于 2026-03-02 18:00 办理，不在工作时间（08:30-18:00）内，"
        "违反规则「WT-01」（WT-01）；办理人 王五。"
    )


def test_both_reasons_are_given() -> None:
    (finding,) = run(WT_BOTH, [ev("C1", "批准", "2026-10-03 20:00", "王五")])
    assert "不在工作时间（08:30-18:00）内、当日为非工作日" in finding.message_zh
    assert "outside working hours (08:30-18:00) and on a non-working day" in finding.message_en

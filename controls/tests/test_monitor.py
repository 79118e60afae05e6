"""The monitor: dispatch, process scope, case end, de-duplication, and compliance degrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from controls.events import Event, Stage
from controls.io import read_log
from controls.monitor import Monitor, check, summarize
from controls.rules import RuleSet, load_rules
from controls.tests.rules_kit import CALENDAR, at, ev, rules

HERE = Path(__file__).parent / "rules"
SOD = {"id": "SOD-01", "template": "separation_of_duties", "first": "审核", "second": "批准"}
TH = {
    "id": "TH-01",
    "template": "required_step",
    "processes": ["减免税审批"],
    "activity": "批准",
    "when": "amount >= 500000",
    "requires": "集体审理",
}


def bureau() -> tuple[list[Event], RuleSet]:
    log = list(read_log(HERE / "bureau.csv"))
    return log, load_rules(HERE / "bureau.yaml")


BASE = [
    ("SOD-01", "C1", Stage.DURING, "李四"),
    ("TH-01", "C1", Stage.DURING, "李四"),
    ("WT-01", "C1", Stage.DURING, "李四"),
    ("TL-01", "C1", Stage.AFTER, "张三"),
]


@pytest.mark.parametrize(
    ("now", "extra"),
    [
        (None, []),
        ("2026-10-21 23:59", []),  # C3 has used 7 of its 10 working days
        ("2026-10-22 00:00", [("TL-01", "C3", Stage.BEFORE, "赵六")]),  # 8th working day
        ("2026-10-27 00:00", [("TL-01", "C3", Stage.DURING, "赵六")]),  # 11th working day
    ],
)
def test_bureau_log(now: str | None, extra: list[tuple[str, str, Stage, str]]) -> None:
    log, ruleset = bureau()
    found = check(log, ruleset, now=at(now) if now else None, calendar=CALENDAR)
    assert [(f.rule, f.cases[0], f.stage, f.resource) for f in found] == BASE + extra


@pytest.mark.parametrize(
    ("process_on_first", "process_on_approval", "breaches"),
    [
        ("减免税审批", "", 1),  # the case's process is known from its first event
        ("", "减免税审批", 0),  # a scoped rule sees a case from when its process is known
        ("其他审批", "", 0),
        ("", "", 0),  # a scoped rule does not judge a case of unknown process
    ],
)
def test_process_scope(process_on_first: str, process_on_approval: str, breaches: int) -> None:
    log = [
        ev("C1", "受理", "2026-03-02", "张三", process=process_on_first, amount=600_000),
        ev("C1", "批准", "2026-03-03", "王五", process=process_on_approval),
    ]
    assert len(check(log, rules(TH))) == breaches


def test_unscoped_rule_sees_every_process() -> None:
    log = [
        ev("C1", "审核", "2026-03-02", "李四", process="X"),
        ev("C1", "批准", "2026-03-03", "李四"),
    ]
    assert len(check(log, rules(SOD))) == 1


@pytest.mark.parametrize(
    ("case_end", "breaches"),
    [([], 1), (["办结"], 0)],
)
def test_a_case_is_forgotten_at_its_end(case_end: list[str], breaches: int) -> None:
    log = [
        ev("C1", "审核", "2026-03-02", "李四"),
        ev("C1", "办结", "2026-03-03", "张三"),
        ev("C1", "批准", "2026-03-04", "李四"),  # the id is reused for a new matter
    ]
    assert len(check(log, rules(SOD, case_end=case_end))) == breaches


def test_monitor_keeps_no_state_for_ended_cases() -> None:
    monitor = Monitor(rules(SOD, case_end=["办结"]), calendar=CALENDAR)
    monitor.feed(ev("C1", "审核", "2026-03-02", "李四"))
    assert monitor.last_event("C1") is not None
    monitor.feed(ev("C1", "办结", "2026-03-03", "张三"))
    assert monitor.last_event("C1") is None
    assert not any(_case_state(rule, {"C1"}) for rule in monitor.rules)


def test_ticks_do_not_repeat_findings() -> None:
    log, ruleset = bureau()
    monitor = Monitor(ruleset, calendar=CALENDAR)
    for event in log:
        monitor.feed(event)
    assert len(monitor.tick(at("2026-10-27 09:00"))) == 1
    assert monitor.tick(at("2026-10-27 09:00")) == []
    assert monitor.tick(at("2026-10-28 09:00")) == []
    assert monitor.finish() == []


def test_tick_needs_an_aware_time() -> None:
    import datetime as dt

    with pytest.raises(ValueError, match="timezone-aware"):
        Monitor(rules(SOD)).tick(dt.datetime(2026, 3, 2))  # noqa: DTZ001


def test_an_empty_log_has_no_findings() -> None:
    _, ruleset = bureau()
    assert check([], ruleset, calendar=CALENDAR) == []


def test_compliance_degrees() -> None:
    log, ruleset = bureau()
    found = check(log, ruleset, now=at("2026-10-22 09:00"), calendar=CALENDAR)
    summary = summarize(found, log, ruleset)
    degrees = {k: (d.checked, d.breached) for k, d in summary.by_rule.items()}
    # TL-01 applies to the cases with its steps (受理 or 办结: all 3), TH-01 to every case (its
    # condition may read data of any step); C3's deadline warning is not a breach
    assert degrees == {
        "SOD-01": (2, 1),
        "TL-01": (3, 1),
        "TH-01": (3, 1),
        "NC-01": (3, 0),
        "WT-01": (2, 1),
    }
    assert summary.by_rule["SOD-01"].degree == 0.5
    assert {k: (d.checked, d.breached) for k, d in summary.by_case.items()} == {
        "C1": (5, 4),
        "C2": (5, 0),
        "C3": (3, 0),
    }
    posts = {k: (d.checked, d.breached) for k, d in summary.by_post.items()}
    assert posts == {"办税服务岗": (3, 1), "审核岗": (2, 0), "科长": (1, 1), "局长": (1, 0)}
    assert {k: (d.checked, d.breached) for k, d in summary.by_unit.items()} == {
        "一分局": (2, 1),
        "二分局": (1, 0),
    }
    assert summary.as_dict()["by_unit"]["一分局"] == {"checked": 2, "breached": 1, "degree": 0.5}


def test_compliance_without_the_rule_set_counts_every_case() -> None:
    log, ruleset = bureau()
    summary = summarize(check(log, ruleset, calendar=CALENDAR), log)
    assert {k: d.checked for k, d in summary.by_rule.items()} == {
        "SOD-01": 3,
        "TH-01": 3,
        "WT-01": 3,
        "TL-01": 3,
    }


def test_ended_cases_leave_nothing_in_any_rule() -> None:
    """A case end reaches every rule that was fed an event of the case: after a log whose cases
    all end, no rule of the bureau rule set keeps anything under their ids."""
    from controls.bench import generate
    from controls.bench.monitor import load

    ruleset, reference = load()
    log = list(generate.generate(3000, seed=5))
    ended = {e.case for e in log if e.activity in ruleset.case_end}
    monitor = Monitor(ruleset, calendar=CALENDAR, reference=reference)
    for event in log:
        if event.case in ended:
            monitor.feed(event)
    assert len(ended) > 300
    assert {rule.id: _case_state(rule, ended) for rule in monitor.rules} == {
        rule.id: [] for rule in monitor.rules
    }


def _case_state(rule: object, cases: set[str]) -> list[str]:
    """The names of the rule's tables (dicts and sets, alone or in a tuple) holding a case."""
    held = []
    for name, value in vars(rule).items():
        tables = value if isinstance(value, tuple) else (value,)
        if any(isinstance(t, dict | set) and cases & set(t) for t in tables):
            held.append(name)
    return held


def test_a_time_limit_applies_to_the_cases_that_reach_its_steps() -> None:
    tl = {"id": "TL-01", "template": "time_limit", "from": "受理", "to": "办结", "limit": 10}
    log = [
        ev("C1", "受理", "2026-03-02", "张三"),
        ev("C1", "办结", "2026-03-03", "张三"),
        ev("C2", "审核", "2026-03-02", "李四"),  # never accepted: no clock to judge
    ]
    ruleset = rules(tl)
    summary = summarize(check(log, ruleset, calendar=CALENDAR), log, ruleset)
    assert summary.by_rule["TL-01"].as_dict() == {"checked": 1, "breached": 0, "degree": 1.0}

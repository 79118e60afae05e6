"""Properties over random logs: batch equals incremental, and dispatch loses nothing.

The logs use a small alphabet so that every rule fires often: four steps, three people in two
posts and units, two processes, amounts around the threshold, times from minutes to days apart
across National Day 2026.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from controls.events import Event, Finding
from controls.monitor import Monitor, check
from controls.rules import RuleSet
from controls.rules.base import RuleContext
from controls.tests.rules_kit import CALENDAR, TZ, rules

RULESET = rules(
    {"id": "SOD", "template": "separation_of_duties", "first": "A", "second": "B"},
    {"id": "SOD-U", "template": "separation_of_duties", "first": "B", "second": "C", "by": "unit"},
    {"id": "BOD", "template": "binding_of_duties", "first": "A", "second": "C"},
    {"id": "TL", "template": "time_limit", "from": "A", "to": "D", "limit": 3, "warn_at": 0.5},
    {"id": "TL-H", "template": "time_limit", "from": "B", "to": "C", "limit": 30,
     "unit": "hours", "warn_at": 0.8},
    {"id": "TL-D", "template": "time_limit", "activity": "B", "limit": 2, "unit": "days"},
    {"id": "TH", "template": "required_step", "activity": "C", "when": "amount >= 500",
     "requires": "B", "processes": ["P"]},
    {"id": "TH-E", "template": "required_step", "activity": "B", "requires": ["A"]},
    {"id": "NC", "template": "no_change_after", "after": "B", "forbidden": ["A"]},
    {"id": "NC-F", "template": "no_change_after", "after": "C", "fields": ["amount"]},
    {"id": "WT", "template": "working_time", "activities": ["C", "D"],
     "hours": ["08:30-12:00", "13:30-18:00"], "workdays_only": True},
    {"id": "WT-H", "template": "working_time", "activities": "A", "hours": "09:00-17:00"},
    case_end=["D"],
)  # fmt: skip

START = dt.datetime(2026, 9, 26, 8, 0, tzinfo=TZ)
PEOPLE = {"r1": ("p1", "u1"), "r2": ("p1", "u2"), "r3": ("p2", "u2"), "": ("", "")}


@st.composite
def logs(draw: st.DrawFn) -> list[Event]:
    size = draw(st.integers(0, 40))
    time = START
    log: list[Event] = []
    for index in range(size):
        time += dt.timedelta(minutes=draw(st.sampled_from([0, 7, 90, 600, 1440, 4000])))
        person = draw(st.sampled_from(sorted(PEOPLE)))
        post, unit = PEOPLE[person]
        amount = draw(st.sampled_from([None, 499.99, 500, 800]))
        log.append(
            Event(
                case=draw(st.sampled_from(["c1", "c2", "c3"])),
                activity=draw(st.sampled_from("ABCD")),
                time=time,
                resource=person,
                post=post,
                unit=unit,
                process=draw(st.sampled_from(["", "P", "Q"])),
                lifecycle=draw(st.sampled_from(["complete", "complete", "start"])),
                data={} if amount is None else {"amount": amount},
                index=index,
            )
        )
    return log


def incremental(log: list[Event], now: dt.datetime | None) -> list[Finding]:
    monitor = Monitor(RULESET, calendar=CALENDAR)
    found: list[Finding] = []
    for event in log:
        found += monitor.feed(event)
    if now is not None:
        found += monitor.tick(now)
    return found + monitor.finish()


nows = st.none() | st.integers(0, 60 * 24 * 40).map(lambda m: START + dt.timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(log=logs(), now=nows)
def test_batch_equals_incremental(log: list[Event], now: dt.datetime | None) -> None:
    batch = check(log, RULESET, now=now, calendar=CALENDAR)
    assert [f.as_dict() for f in batch] == [f.as_dict() for f in incremental(log, now)]
    assert len({f.id for f in batch}) == len(batch)


def naive(log: list[Event], ruleset: RuleSet) -> list[Finding]:
    """Each rule asked about each event (its own watches, its scope), with no dispatch index."""
    monitor = Monitor(ruleset, calendar=CALENDAR)  # only for who holds a case
    built = ruleset.build()
    for rule in built:
        rule.bind(RuleContext(calendar=CALENDAR, cases=monitor))
    process: dict[str, str] = {}
    seen: set[str] = set()
    found: list[Finding] = []

    def keep(items: list[Finding] | tuple[Finding, ...]) -> None:
        for f in items:
            if f.id not in seen:
                seen.add(f.id)
                found.append(f)

    for event in log:
        monitor.feed(event)
        if event.process:
            process.setdefault(event.case, event.process)
        for rule in built:
            watched = rule.watches()
            if watched is not None and event.activity not in watched:
                continue
            if rule.spec.applies_to(process.get(event.case, "")):
                keep(list(rule.feed(event)))
        if event.activity in ruleset.case_end:
            process.pop(event.case, None)
            for rule in built:
                keep(list(rule.end_case(event.case)))
    if log:
        horizon = max(e.time for e in log)
        for rule in built:
            keep(list(rule.tick(horizon)))
    for rule in built:
        keep(list(rule.finish()))
    return found


@settings(max_examples=100, deadline=None)
@given(log=logs())
def test_dispatch_matches_feeding_every_rule(log: list[Event]) -> None:
    assert [f.as_dict() for f in check(log, RULESET, calendar=CALENDAR)] == [
        f.as_dict() for f in naive(log, RULESET)
    ]


@settings(max_examples=100, deadline=None)
@given(log=logs(), data=st.data())
def test_ticks_between_events_change_no_event_finding(
    log: list[Event], data: st.DataObject
) -> None:
    """Findings raised by events (not by the clock) do not depend on when the clock ticked."""
    monitor = Monitor(RULESET, calendar=CALENDAR)
    from_events: list[Finding] = []
    for event in log:
        if data.draw(st.booleans()):
            monitor.tick(event.time)
        from_events += monitor.feed(event)
    plain = Monitor(RULESET, calendar=CALENDAR)
    expected = [f for e in log for f in plain.feed(e)]
    assert [f.as_dict() for f in from_events] == [f.as_dict() for f in expected]

"""The engine over traces, without the database: which findings a rule set in force keeps.

The runner's actions (``actions.checking``) read the traces, call these and raise what they
return; the preventive control (``actions.decisions``) feeds the same monitors. Nothing here
reads or writes the database, so the semantics stay one for every way in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from controls.events import Event, Finding
from controls.monitor import Monitor
from sunlight.monitoring import rulesets

Judged = list[tuple[rulesets.ActiveRuleSet, list[Finding]]]


def feed_all(monitor: Monitor, events: Iterable[Event]) -> list[Finding]:
    found: list[Finding] = []
    for event in events:
        found.extend(monitor.feed(event))
    return found


def per_case(force: rulesets.InForce, events: Sequence[Event], now: dt.datetime) -> Judged:
    """Each set's per-case rules over these whole traces, then the clock at ``now``."""
    judged: Judged = []
    for active in force.sets:
        monitor = rulesets.monitor(active.per_case, force)
        found = feed_all(monitor, events)
        found.extend(monitor.tick(now))
        judged.append((active, force.keep(active, found)))
    return judged


def clock_only(force: rulesets.InForce, events: Sequence[Event], now: dt.datetime) -> Judged:
    """What only the clock at ``now`` causes in these traces (what their events caused was
    raised when they came)."""
    judged: Judged = []
    for active in force.sets:
        monitor = rulesets.monitor(active.per_case, force)
        feed_all(monitor, events)
        judged.append((active, force.keep(active, monitor.tick(now))))
    return judged


def period(
    force: rulesets.InForce, events: Iterable[Event], *, clock: dt.datetime, close_open: bool
) -> tuple[int, Judged]:
    """All rules (the cross-case ones too) over events in time order, then the clock; with
    ``close_open`` open cases are judged as ended. Returns the events fed and the findings."""
    monitors = [(a, rulesets.monitor(a.rules, force)) for a in force.sets]
    found: list[list[Finding]] = [[] for _m in monitors]
    fed = 0
    for event in events:
        fed += 1
        for i, (_active, monitor) in enumerate(monitors):
            found[i].extend(monitor.feed(event))
    for i, (_active, monitor) in enumerate(monitors):
        found[i].extend(monitor.tick(clock))
        if close_open:
            found[i].extend(monitor.finish())
    return fed, [
        (active, force.keep(active, findings))
        for (active, _monitor), findings in zip(monitors, found, strict=True)
    ]

"""Events grouped into case traces, in log order (the input of every conformance check)."""

from __future__ import annotations

from collections.abc import Iterable

from controls.events import Event


def group_cases(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Each case's events in the order the log gives them; cases in order of first appearance."""
    cases: dict[str, list[Event]] = {}
    for event in events:
        trace = cases.get(event.case)
        if trace is None:
            trace = cases[event.case] = []
        trace.append(event)
    return cases


def activity_traces(events: Iterable[Event]) -> dict[str, list[str]]:
    """Each case's activity sequence (one pass: on a million events, it is most of the work)."""
    traces: dict[str, list[str]] = {}
    for event in events:
        trace = traces.get(event.case)
        if trace is None:
            traces[event.case] = [event.activity]
        else:
            trace.append(event.activity)
    return traces

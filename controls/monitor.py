"""Run a rule set over events: one at a time (``Monitor``) or a whole log (``check``).

Batch is the monitor fed in order, then ``tick(now)`` when a ``now`` is given, then ``finish()``;
so the two give identical findings for any log by construction, and the property tests hold
them to it (batch takes the steps of ``feed`` in one loop, to spare a call per event). Speed
comes from dispatch, not from a second engine: each event reaches only the rules that watch its
activity (an index built once per process and activity), rules keep small per-case state, and
a case is forgotten once it reaches one of the rule set's ``case_end`` activities, by the rules
that were fed an event of it (a bit per rule and case says which).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from controls.events import Event, Finding, Stage
from controls.rules.base import Rule, RuleContext, WorkingCalendar
from controls.rules.catalog import RuleSet


def official_calendar() -> WorkingCalendar | None:
    """The official working-day calendar, or None while ``controls.calendar`` is unavailable."""
    try:
        from controls.calendar import WorkCalendar
    except ImportError:
        return None
    calendar: WorkingCalendar = WorkCalendar.official()
    return calendar


# What the monitor keeps of one open case, in one list (one dict look-up per event, and a list
# costs less to make than an object, once per case): the dispatch table of the case's process
# (shared by its cases), the bits of the rules fed an event of it (bit i set: rule i may hold
# state of the case), its latest event (who holds it now), and its process.
_ROUTES, _FED, _LAST, _PROCESS = range(4)
_Case = list[Any]


_MAX_ROUTES = 256  # entries per process in the dispatch table for activities no rule watches

# What an event of one activity in one process sets off: the feed methods of the rules that
# take it (in rule-file order), their bits, and whether the activity ends the case.
_Route = tuple[tuple[Callable[[Event], Sequence[Finding]], ...], int, bool]


class Monitor:
    """Incremental checking: ``feed`` each event as it happens, ``tick`` as the clock moves.

    Every finding is returned once: a repeat (same id) is dropped, so a deadline warning raised
    by one ``tick`` is not raised again by the next.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        calendar: WorkingCalendar | None = None,
        reference: Mapping[str, Any] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.rules = ruleset.build()
        context = RuleContext(
            calendar=calendar if calendar is not None else official_calendar(),
            reference=dict(reference or {}),
            cases=self,
        )
        for rule in self.rules:
            rule.bind(context)
        self._case_end = ruleset.case_end
        # Asked once: ``watches`` and the scope are fixed for a rule's life.
        self._watches = tuple(rule.watches() for rule in self.rules)
        self._watched: frozenset[str] = frozenset().union(*(w for w in self._watches if w))
        # Process -> activity -> route, filled as (process, activity) pairs first come. An
        # activity no rule watches shares the process's ``_other`` routes and gets an entry only
        # while the table is small, so a log of endless distinct names cannot grow it.
        self._routes: dict[str, dict[str, _Route]] = {}
        self._other: dict[tuple[str, bool], _Route] = {}
        self._enders: dict[int, tuple[Callable[[str], Sequence[Finding]], ...]] = {}
        self._cases: dict[str, _Case] = {}
        self._seen: set[str] = set()
        self._horizon: dt.datetime | None = None

    def _process_routes(self, process: str) -> dict[str, _Route]:
        routes = self._routes.get(process)
        if routes is None:
            routes = self._routes[process] = {}
        return routes

    def _route(self, state: _Case, activity: str) -> _Route:
        """The route of an event of ``activity`` in a case like ``state`` (and caches it)."""
        routes: dict[str, _Route] = state[_ROUTES]
        process: str = state[_PROCESS]
        ends = activity in self._case_end
        if activity in self._watched:
            route = routes[activity] = self._build_route(process, activity, ends)
            return route
        other = self._other.get((process, ends))
        if other is None:
            other = self._other[process, ends] = self._build_route(process, None, ends)
        if len(routes) < _MAX_ROUTES:
            routes[activity] = other
        return other

    def _build_route(self, process: str, activity: str | None, ends: bool) -> _Route:
        feeds: list[Callable[[Event], Sequence[Finding]]] = []
        bits = 0
        for i, (rule, watched) in enumerate(zip(self.rules, self._watches, strict=True)):
            if watched is not None and activity not in watched:
                continue
            if not rule.spec.applies_to(process):
                continue
            if type(rule).feed is not Rule.feed:  # a rule that takes no events is not called
                feeds.append(rule.feed)
            bits |= 1 << i
        return tuple(feeds), bits, ends

    def _case(self, event: Event, state: _Case | None) -> _Case:
        """The state of a case first seen, or of one whose process this event makes known."""
        process = event.process
        routes = self._routes.get(process)
        if routes is None:
            routes = self._process_routes(process)
        if state is None:
            state = self._cases[event.case] = [routes, 0, event, process]
        else:  # the first event that names a process fixes the case's process
            state[_ROUTES], state[_PROCESS] = routes, process
        return state

    def last_event(self, case: str) -> Event | None:
        """The latest event of an open case: its actor is who holds the case now."""
        state = self._cases.get(case)
        return None if state is None else state[_LAST]

    def feed(self, event: Event) -> list[Finding]:
        # The hot path: ``_run`` below takes the same steps over many events; keep them in step.
        found: list[Finding] = []
        state = self._cases.get(event.case)
        if state is None or (not state[3] and event.process):  # 3: _PROCESS
            state = self._case(event, state)
        state[2] = event  # _LAST
        time = event.time
        if self._horizon is None or time > self._horizon:
            self._horizon = time
        activity = event.activity
        feeds, bits, ends = state[0].get(activity) or self._route(state, activity)  # 0: _ROUTES
        state[1] |= bits  # _FED
        for feed in feeds:
            findings = feed(event)
            if findings:
                self._keep(findings, found)
        if ends:
            self._end(event.case, state[1], found)
        return found

    def _run(self, events: Iterable[Event], found: list[Finding]) -> None:
        """``feed`` each event, appending to ``found``: the same steps, with the look-ups
        hoisted out of the loop (the batch path)."""
        cases_get = self._cases.get
        keep, end, route, new_case = self._keep, self._end, self._route, self._case
        horizon = self._horizon
        try:
            for event in events:
                state = cases_get(event.case)
                if state is None or (not state[3] and event.process):
                    state = new_case(event, state)
                state[2] = event
                time = event.time
                if horizon is None or time > horizon:
                    horizon = time
                activity = event.activity
                feeds, bits, ends = state[0].get(activity) or route(state, activity)
                state[1] |= bits
                for feed in feeds:
                    findings = feed(event)
                    if findings:
                        keep(findings, found)
                if ends:
                    end(event.case, state[1], found)
        finally:
            if horizon is not None:
                self._horizon = horizon

    def _end(self, case: str, fed: int, found: list[Finding]) -> None:
        # Only the rules that were fed an event of the case can hold anything of it.
        enders = self._enders.get(fed)
        if enders is None:
            enders = self._enders[fed] = tuple(
                rule.end_case
                for i, rule in enumerate(self.rules)
                if fed >> i & 1 and type(rule).end_case is not Rule.end_case
            )
        for end_case in enders:
            findings = end_case(case)
            if findings:
                self._keep(findings, found)
        del self._cases[case]

    def tick(self, now: dt.datetime) -> list[Finding]:
        """Judge open cases against the clock (deadlines passed or near)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self._horizon is None or now > self._horizon:
            self._horizon = now
        found: list[Finding] = []
        for rule in self.rules:
            self._keep(rule.tick(now), found)
        return found

    def finish(self) -> list[Finding]:
        """End of the log: judge what is still open as at the latest time seen."""
        found: list[Finding] = []
        if self._horizon is not None:
            found = self.tick(self._horizon)
        for rule in self.rules:
            self._keep(rule.finish(), found)
        return found

    def _keep(self, findings: Sequence[Finding], into: list[Finding]) -> None:
        for finding in findings:
            fid = finding.id
            if fid not in self._seen:
                self._seen.add(fid)
                into.append(finding)


def check(
    events: Iterable[Event],
    ruleset: RuleSet,
    now: dt.datetime | None = None,
    *,
    calendar: WorkingCalendar | None = None,
    reference: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Every finding of a whole log, exactly as a monitor fed the same events would give."""
    monitor = Monitor(ruleset, calendar=calendar, reference=reference)
    found: list[Finding] = []
    monitor._run(events, found)
    if now is not None:
        found.extend(monitor.tick(now))
    found.extend(monitor.finish())
    return found


@dataclass(frozen=True)
class Degree:
    """Of the ``checked`` cases, ``breached`` had a breach: the compliance degree is the rest."""

    checked: int
    breached: int

    @property
    def degree(self) -> float:
        return 1.0 if not self.checked else (self.checked - self.breached) / self.checked

    def as_dict(self) -> dict[str, float | int]:
        return {"checked": self.checked, "breached": self.breached, "degree": self.degree}


@dataclass(frozen=True)
class Compliance:
    """Compliance degrees (the share of checked cases without a breach) four ways.

    ``by_rule``: cases the rule applied to; ``by_case``: rules that applied to the case;
    ``by_post`` / ``by_unit``: cases in which the post or unit acted, breached when a breach is
    laid at its door. A warning (stage ``before``) is not a breach.
    """

    by_rule: dict[str, Degree]
    by_case: dict[str, Degree]
    by_post: dict[str, Degree]
    by_unit: dict[str, Degree]

    def as_dict(self) -> dict[str, dict[str, dict[str, float | int]]]:
        return {
            name: {key: d.as_dict() for key, d in getattr(self, name).items()}
            for name in ("by_rule", "by_case", "by_post", "by_unit")
        }


def summarize(
    findings: Iterable[Finding], events: Iterable[Event], ruleset: RuleSet | None = None
) -> Compliance:
    """Compliance degrees of a log. With the rule set, a rule counts as applied to a case when
    the case is in its process scope and has an event the rule watches; without it, every rule
    found breached counts as applied to every case of the log."""
    breaches = [f for f in findings if f.stage is not Stage.BEFORE]
    acted: dict[str, dict[str, set[str]]] = {"post": defaultdict(set), "unit": defaultdict(set)}
    applied: dict[str, set[str]] = defaultdict(set)
    scopes = _scopes(ruleset) if ruleset else None
    cases: set[str] = set()
    for event in events:
        cases.add(event.case)
        if event.post:
            acted["post"][event.post].add(event.case)
        if event.unit:
            acted["unit"][event.unit].add(event.case)
        for rule_id, (processes, watched) in (scopes or {}).items():
            in_scope = not processes or event.process in processes
            if in_scope and (watched is None or event.activity in watched):
                applied[rule_id].add(event.case)
    if scopes is None:
        applied = {f.rule: set(cases) for f in breaches}
    return Compliance(
        by_rule=_degrees(applied, _group(breaches, lambda f: (f.rule,))),
        by_case=_by_case(applied, breaches),
        by_post=_degrees(acted["post"], _group(breaches, lambda f: (f.post,))),
        by_unit=_degrees(acted["unit"], _group(breaches, lambda f: (f.unit,))),
    )


def _scopes(ruleset: RuleSet) -> dict[str, tuple[frozenset[str], frozenset[str] | None]]:
    return {rule.id: (rule.spec.processes, rule.watches()) for rule in ruleset.build()}


def _group(
    findings: Iterable[Finding], keys: Callable[[Finding], tuple[str, ...]]
) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        for key in keys(finding):
            if key:
                grouped[key].update(finding.cases)
    return grouped


def _degrees(
    checked: Mapping[str, set[str]], breached: Mapping[str, set[str]]
) -> dict[str, Degree]:
    return {
        key: Degree(len(cases), len(cases & breached.get(key, set())))
        for key, cases in sorted(checked.items())
    }


def _by_case(applied: Mapping[str, set[str]], breaches: list[Finding]) -> dict[str, Degree]:
    rules_of: dict[str, set[str]] = defaultdict(set)
    for rule_id, cases in applied.items():
        for case in cases:
            rules_of[case].add(rule_id)
    broken: dict[str, set[str]] = defaultdict(set)
    for finding in breaches:
        for case in finding.cases:
            broken[case].add(finding.rule)
    return _degrees(rules_of, broken)

"""Run a rule set over events: one at a time (``Monitor``) or a whole log (``check``).

Batch is the monitor fed in order, then ``tick(now)`` when a ``now`` is given, then ``finish()``;
so the two give identical findings for any log by construction, and the property tests hold
them to it. Speed comes from dispatch, not from a second engine: each event reaches only the
rules that watch its activity (an index built once), rules keep small per-case state, and a
case is forgotten by every rule once it reaches one of the rule set's ``case_end`` activities.
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
        self._every = tuple(r for r in self.rules if r.watches() is None)
        self._dispatch = self._index()
        self._last: dict[str, Event] = {}
        self._process: dict[str, str] = {}
        self._seen: set[str] = set()
        self._horizon: dt.datetime | None = None

    def _index(self) -> dict[str, tuple[Rule, ...]]:
        """Activity -> the rules to feed, in rule-file order (so findings keep that order)."""
        activities: set[str] = set()
        for rule in self.rules:
            activities |= rule.watches() or frozenset()
        return {
            activity: tuple(r for r in self.rules if (w := r.watches()) is None or activity in w)
            for activity in activities
        }

    def last_event(self, case: str) -> Event | None:
        """The latest event of an open case: its actor is who holds the case now."""
        return self._last.get(case)

    def feed(self, event: Event) -> list[Finding]:
        case = event.case
        if event.process:
            process = self._process.setdefault(case, event.process)
        else:
            process = self._process.get(case, "")
        self._last[case] = event
        if self._horizon is None or event.time > self._horizon:
            self._horizon = event.time
        found: list[Finding] = []
        for rule in self._dispatch.get(event.activity, self._every):
            scope = rule.spec.processes
            if scope and process not in scope:
                continue
            self._keep(rule.feed(event), found)
        if event.activity in self._case_end:
            self._end(case, found)
        return found

    def _end(self, case: str, found: list[Finding]) -> None:
        for rule in self.rules:
            self._keep(rule.end_case(case), found)
        self._last.pop(case, None)
        self._process.pop(case, None)

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
    for event in events:
        found.extend(monitor.feed(event))
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

"""Twelve months of the demo bureau's traces, with problems planted at realistic rates.

``generate(roster)`` is a pure function of the roster and the seed: the same bureau gives the same
cases, events and relations every time. Officers act only in posts they held on the day (from
the roster's assignments); events name them by staff number, post code and unit code, and cases
by the power item's code, so the event store maps every event to the organisation.

Clean cases keep every rule of ``data/rules.yaml`` by construction (four eyes, working hours, time
limits with room to spare, penalties inside their band, no repeat offender exempted, no officer
meeting one taxpayer too often …). Each planted case breaks one rule on purpose; ``PLANTED_RULES``
says which rules must find each kind, and the tests hold the rule set to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from controls.events import Event
from sunlight.monitoring.demo import processes as p
from sunlight.monitoring.demo.processes import Draft, Party, Process
from sunlight.monitoring.demo.roster import Roster, RosterError
from sunlight.monitoring.demo.schedule import (
    NOW,
    PERIOD_END,
    PERIOD_START,
    TZ,
    Clock,
    Step,
    place,
)

SEED = 20_251_001
SOURCE_SYSTEM = "demo"
CITY = "SL"
COUNTIES = ("SL01", "SL02", "SL03", "SL04")
AREAS = {"SL": "示例", "SL01": "东城", "SL02": "西湖", "SL03": "南山", "SL04": "北河"}
POOL_SIZE = 1200  # taxpayers per bureau that clean cases draw from

# Which rules must find each planted kind (the time limits per process: see ``Process.limit``).
PLANTED_RULES: dict[str, frozenset[str]] = {
    "four_eyes": frozenset({"SOD-01", "SOD-02", "SOD-03", "SOD-04"}),
    "off_hours": frozenset({"WT-01"}),
    "recusal": frozenset({"RC-01"}),
    "change_after_approval": frozenset({"NC-01"}),
    "missing_collective_review": frozenset({"JM-02", "FW-01", "JC-01"}),
    "missing_verification": frozenset({"CK-01"}),
    "penalty_outside_band": frozenset({"CF-02", "JC-02"}),
    "out_of_order": frozenset({"QS-01"}),
    "splitting": frozenset({"JM-03"}),
    "familiarity": frozenset({"CF-04"}),
    "first_offence_misuse": frozenset({"CF-03"}),
}
# Time-limit kinds and the stage their finding has (事后 late, 事中 open and late, 事前 near).
OVERDUE_STAGES = {"overdue_late": "after", "overdue_open": "during", "near_deadline": "before"}
EXCLUSIVE = frozenset({"承办", "审核", "批准", "调查", "检查", "审理", "决定"})
RELATIONS = ("配偶", "父母", "子女", "兄弟姐妹", "配偶的兄弟姐妹", "曾任职单位", "近亲属持股")
DECOY_RELATIONS = 8
ATTEMPTS = 400

_WORDS = (
    "恒达",
    "华盛",
    "鑫源",
    "宏图",
    "金桥",
    "瑞丰",
    "永泰",
    "天成",
    "中和",
    "嘉禾",
    "博远",
    "新宇",
    "安信",
    "汇通",
    "长兴",
    "德润",
    "盛世",
    "东方",
    "九州",
    "正大",
    "同创",
    "万通",
    "信诚",
    "明珠",
)
_TRADES = ("贸易", "科技", "机械", "食品", "建材", "物流", "电子", "纺织", "化工", "餐饮", "医药")
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_REGIONS = {"SL": "990100", "SL01": "990101", "SL02": "990102", "SL03": "990103", "SL04": "990104"}


def uscc(region: str, serial: int) -> str:
    """A unified social credit code (GB 32100) with a valid check character."""
    body = f"91{region}MA{serial:07d}"
    total = sum(_USCC.index(char) * weight for char, weight in zip(body, _WEIGHTS, strict=True))
    return body + _USCC[(31 - total % 31) % 31]


@dataclass(frozen=True)
class DemoCase:
    id: str
    process: str  # power item code
    name: str  # the process as people call it
    kind: str  # planted problem, "" when clean
    events: tuple[Event, ...]


@dataclass(frozen=True)
class DemoTraces:
    cases: tuple[DemoCase, ...]
    relations: tuple[tuple[str, str, str], ...]  # officer (staff no), party, relation

    def events(self) -> list[Event]:
        """Every event in time order, numbered (the order a business system would send them)."""
        ordered = sorted(
            (e for case in self.cases for e in case.events), key=lambda e: (e.time, e.index)
        )
        return [_renumber(e, n) for n, e in enumerate(ordered, start=1)]

    def planted(self) -> dict[str, str]:
        return {case.id: case.kind for case in self.cases if case.kind}


def _renumber(event: Event, index: int) -> Event:
    return dataclasses.replace(event, index=index)


def generate(roster: Roster, seed: int = SEED) -> DemoTraces:
    """The demo traces of the period for the bureau in ``roster`` (deterministic)."""
    return _Generator(roster, seed).run()


@dataclass
class _Built:
    process: Process
    bureau: str
    kind: str
    steps: list[Step]
    party: Party


@dataclass
class _Pools:
    """Taxpayers per bureau, and what clean cases must not repeat with them."""

    parties: dict[str, list[Party]] = field(default_factory=dict)
    fresh: int = 0
    # party → days of its relief applications just below the collective-review threshold
    below: dict[str, list[dt.date]] = field(default_factory=dict)
    # (party, violation) → days of its penalty cases
    decided: dict[tuple[str, str], list[dt.date]] = field(default_factory=dict)


class _Generator:
    def __init__(self, roster: Roster, seed: int) -> None:
        self.roster = roster
        self.rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not secrets)
        self.clock = Clock()
        self.pools = _Pools()
        self.relations: list[tuple[str, str, str]] = []
        self.built: list[_Built] = []

    def run(self) -> DemoTraces:
        for bureau in (CITY, *COUNTIES):
            for process in p.PROCESSES:
                if process.city == (bureau == CITY):
                    self._check_power(process, bureau)
                    self._process(process, bureau)
        self._decoys()
        return DemoTraces(tuple(self._cases()), tuple(sorted(self.relations)))

    def _check_power(self, process: Process, bureau: str) -> None:
        code = f"QL-{bureau}-{process.power}"
        if self.roster.power_items and code not in self.roster.power_items:
            raise RosterError(f"power item {code} ({process.name}) is not in the power list")

    # --- parties ------------------------------------------------------------------------------

    def _party(self, bureau: str, fresh: bool) -> Party:
        pool = self.pools.parties.get(bureau)
        if pool is None:
            pool = self.pools.parties[bureau] = [
                self._new_party(bureau, n) for n in range(POOL_SIZE)
            ]
        if not fresh:
            return self.rng.choice(pool)
        self.pools.fresh += 1
        return self._new_party(bureau, 5_000_000 + self.pools.fresh)

    def _new_party(self, bureau: str, serial: int) -> Party:
        name = f"{AREAS[bureau]}{self.rng.choice(_WORDS)}{self.rng.choice(_TRADES)}有限公司"
        return Party(uscc(_REGIONS[bureau], serial), name)

    # --- one process in one bureau ------------------------------------------------------------

    def _process(self, process: Process, bureau: str) -> None:
        kinds = [kind for kind, count in process.plants.items() for _ in range(count)]
        kinds += [""] * (process.volume - len(kinds))
        self.rng.shuffle(kinds)
        for number, kind in enumerate(kinds):
            self.built.append(self._case(process, bureau, kind, variant=number))
        for kind, count in process.groups.items():
            for _ in range(count):
                self.built.extend(self._group(process, bureau, kind))

    def _case(
        self,
        process: Process,
        bureau: str,
        kind: str,
        *,
        variant: int = 0,
        start: dt.date | None = None,
        party: Party | None = None,
        extra: dict[str, Any] | None = None,
        preset: dict[str, str] | None = None,
    ) -> _Built:
        """One case; drafts are redrawn until the case is what ``kind`` asks for."""
        for _ in range(ATTEMPTS):
            built = self._attempt(process, bureau, kind, variant, start, party, extra, preset)
            if built is not None:
                return built
            if start is not None:
                break  # a group member at a fixed date: the group is redrawn
        raise _RedrawError(f"{process.name} in {bureau}: no {kind or 'clean'} case fits the period")

    def _attempt(
        self,
        process: Process,
        bureau: str,
        kind: str,
        variant: int,
        start: dt.date | None,
        party: Party | None,
        extra: dict[str, Any] | None,
        preset: dict[str, str] | None,
    ) -> _Built | None:
        rng = self.rng
        who = party or self._party(bureau, fresh=kind == "recusal")
        draft = Draft(rng, bureau, kind, who, dict(extra or {}))
        steps = process.build(draft)
        self._plant(process, draft, steps, variant)
        day = start or self._start(process, kind, steps)
        if not self._schedule(process, kind, steps, day):
            return None
        steps = [s for s in steps if s.time is not None and s.time <= NOW]
        if kind and kind not in ("overdue_open", "near_deadline") and not _whole(steps):
            return None  # a planted problem must have happened within the period
        if not self._timely(process, kind, steps):
            return None
        if not self._staff(process, kind, steps, who, preset or {}):
            return None
        if party is None and kind != "recusal" and not self._clear(process, steps, who):
            return None  # (a pool taxpayer, planted case or not)
        return _Built(process, bureau, kind, steps, who)

    def _plant(self, process: Process, draft: Draft, steps: list[Step], variant: int) -> None:
        """The generic planted problems: a change to the drafted steps."""
        kind, rng = draft.kind, draft.rng
        by_activity = {s.activity: s for s in steps}
        if kind == "four_eyes":
            first, second = rng.choice(process.four_eyes)
            by_activity[first].post = by_activity[second].post
            by_activity[first].same_as = second
        elif kind == "off_hours":
            step = next(s for s in steps if s.activity in process.off_hours)
            step.when = "holiday" if variant % 2 else "night"
            if step.when == "holiday":
                # Holidays late enough for the case to start inside the period.
                earliest = PERIOD_START + dt.timedelta(days=21)
                holidays = self.clock.holidays
                step.on = rng.choice([h for h in holidays if earliest <= h < PERIOD_END])
        elif kind == "change_after_approval":
            approval = next(i for i, s in enumerate(steps) if s.activity == "批准")
            amount = float(steps[0].data["amount"])
            changed = int(amount * rng.uniform(1.1, 1.4)) // 100 * 100
            steps.insert(
                approval + 1,
                Step(
                    "变更金额",
                    draft.post(process.change_post),
                    (0, 1),
                    {"amount": changed, "reason": "纳税人补充资料后调整"},
                ),
            )

    def _start(self, process: Process, kind: str, steps: list[Step]) -> dt.date:
        """The first step's day: anywhere in the period, or placed so that the case is open at
        ``NOW`` with its deadline near or past, or shortly before a holiday it is to meet."""
        rng, clock = self.rng, self.clock
        limit = process.limit
        holiday = next((s.on for s in steps if s.on), None)
        if holiday is not None:
            return clock.back(holiday, rng.randint(2, 8))
        if kind in ("overdue_open", "near_deadline") and limit is not None:
            low, high = (
                (limit.limit + 1, limit.limit + limit.limit // 3 + 3)
                if kind == "overdue_open"
                else (limit.warn_units, limit.limit)
            )
            used = rng.randint(low, high)
            lead = next(i for i, s in enumerate(steps) if s.activity == limit.start)
            if limit.unit == "days":
                return clock.back(NOW.date() - dt.timedelta(days=used), 2 * lead)
            return clock.back(NOW.date(), used + 2 * lead)
        return rng.choice(clock.in_period)

    def _schedule(self, process: Process, kind: str, steps: list[Step], day: dt.date) -> bool:
        """Place the steps; a late case gets a delay, a stalled one loses its later steps."""
        limit = process.limit
        seed = self.rng.random()
        if kind == "overdue_late" and limit is not None:
            a, b = _index(steps, limit.start), _index(steps, limit.end)
            at = self.rng.randint(a + 1, b)
            for delay in range(200):
                place(self.clock, random.Random(seed), steps, day, delay, at)  # noqa: S311
                used = self.clock.used(steps[a].day, steps[b].day, limit.unit)
                if used > limit.limit:
                    return used <= limit.limit + max(limit.limit // 4, 3)
            return False
        place(self.clock, random.Random(seed), steps, day)  # noqa: S311
        if kind in ("overdue_open", "near_deadline") and limit is not None:
            stall = self.rng.randint(_index(steps, limit.start) + 1, _index(steps, limit.end))
            del steps[stall:]
        return True

    def _timely(self, process: Process, kind: str, steps: list[Step]) -> bool:
        """The case is on the side of its time limit that ``kind`` wants."""
        limit = process.limit
        if limit is None:
            return True
        start = next((s for s in steps if s.activity == limit.start), None)
        if start is None:
            return kind not in OVERDUE_STAGES
        end = next((s for s in steps if s.activity == limit.end), None)
        if end is not None:
            late = self.clock.used(start.day, end.day, limit.unit) > limit.limit
            return late == (kind == "overdue_late")
        used = self.clock.used(start.day, NOW.date(), limit.unit)
        if kind == "overdue_open":
            return used >= limit.limit + 1
        if kind == "near_deadline":
            return limit.warn_units <= used <= limit.limit
        # Any other matter still open at the end of the period would be judged late by the
        # runner's clock, which goes on past the period: only the planted ones stay open.
        return False

    def _staff(
        self, process: Process, kind: str, steps: list[Step], party: Party, preset: dict[str, str]
    ) -> bool:
        """Choose who did each step among the post's holders on the day: the same person for a
        post throughout the case, never one person in two steps that need four eyes."""
        rng, roster = self.rng, self.roster
        chosen: dict[str, str] = {}
        exclusive: set[str] = set()
        for step in steps:
            if step.same_as:
                continue
            officer = preset.get(step.activity) or step.officer
            if officer:
                if not roster.holds(officer, step.post, step.day):
                    return False
            else:
                holders = roster.holders(step.post, step.day)
                if step.activity in EXCLUSIVE:
                    holders = [h for h in holders if h not in exclusive]
                if not holders:
                    return False
                # The same person for a post throughout the case, when allowed.
                kept = chosen.get(step.post, "")
                officer = kept if kept in holders else rng.choice(holders)
            step.officer = chosen[step.post] = officer
            if step.activity in EXCLUSIVE:
                exclusive.add(officer)
        for step in steps:
            if step.same_as:
                other = next(s for s in steps if s.activity == step.same_as)
                if not roster.holds(other.officer, step.post, step.day):
                    return False
                step.officer = other.officer
        if kind == "recusal":
            related = next(s for s in steps if s.activity in process.recusal)
            self.relations.append((related.officer, party.id, rng.choice(RELATIONS)))
        return True

    def _clear(self, process: Process, steps: list[Step], party: Party) -> bool:
        """A clean case's taxpayer must not complete a cross-case pattern by chance."""
        day = steps[0].day
        if process.pool == "relief":
            amount = float(steps[0].data["amount"])
            if p.SPLIT_LOWER <= amount < p.RELIEF_COLLECTIVE:
                days = self.pools.below.setdefault(party.id, [])
                if any(abs((day - d).days) <= 31 for d in days):
                    return False
                days.append(day)
        elif process.pool == "penalty":
            key = (party.id, str(steps[0].data["violation"]))
            days = self.pools.decided.setdefault(key, [])
            if any(abs((day - d).days) <= 230 for d in days):
                return False
            days.append(day)
        return True

    # --- cross-case patterns ------------------------------------------------------------------

    def _group(self, process: Process, bureau: str, kind: str) -> list[_Built]:
        for _ in range(ATTEMPTS):
            try:
                return list(self._members(process, bureau, kind))
            except _RedrawError:
                continue
        raise GenerationError(f"{process.name} in {bureau}: no {kind} group fits the period")

    def _members(self, process: Process, bureau: str, kind: str) -> Iterator[_Built]:
        rng, clock = self.rng, self.clock
        party = self._party(bureau, fresh=True)
        day = rng.choice(clock.in_period[: len(clock.in_period) * 2 // 3])
        if kind == "splitting":
            for _ in range(rng.choice((2, 2, 3))):
                amount = p.money(rng, p.SPLIT_LOWER, p.RELIEF_COLLECTIVE - 1000, 1000)
                yield self._case(
                    process, bureau, kind, start=day, party=party, extra={"amount": amount}
                )
                day = clock.add(day, rng.randint(3, 7))
        elif kind == "familiarity":
            team = rng.choice(p.TEAMS)
            officer = rng.choice(self.roster.holders(f"{bureau}-{team}-SYGL", day))
            extra = {"team": team, "circumstance": "一般", "decision": "处罚"}
            for _ in range(rng.choice((4, 5))):
                yield self._case(
                    process,
                    bureau,
                    kind,
                    start=day,
                    party=party,
                    extra=extra,
                    preset={"调查": officer},
                )
                day = clock.add(day, rng.randint(15, 25))
        elif kind == "first_offence_misuse":
            first = rng.choice(("轻微", "一般"))
            decision = "首违不罚" if first == "轻微" else "处罚"
            yield self._case(
                process,
                bureau,
                kind,
                start=day,
                party=party,
                extra={"circumstance": first, "decision": decision},
            )
            day = clock.add(day, rng.randint(25, 100))
            yield self._case(
                process,
                bureau,
                kind,
                start=day,
                party=party,
                extra={"circumstance": "轻微", "decision": "首违不罚"},
            )
        else:
            raise ValueError(f"unknown group kind {kind!r}")

    def _decoys(self) -> None:
        """Relations of officers to taxpayers who never come to the bureau: a real table lists
        far more relations than ever matter."""
        rng = self.rng
        officers = sorted({s.officer for b in self.built for s in b.steps})
        for _ in range(DECOY_RELATIONS):
            bureau = rng.choice((CITY, *COUNTIES))
            party = self._party(bureau, fresh=True)
            self.relations.append((rng.choice(officers), party.id, rng.choice(RELATIONS)))

    # --- output -------------------------------------------------------------------------------

    def _cases(self) -> Iterator[DemoCase]:
        by_series: dict[tuple[str, str], list[_Built]] = {}
        for built in self.built:
            by_series.setdefault((built.bureau, built.process.tag), []).append(built)
        for (bureau, tag), series in by_series.items():
            series.sort(key=lambda b: _first_time(b.steps))
            for number, built in enumerate(series, start=1):
                year = _first_time(built.steps).year
                yield self._case_record(built, f"{bureau}-{tag}-{year}-{number:04d}")

    def _case_record(self, built: _Built, case_id: str) -> DemoCase:
        process = f"QL-{built.bureau}-{built.process.power}"
        events = tuple(
            Event(
                case=case_id,
                activity=step.activity,
                time=step.time,
                resource=step.officer,
                post=step.post,
                unit=self.roster.unit_of(step.post),
                process=process,
                data=dict(step.data),
                index=order,
            )
            for order, step in enumerate(built.steps)
            if step.time is not None
        )
        return DemoCase(case_id, process, built.process.name, built.kind, events)


class GenerationError(RuntimeError):
    """The roster or the period cannot give a case of the kind asked for."""


class _RedrawError(GenerationError):
    """A case could not be placed (for a group member: draw the whole group again)."""


def _index(steps: Sequence[Step], activity: str) -> int:
    return next(i for i, s in enumerate(steps) if s.activity == activity)


def _whole(steps: Sequence[Step]) -> bool:
    """The case was closed within the period."""
    return bool(steps) and steps[-1].activity in ("办结", "结案")


def _first_time(steps: Sequence[Step]) -> dt.datetime:
    return min(s.time for s in steps if s.time is not None).astimezone(TZ)

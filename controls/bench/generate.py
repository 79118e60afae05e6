"""A seeded event log of a fictional city tax bureau in 2026, with planted breaches and decoys.

The log streams in time order (a million events never sit in memory at once): cases of five
processes start on working days and hours of the official calendar, and their steps follow on
later working days. The *background* cases obey every rule of ``bureau_rules.yaml`` by
construction; the *planted* cases sit on each rule's boundaries, one side breaching (must be
found) and the other side a decoy (must not be). :func:`ground_truth` lists them, so a test can
compare a checker's findings with what was planted.

    python -m controls.bench.generate --events 1000000 --out var/bench/generated-1m.xes.gz
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import heapq
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from controls.calendar import WorkCalendar
from controls.events import Event

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026

# Process names as the bureau's systems export them.
RELIEF = "减免税审批"
PENALTY = "行政处罚"
INVOICE = "发票领用"
QUALIFICATION = "一般纳税人资格认定"
REGISTRATION = "税务登记"

# Every data key an event may carry, in the column order of a written CSV.
DATA_COLUMNS = (
    "party", "party_name", "amount", "tax", "violation", "circumstance", "decision", "penalty",
    "invoice_kind", "quantity",
)  # fmt: skip

# Thresholds and limits shared with bureau_rules.yaml (the test reads both; keep them equal).
COLLECTIVE_REVIEW_THRESHOLD = 500_000
SPLIT_LOWER = 450_000  # "just below": 90 % of the threshold and up
RELIEF_LIMIT_WORKDAYS = 20
PENALTY_LIMIT_WORKDAYS = 60
QUALIFICATION_LIMIT_WORKDAYS = 10

# Working hours used for background steps; the off-hours rule allows [08:30, 18:00), so
# background steps keep well inside it.
_MORNING = (9 * 60, 11 * 60 + 30)
_AFTERNOON = (13 * 60 + 30, 17 * 60)


# ---------------------------------------------------------------------------------------------
# Who works at the bureau, and who comes to it


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str
    post: str
    unit: str


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文"
_DISTRICTS = ("玄武", "秦淮", "建邺", "鼓楼", "栖霞", "雨花", "江宁", "浦口", "六合", "溧水")
_BRANDS = ("恒达", "瑞丰", "金桥", "华信", "宏远", "永盛", "鑫源", "诚泰", "嘉禾", "联创", "天元")
_TRADES = ("商贸", "科技", "建材", "物流", "餐饮", "贸易", "机械", "服饰", "医药", "电子")


def _name(n: int) -> str:
    return (
        _SURNAMES[n % len(_SURNAMES)]
        + _GIVEN[(n * 7) % len(_GIVEN)]
        + _GIVEN[(n * 13 + 5) % len(_GIVEN)]
    )


def _pool(first: int, count: int, post: str, unit: str) -> tuple[Officer, ...]:
    return tuple(Officer(f"S{i:03d}", _name(i), post, unit) for i in range(first, first + count))


WINDOW = _pool(1, 24, "办税服务厅窗口岗", "纳税服务科")
RELIEF_HANDLERS = _pool(101, 24, "减免税调查岗", "税政科")
RELIEF_REVIEWERS = _pool(151, 6, "减免税审核岗", "税政科")
LEADERS = _pool(201, 4, "分管局领导", "局领导班子")
DECIDERS = _pool(211, 6, "稽查局局长", "稽查局")
# Deciders that only planted cases use, so their share of band-minimum penalties is known.
PLANT_DECIDERS = _pool(217, 3, "稽查局副局长", "稽查局")
CASE_OPENERS = _pool(251, 6, "选案岗", "稽查局选案科")
INSPECTORS = _pool(301, 40, "检查岗", "稽查局检查科")
TRIERS = _pool(401, 10, "审理岗", "稽查局审理科")
EXECUTORS = _pool(451, 8, "执行岗", "稽查局执行科")
ADMIN_REVIEWERS = _pool(501, 20, "征管审核岗", "征收管理科")
ADMIN_HEADS = _pool(551, 4, "征收管理科科长", "征收管理科")

ROSTER: tuple[Officer, ...] = (
    WINDOW
    + RELIEF_HANDLERS
    + RELIEF_REVIEWERS
    + LEADERS
    + DECIDERS
    + PLANT_DECIDERS
    + CASE_OPENERS
    + INSPECTORS
    + TRIERS
    + EXECUTORS
    + ADMIN_REVIEWERS
    + ADMIN_HEADS
)


def party(n: int) -> Party:
    """Taxpayer number ``n``: an 18-character credit code and a company name."""
    name = (
        _DISTRICTS[n % len(_DISTRICTS)]
        + _BRANDS[(n // 10) % len(_BRANDS)]
        + _TRADES[(n // 110) % len(_TRADES)]
        + "有限公司"
    )
    return Party(f"913201{n:011d}X", name)


# Planted cases use taxpayers from their own range, so no background case ever meets them.
_PLANT_PARTY_BASE = 90_000_000_000
# Parties exempted under first-offence in the background come from a range used once each.
_FRESH_PARTY_BASE = 50_000_000_000


# ---------------------------------------------------------------------------------------------
# Discretion bands (自由裁量基准), shared with reference/discretion_bands.csv


@dataclass(frozen=True, slots=True)
class Band:
    violation: str
    circumstance: str
    low: int
    high: int
    low_inclusive: bool
    high_inclusive: bool


BANDS: tuple[Band, ...] = (
    Band("逾期申报", "轻微", 0, 500, True, True),
    Band("逾期申报", "一般", 500, 2000, False, True),
    Band("逾期申报", "严重", 2000, 10000, False, True),
    Band("未按规定保管发票", "一般", 1000, 10000, True, False),
    Band("未按规定保管发票", "严重", 10000, 50000, True, True),
    Band("逾期办理税务登记", "一般", 200, 2000, True, True),
    Band("逾期办理税务登记", "严重", 2000, 10000, False, True),
)
# Violations that may be exempted as a first offence (首违不罚清单).
FIRST_OFFENCE_VIOLATIONS = ("逾期申报", "逾期办理税务登记")


def bands_csv() -> str:
    rows = ["violation,circumstance,min,max,min_inclusive,max_inclusive"]
    for b in BANDS:
        lo, hi = str(b.low_inclusive).lower(), str(b.high_inclusive).lower()
        rows.append(f"{b.violation},{b.circumstance},{b.low},{b.high},{lo},{hi}")
    return "\n".join(rows) + "\n"


def staff_csv() -> str:
    rows = ["staff,name,post,unit"]
    rows += [f"{o.id},{o.name},{o.post},{o.unit}" for o in ROSTER]
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------------
# Working days and hours


class Days:
    """The working days of 2026 (and early 2027, for cases that run over the new year)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        day = dt.date(YEAR, 1, 1)
        self.days: list[dt.date] = []
        while day < dt.date(YEAR + 1, 3, 1):
            if calendar.is_workday(day):
                self.days.append(day)
            day += dt.timedelta(days=1)
        self.position = {d: i for i, d in enumerate(self.days)}

    def after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (a working day itself)."""
        return self.days[self.position[day] + n]

    def span(self, first: dt.date, last: dt.date) -> list[dt.date]:
        return self.days[self.position[first] : self.position[last] + 1]


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def _below(rng: random.Random, n: int) -> int:
    """A whole number in [0, n): ``random()`` scaled is several times cheaper than randrange."""
    return int(rng.random() * n)


def _work_time(rng: random.Random, day: dt.date) -> dt.datetime:
    minute = _below(rng, 360)
    lo = _MORNING[0] if minute < 150 else _AFTERNOON[0] - 150
    total = lo + minute
    return at(day, total // 60, total % 60, _below(rng, 60))


# ---------------------------------------------------------------------------------------------
# Building cases


@dataclass
class Case:
    """One matter being written: its events are added in time order."""

    id: str
    process: str
    data: dict[str, Any]
    events: list[Event] = field(default_factory=list)

    def add(
        self,
        activity: str,
        time: dt.datetime,
        officer: Officer,
        extra: dict[str, Any] | None = None,
    ) -> dt.datetime:
        if self.events and time < self.events[-1].time:
            raise ValueError(f"{self.id}: {activity} at {time} goes back in time")
        data = dict(self.data, **extra) if extra else self.data
        self.events.append(
            Event(
                case=self.id,
                activity=activity,
                time=time,
                resource=officer.id,
                post=officer.post,
                unit=officer.unit,
                process=self.process,
                data=MappingProxyType(data),
            )
        )
        return time


class Steps:
    """Puts the background steps of one case on later working days, inside working hours."""

    def __init__(self, rng: random.Random, days: Days, start: dt.datetime) -> None:
        self.rng = rng
        self.days = days
        self.now = start

    def later(self, low: int, high: int) -> dt.datetime:
        """A working time ``low..high`` working days later (0: later the same day, if it fits)."""
        gap = low + _below(self.rng, high - low + 1)
        if gap == 0:
            candidate = self.now + dt.timedelta(minutes=5 + _below(self.rng, 36))
            if candidate.hour * 60 + candidate.minute < _AFTERNOON[1]:
                self.now = candidate
                return candidate
            gap = 1
        self.now = _work_time(self.rng, self.days.after(self.now.date(), gap))
        return self.now


def _pick(rng: random.Random, pool: Sequence[Officer], *, not_: Officer | None = None) -> Officer:
    while True:
        officer = pool[_below(rng, len(pool))]
        if officer is not not_:
            return officer


def _relief_amount(rng: random.Random) -> int:
    """A relief amount that never falls in the "just below the threshold" band."""
    while True:
        amount = int(10 ** rng.uniform(4, 6.4)) // 100 * 100
        if not 400_000 <= amount < COLLECTIVE_REVIEW_THRESHOLD:
            return amount


def relief_case(case: Case, rng: random.Random, days: Days, start: dt.datetime) -> None:
    steps = Steps(rng, days, start)
    clerk = _pick(rng, WINDOW)
    handler = _pick(rng, RELIEF_HANDLERS)
    case.add("受理", start, clerk)
    case.add("调查", steps.later(1, 3), handler)
    case.add("审核", steps.later(1, 3), _pick(rng, RELIEF_REVIEWERS))
    if case.data["amount"] >= COLLECTIVE_REVIEW_THRESHOLD:
        case.add("集体审理", steps.later(1, 3), _pick(rng, LEADERS))
    case.add("批准", steps.later(1, 2), _pick(rng, LEADERS))
    case.add("办结", steps.later(0, 1), clerk)


def _penalty_value(rng: random.Random, band: Band) -> int:
    """A penalty strictly inside its band, so background never sits on a bound or the minimum."""
    step = max((band.high - band.low) // 20, 1)
    return band.low + step * (1 + _below(rng, 19))


def penalty_case(
    case: Case,
    rng: random.Random,
    days: Days,
    start: dt.datetime,
    decision: dict[str, Any],
    *,
    decider: Officer | None = None,
    inspector: Officer | None = None,
    trier: Officer | None = None,
) -> None:
    steps = Steps(rng, days, start)
    inspector = inspector or _pick(rng, INSPECTORS)
    case.add("立案", start, _pick(rng, CASE_OPENERS))
    case.add("调查", steps.later(1, 10), inspector)
    case.add("审理", steps.later(1, 5), trier or _pick(rng, TRIERS))
    case.add("告知", steps.later(1, 3), inspector)
    case.add("决定", steps.later(3, 5), decider or _pick(rng, DECIDERS), decision)
    if "penalty" in decision:
        case.add("执行", steps.later(1, 5), _pick(rng, EXECUTORS))
    case.add("结案", steps.later(1, 3), _pick(rng, TRIERS))


def background_decision(rng: random.Random, case: Case) -> dict[str, Any]:
    band = BANDS[_below(rng, len(BANDS))]
    case.data["violation"] = band.violation
    case.data["circumstance"] = band.circumstance
    if band.circumstance == "轻微" and band.violation in FIRST_OFFENCE_VIOLATIONS:
        return {"decision": "首违不罚"}
    return {"decision": "处罚", "penalty": _penalty_value(rng, band)}


def invoice_case(case: Case, rng: random.Random, days: Days, start: dt.datetime) -> None:
    steps = Steps(rng, days, start)
    clerk = _pick(rng, WINDOW)
    case.add("申请", start, clerk)
    case.add("审核", steps.later(0, 1), _pick(rng, ADMIN_REVIEWERS))
    case.add("发售", steps.later(0, 1), clerk)


def qualification_case(case: Case, rng: random.Random, days: Days, start: dt.datetime) -> None:
    steps = Steps(rng, days, start)
    clerk = _pick(rng, WINDOW)
    case.add("受理", start, clerk)
    case.add("审核", steps.later(1, 2), _pick(rng, ADMIN_REVIEWERS))
    case.add("认定", steps.later(1, 2), _pick(rng, ADMIN_HEADS))
    case.add("办结", steps.later(0, 1), clerk)


def registration_case(
    case: Case, rng: random.Random, days: Days, start: dt.datetime, length: int
) -> None:
    """Registration in one (on the spot), two or three steps: it also fills the event budget."""
    steps = Steps(rng, days, start)
    clerk = _pick(rng, WINDOW)
    if length >= 2:
        case.add("受理", start, clerk)
    if length >= 3:
        case.add("审核", steps.later(0, 1), _pick(rng, ADMIN_REVIEWERS))
    case.add("办结", steps.later(0, 1) if length >= 2 else start, clerk)


# ---------------------------------------------------------------------------------------------
# The background: cases of every process, spread over the working days of the year


# (prefix, process, expected events, share of cases)
_MIX: tuple[tuple[str, str, int, float], ...] = (
    ("JM", RELIEF, 6, 0.15),
    ("CF", PENALTY, 7, 0.20),
    ("FP", INVOICE, 3, 0.30),
    ("RD", QUALIFICATION, 4, 0.15),
    ("DJ", REGISTRATION, 3, 0.20),
)


class Background:
    def __init__(self, rng: random.Random, days: Days, n_events: int) -> None:
        self.rng = rng
        self.days = days
        mean = sum(size * share for _, _, size, share in _MIX)
        self.parties = max(2000, int(n_events / mean * 2))
        self.counters: dict[str, int] = {}
        self.fresh = 0

    def next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}{YEAR}-{n:07d}"

    def case(self, day: dt.date, budget: int) -> Case:
        """One background case starting on ``day`` with at most ``budget`` events."""
        rng = self.rng
        start = _work_time(rng, day)
        roll, total = rng.random(), 0.0
        for prefix, process, size, share in _MIX:
            total += share
            if roll < total and size <= budget and process != REGISTRATION:
                return self._build(prefix, process, start)
        return self._registration(start, min(budget, 1 + _below(rng, 3)))

    def _party(self) -> Party:
        return party(_below(self.rng, self.parties))

    def _build(self, prefix: str, process: str, start: dt.datetime) -> Case:
        who = self._party()
        case = Case(self.next_id(prefix), process, {"party": who.id, "party_name": who.name})
        rng, days = self.rng, self.days
        if process == RELIEF:
            case.data["amount"] = _relief_amount(rng)
            case.data["tax"] = rng.choice(("企业所得税", "增值税", "房产税", "城镇土地使用税"))
            relief_case(case, rng, days, start)
        elif process == PENALTY:
            decision = background_decision(rng, case)
            if decision["decision"] == "首违不罚":
                # Only a taxpayer never penalised before may be exempted, so use a new one.
                self.fresh += 1
                fresh = party(_FRESH_PARTY_BASE + self.fresh)
                case.data.update(party=fresh.id, party_name=fresh.name)
            penalty_case(case, rng, days, start, decision)
        elif process == INVOICE:
            case.data["invoice_kind"] = rng.choice(("增值税专用发票", "增值税普通发票"))
            case.data["quantity"] = rng.choice((25, 50, 100))
            invoice_case(case, rng, days, start)
        else:
            qualification_case(case, rng, days, start)
        return case

    def _registration(self, start: dt.datetime, length: int) -> Case:
        who = self._party()
        case = Case(self.next_id("DJ"), REGISTRATION, {"party": who.id, "party_name": who.name})
        registration_case(case, self.rng, self.days, start, length)
        return case


def _background_days(days: Days) -> list[dt.date]:
    # Start after the New Year make-up Sunday and stop in November, so every case (penalties
    # run up to about 30 working days) closes within the year of the published calendar.
    return [d for d in days.days if dt.date(YEAR, 1, 5) <= d <= dt.date(YEAR, 11, 2)]


# ---------------------------------------------------------------------------------------------
# Planted breaches and decoys


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted case: ``breach`` True must be found by ``rule``; False must not be."""

    rule: str
    case: str
    breach: bool
    boundary: str


class Plants:
    """Writes the planted cases (fixed dates, seed-independent) and records the ground truth."""

    def __init__(self, days: Days) -> None:
        self.days = days
        self.cases: list[Case] = []
        self.truth: list[Planted] = []
        self.rng = random.Random(20261010)
        self.parties = 0
        self.numbers: dict[str, int] = {}

    def new_party(self) -> Party:
        self.parties += 1
        return party(_PLANT_PARTY_BASE + self.parties)

    def new_case(self, prefix: str, process: str, who: Party, **data: Any) -> Case:
        n = self.numbers.get(prefix, 0) + 1
        self.numbers[prefix] = n
        case = Case(
            f"{prefix}{YEAR}-9{n:06d}",
            process,
            {"party": who.id, "party_name": who.name, **data},
        )
        self.cases.append(case)
        return case

    def expect(self, rule: str, case: Case, breach: bool, boundary: str) -> None:
        self.truth.append(Planted(rule, case.id, breach, boundary))

    def workday(self, month: int, day: int) -> dt.date:
        d = dt.date(YEAR, month, day)
        if d not in self.days.position:
            raise ValueError(f"planted date {d} is not a working day")
        return d


def _relief(
    p: Plants,
    start: dt.date,
    amount: int,
    *,
    close: dt.date | None = None,
    same_officer: bool = False,
    collective: bool | None = None,
    change: str = "",
    who: Party | None = None,
) -> Case:
    """A relief case starting on ``start`` with every step spelled out by the plant."""
    days = p.days
    case = p.new_case("JM", RELIEF, who or p.new_party(), amount=amount, tax="企业所得税")
    clerk, handler = WINDOW[0], RELIEF_HANDLERS[0]
    reviewer = Officer(handler.id, handler.name, RELIEF_REVIEWERS[0].post, handler.unit)
    case.add("受理", at(start, 9, 30), clerk)
    case.add("调查", at(days.after(start, 1), 10), handler)
    case.add(
        "审核", at(days.after(start, 2), 10), reviewer if same_officer else RELIEF_REVIEWERS[0]
    )
    if change == "before":
        case.add("修改减免税额", at(days.after(start, 2), 15), RELIEF_REVIEWERS[0])
    if collective if collective is not None else amount >= COLLECTIVE_REVIEW_THRESHOLD:
        case.add("集体审理", at(days.after(start, 3), 10), LEADERS[0])
    case.add("批准", at(days.after(start, 4), 10), LEADERS[1])
    if change == "after":
        case.add("修改减免税额", at(days.after(start, 4), 15), RELIEF_REVIEWERS[0])
    case.add("办结", at(close or days.after(start, 5), 16), clerk)
    return case


def plant_relief(p: Plants) -> None:
    d = p.days
    start = p.workday(3, 2)
    c = _relief(p, start, 80_000, same_officer=True)
    p.expect("JM-01", c, True, "调查 and 审核 by the same officer")
    c = _relief(p, start, 80_000)
    p.expect("JM-01", c, False, "调查 and 审核 by different officers")

    limit = RELIEF_LIMIT_WORKDAYS
    start = p.workday(4, 13)
    c = _relief(p, start, 90_000, close=d.after(start, limit))
    p.expect("JM-02", c, False, f"closed on working day {limit}, exactly on the limit")
    c = _relief(p, start, 90_000, close=d.after(start, limit + 1))
    p.expect("JM-02", c, True, f"closed on working day {limit + 1}, one over the limit")
    # Across National Day: 20 working days from 09-21 end on 10-26 only because the holiday
    # week does not count; the make-up Saturday 10-10 does count, so 10-27 is already late.
    start = p.workday(9, 21)
    c = _relief(p, start, 95_000, close=d.after(start, limit))
    p.expect("JM-02", c, False, "across National Day, exactly on the limit")
    c = _relief(p, start, 95_000, close=d.after(start, limit + 1))
    p.expect("JM-02", c, True, "across National Day and the make-up Saturday, one day late")

    start = p.workday(5, 11)
    threshold = COLLECTIVE_REVIEW_THRESHOLD
    c = _relief(p, start, threshold, collective=False)
    p.expect("JM-03", c, True, "amount exactly at the threshold, no collective review")
    c = _relief(p, start, threshold - 1, collective=False)
    p.expect("JM-03", c, False, "amount one below the threshold, no collective review")
    c = _relief(p, start, threshold, collective=True)
    p.expect("JM-03", c, False, "amount at the threshold, with collective review")

    start = p.workday(6, 8)
    c = _relief(p, start, 120_000, change="after")
    p.expect("JM-04", c, True, "amount changed after approval")
    c = _relief(p, start, 120_000, change="before")
    p.expect("JM-04", c, False, "amount changed before approval")


def plant_splitting(p: Plants) -> None:
    d = p.days
    # Window of 30 days between the 受理 of the first and the last case.
    who = p.new_party()
    first = p.workday(7, 1)
    a = _relief(p, first, SPLIT_LOWER, who=who)
    b = _relief(p, first + dt.timedelta(days=30), COLLECTIVE_REVIEW_THRESHOLD - 1, who=who)
    p.expect("JM-05", a, True, "two cases 30 days apart (on the window), each just below")
    p.expect("JM-05", b, True, "two cases 30 days apart (on the window), each just below")
    who = p.new_party()
    first = p.workday(7, 3)
    a = _relief(p, first, 480_000, who=who)
    b = _relief(p, first + dt.timedelta(days=31), 470_000, who=who)
    p.expect("JM-05", a, False, "two cases 31 days apart, one day outside the window")
    p.expect("JM-05", b, False, "two cases 31 days apart, one day outside the window")
    who = p.new_party()
    first = p.workday(7, 6)
    a = _relief(p, first, SPLIT_LOWER - 1, who=who)
    b = _relief(p, d.after(first, 3), SPLIT_LOWER - 1, who=who)
    p.expect("JM-05", a, False, "two cases one yuan below the just-below band")
    p.expect("JM-05", b, False, "two cases one yuan below the just-below band")


def _penalty(
    p: Plants,
    start: dt.date,
    violation: str,
    circumstance: str,
    decision: dict[str, Any],
    *,
    who: Party | None = None,
    decider: Officer | None = None,
    inspector: Officer | None = None,
    trier: Officer | None = None,
    close: dt.date | None = None,
    decided: dt.date | None = None,
) -> Case:
    days = p.days
    case = p.new_case(
        "CF", PENALTY, who or p.new_party(), violation=violation, circumstance=circumstance
    )
    inspector = inspector or INSPECTORS[0]
    decided = decided or days.after(start, 8)
    case.add("立案", at(start, 9), CASE_OPENERS[0])
    case.add("调查", at(days.after(start, 2), 10), inspector)
    case.add("审理", at(days.after(start, 4), 10), trier or TRIERS[0])
    case.add("告知", at(days.after(start, 5), 10), inspector)
    case.add("决定", at(decided, 10), decider or DECIDERS[0], decision)
    if "penalty" in decision:
        case.add("执行", at(days.after(decided, 2), 10), EXECUTORS[0])
    case.add("结案", at(close or days.after(decided, 4), 15), TRIERS[1])
    return case


def _fined(value: int) -> dict[str, Any]:
    return {"decision": "处罚", "penalty": value}


def plant_penalty(p: Plants) -> None:
    d = p.days
    start = p.workday(3, 9)
    c = _penalty(p, start, "逾期申报", "一般", _fined(1000), trier=INSPECTORS[0])
    p.expect("CF-01", c, True, "调查 and 审理 by the same officer")
    c = _penalty(p, start, "逾期申报", "一般", _fined(1000))
    p.expect("CF-01", c, False, "调查 and 审理 by different officers")

    limit = PENALTY_LIMIT_WORKDAYS
    start = p.workday(3, 16)
    c = _penalty(p, start, "逾期申报", "一般", _fined(900), close=d.after(start, limit))
    p.expect("CF-02", c, False, f"closed on working day {limit}, exactly on the limit")
    c = _penalty(p, start, "逾期申报", "一般", _fined(900), close=d.after(start, limit + 1))
    p.expect("CF-02", c, True, f"closed on working day {limit + 1}, one over the limit")

    start = p.workday(4, 20)
    table = (
        ("逾期申报", "一般", 500, True, "penalty at an exclusive minimum"),
        ("逾期申报", "一般", 501, False, "penalty one above an exclusive minimum"),
        ("逾期申报", "一般", 2000, False, "penalty at an inclusive maximum"),
        ("逾期申报", "一般", 2001, True, "penalty one over an inclusive maximum"),
        ("未按规定保管发票", "一般", 1000, False, "penalty at an inclusive minimum"),
        ("未按规定保管发票", "一般", 999, True, "penalty one below an inclusive minimum"),
        ("未按规定保管发票", "一般", 10000, True, "penalty at an exclusive maximum"),
        ("未按规定保管发票", "一般", 9999, False, "penalty one below an exclusive maximum"),
        ("未按规定保管发票", "较重", 5000, True, "circumstance not in the benchmark table"),
    )
    for violation, circumstance, value, breach, boundary in table:
        c = _penalty(p, start, violation, circumstance, _fined(value))
        p.expect("CF-03", c, breach, boundary)


def plant_first_offence(p: Plants) -> None:
    # Look-back of 6 months before the exemption's decision date.
    exempt = {"decision": "首违不罚"}
    d = p.days

    def pair(prior_decided: dt.date, decided: dt.date, violation: str, prior: str) -> Case:
        who = p.new_party()
        _penalty(p, d.after(prior_decided, -8), prior, "一般", _fined(1000), who=who)
        return _penalty(
            p, d.after(decided, -8), violation, "轻微", exempt, who=who, decided=decided
        )

    c = pair(p.workday(3, 16), p.workday(9, 16), "逾期申报", "逾期申报")
    p.expect("CF-04", c, True, "same violation decided exactly 6 months before")
    # The exemption is decided on the make-up Saturday 10-10: the window starts on 04-10.
    c = pair(p.workday(4, 9), p.workday(10, 10), "逾期申报", "逾期申报")
    p.expect("CF-04", c, False, "same violation 6 months and one day before")
    c = pair(p.workday(6, 15), p.workday(9, 14), "逾期申报", "逾期办理税务登记")
    p.expect("CF-04", c, False, "a different violation within the window")


def plant_recusal(p: Plants) -> list[tuple[str, str, str]]:
    """Related officers and parties; returns the rows of the relations table."""
    start = p.workday(5, 18)
    spouse, classmate = p.new_party(), p.new_party()
    c = _penalty(p, start, "逾期申报", "一般", _fined(800), who=spouse, inspector=INSPECTORS[5])
    p.expect("CF-05", c, True, "inspector is the spouse of the party's legal representative")
    c = _penalty(p, start, "逾期申报", "一般", _fined(800), trier=TRIERS[3], who=classmate)
    p.expect("CF-05", c, True, "trier is a close relative of the party's legal representative")
    c = _penalty(p, start, "逾期申报", "一般", _fined(800), inspector=INSPECTORS[6])
    p.expect("CF-05", c, False, "a related officer handling an unrelated party")
    return [
        (INSPECTORS[5].id, spouse.id, "配偶"),
        (TRIERS[3].id, classmate.id, "近亲属"),
        (INSPECTORS[6].id, p.new_party().id, "近亲属"),
    ]


def plant_familiarity(p: Plants) -> None:
    # More than 3 cases of one inspector and one party within 180 days.
    d = p.days

    def series(inspector: Officer, starts: Sequence[dt.date]) -> list[Case]:
        who = p.new_party()
        return [
            _penalty(p, s, "逾期申报", "一般", _fined(1200), who=who, inspector=inspector)
            for s in starts
        ]

    base = p.workday(2, 2)
    inside = [base, d.after(base, 30), d.after(base, 60), d.after(base, 90)]
    for c in series(INSPECTORS[10], inside):
        p.expect("CF-06", c, True, "4 cases of one inspector and one party in 180 days")
    for c in series(INSPECTORS[11], inside[:3]):
        p.expect("CF-06", c, False, "3 cases, not more than 3")
    # The fourth 调查 falls 181 days after the first, so only 3 are inside its window.
    first = p.workday(3, 3)
    first_probe = d.after(first, 2)
    last_probe = first_probe + dt.timedelta(days=181)
    last = d.after(last_probe, -2)
    spread = [first, d.after(first, 40), d.after(first, 80), last]
    for c in series(INSPECTORS[12], spread):
        p.expect("CF-06", c, False, "4 cases, the first 181 days before the last")


def plant_concentration(p: Plants) -> None:
    # Share of penalties at the band minimum ≥ 0.8 over ≥ 5 decisions within 90 days.
    d = p.days
    plans = (
        (PLANT_DECIDERS[0], (True, True, False, True, True), True, "4 of 5 at the minimum"),
        (PLANT_DECIDERS[1], (True, False, True, False, True), False, "3 of 5 at the minimum"),
        (PLANT_DECIDERS[2], (True, True, True, True), False, "4 of 4 at the minimum, one short"),
    )
    for decider, at_min, breach, boundary in plans:
        start = p.workday(8, 3)
        for i, low in enumerate(at_min):
            value = 200 if low else 1500
            c = _penalty(
                p, d.after(start, 3 * i), "逾期办理税务登记", "一般", _fined(value), decider=decider
            )
            p.expect("CF-07", c, breach, boundary)


def plant_off_hours(p: Plants) -> None:
    """Invoice sales on holidays, make-up days and at the edge of working hours."""
    cases = (
        (dt.date(YEAR, 10, 3), 10, 0, True, "sold on a National Day holiday"),
        (dt.date(YEAR, 10, 10), 10, 0, False, "sold on the make-up Saturday 10-10"),
        (dt.date(YEAR, 9, 20), 10, 0, False, "sold on the make-up Sunday 09-20"),
        (dt.date(YEAR, 9, 19), 10, 0, True, "sold on an ordinary Saturday"),
        (dt.date(YEAR, 6, 10), 17, 59, False, "sold in the last minute of working hours"),
        (dt.date(YEAR, 6, 10), 18, 0, True, "sold at 18:00, where working hours end"),
        (dt.date(YEAR, 6, 11), 8, 30, False, "sold exactly at the start of working hours"),
        (dt.date(YEAR, 6, 11), 8, 29, True, "sold one minute before working hours"),
    )
    for day, hour, minute, breach, boundary in cases:
        who = p.new_party()
        c = p.new_case("FP", INVOICE, who, invoice_kind="增值税专用发票", quantity=25)
        c.add("申请", at(day, hour, minute) - dt.timedelta(minutes=20), WINDOW[2])
        c.add("审核", at(day, hour, minute) - dt.timedelta(minutes=10), ADMIN_REVIEWERS[0])
        c.add("发售", at(day, hour, minute), WINDOW[2])
        p.expect("FP-01", c, breach, boundary)


def plant_qualification(p: Plants) -> None:
    d = p.days
    limit = QUALIFICATION_LIMIT_WORKDAYS

    def case(start: dt.date, decided: dt.date, closer: Officer) -> Case:
        c = p.new_case("RD", QUALIFICATION, p.new_party())
        c.add("受理", at(start, 9, 15), WINDOW[3])
        c.add("审核", at(d.after(start, 1), 10), ADMIN_REVIEWERS[1])
        c.add("认定", at(decided, 10), ADMIN_HEADS[0])
        c.add("办结", at(decided, 11), closer)
        return c

    c = case(p.workday(5, 6), p.workday(5, 12), WINDOW[4])
    p.expect("RD-01", c, True, "accepted and closed by different window officers")
    c = case(p.workday(5, 6), p.workday(5, 12), WINDOW[3])
    p.expect("RD-01", c, False, "accepted and closed by the same window officer")
    # From 09-28 the 10 working days skip National Day and count the make-up Saturday 10-10.
    start = p.workday(9, 28)
    c = case(start, d.after(start, limit), WINDOW[3])
    p.expect("RD-02", c, False, "across National Day, exactly on the limit")
    c = case(start, d.after(start, limit + 1), WINDOW[3])
    p.expect("RD-02", c, True, "across National Day and the make-up Saturday, one day late")


def _plant_all(days: Days) -> tuple[Plants, list[tuple[str, str, str]]]:
    p = Plants(days)
    plant_relief(p)
    plant_splitting(p)
    plant_penalty(p)
    plant_first_offence(p)
    relations = plant_recusal(p)
    plant_familiarity(p)
    plant_concentration(p)
    plant_off_hours(p)
    plant_qualification(p)
    return p, relations


def ground_truth() -> list[Planted]:
    """Every planted case, with the rule that must (or must not) find it."""
    return _plant_all(Days(WorkCalendar.official()))[0].truth


def relations_csv() -> str:
    rows = ["officer,party,relation"]
    _, relations = _plant_all(Days(WorkCalendar.official()))
    rows += [",".join(r) for r in relations]
    return "\n".join(rows) + "\n"


def planted_event_count() -> int:
    plants, _ = _plant_all(Days(WorkCalendar.official()))
    return sum(len(c.events) for c in plants.cases)


# ---------------------------------------------------------------------------------------------
# The stream


def generate(
    n_events: int, seed: int = 7, planted: bool = True, *, by_case: bool = False
) -> Iterator[Event]:
    """Exactly ``n_events`` events of 2026, numbered from 1 in the order they come.

    In time order by default, as a monitor would see them; with ``by_case``
    each case's events come together, cases in the order they start, as XES files hold them.
    """
    days = Days(WorkCalendar.official())
    plants: list[Case] = _plant_all(days)[0].cases if planted else []
    planted_events = sum(len(c.events) for c in plants)
    if planted_events > n_events:
        raise ValueError(f"--events {n_events} is fewer than the {planted_events} planted events")
    background = _background(days, random.Random(seed), n_events - planted_events)
    cases = _merged(plants, background)
    return _case_ordered(cases) if by_case else _time_ordered(cases)


def _background(days: Days, rng: random.Random, budget: int) -> Iterator[Case]:
    """Background cases in the order of their first event, ``budget`` events in all."""
    maker = Background(rng, days, budget)
    starts = _background_days(days)
    for i, day in enumerate(starts):
        # Share the budget evenly over the days; the last case of a day fits what is left.
        left = budget * (i + 1) // len(starts) - budget * i // len(starts)
        made: list[Case] = []
        while left > 0:
            made.append(maker.case(day, left))
            left -= len(made[-1].events)
        made.sort(key=lambda c: (c.events[0].time, c.id))
        yield from made


def _merged(plants: list[Case], background: Iterator[Case]) -> Iterator[Case]:
    """Planted and background cases together, in the order of their first event."""
    return heapq.merge(sorted(plants, key=_first), background, key=_first)


def _first(case: Case) -> tuple[dt.datetime, str]:
    return case.events[0].time, case.id


def _time_ordered(cases: Iterator[Case]) -> Iterator[Event]:
    # Cases come in order of their first event, so any event earlier than the next case's
    # start can go out: a heap holds only the open cases' later steps.
    queue: list[tuple[dt.datetime, str, int, Event]] = []
    seq = index = 0
    for case in cases:
        start = case.events[0].time
        while queue and queue[0][0] < start:
            index += 1
            yield _numbered(heapq.heappop(queue)[3], index)
        for event in case.events:
            seq += 1
            heapq.heappush(queue, (event.time, event.case, seq, event))
    while queue:
        index += 1
        yield _numbered(heapq.heappop(queue)[3], index)


def _case_ordered(cases: Iterator[Case]) -> Iterator[Event]:
    index = 0
    for case in cases:
        for event in case.events:
            index += 1
            yield _numbered(event, index)


def _numbered(event: Event, index: int) -> Event:
    return dataclasses.replace(event, index=index)


# ---------------------------------------------------------------------------------------------
# Command line


def write_log(path: Path, n_events: int, seed: int = 7, planted: bool = True) -> int:
    """Write a generated log; XES gets cases whole (its traces), CSV and JSON lines time order."""
    from controls.io import write_csv, write_jsonl, write_xes

    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return write_xes(generate(n_events, seed, planted, by_case=True), path)
    events = generate(n_events, seed, planted)
    if name.endswith((".csv", ".csv.gz")):
        return write_csv(events, path, data_columns=DATA_COLUMNS)
    if name.endswith((".jsonl", ".jsonl.gz")):
        return write_jsonl(events, path)
    raise ValueError(f"{path}: the name must end in .xes(.gz), .csv(.gz) or .jsonl(.gz)")


def write_reference(folder: Path) -> list[Path]:
    """The reference tables the bureau rule set needs, as they match the planted cases."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("discretion_bands.csv", bands_csv()),
        ("relations.csv", relations_csv()),
        ("staff.csv", staff_csv()),
    ):
        target = folder / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m controls.bench.generate",
        description="Write a seeded tax-bureau event log of 2026 with planted breaches.",
    )
    parser.add_argument("--events", type=int, required=True, help="number of events")
    parser.add_argument("--out", type=Path, required=True, help="FILE.xes(.gz)|.csv|.jsonl")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-plants", action="store_true", help="background cases only")
    parser.add_argument(
        "--reference", type=Path, help="also write the reference tables into this folder"
    )
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_log(args.out, args.events, seed=args.seed, planted=not args.no_plants)
    except ValueError as exc:
        parser.error(str(exc))
    if args.reference:
        write_reference(args.reference)
    print(f"{args.out}: {args.events} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

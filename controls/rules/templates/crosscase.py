"""Template 10: patterns across cases, judged over a sliding window of days.

``splitting`` (拆分规避): several cases of one party within a window, each just below a threshold,
together at or above it. ``familiarity`` (关系过密): one officer and one party meet in more than
``max_cases`` cases within a window. ``concentration`` (就低裁量集中): an officer's discretionary
decisions pile at the band minimum: a share of at least ``share`` over at least
``min_decisions`` decisions within a window.

Windows are counted on calendar dates in the bureau's time zone and are inclusive: with
``window_days: 30`` an entry dated 30 days before today still counts, one dated 31 days before
does not. State is kept per party / officer for the window only; older entries are evicted as
the clock moves, so memory stays bounded on a log of any length. Events are expected in time
order (as the monitor and ``check`` feed them); batch and incremental runs are then identical.

.. code-block:: yaml

    - id: JM-05
      template: splitting
      name: 拆分申请规避集体审理
      activity: 受理
      amount: amount          # the data field with the amount (default: amount)
      threshold: 500000
      lower: 450000           # "just below": lower <= amount < threshold
      window_days: 30
      min_cases: 2            # default 2

    - id: CF-06
      template: familiarity
      name: 同一检查人员频繁办理同一纳税人案件
      activities: [调查]
      max_cases: 3            # more than 3 cases within the window is a finding
      window_days: 180

    - id: CF-07
      template: concentration
      name: 处罚金额集中于裁量下限
      activity: 决定
      value: penalty
      table: discretion_bands
      share: 0.8
      min_decisions: 5
      window_days: 90
      margin: 0               # fraction of the band's width that still counts as the minimum
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from controls.events import Event, Finding
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleContext, RuleSpec, register
from controls.rules.templates.discretion import Band, BandTable, as_number, load_bands

BUREAU_TZ = "Asia/Shanghai"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def zone(params: Params) -> zoneinfo.ZoneInfo:
    """The time zone in which dates are counted (``timezone``, default Asia/Shanghai)."""
    name = params.text("timezone", BUREAU_TZ)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise params.error(
            "timezone", f"unknown time zone {name!r}", f"未知时区 {name!r}"
        ) from None


@dataclass(frozen=True, slots=True)
class Span:
    """A look-back of ``days`` days or ``months`` calendar months (exactly one is non-zero)."""

    days: int = 0
    months: int = 0

    @classmethod
    def read(cls, params: Params) -> Span:
        """``window_days`` or ``window_months`` from a rule; exactly one must be given."""
        has_days, has_months = params.has("window_days"), params.has("window_months")
        if has_days == has_months:
            raise params.error(
                "window_days",
                "give exactly one of window_days and window_months",
                "window_days 与 window_months 须且只须填写一项",
            )
        if has_days:
            return cls(days=params.integer("window_days", minimum=1))
        return cls(months=params.integer("window_months", minimum=1))

    def earliest(self, today: dt.date) -> dt.date:
        """The first date still inside a window that ends on ``today``."""
        if self.days:
            return today - dt.timedelta(days=self.days)
        month = today.year * 12 + today.month - 1 - self.months
        year, month = divmod(month, 12)
        return _clamped(year, month + 1, today.day)

    def zh(self) -> str:
        return f"{self.days} 天" if self.days else f"{self.months} 个月"

    def en(self) -> str:
        return f"{self.days} days" if self.days else f"{self.months} months"


def _clamped(year: int, month: int, day: int) -> dt.date:
    """The date, or the month's last day when the month is shorter (08-31 minus 6 months)."""
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


class Window(Generic[K, V]):
    """Dated entries per key, forgotten once they fall out of the span (bounded memory).

    A key's entries are a plain list: most keys (a party, an officer and a party) hold one or
    a few, and a list of a few costs far less to make and keep than a deque.
    """

    def __init__(self, span: Span) -> None:
        self.span = span
        self._entries: dict[K, list[tuple[dt.date, V]]] = {}
        # Every entry's date and key in arrival order: eviction walks from the oldest.
        self._order: deque[tuple[dt.date, K]] = deque()
        # The day of the latest advance. Most events fall on the day of the one before, and
        # then there is nothing new to forget: callers may skip ``advance`` when ``today`` is
        # this day.
        self.today: dt.date | None = None

    def advance(self, today: dt.date) -> Sequence[tuple[K, V]]:
        """Forget every entry that no window ending on ``today`` or later can contain.

        Returns what was forgotten, so that a caller keeping running totals can subtract it.
        """
        if today == self.today:
            return ()
        self.today = today
        first = self.span.earliest(today)
        order = self._order
        gone: list[tuple[K, V]] = []
        while order and order[0][0] < first:
            _, key = order.popleft()
            entries = self._entries.get(key)
            if entries is None:
                continue
            old = 0
            while old < len(entries) and entries[old][0] < first:
                old += 1
            if old:
                gone.extend((key, value) for _, value in entries[:old])
                del entries[:old]
            if not entries:
                del self._entries[key]
        return gone

    def add(self, key: K, day: dt.date, value: V) -> list[tuple[dt.date, V]]:
        entries = self._entries.get(key)
        if entries is None:
            entries = self._entries[key] = []
        entries.append((day, value))
        self._order.append((day, key))
        return entries

    def get(self, key: K) -> list[tuple[dt.date, V]] | None:
        return self._entries.get(key)

    def __len__(self) -> int:
        return sum(len(e) for e in self._entries.values())


def _cases(events: Sequence[Event]) -> tuple[str, ...]:
    """The cases of ``events`` in time order, each once."""
    return tuple(dict.fromkeys(e.case for e in events))


@register
class Splitting(Rule):
    """One party's cases, each just below a threshold, together at or above it."""

    template = "splitting"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activity = params.text("activity")
        self.amount = params.text("amount", "amount")
        self.party = params.text("party", "party")
        self.threshold = params.number("threshold", exclusive_minimum=True, minimum=0)
        self.lower = params.number("lower", minimum=0)
        if self.lower >= self.threshold:
            raise params.error("lower", "must be below threshold", "必须小于 threshold")
        self.span = Span.read(params)
        self.min_cases = params.integer("min_cases", 2, minimum=2)
        self.zone = zone(params)
        self._window: Window[str, tuple[float, Event]] = Window(self.span)

    def watches(self) -> frozenset[str] | None:
        return frozenset({self.activity})

    def feed(self, event: Event) -> Sequence[Finding]:
        value = as_number(event.data.get(self.amount))
        who = event.data.get(self.party)
        today = event.time.astimezone(self.zone).date()
        if today != self._window.today:
            self._window.advance(today)
        if value is None or not who or not self.lower <= value < self.threshold:
            return NO_FINDINGS
        party = str(who)
        for _, (_, earlier) in self._window.get(party) or ():
            if earlier.case == event.case:
                return NO_FINDINGS  # one amount per case: a repeated step is not a new case
        entries = self._window.add(party, today, (value, event))
        total = sum(v for _, (v, _) in entries)
        if len(entries) < self.min_cases or total < self.threshold:
            return NO_FINDINGS
        return (self._finding(event, party, [e for _, (_, e) in entries], total),)

    def _finding(self, event: Event, party: str, events: list[Event], total: float) -> Finding:
        cases = _cases(events)
        listed = "、".join(f"{e.case}（{m.amount(as_number(e.data.get(self.amount)) or 0)}）"
                          for e in events)  # fmt: skip
        listed_en = ", ".join(f"{e.case} ({m.amount(as_number(e.data.get(self.amount)) or 0)})"
                              for e in events)  # fmt: skip
        over = total - self.threshold
        return self.finding(
            cases=cases,
            time=event.time,
            events=events,
            responsible=event,
            key=event.case,
            message_zh=(
                f"当事人 {party} 在 {self.span.zh()}内有 {len(cases)} 件{self.activity}，"
                f"金额均略低于 {m.amount(self.threshold)}：{listed}，合计 {m.amount(total)}，"
                f"超过限额 {m.amount(over)}，疑似拆分规避，违反{m.rule_zh(self.spec)}；"
                f"最近一件由 {m.person_zh(event)} 办理。"
            ),
            message_en=(
                f"Party {party} has {len(cases)} cases at {self.activity} within "
                f"{self.span.en()}, each just below {m.amount(self.threshold)}: {listed_en}; "
                f"together {m.amount(total)}, {m.amount(over)} over the threshold, a likely "
                f"split, breaking {m.rule_en(self.spec)}; latest handled by {m.person_en(event)}."
            ),
            details={"party": party, "total": total, "threshold": self.threshold},
        )


@register
class Familiarity(Rule):
    """One officer and one party in more than ``max_cases`` cases within the window."""

    template = "familiarity"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activities = frozenset(params.texts("activities"))
        self.party = params.text("party", "party")
        self.max_cases = params.integer("max_cases", minimum=1)
        self.span = Span.read(params)
        self.zone = zone(params)
        self._window: Window[tuple[str, str], Event] = Window(self.span)

    def watches(self) -> frozenset[str] | None:
        return self.activities

    def feed(self, event: Event) -> Sequence[Finding]:
        today = event.time.astimezone(self.zone).date()
        if today != self._window.today:
            self._window.advance(today)
        who = event.data.get(self.party)
        if not who or not event.resource:
            return NO_FINDINGS
        pair = (event.resource, str(who))
        for _, earlier in self._window.get(pair) or ():
            if earlier.case == event.case:
                return NO_FINDINGS  # the same case again: count cases, not steps
        entries = self._window.add(pair, today, event)
        if len(entries) <= self.max_cases:
            return NO_FINDINGS
        return (self._finding(event, pair[1], [e for _, e in entries]),)

    def _finding(self, event: Event, party: str, events: list[Event]) -> Finding:
        cases = _cases(events)
        over = len(cases) - self.max_cases
        return self.finding(
            cases=cases,
            time=event.time,
            events=events,
            responsible=event,
            key=event.case,
            message_zh=(
                f"{m.person_zh(event)} 在 {self.span.zh()}内办理当事人 {party} 的案件 "
                f"{len(cases)} 件（{'、'.join(cases)}），超过上限 {self.max_cases} 件 {over} 件，"
                f"违反{m.rule_zh(self.spec)}。"
            ),
            message_en=(
                f"{m.person_en(event)} handled {len(cases)} cases of party {party} within "
                f"{self.span.en()} ({', '.join(cases)}), {over} over the limit of "
                f"{self.max_cases}, breaking {m.rule_en(self.spec)}."
            ),
            details={"party": party, "officer": event.resource, "count": len(cases)},
        )


@register
class Concentration(Rule):
    """An officer's discretionary decisions piling at the band minimum."""

    template = "concentration"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activity = params.text("activity")
        self.value = params.text("value", "penalty")
        self.violation = params.text("violation", "violation")
        self.circumstance = params.text("circumstance", "circumstance")
        self.table_name = params.text("table", "discretion_bands")
        self.share = params.number("share", minimum=0, maximum=1, exclusive_minimum=True)
        self.min_decisions = params.integer("min_decisions", minimum=1)
        self.margin = params.number("margin", 0.0, minimum=0, maximum=1)
        self.when = params.condition("when", None)
        self.span = Span.read(params)
        self.zone = zone(params)
        self._bands: BandTable = {}
        self._window: Window[str, tuple[bool, Event]] = Window(self.span)
        # Per officer, how many decisions in the window sit at the minimum: kept up to date on
        # every add and eviction, because officers can have thousands of decisions in a window.
        self._lows: dict[str, int] = {}
        # Officers whose pattern was already reported and still holds: one finding per episode.
        self._reported: set[str] = set()

    def bind(self, context: RuleContext) -> None:
        super().bind(context)
        self._bands = load_bands(self, context, self.table_name)

    def watches(self) -> frozenset[str] | None:
        return frozenset({self.activity})

    def _at_minimum(self, event: Event) -> bool | None:
        """Whether the decided value sits at its band's minimum; None when it cannot tell."""
        value = as_number(event.data.get(self.value))
        key = (str(event.data.get(self.violation, "")), str(event.data.get(self.circumstance, "")))
        band: Band | None = self._bands.get(key)
        if value is None or band is None:
            return None  # no value or no band: the discretion-band rule reports those
        return value <= band.low + self.margin * (band.high - band.low)

    def feed(self, event: Event) -> Sequence[Finding]:
        today = event.time.astimezone(self.zone).date()
        if today != self._window.today:
            for officer, (was_low, _) in self._window.advance(today):
                if was_low:
                    self._lows[officer] -= 1
        if not event.resource or (self.when is not None and not self.when.test(event)):
            return NO_FINDINGS
        low = self._at_minimum(event)
        if low is None:
            return NO_FINDINGS
        entries = self._window.add(event.resource, today, (low, event))
        lows = self._lows[event.resource] = self._lows.get(event.resource, 0) + low
        count = len(entries)
        if count < self.min_decisions or lows / count < self.share:
            self._reported.discard(event.resource)
            return NO_FINDINGS
        if event.resource in self._reported:
            return NO_FINDINGS
        self._reported.add(event.resource)
        return (self._finding(event, [e for _, (_, e) in entries], lows),)

    def _finding(self, event: Event, events: list[Event], lows: int) -> Finding:
        count = len(events)
        pct = 100 * lows / count
        return self.finding(
            cases=_cases(events),
            time=event.time,
            events=events,
            responsible=event,
            key=event.case,
            message_zh=(
                f"{m.person_zh(event)} 在 {self.span.zh()}内作出{self.activity} {count} 件，"
                f"其中 {lows} 件处于裁量基准下限（{pct:.0f}%，阈值 {100 * self.share:.0f}%），"
                f"疑似就低裁量，违反{m.rule_zh(self.spec)}。"
            ),
            message_en=(
                f"{m.person_en(event)} made {count} {self.activity} decisions within "
                f"{self.span.en()}, {lows} of them at the band minimum ({pct:.0f}%, limit "
                f"{100 * self.share:.0f}%), breaking {m.rule_en(self.spec)}."
            ),
            details={"officer": event.resource, "decisions": count, "at_minimum": lows},
        )

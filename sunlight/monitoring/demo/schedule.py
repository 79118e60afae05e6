"""Time in the demo: the fixed period, working hours, and placing a case's steps on the calendar.

The period is fixed (2025-10-01 .. 2026-09-30) rather than "the last twelve months", so every
load gives the same traces; it spans National Day 2025, Spring Festival 2026 and their make-up
Saturdays. Open cases are judged as at ``NOW``, the end of the period's last working day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from controls.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
PERIOD_START = dt.date(2025, 10, 1)
PERIOD_END = dt.date(2026, 9, 30)
NOW = dt.datetime(2026, 9, 30, 18, 0, tzinfo=TZ)

# Clean steps keep well inside the bureau's hours (08:30-12:00, 13:30-18:00).
_WINDOWS = ((8 * 60 + 40, 11 * 60 + 50), (13 * 60 + 40, 17 * 60 + 50))
_NIGHT = (19 * 60 + 30, 23 * 60)


@dataclass
class Step:
    """One step of a case being drafted; the scheduler fills ``time`` and ``officer``."""

    activity: str
    post: str  # post code
    gap: tuple[int, int] = (1, 2)  # working days after the previous step (0: the same day)
    data: dict[str, Any] = field(default_factory=dict)
    when: str = ""  # "" | "night" | "holiday": a planted off-hours step
    same_as: str = ""  # planted: done by whoever does this other activity of the case
    officer: str = ""  # preset (a planted pattern) or chosen by the generator
    on: dt.date | None = None  # planted holiday step: the holiday it should fall on
    time: dt.datetime | None = None

    @property
    def day(self) -> dt.date:
        assert self.time is not None  # scheduled
        return self.time.astimezone(TZ).date()


class Clock:
    """The official calendar over the period, with the look-ups the generator needs."""

    def __init__(self) -> None:
        self.calendar = WorkCalendar.official()
        first = PERIOD_START - dt.timedelta(days=400)
        days = (first + dt.timedelta(days=n) for n in range((PERIOD_END - first).days + 1))
        self.workdays = [d for d in days if self.calendar.is_workday(d)]
        self.in_period = [d for d in self.workdays if d >= PERIOD_START]
        # First days of the official holidays in the period (National Day, Spring Festival …).
        self.holidays = _block_starts(self.calendar)

    def add(self, day: dt.date, n: int) -> dt.date:
        return day if n == 0 else self.calendar.add_workdays(day, n)

    def back(self, day: dt.date, n: int) -> dt.date:
        """The working day ``n`` working days before ``day`` (or before the next working day)."""
        index = bisect.bisect_left(self.workdays, day)
        return self.workdays[max(index - n, 0)]

    def used(self, start: dt.date, end: dt.date, unit: str) -> int:
        """Units of a time limit used from ``start`` to ``end``, as the time-limit rule counts."""
        if end <= start:
            return 0
        if unit == "days":
            return (end - start).days
        return self.calendar.workdays_between(start, end)

    def next_rest_day(self, after: dt.date) -> dt.date:
        day = after + dt.timedelta(days=1)
        while self.calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _block_starts(calendar: WorkCalendar) -> list[dt.date]:
    """The first day of each official holiday (a rest block with a weekday in it)."""
    starts = []
    for day in _days(PERIOD_START, PERIOD_END):
        if day.weekday() >= 5 or calendar.is_workday(day):
            continue
        first = day
        while not calendar.is_workday(first - dt.timedelta(days=1)):
            first -= dt.timedelta(days=1)
        if first not in starts:
            starts.append(first)
    return starts


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=TZ)


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment in working hours on ``day``."""
    low, high = _WINDOWS[rng.random() < 0.55]
    return _at(day, rng.randint(low, high))


def later_same_day(rng: random.Random, after: dt.datetime) -> dt.datetime | None:
    """A moment in working hours shortly after ``after`` on its day, or None if the day is over."""
    local = after.astimezone(TZ)
    minute = local.hour * 60 + local.minute + rng.randint(5, 50)
    for low, high in _WINDOWS:
        if minute <= high:
            return _at(local.date(), max(minute, low))
    return None


def place(
    clock: Clock, rng: random.Random, steps: list[Step], start: dt.date, delay: int = 0, at: int = 0
) -> None:
    """Put the steps on the calendar from ``start``: each ``gap`` working days after the one
    before (plus ``delay`` more before step ``at``: a stalled matter), in working hours and later
    than the one before; planted off-hours steps at night or on a rest day."""
    previous: dt.datetime | None = None
    for index, step in enumerate(steps):
        if previous is None:
            day = start
        else:
            gap = rng.randint(*step.gap) + (delay if index == at else 0)
            local = previous.astimezone(TZ)
            if local.hour >= 19 or not clock.calendar.is_workday(local.date()):
                gap = max(gap, 1)  # after a night or holiday step, the next is on a working day
            day = clock.add(local.date(), gap)
        step.time = _step_time(clock, rng, step, day, previous)
        previous = step.time


def _step_time(
    clock: Clock, rng: random.Random, step: Step, day: dt.date, previous: dt.datetime | None
) -> dt.datetime:
    if step.when == "night":
        return _at(day, rng.randint(*_NIGHT))
    if step.when == "holiday":
        after = previous.astimezone(TZ).date() if previous else day - dt.timedelta(days=1)
        rest = step.on if step.on and step.on > after else clock.next_rest_day(after)
        return _at(rest, rng.randint(9 * 60 + 30, 16 * 60 + 30))
    if previous is not None and previous.astimezone(TZ).date() == day:
        moment = later_same_day(rng, previous)
        if moment is not None:
            return moment
        day = clock.add(day, 1)
    return office_time(rng, day)

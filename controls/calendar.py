"""Working days on the official Chinese calendar (法定节假日 and 调休 make-up working days).

Counting convention (期间开始之日不计算在内): the day a period starts from is not counted; the
period ends at the end of the n-th working day after it. ``add_workdays(d, n)`` is that day, and
``workdays_between(start, end)`` counts working days in the half-open span (start, end], so
``workdays_between(d, add_workdays(d, n)) == n``.

Worked example across National Day 2026 (holidays 10-01..10-07; 09-25..09-27 Mid-autumn;
Saturday 10-10 is a make-up working day): a request accepted (受理) on Friday 2026-09-25 that must
be handled "within 6 working days" counts 09-28, 09-29, 09-30 (1-3), skips 10-01..10-07, counts
10-08 and 10-09 (4-5) and then Saturday 10-10 (6): it is due at the end of 2026-10-10.

The table comes from the ``chinesecalendar`` package (2004 to its last published year) plus an
override table that an administrator keeps (a date → working day or not, with a name), which
wins over the package and may extend it to years not yet published. For a year covered by
neither, Monday to Friday are working days and answers are marked provisional.

Speed: cumulative counts of working days are kept in one array, and the working days themselves
in another, so ``workdays_between`` is two look-ups and ``add_workdays`` three, whatever the
span.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import chinese_calendar.constants as official_table

from controls.io.errors import LogError
from controls.io.reference import read_reference

_TRUE = frozenset(("1", "true", "yes", "y", "workday", "是", "班", "上班", "工作日"))
_FALSE = frozenset(("0", "false", "no", "n", "holiday", "rest", "否", "休", "休息", "节假日"))
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_MARGIN_YEARS = 2


def _official_exceptions() -> tuple[dict[dt.date, bool], frozenset[int]]:
    """Days whose status differs from Monday-to-Friday, and the years the package covers."""
    exceptions = {day: False for day in official_table.holidays if day.weekday() < 5}
    exceptions.update({day: True for day in official_table.workdays if day.weekday() >= 5})
    years = [day.year for day in official_table.holidays]
    return exceptions, frozenset(range(min(years), max(years) + 1))


class WorkCalendar:
    """Which days are working days, and counting in working days (see the module docstring)."""

    def __init__(self, exceptions: Mapping[dt.date, bool], covered_years: frozenset[int]) -> None:
        # Only days that differ from Monday-to-Friday are stored.
        self._exceptions = {d: w for d, w in exceptions.items() if w != (d.weekday() < 5)}
        self.covered_years = covered_years
        self._origin = 0  # ordinal of the first day in ``_cumulative``
        self._cumulative: list[int] = []  # working days from the origin up to each day, inclusive
        self._workdays: list[int] = []  # the ordinals of the working days in the array, in order
        first = min(covered_years, default=dt.date.today().year)  # noqa: DTZ011 - a year only
        last = max(covered_years, default=first)
        self._build(first - _MARGIN_YEARS, last + _MARGIN_YEARS)

    @classmethod
    def official(cls, overrides: Mapping[dt.date, bool] | None = None) -> WorkCalendar:
        """The package's table, with ``overrides`` winning and covering their years too."""
        exceptions, years = _official_exceptions()
        extra = dict(overrides or {})
        exceptions.update(extra)
        return cls(exceptions, years | {day.year for day in extra})

    # --- single days ------------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()  # a datetime never equals the date keys of the table
        return self._exceptions.get(day, day.weekday() < 5)

    def is_provisional(self, day: dt.date) -> bool:
        """True when ``day``'s year is in neither the official table nor the overrides."""
        return day.year not in self.covered_years

    # --- counting ---------------------------------------------------------------------------

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; 0 when end is not after start."""
        if end <= start:
            return 0
        first = start.toordinal() - self._origin
        last = end.toordinal() - self._origin
        cumulative = self._cumulative
        if first >= 0 and last < len(cumulative):  # both inside the table: two look-ups
            return cumulative[last] - cumulative[first]
        self._cover(start, end)
        return self._count_through(end) - self._count_through(start)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` not counted); -n counts backwards."""
        if n == 0:
            return day
        # The k-th working day of the array (k from 1) is ``_workdays[k - 1]``: count the
        # working days up to ``day`` (or up to the day before, backwards) and index.
        position = day.toordinal() - self._origin
        cumulative = self._cumulative
        if 0 < position < len(cumulative):  # the day and the one before are in the array
            target = cumulative[position] + n if n > 0 else cumulative[position - 1] + n + 1
            if 0 < target <= cumulative[-1]:
                return dt.date.fromordinal(self._workdays[target - 1])
        return self._add_workdays(day, n)

    def _add_workdays(self, day: dt.date, n: int) -> dt.date:
        """``add_workdays`` when the array must first grow to hold the answer."""
        previous = day - dt.timedelta(days=1)
        self._cover(previous, day)
        if n > 0:
            target = self._count_through(day) + n
            self._reach_count(target, day)
        else:
            target = self._count_through(previous) + n + 1
            while target < 1:
                self._build(self._first_year() - max(1, -target // 200 + 1), self._last_year())
                target = self._count_through(previous) + n + 1
        return dt.date.fromordinal(self._workdays[target - 1])

    def deadline(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """The due date (the end of that day) and whether any counted day is provisional."""
        if n < 0:
            raise ValueError(f"a time limit cannot be negative: {n}")
        due = self.add_workdays(start, n)
        if n == 0:
            return due, False
        first_counted = start + dt.timedelta(days=1)
        years = range(first_counted.year, due.year + 1)
        return due, any(year not in self.covered_years for year in years)

    # --- the cumulative array ---------------------------------------------------------------

    def _first_year(self) -> int:
        return dt.date.fromordinal(self._origin).year

    def _last_year(self) -> int:
        return dt.date.fromordinal(self._origin + len(self._cumulative) - 1).year

    def _build(self, first_year: int, last_year: int) -> None:
        first_year, last_year = max(first_year, dt.MINYEAR), min(last_year, dt.MAXYEAR)
        origin = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        cumulative, workdays, total = [], [], 0
        for ordinal in range(origin, end + 1):
            if self.is_workday(dt.date.fromordinal(ordinal)):
                total += 1
                workdays.append(ordinal)
            cumulative.append(total)
        self._origin, self._cumulative, self._workdays = origin, cumulative, workdays

    def _cover(self, first: dt.date, last: dt.date) -> None:
        """Make the array span both days, so later look-ups cannot move its origin."""
        self._position(first)
        self._position(last)
        self._position(first)

    def _position(self, day: dt.date) -> int:
        position = day.toordinal() - self._origin
        if not 0 <= position < len(self._cumulative):
            first = min(day.year, self._first_year()) - _MARGIN_YEARS
            last = max(day.year, self._last_year()) + _MARGIN_YEARS
            self._build(first, last)
            position = day.toordinal() - self._origin
        return position

    def _count_through(self, day: dt.date) -> int:
        return self._cumulative[self._position(day)]

    def _reach_count(self, target: int, day: dt.date) -> None:
        """Extend the array forward until it holds ``target`` working days."""
        while self._cumulative[-1] < target:
            missing_years = (target - self._cumulative[-1]) // 200 + 1
            self._build(self._first_year(), self._last_year() + missing_years)
            self._position(day)


def load_overrides(path: str | Path) -> dict[dt.date, bool]:
    """An override table from CSV with columns ``date,workday,name`` (name is for people)."""
    table = read_reference(path, name="calendar overrides")
    table.require("date", "workday")
    overrides: dict[dt.date, bool] = {}
    for number, row in table.numbered():
        overrides[_override_date(table.path, number, row["date"])] = _override_flag(
            table.path, number, row["workday"]
        )
    return overrides


def parse_day(text: str) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` (or with ``/`` or ``.``); None when it is not one."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_workday(text: str) -> bool | None:
    """True for a working day (1, true, 是, 班 …), False for a rest day (0, false, 否, 休 …)."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _override_date(path: str, number: int, text: str) -> dt.date:
    day = parse_day(text)
    if day is None:
        raise LogError(
            path,
            number,
            "date",
            f"not a date (YYYY-MM-DD): {text!r}",
            message_zh=f"日期格式应为 YYYY-MM-DD：{text}",
        )
    return day


def _override_flag(path: str, number: int, text: str) -> bool:
    flag = parse_workday(text)
    if flag is not None:
        return flag
    raise LogError(
        path,
        number,
        "workday",
        f"expected 1/0, true/false, 班/休: {text!r}",
        message_zh=f"应为 1/0、是/否 或 班/休：{text}",
    )

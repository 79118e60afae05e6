"""Helpers for the rule tests: build events tersely, and run one rule over a small log."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Iterable
from typing import Any

import chinese_calendar

from controls.events import Event, Finding
from controls.monitor import check
from controls.rules import RuleSet, parse_rules
from controls.rules.base import WorkingCalendar

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
_counter = itertools.count(1)


def at(text: str) -> dt.datetime:
    """``"2026-09-25 09:00"`` (or a bare date, meaning 09:00) in the bureau's time zone."""
    if len(text) == 10:
        text += " 09:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def ev(
    case: str,
    activity: str,
    when: str,
    resource: str = "",
    *,
    post: str = "",
    unit: str = "",
    process: str = "",
    lifecycle: str = "complete",
    **data: Any,
) -> Event:
    return Event(
        case=case,
        activity=activity,
        time=at(when),
        resource=resource,
        post=post,
        unit=unit,
        process=process,
        lifecycle=lifecycle,
        data=data,
        index=next(_counter),
    )


class _WeekdayFallbackCalendar:
    """Test double of ``controls.calendar.WorkCalendar`` while that module is not there."""

    def is_provisional(self, day: dt.date) -> bool:
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return True
        return False

    def is_workday(self, day: dt.date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        while n > 0:
            day += dt.timedelta(days=1)
            n -= self.is_workday(day)
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        days = (start + dt.timedelta(days=i + 1) for i in range((end - start).days))
        return sum(self.is_workday(d) for d in days)

    def deadline(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        end = self.add_workdays(start, n)
        span = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
        return end, any(self.is_provisional(d) for d in span)


def calendar() -> WorkingCalendar:
    try:
        from controls.calendar import WorkCalendar
    except ImportError:
        return _WeekdayFallbackCalendar()
    official: WorkingCalendar = WorkCalendar.official()
    return official


CALENDAR = calendar()


def rules(*specs: dict[str, Any], case_end: Iterable[str] = ()) -> RuleSet:
    """A rule set from rule mappings; each gets a name unless it has one."""
    items = [{"name": spec.get("id", "规则"), **spec} for spec in specs]
    return parse_rules({"version": "t", "rules": items, "case_end": list(case_end)})


def run(spec: dict[str, Any], log: list[Event], now: str | None = None, **kw: Any) -> list[Finding]:
    return check(log, rules(spec, **kw), now=at(now) if now else None, calendar=CALENDAR)

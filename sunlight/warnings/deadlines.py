"""Deadlines of the warning lifecycle, counted in Chinese working days (法定节假日 and 调休).

The day a step starts is not counted; a step given n working days is due by the end of the n-th
working day after it (``controls.calendar``'s convention). Dates are the bureau's local dates.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# The platform's one working-day calendar: the official table, the bureau's entries winning.
from sunlight.core.workdays import calendar as calendar

# Working days each step gets. The verifier may give a rectification a longer time.
RESPOND_DAYS = 5
DECIDE_DAYS = 5
RECTIFY_DAYS = 10
CLOSE_DAYS = 5
ASSIGN_DAYS = 1
SUPERVISION_DAYS = 3
# A step due within this many working days brings its actor one reminder: with 1, a step due
# today or on the next working day (Friday reminds of Monday, the last day before a holiday of
# the first day after it).
REMIND_DAYS = 1


def local_day(moment: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(moment or timezone.now())


def due_after(start: dt.date, workdays: int) -> dt.date:
    return calendar().add_workdays(start, workdays)


def remind_until(today: dt.date) -> dt.date:
    """The latest due date a sweep on ``today`` reminds of (the earliest is ``today``)."""
    return due_after(today, REMIND_DAYS)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: 0 when closed on the day raised."""
    if end <= start:
        return 0
    return calendar().workdays_between(start, end)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due

"""The one working-day calendar of the platform: the official table plus the bureau's entries.

Every time limit (rules' working-day limits, the warning lifecycle's deadlines) counts on
``calendar()``. Building a ``WorkCalendar`` precomputes decades of counts, so it is kept per
process and rebuilt only when the entries (``CalendarDay``) changed. A change is seen:

* at once in the process that made it (``forget`` runs on commit of every edit);
* within ``CHECK_SECONDS`` in every other process (the web server's workers, the monitoring
  worker), which compare a cheap change stamp (count, newest id and newest ``updated_at``) at
  most that often. Deleting one entry and adding another still moves the newest id.

The official table is the ``chinesecalendar`` package; ``official_years()`` says which years it
covers. A year covered by neither the package nor an entry counts Monday to Friday and is marked
provisional (``WorkCalendar.is_provisional``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import chinese_calendar
import chinese_calendar.constants as official_table
from django.db.models import Count, Max
from django.utils import translation

from controls.calendar import WorkCalendar
from sunlight.core.models import CalendarDay

CHECK_SECONDS = 30.0  # two checks fit in a minute, the delay the bureau was promised

# The clock of the stamp checks; tests move it instead of sleeping.
clock: Callable[[], float] = time.monotonic


@dataclass
class _Cache:
    calendar: WorkCalendar | None = None
    stamp: tuple[Any, ...] | None = None
    checked_at: float = float("-inf")


_lock = threading.Lock()
_cache = _Cache()


def calendar() -> WorkCalendar:
    """The official calendar with the bureau's entries winning (cached, see the docstring)."""
    now = clock()
    with _lock:
        if _cache.calendar is not None and now - _cache.checked_at < CHECK_SECONDS:
            return _cache.calendar
    stamp = _stamp()
    with _lock:
        if _cache.calendar is not None and _cache.stamp == stamp:
            _cache.checked_at = now
            return _cache.calendar
    # Read after the stamp: the entries are at least as new as it, so a race only rebuilds again.
    built = WorkCalendar.official(overrides())
    with _lock:
        _cache.calendar, _cache.stamp, _cache.checked_at = built, stamp, now
    return built


def forget() -> None:
    """Make the next ``calendar()`` compare the stamp now (an edit was committed, or a test
    rolled one back); an unchanged stamp keeps the built calendar."""
    with _lock:
        _cache.checked_at = float("-inf")


def _stamp() -> tuple[Any, ...]:
    found = CalendarDay.objects.aggregate(n=Count("id"), i=Max("id"), u=Max("updated_at"))
    return found["n"], found["i"], found["u"]


def overrides() -> dict[dt.date, bool]:
    """The bureau's entries as the engine takes them: date → working day or not."""
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


# --- what the calendar page shows -----------------------------------------------------------


def official_years() -> range:
    """The years the installed ``chinesecalendar`` package publishes."""
    years = [day.year for day in official_table.holidays]
    return range(min(years), max(years) + 1)


def official_version() -> str:
    return str(getattr(chinese_calendar, "__version__", ""))


def official_name(day: dt.date) -> str:
    """The holiday a day of the official table belongs to, in the user's language ('' if none)."""
    english = official_table.holidays.get(day) or official_table.workdays.get(day)
    if not english:
        return ""
    if not (translation.get_language() or "").startswith("zh"):
        return str(english)
    try:
        return str(official_table.Holiday(english).chinese)
    except ValueError:
        return str(english)


def is_official_holiday(day: dt.date) -> bool:
    return day in official_table.holidays

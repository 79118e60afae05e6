"""Writing the bureau's working-day calendar (``CalendarDay``): set a day, remove it, import a
file of days. Only the internal-control office and administrators write (``access.
edits_calendar``); every write leaves an audit record and, on commit, makes this process rebuild
its calendar (``workdays.forget``); other processes see it within ``workdays.CHECK_SECONDS``.

What an edit changes downstream: deadlines computed from now on count on the new calendar. The
monitoring clock (every few minutes) re-judges open cases against it, so pre-warnings and
breaches of open matters follow without marking anything. Findings of steps already taken and
due dates already stored on warnings are not recomputed; after changing a day in the past, ask
for a re-check of the period (monitoring, ``check_run_request``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access, workdays
from sunlight.core.calendar_files import DayRow, read_days, year_problem
from sunlight.core.models import CalendarDay, User

_AUDITED = ["date", "is_workday", "name", "note"]
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: tuple[int, ...] = ()


def calendar_day_set(
    *, by: User, date: dt.date, is_workday: bool, name: str = "", note: str = ""
) -> CalendarDay:
    """Enter a day or change its entry (one entry per date)."""
    access.require(access.edits_calendar(by))
    problem = year_problem(date)
    if problem:
        raise ValidationError({"date": problem})
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(date=date).first()
        day, _outcome = _put(
            by=by, existing=existing, action="core.calendar.set",
            fields={"date": date, "is_workday": is_workday, "name": name, "note": note},
        )  # fmt: skip
    return day


def calendar_day_remove(*, by: User, day: CalendarDay) -> None:
    """Drop an entry: the day goes back to the official table (or to Monday-to-Friday)."""
    access.require(access.edits_calendar(by))
    with transaction.atomic():
        before = snapshot(day, _AUDITED)
        audit_record(by=by, action="core.calendar.remove", obj=day, before=before)
        day.delete()
        transaction.on_commit(workdays.forget)


def calendar_days_import(*, by: User, file_name: str, content: bytes) -> ImportCounts:
    """Every day of the file, or none: ``CalendarFileError`` lists each problem (row, column).

    Days already entered with the same values are left alone (no audit row), so importing the
    same file twice writes nothing the second time.
    """
    access.require(access.edits_calendar(by))
    rows = read_days(file_name, content)
    counts = ImportCounts(years=tuple(sorted({row.date.year for row in rows})))
    with transaction.atomic():
        existing = {
            day.date: day
            for day in CalendarDay.objects.select_for_update()
            .filter(date__in=[row.date for row in rows])
            .order_by("date")
        }
        for row in rows:
            _day, outcome = _put(
                by=by, existing=existing.get(row.date), action="core.calendar.import",
                fields=_fields(row), source=file_name,
            )  # fmt: skip
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def _fields(row: DayRow) -> dict[str, Any]:
    return {"date": row.date, "is_workday": row.is_workday, "name": row.name, "note": row.note}


def _put(
    *,
    by: User,
    existing: CalendarDay | None,
    action: str,
    fields: dict[str, Any],
    source: str = "",
) -> tuple[CalendarDay, str]:
    """Create or update one entry, validate it, audit it; an identical entry is left alone."""
    if existing is not None and all(getattr(existing, k) == v for k, v in fields.items()):
        return existing, UNCHANGED
    now = timezone.now()
    before = snapshot(existing, _AUDITED) if existing is not None else None
    day = existing or CalendarDay(created_by=by, created_at=now)
    for name, value in fields.items():
        setattr(day, name, value)
    day.updated_at = now
    day.full_clean()
    day.save()
    after = snapshot(day, _AUDITED)
    if source:
        after["file"] = source
    audit_record(by=by, action=action, obj=day, before=before, after=after)
    transaction.on_commit(workdays.forget)
    return day, CREATED if before is None else UPDATED

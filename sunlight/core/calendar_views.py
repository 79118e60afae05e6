"""The working-day calendar page (工作日历): a year of month grids, the bureau's entries, and
the forms that change them.

Everyone signed in reads it; only the internal-control office and administrators see the forms
and may post (``access.edits_calendar``, checked by every view and partial, and again by the
actions).
"""

from __future__ import annotations

import calendar as month_layout
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import dates, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controls.calendar import WorkCalendar, parse_day
from sunlight.core import access, workdays
from sunlight.core.actions import calendar as calendar_actions
from sunlight.core.calendar_files import FIRST_YEAR, LAST_YEAR, CalendarFileError, Problem
from sunlight.core.forms import CalendarDayForm, CalendarImportForm, attach_errors
from sunlight.core.htmx import current_user, is_htmx
from sunlight.core.models import CalendarDay, User

WORK, REST, HOLIDAY, MAKE_UP = "work", "rest", "holiday", "makeup"


@dataclass(frozen=True)
class Cell:
    date: dt.date
    kind: str  # WORK, REST, HOLIDAY or MAKE_UP
    entry: CalendarDay | None  # the bureau's entry for the day, if any
    name: str

    @property
    def title(self) -> str:
        return " · ".join(part for part in (self.date.isoformat(), self.name) if part)


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[Cell | None]]  # Monday first; None outside the month


def _kind(calendar: WorkCalendar, day: dt.date, entry: CalendarDay | None) -> str:
    weekend = day.weekday() >= 5
    if calendar.is_workday(day):
        return MAKE_UP if weekend else WORK
    # A rest day named as a holiday (official, or entered by the bureau) is one, weekend or not.
    if not weekend or workdays.is_official_holiday(day) or (entry is not None and entry.name):
        return HOLIDAY
    return REST


def year_months(
    year: int, calendar: WorkCalendar, entries: dict[dt.date, CalendarDay]
) -> list[Month]:
    layout = month_layout.Calendar(firstweekday=0)
    months = []
    for number in range(1, 13):
        weeks = [
            [
                _cell(calendar, day, entries.get(day)) if day.month == number else None
                for day in week
            ]
            for week in layout.monthdatescalendar(year, number)
        ]
        months.append(Month(dt.date(year, number, 1), weeks))
    return months


def _cell(calendar: WorkCalendar, day: dt.date, entry: CalendarDay | None) -> Cell:
    name = entry.name if entry is not None and entry.name else workdays.official_name(day)
    return Cell(day, _kind(calendar, day, entry), entry, name)


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Http404
    return int(text)


def _page(
    request: HttpRequest,
    user: User,
    year: int,
    *,
    form: CalendarDayForm | None = None,
    import_form: CalendarImportForm | None = None,
    problems: list[Problem] | None = None,
) -> HttpResponse:
    calendar = workdays.calendar()
    entries = {day.date: day for day in CalendarDay.objects.filter(date__year=year)}
    official = workdays.official_years()
    editor = access.edits_calendar(user)
    context: dict[str, Any] = {
        "year": year,
        "years": _years(year, official),
        "months": year_months(year, calendar, entries),
        "weekdays": [dates.WEEKDAYS_ABBR[i] for i in range(7)],
        "entries": sorted(entries.values(), key=lambda day: day.date),
        "official_first": official.start,
        "official_last": official.stop - 1,
        "official_version": workdays.official_version(),
        "is_official": year in official,
        "provisional": calendar.is_provisional(dt.date(year, 1, 1)),
        "editor": editor,
        "form": (form or _day_form(request, year)) if editor else None,
        "import_form": (import_form or CalendarImportForm()) if editor else None,
        "problems": problems or [],
    }
    return render(request, "core/calendar.html", context)


def _years(year: int, official: range) -> list[int]:
    """The years the selector offers: the official ones, the next two, and any with entries."""
    last = max(official.stop, timezone.localdate().year + 1) + 1
    entered = {day.year for day in CalendarDay.objects.dates("date", "year")}
    return sorted({*range(official.start, last), *entered, year})


def _day_form(request: HttpRequest, year: int) -> CalendarDayForm:
    """The form, filled in for the day asked for (``?day=``) from its entry or its status."""
    day = parse_day(request.GET.get("day", ""))
    if day is None:
        return CalendarDayForm(initial={"is_workday": "0"})
    entry = CalendarDay.objects.filter(date=day).first()
    if entry is not None:
        initial = {"is_workday": "1" if entry.is_workday else "0", "name": entry.name}
        return CalendarDayForm(initial={"date": day, **initial, "note": entry.note})
    # A new entry usually turns the day over: a weekday to a holiday, a weekend to a make-up day.
    flip = "0" if workdays.calendar().is_workday(day) else "1"
    return CalendarDayForm(initial={"date": day, "is_workday": flip})


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('calendar')}?year={year}")


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(access.is_active(user))
    return _page(request, user, _year(request))


@login_required
@require_GET
def calendar_day_form(request: HttpRequest) -> HttpResponse:
    """The day form alone (htmx: a click on a day of the grid fills it in)."""
    user = current_user(request)
    access.require(access.edits_calendar(user))
    year = _year(request)
    if not is_htmx(request):
        return _page(request, user, year)
    return render(request, "core/_calendar_day_form.html", {"form": _day_form(request, year)})


@login_required
@require_POST
def calendar_day_save(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(access.edits_calendar(user))
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            day = calendar_actions.calendar_day_set(by=user, **data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saved: %(day)s.") % {"day": day})
            _hint_recheck(request, day.date)
            return _back(day.date.year)
    return _page(request, user, _year(request), form=form)


@login_required
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    access.require(access.edits_calendar(user))
    day = get_object_or_404(CalendarDay, pk=pk)
    date = day.date
    calendar_actions.calendar_day_remove(by=user, day=day)
    messages.success(request, _("Removed the entry for %(date)s.") % {"date": date.isoformat()})
    _hint_recheck(request, date)
    return _back(date.year)


@login_required
@require_http_methods(["POST"])
def calendar_import(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(access.edits_calendar(user))
    form = CalendarImportForm(request.POST, request.FILES)
    year = _year(request)
    if not form.is_valid():
        return _page(request, user, year, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        counts = calendar_actions.calendar_days_import(
            by=user, file_name=upload.name or "", content=upload.read()
        )
    except CalendarFileError as error:
        return _page(request, user, year, problems=error.problems)
    messages.success(
        request,
        _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged},
    )
    return _back(counts.years[0] if counts.years else year)


def _hint_recheck(request: HttpRequest, day: dt.date) -> None:
    # Findings of steps already taken were judged on the old calendar; the clock only re-judges
    # open matters, so a change in the past needs a re-check of the period to reach them.
    if day < timezone.localdate():
        messages.info(
            request,
            _(
                "The day is in the past: warnings already raised and deadlines already set are "
                "not recomputed. Ask for a re-check of the period under Rules if needed."
            ),
        )


urlpatterns = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/day/", calendar_day_form, name="calendar-day-form"),
    path("calendar/day/save/", calendar_day_save, name="calendar-day-save"),
    path("calendar/day/<int:pk>/delete/", calendar_day_delete, name="calendar-day-delete"),
    path("calendar/import/", calendar_import, name="calendar-import"),
]

"""The 工作日历 page: everyone signed in reads it, the office and administrators change it; the
year view marks holidays, make-up days, the bureau's entries and provisional years."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditRecord
from sunlight.core.actions import calendar as calendar_actions
from sunlight.core.models import CalendarDay
from sunlight.core.testing import World

pytestmark = pytest.mark.django_db

READERS = ["staff", "head", "leader", "auditor"]
EDITORS = ["office", "admin"]


def client_for(world: World, role: str, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.user(role))
    return client


def _cell(page: str, day: str) -> str:
    found = re.search(rf'<td class="([^"]*)" data-date="{day}" data-kind="(\w+)"([^>]*)>', page)
    assert found is not None, day
    return f"{found.group(2)}{' entry' if 'data-entry' in found.group(3) else ''}"


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_set_remove_or_import(world: World, role: str) -> None:
    day = CalendarDay.objects.create(
        date=dt.date(2027, 1, 1), is_workday=False,
        created_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    user = world.user(role)
    with pytest.raises(PermissionDenied):
        calendar_actions.calendar_day_set(by=user, date=dt.date(2027, 1, 2), is_workday=True)
    with pytest.raises(PermissionDenied):
        calendar_actions.calendar_day_remove(by=user, day=day)
    with pytest.raises(PermissionDenied):
        calendar_actions.calendar_days_import(
            by=user, file_name="x.csv", content=b"date,workday\n2027-01-02,1\n"
        )
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_page_without_forms_and_are_refused_on_post(
    world: World, role: str
) -> None:
    client = client_for(world, role)
    page = client.get(reverse("calendar"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-form="calendar-day"' not in html
    assert 'data-form="calendar-import"' not in html
    assert f'href="{reverse("calendar")}"' not in html  # not in their menu

    save = {"date": "2027-01-01", "is_workday": "0", "name": "元旦"}
    assert client.post(reverse("calendar-day-save"), save).status_code == 403
    upload = SimpleUploadedFile("d.csv", b"date,workday\n2027-01-01,0\n")
    assert client.post(reverse("calendar-import"), {"file": upload}).status_code == 403
    partial = client.get(
        reverse("calendar-day-form"), {"day": "2027-01-01"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 403
    assert not CalendarDay.objects.exists()


def test_the_page_needs_a_login() -> None:
    response = Client().get(reverse("calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- editing through the page ---------------------------------------------------------------


@pytest.mark.parametrize("role", EDITORS)
def test_an_editor_enters_changes_and_removes_a_day(world: World, role: str) -> None:
    client = client_for(world, role)
    assert f'href="{reverse("calendar")}"' in client.get(reverse("home")).content.decode()

    saved = client.post(
        reverse("calendar-day-save"), {"date": "2027-01-01", "is_workday": "0", "name": "元旦"}
    )
    assert saved.status_code == 302
    assert saved["Location"] == f"{reverse('calendar')}?year=2027"
    client.post(
        reverse("calendar-day-save"),
        {"date": "2027-01-01", "is_workday": "0", "name": "元旦", "note": "国办通知"},
    )
    day = CalendarDay.objects.get()
    assert (day.is_workday, day.name, day.note, day.created_by) == (
        False, "元旦", "国办通知", world.user(role),
    )  # fmt: skip

    assert client.post(reverse("calendar-day-delete", args=[day.pk])).status_code == 302
    assert not CalendarDay.objects.exists()
    assert list(
        AuditRecord.objects.filter(action__startswith="core.calendar.")
        .order_by("id")
        .values_list("action", "actor")
    ) == [("core.calendar.set", world.user(role).pk)] * 2 + [
        ("core.calendar.remove", world.user(role).pk)
    ]


def test_a_bad_form_names_the_field_and_writes_nothing(world: World) -> None:
    client = client_for(world, "office", "en")
    response = client.post(
        reverse("calendar-day-save"), {"date": "0027-01-01", "is_workday": "0", "name": "x" * 41}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name"}  # the form refuses the name before the action runs
    response = client.post(reverse("calendar-day-save"), {"date": "0027-01-01", "is_workday": "0"})
    assert "date" in response.context["form"].errors  # the action refuses the year
    assert not CalendarDay.objects.exists()


def test_a_bad_import_shows_each_row_and_column(world: World) -> None:
    client = client_for(world, "office", "en")
    upload = SimpleUploadedFile("2027.csv", b"date,workday\n2027-01-01,0\n2027-02-30,1\n")
    response = client.post(f"{reverse('calendar-import')}?year=2027", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-import-errors" in html
    assert re.search(r"<td>2027\.csv</td><td data-row>3</td><td data-field>date</td>", html)
    assert not CalendarDay.objects.exists()


def test_a_good_import_goes_to_its_year(world: World) -> None:
    client = client_for(world, "admin")
    upload = SimpleUploadedFile("2027.csv", "date,workday,name\n2027-01-01,休,元旦\n".encode())
    response = client.post(f"{reverse('calendar-import')}?year=2026", {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('calendar')}?year=2027"
    assert CalendarDay.objects.get().name == "元旦"


def test_a_click_on_a_day_fills_in_the_form(world: World) -> None:
    client = client_for(world, "office")
    weekday = client.get(
        reverse("calendar-day-form"), {"day": "2027-01-01", "year": "2027"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert weekday.startswith('<div id="calendar-day-form">')
    assert 'value="2027-01-01"' in weekday
    assert re.search(r'value="0"[^>]*checked', weekday)  # a working weekday: offered as a holiday
    saturday = client.get(
        reverse("calendar-day-form"), {"day": "2027-01-09"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert re.search(r'value="1"[^>]*checked', saturday)  # a Saturday: offered as a make-up day


# --- the year view --------------------------------------------------------------------------


def _enter(world: World, django_capture_on_commit_callbacks: Any) -> None:
    office = world.user("office")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_actions.calendar_day_set(
            by=office, date=dt.date(2027, 1, 1), is_workday=False, name="元旦"
        )
        calendar_actions.calendar_day_set(
            by=office, date=dt.date(2027, 1, 9), is_workday=True, name="调休上班"
        )


@pytest.mark.parametrize(
    ("language", "month", "html_lang"),
    [("zh-hans", "一月", "zh-hans"), ("en", "January", "en")],
)
def test_the_year_view_marks_each_kind_of_day(
    world: World,
    django_capture_on_commit_callbacks: Any,
    language: str,
    month: str,
    html_lang: str,
) -> None:
    _enter(world, django_capture_on_commit_callbacks)
    page = client_for(world, "office", language).get(reverse("calendar"), {"year": 2027})
    html = page.content.decode()

    assert f'<html lang="{html_lang}">' in html
    assert month in html
    assert _cell(html, "2027-01-01") == "holiday entry"
    assert _cell(html, "2027-01-09") == "makeup entry"
    assert _cell(html, "2027-01-04") == "work"
    assert _cell(html, "2027-01-10") == "rest"
    assert html.count("data-entry-date=") == 2
    assert 'data-banner="bureau"' in html  # 2027 counts on the bureau's entries
    assert 'data-banner="provisional"' not in html
    assert 'data-official-years="2004-2026"' in html
    assert 'title="2027-01-01 · 元旦"' in html


def test_an_official_year_shows_its_holidays_without_entry_marks(world: World) -> None:
    html = client_for(world, "staff").get(reverse("calendar"), {"year": 2026}).content.decode()
    assert _cell(html, "2026-10-01") == "holiday"  # National Day
    assert _cell(html, "2026-10-10") == "makeup"  # the make-up Saturday
    assert _cell(html, "2026-10-03") == "holiday"  # a holiday that falls on a Saturday
    assert 'title="2026-10-01 · 国庆节"' in html
    assert "data-banner" not in html


def test_a_year_nobody_covers_is_provisional(world: World) -> None:
    html = client_for(world, "office", "en").get(reverse("calendar"), {"year": 2028}).content
    assert b'data-banner="provisional"' in html


def test_a_year_out_of_range_is_not_found(world: World) -> None:
    assert client_for(world, "office").get(reverse("calendar"), {"year": "27"}).status_code == 404

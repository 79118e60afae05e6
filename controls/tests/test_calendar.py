"""The working-day calendar: agreement with the official table, counting, overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from controls.calendar import WorkCalendar, load_overrides
from controls.io.errors import LogError

D = dt.date
CAL = WorkCalendar.official()


def test_agrees_with_the_package_on_every_day_2004_to_2026() -> None:
    day, last = D(2004, 1, 1), D(2026, 12, 31)
    disagreements = []
    while day <= last:
        if CAL.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2026, 1, 4), True),  # Sunday, make-up day for New Year
        (D(2026, 2, 14), True),  # Saturday, make-up day for Spring Festival
        (D(2026, 2, 28), True),
        (D(2026, 5, 9), True),
        (D(2026, 9, 20), True),
        (D(2026, 10, 10), True),
        (D(2026, 2, 16), False),  # Monday in Spring Festival
        (D(2026, 10, 1), False),
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2027, 10, 1), True),  # a Friday in a year not yet published: weekday rule
        (D(2003, 1, 1), True),
    ],
)
def test_is_workday(day: dt.date, workday: bool) -> None:
    assert CAL.is_workday(day) is workday


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # The docstring's example: accepted on Friday 2026-09-25 (a holiday), across National Day.
        (D(2026, 9, 25), 1, D(2026, 9, 28)),
        (D(2026, 9, 25), 5, D(2026, 10, 9)),
        (D(2026, 9, 25), 6, D(2026, 10, 10)),  # the make-up Saturday counts
        (D(2026, 9, 25), 7, D(2026, 10, 12)),
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # the make-up Sunday 09-20
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        # Spring Festival 2026: 02-15..02-23 off; 02-14 and 02-28 make-up Saturdays.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2026, 1, 1), 1, D(2026, 1, 4)),  # the make-up Sunday after New Year
        (D(2026, 5, 8), 1, D(2026, 5, 9)),
        (D(2026, 10, 10), 0, D(2026, 10, 10)),
        (D(2026, 10, 10), -1, D(2026, 10, 9)),
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 12, 31), 1, D(2027, 1, 1)),  # 2027: weekdays only (provisional)
        (D(2026, 12, 31), 5, D(2027, 1, 7)),
    ],
)
def test_add_workdays(start: dt.date, n: int, due: dt.date) -> None:
    assert CAL.add_workdays(start, n) == due


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2026, 9, 25), D(2026, 10, 10), 6),
        (D(2026, 9, 30), D(2026, 10, 7), 0),
        (D(2026, 9, 30), D(2026, 10, 8), 1),
        (D(2026, 2, 13), D(2026, 2, 28), 6),
        (D(2026, 10, 10), D(2026, 10, 10), 0),
        (D(2026, 10, 10), D(2026, 9, 25), 0),
        (D(2026, 1, 1), D(2026, 12, 31), 248),  # 2026 after New Year's Day
        (D(2026, 12, 31), D(2027, 1, 8), 6),
    ],
)
def test_workdays_between(start: dt.date, end: dt.date, count: int) -> None:
    assert CAL.workdays_between(start, end) == count


@pytest.mark.parametrize(
    ("start", "n", "due", "provisional"),
    [
        (D(2026, 9, 25), 6, D(2026, 10, 10), False),
        (D(2026, 12, 25), 10, D(2027, 1, 8), True),
        (D(2026, 12, 30), 1, D(2026, 12, 31), False),
        (D(2027, 3, 1), 0, D(2027, 3, 1), False),  # nothing counted
        (D(2003, 12, 30), 3, D(2004, 1, 5), True),  # 2003 is before the table
    ],
)
def test_deadline(start: dt.date, n: int, due: dt.date, provisional: bool) -> None:
    assert CAL.deadline(start, n) == (due, provisional)


@pytest.mark.parametrize(
    ("day", "provisional"),
    [(D(2026, 6, 1), False), (D(2004, 1, 1), False), (D(2027, 6, 1), True), (D(2003, 6, 1), True)],
)
def test_is_provisional(day: dt.date, provisional: bool) -> None:
    assert CAL.is_provisional(day) is provisional


def test_deadline_refuses_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.deadline(D(2026, 1, 5), -1)


def test_far_dates_extend_the_table() -> None:
    calendar = WorkCalendar.official()
    assert calendar.add_workdays(D(2026, 1, 2), 10_000) == _walk(D(2026, 1, 2), 10_000)
    assert calendar.workdays_between(D(1990, 1, 1), D(1990, 1, 8)) == 5
    assert calendar.add_workdays(D(1990, 1, 8), -5) == D(1990, 1, 1)


def _walk(day: dt.date, n: int) -> dt.date:
    """The slow definition: step day by day."""
    step = 1 if n > 0 else -1
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        remaining -= CAL.is_workday(day)
    return day


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31))


@given(days, st.integers(min_value=-400, max_value=400))
def test_add_workdays_matches_stepping_day_by_day(day: dt.date, n: int) -> None:
    assert CAL.add_workdays(day, n) == _walk(day, n)


@given(days, st.integers(min_value=1, max_value=400))
def test_between_inverts_add(day: dt.date, n: int) -> None:
    assert CAL.workdays_between(day, CAL.add_workdays(day, n)) == n


@given(days, days)
def test_between_counts_working_days(start: dt.date, end: dt.date) -> None:
    span = (end - start).days
    expected = sum(CAL.is_workday(start + dt.timedelta(days=k)) for k in range(1, span + 1))
    assert CAL.workdays_between(start, end) == expected


# --- overrides ------------------------------------------------------------------------------


def test_overrides_win_and_cover_their_year() -> None:
    calendar = WorkCalendar.official(
        {D(2027, 10, 1): False, D(2027, 10, 9): True, D(2026, 10, 9): False}
    )
    assert calendar.is_workday(D(2027, 10, 1)) is False
    assert calendar.is_workday(D(2027, 10, 9)) is True  # a Saturday made a working day
    assert calendar.is_workday(D(2026, 10, 9)) is False  # wins over the package
    assert calendar.is_provisional(D(2027, 5, 1)) is False
    assert calendar.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 4)
    assert calendar.deadline(D(2026, 9, 25), 6) == (D(2026, 10, 12), False)


def test_load_overrides(tmp_path: Path) -> None:
    path = tmp_path / "calendar.csv"
    path.write_text(
        "date,workday,name\n2027-10-01,0,国庆节\n2027/10/9,班,调休\n2027-10-02,false,\n",
        encoding="utf-8",
    )
    assert load_overrides(path) == {
        D(2027, 10, 1): False,
        D(2027, 10, 9): True,
        D(2027, 10, 2): False,
    }


@pytest.mark.parametrize(
    ("content", "row", "field"),
    [
        ("date,workday\n2027-13-01,1\n", 2, "date"),
        ("date,workday\n2027-10-01,1\n2027-10-02,maybe\n", 3, "workday"),
        ("date,name\n2027-10-01,x\n", 1, "workday"),
    ],
)
def test_bad_override_rows_name_row_and_field(
    tmp_path: Path, content: str, row: int, field: str
) -> None:
    path = tmp_path / "calendar.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LogError) as caught:
        load_overrides(path)
    assert (caught.value.position, caught.value.field) == (row, field)
    assert f"row {row}" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_datetime_is_read_as_its_date() -> None:
    assert CAL.is_workday(dt.datetime(2026, 10, 1, 9, 0)) is False  # noqa: DTZ001
    assert CAL.is_workday(dt.datetime(2026, 10, 10, 9, 0)) is True  # noqa: DTZ001


def test_a_bad_override_after_blank_rows_names_its_row_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("date,workday,name\n2027-01-01,0,元旦\n\n2027-02-06,maybe,调休\n", "utf-8")

    with pytest.raises(LogError) as bad:
        load_overrides(path)

    assert (bad.value.position, bad.value.field) == (4, "workday")

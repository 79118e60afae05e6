"""Reading a file of calendar days (CSV or xlsx): columns date, workday, name and note.

The values are read as ``controls.calendar`` reads its override tables (``parse_day``,
``parse_workday``: 2027-01-01, 1/0, true/false, 是/否, 班/休 …); Chinese headers are accepted
too (日期, 是否工作日, 名称, 备注). The whole file is read and checked before anything is
written, and every problem names the file, the row (as the spreadsheet numbers it, header = 1)
and the column as the file heads it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from controls.calendar import parse_day, parse_workday

logger = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = 2000, 2099  # a typo such as 0027 would make the calendar span millennia
NAME_LENGTH, NOTE_LENGTH = 40, 200

_HEADERS = {
    "date": ("date", "日期"),
    "workday": ("workday", "is_workday", "工作日", "是否工作日", "上班"),
    "name": ("name", "名称", "节日"),
    "note": ("note", "备注", "说明"),
}
_REQUIRED = ("date", "workday")
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (file, row, column) and why."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = {"file": self.file, "row": self.row, "field": self.field, "message": self.message}
        if self.row is not None and self.field:
            return _("%(file)s, row %(row)d, column «%(field)s»: %(message)s") % where
        if self.row is not None:
            return _("%(file)s, row %(row)d: %(message)s") % where
        return _("%(file)s: %(message)s") % where


class CalendarFileError(ValueError):
    """The file is refused; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class DayRow:
    row: int
    date: dt.date
    is_workday: bool
    name: str
    note: str


def year_problem(day: dt.date) -> str:
    """Why a day's year is refused ('' when it is accepted)."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return ""
    return _("The year must be between %(first)d and %(last)d.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def read_days(file_name: str, content: bytes) -> list[DayRow]:
    """Every day of the file, or ``CalendarFileError`` with every problem found."""
    name = PurePath(file_name).name or "upload"
    table = _read_table(name, content)
    header, rows = table[0], table[1:]
    columns = _columns(name, header)
    days: list[DayRow] = []
    problems: list[Problem] = []
    first_row_of: dict[dt.date, int] = {}
    for number, cells in rows:
        found = _day(name, number, cells, columns, problems)
        if found is None:
            continue
        if found.date in first_row_of:
            problems.append(
                Problem(
                    name, number, columns["date"][1],
                    _("The date is already on row %(row)d.") % {"row": first_row_of[found.date]},
                )
            )  # fmt: skip
            continue
        first_row_of[found.date] = number
        days.append(found)
    if not days and not problems:
        problems.append(Problem(name, None, None, _("The file has no days.")))
    if problems:
        raise CalendarFileError(problems)
    return days


# --- the table, whatever the format ---------------------------------------------------------

Row = tuple[int, list[Any]]


def _read_table(name: str, content: bytes) -> list[Row]:
    """Rows numbered as the file numbers them, blank ones left out; the header comes first."""
    is_xlsx = content.startswith(_ZIP) or name.lower().endswith(".xlsx")
    rows = list(_xlsx_rows(name, content) if is_xlsx else _csv_rows(name, content))
    if not rows or rows[0][0] != 1:
        raise CalendarFileError(
            [Problem(name, 1, None, _("The first row must name the columns: date, workday."))]
        )
    return rows


def _csv_rows(name: str, content: bytes) -> Iterator[Row]:
    # As controls.io.encoding decides: UTF-8 (with or without a BOM), otherwise GB18030 (GBK).
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            if any(cell.strip() for cell in cells):
                yield number, cells
    except csv.Error:
        raise CalendarFileError(
            [Problem(name, None, None, _("The file is not a CSV table or an Excel workbook."))]
        ) from None


def _xlsx_rows(name: str, content: bytes) -> Iterator[Row]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # whatever was uploaded, the answer is "not a workbook", never a crash
        logger.info("calendar import: not an xlsx file", exc_info=True)
        raise CalendarFileError(
            [Problem(name, None, None, _("The file is not an Excel workbook (.xlsx)."))]
        ) from None
    try:
        sheet: Any = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(cells)
            if any(_text(value) for value in values):
                yield number, values
    finally:
        workbook.close()


def _columns(name: str, header: Row) -> dict[str, tuple[int, str]]:
    """Column key → (position, the header as the file writes it)."""
    found: dict[str, tuple[int, str]] = {}
    for position, cell in enumerate(header[1]):
        label = _text(cell)
        for key, aliases in _HEADERS.items():
            if label.lower() in aliases and key not in found:
                found[key] = (position, label)
    missing = [key for key in _REQUIRED if key not in found]
    if missing:
        raise CalendarFileError(
            [
                Problem(name, 1, key, _("The column is missing (the first row names the columns)."))
                for key in missing
            ]
        )
    return found


# --- one row --------------------------------------------------------------------------------


def _day(
    name: str,
    number: int,
    cells: list[Any],
    columns: dict[str, tuple[int, str]],
    problems: list[Problem],
) -> DayRow | None:
    def cell(key: str) -> Any:
        position = columns[key][0] if key in columns else len(cells)
        return cells[position] if position < len(cells) else None

    def refuse(key: str, message: str) -> None:
        problems.append(Problem(name, number, columns[key][1], message))

    before = len(problems)
    day = _date(cell("date"))
    if day is None:
        refuse("date", _("Not a date (YYYY-MM-DD): %(value)s") % {"value": _text(cell("date"))})
    elif year_problem(day):
        refuse("date", year_problem(day))
    flag = _flag(cell("workday"))
    if flag is None:
        refuse(
            "workday",
            _("Write 1 or 0 (also 是/否, 班/休, true/false): %(value)s")
            % {"value": _text(cell("workday"))},
        )
    label, note = _text(cell("name")), _text(cell("note"))
    if len(label) > NAME_LENGTH:
        refuse("name", _("At most %(count)d characters.") % {"count": NAME_LENGTH})
    if len(note) > NOTE_LENGTH:
        refuse("note", _("At most %(count)d characters.") % {"count": NOTE_LENGTH})
    if len(problems) > before or day is None or flag is None:
        return None
    return DayRow(number, day, flag, label, note)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()  # a spreadsheet's date cell
    if isinstance(value, dt.date):
        return value
    return parse_day(_text(value))


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return parse_workday(_text(value))

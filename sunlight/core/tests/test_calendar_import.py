"""Importing a file of calendar days: all or nothing; each problem names file, row and column."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from sunlight.audit.models import AuditRecord
from sunlight.core.actions.calendar import ImportCounts, calendar_days_import
from sunlight.core.calendar_files import CalendarFileError
from sunlight.core.models import CalendarDay
from sunlight.core.testing import World

pytestmark = pytest.mark.django_db

GOOD_CSV = """date,workday,name,note
2027-01-01,0,元旦,国办发明电〔2026〕X号
2027-02-06,班,调休上班,
2027/02/11,休,春节,
"""


def _import(world: World, name: str, content: bytes) -> ImportCounts:
    return calendar_days_import(by=world.user("office"), file_name=name, content=content)


def test_a_csv_file_is_imported_and_audited(world: World) -> None:
    counts = _import(world, "2027.csv", GOOD_CSV.encode())

    assert (counts.created, counts.updated, counts.unchanged, counts.years) == (3, 0, 0, (2027,))
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == [
        (dt.date(2027, 1, 1), False, "元旦"),
        (dt.date(2027, 2, 6), True, "调休上班"),
        (dt.date(2027, 2, 11), False, "春节"),
    ]
    assert AuditRecord.objects.filter(action="core.calendar.import").count() == 3
    assert CalendarDay.objects.first().created_by == world.user("office")  # type: ignore[union-attr]


def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    _import(world, "2027.csv", GOOD_CSV.encode())
    audit_rows = AuditRecord.objects.count()

    again = _import(world, "2027.csv", GOOD_CSV.encode())

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditRecord.objects.count() == audit_rows


def test_a_gbk_csv_from_excel_is_read(world: World) -> None:
    # Excel's "CSV" on a Chinese Windows saves GBK.
    counts = _import(world, "2027.csv", GOOD_CSV.encode("gbk"))
    assert counts.created == 3
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 11)).name == "春节"


def test_an_xlsx_with_chinese_headers_and_date_cells_is_imported(world: World) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "是否工作日", "名称"])
    sheet.append([dt.datetime(2027, 1, 1), 0, "元旦"])  # noqa: DTZ001 - a date cell
    sheet.append([])  # a blank row in the middle is skipped
    sheet.append(["2027-02-06", True, "调休上班"])
    content = io.BytesIO()
    book.save(content)

    counts = _import(world, "节假日.xlsx", content.getvalue())

    assert counts.created == 2
    assert dict(CalendarDay.objects.values_list("date", "is_workday")) == {
        dt.date(2027, 1, 1): False,
        dt.date(2027, 2, 6): True,
    }


def test_every_bad_row_is_named_and_nothing_is_written(world: World) -> None:
    text = (
        "date,workday,name\n"
        "2027-01-01,0,元旦\n"  # row 2: good
        "2027-13-01,0,坏日期\n"  # row 3: no 13th month
        "2027-02-06,maybe,调休上班\n"  # row 4: not a flag
        "\n"  # row 5: blank, skipped
        "2027-01-01,1,重复\n"  # row 6: the date of row 2 again
        "0027-01-01,0,笔误\n"  # row 7: a year out of range
    )
    audit_rows = AuditRecord.objects.count()

    with translation.override("en"), pytest.raises(CalendarFileError) as refused:
        _import(world, "uploads/2027.csv", text.encode())

    found = [(p.file, p.row, p.field) for p in refused.value.problems]
    assert found == [
        ("2027.csv", 3, "date"),
        ("2027.csv", 4, "workday"),
        ("2027.csv", 6, "date"),
        ("2027.csv", 7, "date"),
    ]
    assert "row 2" in refused.value.problems[2].message  # the duplicate names its first row
    with translation.override("en"):
        assert "2027.csv, row 4, column «workday»" in str(refused.value.problems[1])
    with translation.override("zh-hans"):
        assert "2027.csv 第 4 行「workday」列" in str(refused.value.problems[1])
    assert not CalendarDay.objects.exists()
    assert AuditRecord.objects.count() == audit_rows


def test_a_missing_column_is_named_on_the_header_row(world: World) -> None:
    with pytest.raises(CalendarFileError) as refused:
        _import(world, "days.csv", "date,name\n2027-01-01,元旦\n".encode())
    assert [(p.row, p.field) for p in refused.value.problems] == [(1, "workday")]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(world: World) -> None:
    with pytest.raises(CalendarFileError) as refused:
        _import(world, "days.xlsx", b"PK\x03\x04 not really a workbook")
    assert [(p.file, p.row, p.field) for p in refused.value.problems] == [("days.xlsx", None, None)]


def test_a_long_name_in_an_xlsx_names_its_row_and_column(world: World) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "workday", "name"])
    sheet.append(["2027-01-01", "休", "元" * 41])
    content = io.BytesIO()
    book.save(content)

    with pytest.raises(CalendarFileError) as refused:
        _import(world, "days.xlsx", content.getvalue())
    assert [(p.row, p.field) for p in refused.value.problems] == [(2, "name")]
    assert not CalendarDay.objects.exists()

"""Writing workbooks: the blank template and the exports share one layout, so an export is a
filled-in template and imports back unchanged."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sunlight.org.spreadsheets.columns import (
    INSTRUCTIONS_TITLES,
    SHEETS,
    Column,
    Lang,
    Sheet,
    english,
)

# A write-only worksheet; openpyxl's type stubs miss some of its attributes, hence ``Any``.
WriteOnlySheet = Any

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFE699")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_LAST_ROW = 1_048_576
_CHOICE_LIST_LIMIT = 255  # Excel's limit on an inline list of allowed values


def _labels(lang: Lang) -> dict[str, str]:
    if lang == "zh":
        return {
            "sheet": "工作表",
            "column": "列",
            "required": "必填",
            "allowed": "可选值",
            "note": "说明",
            "yes": "是",
            "intro": "黄色表头为必填列，蓝色为选填列。数据从第 2 行开始，每行一条记录；"
            "记录按编码识别，重复导入同一文件不会产生任何变更。整个文件校验通过后才会写入。"
            "不需要的工作表可以删除；工作表和列按名称识别，顺序不限。",
        }
    return {
        "sheet": english(_l("Sheet")),
        "column": english(_l("Column")),
        "required": english(_l("Required")),
        "allowed": english(_l("Allowed values")),
        "note": english(_l("Note")),
        "yes": english(_l("Yes")),
        "intro": english(
            _l(
                "Yellow headers are required columns, blue ones optional. Data starts on row 2, "
                "one record per row; records are identified by their codes, so importing the same "
                "file again changes nothing. Nothing is written unless the whole file is valid. "
                "Sheets you do not need may be deleted; sheets and columns are found by name, "
                "in any order."
            )
        ),
    }


def _header_cell(ws: WriteOnlySheet, value: str, fill: PatternFill | None = None) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = _HEADER_FONT
    if fill is not None:
        cell.fill = fill
    return cell


def _write_header(ws: WriteOnlySheet, sheet: Sheet, lang: Lang) -> None:
    # Write-only sheets take their layout before the first row.
    ws.freeze_panes = "A2"
    cells = []
    for index, column in enumerate(sheet.columns, start=1):
        cell = _header_cell(
            ws, column.title(lang), _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        )
        note = column.note(lang)
        if note:
            cell.comment = Comment(note, "Sunlight", width=320, height=120)
        cells.append(cell)
        letter = get_column_letter(index)
        width = 40 if column.kind == "bases" or column.key in {"text", "description"} else 16
        ws.column_dimensions[letter].width = width
        _add_validation(ws, column, letter, lang)
    ws.append(cells)


def _add_validation(ws: WriteOnlySheet, column: Column, letter: str, lang: Lang) -> None:
    words: list[str] = []
    if column.kind == "choice":
        words = column.choice_words(lang)
    elif column.kind == "bool":
        words = ["是", "否"] if lang == "zh" else ["Yes", "No"]
    formula = ",".join(words)
    if not words or len(formula) > _CHOICE_LIST_LIMIT:
        return
    validation = DataValidation(
        type="list",
        formula1=f'"{formula}"',
        allow_blank=not column.required,
        showErrorMessage=True,
        errorTitle=column.title(lang),
        error=column.note(lang)[:255],
    )
    validation.add(f"{letter}2:{letter}{_LAST_ROW}")
    ws.data_validations.append(validation)


def _write_rows(
    ws: WriteOnlySheet, sheet: Sheet, rows: Iterable[Mapping[str, Any]], lang: Lang
) -> None:
    for row in rows:
        ws.append([_cell(ws, column, row.get(column.key), lang) for column in sheet.columns])


def _cell(ws: WriteOnlySheet, column: Column, value: Any, lang: Lang) -> Any:
    if column.kind != "date" or value is None:
        return column.cell(value, lang)
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _write_instructions(wb: Workbook, sheets: Sequence[Sheet], lang: Lang) -> None:
    labels = _labels(lang)
    ws = wb.create_sheet(INSTRUCTIONS_TITLES[lang])
    for letter, width in zip("ABCDE", (14, 22, 8, 40, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([labels["intro"]])
    ws.append([])
    titles = ("sheet", "column", "required", "allowed", "note")
    ws.append([_header_cell(ws, labels[title]) for title in titles])
    for sheet in sheets:
        ws.append(
            [
                sheet.title(lang),
                "",
                "",
                "",
                sheet.note_zh if lang == "zh" else english(sheet.note_en),
            ]
        )
        for column in sheet.columns:
            ws.append(
                [
                    "",
                    column.title(lang),
                    labels["yes"] if column.required else "",
                    "/".join(column.choice_words(lang)),
                    column.note(lang),
                ]
            )


def build_workbook(
    lang: Lang,
    rows: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    sheets: Sequence[Sheet] = SHEETS,
) -> bytes:
    """An xlsx file with one sheet per kind (headers, notes, allowed values, frozen header) and
    the given rows (values by column key); no rows gives the blank template."""
    wb = Workbook(write_only=True)  # rows stream to the file instead of piling up in memory
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title(lang))
        _write_header(ws, sheet, lang)
        if rows and sheet.key in rows:
            _write_rows(ws, sheet, rows[sheet.key], lang)
    _write_instructions(wb, sheets, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

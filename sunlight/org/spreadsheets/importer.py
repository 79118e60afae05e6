"""Importing an organisation workbook: read it all, check it all, then write it all or nothing.

1. **Read** (streamed, ``read_only``): sheets and headers are matched by name in Chinese or
   English; every cell is parsed by its column (``columns.py``).
2. **Check** the rows against each other and the database: duplicate keys, references by natural
   key (a unit's parent may be defined anywhere in the file), cycles, dates, duty numbers.
3. **Write** through the actions, in one transaction, sheet by sheet in dependency order. A row
   whose values equal the database is left alone, and an update passes only the fields that
   differ, so importing the same file twice writes nothing and leaves no audit row. If any action
   refuses a row, everything is rolled back and the refusals are reported like the other errors.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from sunlight.core import access
from sunlight.core.models import User
from sunlight.org import actions, queries
from sunlight.org.models import PowerItem
from sunlight.org.spreadsheets.columns import (
    ASSIGNMENTS,
    DUTIES,
    POSTS,
    POWER_ITEMS,
    SHEETS,
    SHEETS_BY_KEY,
    STAFF,
    UNITS,
    CellError,
    Column,
    Sheet,
    is_instructions_title,
    sheet_for_title,
)

logger = logging.getLogger(__name__)

Key = Any  # a natural key: a code, or a tuple of codes and a date
M = TypeVar("M", bound=models.Model)


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, located as precisely as it can be: sheet, row (as Excel numbers it), column."""

    sheet: Sheet | None
    row: int | None
    column: Column | None
    message: str

    @property
    def sheet_title(self) -> str:
        return self.sheet.title() if self.sheet else ""

    @property
    def column_title(self) -> str:
        return self.column.title() if self.column else ""

    def __str__(self) -> str:
        where = {"sheet": self.sheet_title, "row": self.row, "column": self.column_title}
        if self.sheet and self.row and self.column:
            text = _("%(sheet)s row %(row)d «%(column)s»: %(message)s")
        elif self.sheet and self.row:
            text = _("%(sheet)s row %(row)d: %(message)s")
        elif self.sheet:
            text = _("%(sheet)s: %(message)s")
        else:
            return self.message
        return text % {**where, "message": self.message}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def sheets(self) -> list[tuple[Sheet, Counts]]:
        """Counts per sheet, in the order the sheets are written."""
        return [(SHEETS_BY_KEY[key], counts) for key, counts in self.counts.items()]


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict[str, Any]


Rows = dict[str, list[Row]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_header(
    sheet: Sheet, header: tuple[Any, ...] | None
) -> tuple[dict[int, Column], list[RowError]]:
    if header is None:
        return {}, [RowError(sheet, None, None, _("The sheet has no header row."))]
    positions: dict[int, Column] = {}
    errors = []
    for index, title in enumerate(header):
        if _blank(title):
            continue
        column = sheet.match_header(str(title))
        if column is None:
            message = _("unknown column «%(title)s»") % {"title": str(title).strip()}
            errors.append(RowError(sheet, 1, None, message))
        elif column in positions.values():
            errors.append(RowError(sheet, 1, column, _("this column appears twice")))
        else:
            positions[index] = column
    for column in sheet.columns:
        if column.required and column not in positions.values():
            errors.append(RowError(sheet, 1, column, _("this required column is missing")))
    return positions, errors


def _read_sheet(sheet: Sheet, ws: Any) -> tuple[list[Row], list[RowError]]:
    lines: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
    positions, errors = _read_header(sheet, next(lines, None))
    if errors:
        return [], errors
    rows = []
    for number, line in enumerate(lines, start=2):
        cells = {i: line[i] if i < len(line) else None for i in positions}
        if all(_blank(value) for value in cells.values()):
            continue
        row = Row(number, {})
        for index, column in positions.items():
            try:
                row.values[column.key] = column.parse(cells[index])
            except CellError as exc:
                errors.append(RowError(sheet, number, column, str(exc)))
        rows.append(row)
    return rows, errors


def _read_sheets(wb: Workbook) -> tuple[Rows, list[RowError]]:
    rows: Rows = {}
    errors: list[RowError] = []
    names = "、".join(sheet.title() for sheet in SHEETS)
    for title in wb.sheetnames:
        sheet = sheet_for_title(title)
        if sheet is None:
            if not is_instructions_title(title):
                message = _("unknown sheet «%(title)s»; the sheets are named %(names)s")
                errors.append(
                    RowError(None, None, None, message % {"title": title, "names": names})
                )
            continue
        if sheet.key in rows:
            errors.append(RowError(sheet, None, None, _("this sheet appears twice")))
            continue
        rows[sheet.key], sheet_errors = _read_sheet(sheet, wb[title])
        errors.extend(sheet_errors)
    if not rows and not errors:
        message = _("The workbook has none of the sheets %(names)s.") % {"names": names}
        errors.append(RowError(None, None, None, message))
    return rows, errors


def read_workbook(source: IO[bytes] | str | Path) -> tuple[Rows, list[RowError]]:
    """Parsed rows by sheet key, and every problem found reading them."""
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # whatever was uploaded, the answer is "not a workbook", never a crash
        logger.info("spreadsheet import: not an xlsx file", exc_info=True)
        return {}, [RowError(None, None, None, _("The file is not an Excel workbook (.xlsx)."))]
    try:
        return _read_sheets(wb)
    except Exception:  # a damaged sheet inside a valid zip
        logger.warning("spreadsheet import: unreadable workbook", exc_info=True)
        return {}, [RowError(None, None, None, _("The workbook is damaged and cannot be read."))]
    finally:
        wb.close()


# --- checking and writing -----------------------------------------------------------------------


class _DiscardError(Exception):
    """Raised inside the import transaction to undo it (errors found, or a dry run)."""


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        current_id = getattr(obj, f"{name}_id")
        return bool(current_id != (value.pk if value is not None else None))
    return bool(getattr(obj, name) != value)


def _changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if _differs(obj, name, value)}


def _bases(item: PowerItem) -> list[tuple[str, str]]:
    return [(b.law, b.article) for b in item.legal_bases.all()]


class _Import:
    def __init__(self, by: User, rows: Rows, errors: list[RowError]) -> None:
        self.by = by
        self.rows = rows
        self.errors = list(errors)
        self.counts: dict[str, Counts] = {}
        self.units = {u.code: u for u in queries.units_for(by)}
        self.posts = {p.code: p for p in queries.posts_for(by)}
        self.staff = {s.staff_no: s for s in queries.staff_for(by)}
        self.assignments = {
            (a.staff.staff_no, a.post.code, a.start): a for a in queries.assignments_for(by)
        }
        self.duties = {(d.post.code, d.seq): d for d in queries.duties_for(by)}
        self.power_items = {
            i.code: i for i in queries.power_items_for(by).prefetch_related("legal_bases")
        }

    def error(self, sheet: Sheet, row: Row, column: str | None, message: str) -> None:
        self.errors.append(RowError(sheet, row.number, sheet.by_key.get(column or ""), message))

    def keyed_rows(self, sheet: Sheet) -> list[Row]:
        """Rows whose natural key could be read (other cells of the row may still be wrong)."""
        rows = self.rows.get(sheet.key, [])
        return [row for row in rows if all(name in row.values for name in sheet.natural_key)]

    def file_keys(self, sheet: Sheet) -> set[Key]:
        return {self.key(sheet, row) for row in self.keyed_rows(sheet)}

    @staticmethod
    def key(sheet: Sheet, row: Row) -> Key:
        parts = tuple(row.values[name] for name in sheet.natural_key)
        return parts[0] if len(parts) == 1 else parts

    # -- checks --------------------------------------------------------------------------------
    def check(self) -> None:
        for sheet in SHEETS:
            self.check_duplicates(sheet)
        unit_codes = set(self.units) | self.file_keys(UNITS)
        post_codes = set(self.posts) | self.file_keys(POSTS)
        staff_nos = set(self.staff) | self.file_keys(STAFF)
        self.check_unit_tree(unit_codes)
        unit_missing = _("unit code %(code)s does not exist")
        post_missing = _("post code %(code)s does not exist")
        self.check_refs(POSTS, "unit", unit_codes, unit_missing)
        self.check_refs(STAFF, "unit", unit_codes, unit_missing)
        self.check_refs(ASSIGNMENTS, "staff", staff_nos, _("staff number %(code)s does not exist"))
        self.check_refs(ASSIGNMENTS, "post", post_codes, post_missing)
        self.check_refs(DUTIES, "post", post_codes, post_missing)
        self.check_refs(POWER_ITEMS, "unit", unit_codes, unit_missing)
        self.check_refs(POWER_ITEMS, "post", post_codes, post_missing)
        self.check_assignment_dates()
        self.check_duty_numbers()

    def check_duplicates(self, sheet: Sheet) -> None:
        seen: dict[Key, int] = {}
        for row in self.keyed_rows(sheet):
            key = self.key(sheet, row)
            if key in seen:
                message = _("the same record as row %(row)d") % {"row": seen[key]}
                self.error(sheet, row, sheet.natural_key[0], message)
            else:
                seen[key] = row.number

    def check_refs(self, sheet: Sheet, name: str, known: set[str], message: str) -> None:
        for row in self.rows.get(sheet.key, []):
            code = row.values.get(name)
            if code is not None and code != "" and code not in known:
                self.error(sheet, row, name, message % {"code": code})

    def check_unit_tree(self, known: set[str]) -> None:
        """Parents exist, and no unit ends up under itself once the whole file is applied."""
        parents = {code: (u.parent.code if u.parent else None) for code, u in self.units.items()}
        rows = self.keyed_rows(UNITS)
        for row in rows:
            if "parent" in row.values:
                parents[row.values["code"]] = row.values["parent"]
        for row in rows:
            code, parent = row.values["code"], row.values.get("parent")
            if parent is None:
                continue
            if parent not in known:
                self.error(
                    UNITS, row, "parent", _("unit code %(code)s does not exist") % {"code": parent}
                )
                continue
            seen = {code}
            while parent is not None and parent not in seen:
                seen.add(parent)
                parent = parents.get(parent)
            if parent is not None:
                self.error(
                    UNITS, row, "parent", _("a unit cannot be placed under itself or below it")
                )

    def check_assignment_dates(self) -> None:
        for row in self.rows.get(ASSIGNMENTS.key, []):
            start, end = row.values.get("start"), row.values.get("end")
            if start is not None and end is not None and end < start:
                self.error(ASSIGNMENTS, row, "end", _("the end date is before the start date"))

    def check_duty_numbers(self) -> None:
        """New duties are numbered on from the post's last one, as drafting numbers them."""
        last: dict[str, int] = defaultdict(int)
        for post_code, seq in self.duties:
            last[post_code] = max(last[post_code], seq)
        new = [r for r in self.keyed_rows(DUTIES) if self.key(DUTIES, r) not in self.duties]
        for row in sorted(new, key=lambda r: (r.values["post"], r.values["seq"])):
            expected = last[row.values["post"]] + 1
            if row.values["seq"] != expected:
                message = _("the next number of post %(post)s is %(expected)d") % {
                    "post": row.values["post"],
                    "expected": expected,
                }
                self.error(DUTIES, row, "seq", message)
            last[row.values["post"]] = max(expected, row.values["seq"])

    # -- writing -------------------------------------------------------------------------------
    def write(self) -> None:
        writers: list[tuple[Sheet, Callable[[Row], str]]] = [
            (UNITS, self.write_unit),
            (POSTS, self.write_post),
            (STAFF, self.write_staff),
            (ASSIGNMENTS, self.write_assignment),
            (DUTIES, self.write_duty),
            (POWER_ITEMS, self.write_power_item),
        ]
        for sheet, writer in writers:
            if sheet.key not in self.rows:
                continue
            counts = self.counts.setdefault(sheet.key, Counts())
            failed = len(self.errors)
            for row in self.ordered(sheet):
                try:
                    outcome = writer(row)
                except ValidationError as exc:
                    self.refused(sheet, row, exc)
                    continue
                except PermissionDenied:
                    self.error(sheet, row, None, _("you may not make this change"))
                    continue
                setattr(counts, outcome, getattr(counts, outcome) + 1)
            if len(self.errors) > failed:
                return  # later sheets refer to this one: their errors would only echo these

    def ordered(self, sheet: Sheet) -> list[Row]:
        rows = self.rows[sheet.key]
        if sheet is UNITS:
            return sorted(rows, key=self.unit_depth_in_file(rows))
        if sheet is DUTIES:
            return sorted(rows, key=lambda r: (r.values["post"], r.values["seq"]))
        return rows

    @staticmethod
    def unit_depth_in_file(rows: list[Row]) -> Callable[[Row], int]:
        """Parents defined in the file are written before their children."""
        parent_of: dict[str | None, str | None] = {
            r.values["code"]: r.values.get("parent") for r in rows
        }
        depth: dict[str | None, int] = {}

        def depth_of(start: str) -> int:
            chain = []
            code: str | None = start
            while code in parent_of and code not in depth:
                chain.append(code)
                code = parent_of[code]
            base = depth.get(code, -1)
            for i, link in enumerate(reversed(chain), start=1):
                depth[link] = base + i
            return depth.get(chain[0], base) if chain else base

        return lambda row: depth_of(row.values["code"])

    def refused(self, sheet: Sheet, row: Row, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.error(sheet, row, None, "；".join(exc.messages))
            return
        for name, errors in exc.message_dict.items():
            self.error(sheet, row, name, "；".join(errors))

    def upsert(
        self,
        existing: M | None,
        fields: dict[str, Any],
        create: Callable[..., M],
        update: Callable[[M, dict[str, Any]], M],
    ) -> tuple[str, M]:
        if existing is None:
            return "created", create(by=self.by, **fields)
        changes = _changes(existing, fields)
        if not changes:
            return "unchanged", existing
        return "updated", update(existing, changes)

    def fields(self, row: Row, names: Iterable[str]) -> dict[str, Any]:
        """The row's values for ``names`` that the file gives (absent columns stay untouched)."""
        return {name: row.values[name] for name in names if name in row.values}

    def ref(self, table: dict[str, Any], code: str | None) -> Any:
        return table[code] if code else None

    def write_unit(self, row: Row) -> str:
        fields = self.fields(row, ("name", "kind", "sort_order"))
        if "parent" in row.values:
            fields["parent"] = self.ref(self.units, row.values["parent"])
        code = row.values["code"]
        outcome, unit = self.upsert(
            self.units.get(code),
            fields,
            lambda **kw: actions.unit_create(code=code, **kw),
            lambda obj, changes: actions.unit_update(by=self.by, unit=obj, **changes),
        )
        self.units[code] = unit
        return outcome

    def write_post(self, row: Row) -> str:
        names = ("name", "power_type", "description", "is_high_risk", "term_limit_years")
        fields = {**self.fields(row, names), "unit": self.units[row.values["unit"]]}
        code = row.values["code"]
        outcome, post = self.upsert(
            self.posts.get(code),
            fields,
            lambda **kw: actions.post_create(code=code, **kw),
            lambda obj, changes: actions.post_update(by=self.by, post=obj, **changes),
        )
        self.posts[code] = post
        return outcome

    def write_staff(self, row: Row) -> str:
        names = ("name", "gender", "rank", "phone", "email")
        fields = {**self.fields(row, names), "unit": self.units[row.values["unit"]]}
        staff_no = row.values["staff_no"]
        outcome, staff = self.upsert(
            self.staff.get(staff_no),
            fields,
            lambda **kw: actions.staff_create(staff_no=staff_no, **kw),
            lambda obj, changes: actions.staff_update(by=self.by, staff=obj, **changes),
        )
        self.staff[staff_no] = staff
        return outcome

    def write_assignment(self, row: Row) -> str:
        key = self.key(ASSIGNMENTS, row)
        staff, post = self.staff[row.values["staff"]], self.posts[row.values["post"]]
        outcome, assignment = self.upsert(
            self.assignments.get(key),
            self.fields(row, ("end", "kind")),
            lambda **kw: actions.assignment_create(
                staff=staff, post=post, start=row.values["start"], **kw
            ),
            lambda obj, changes: actions.assignment_update(by=self.by, assignment=obj, **changes),
        )
        self.assignments[key] = assignment
        return outcome

    def write_duty(self, row: Row) -> str:
        key = self.key(DUTIES, row)
        post = self.posts[row.values["post"]]
        outcome, duty = self.upsert(
            self.duties.get(key),
            self.fields(row, ("text", "power_type")),
            lambda **kw: actions.duty_draft(post=post, **kw),
            lambda obj, changes: actions.duty_update(by=self.by, duty=obj, **changes),
        )
        if duty.seq != row.values["seq"]:
            # Someone drafted a duty for this post while the file was being checked.
            message = _("the next number of post %(post)s is %(expected)d") % {
                "post": post.code,
                "expected": duty.seq,
            }
            raise ValidationError({"seq": message})
        self.duties[key] = duty
        return outcome

    def write_power_item(self, row: Row) -> str:
        names = ("name", "category", "power_type", "description", "time_limit_days", "is_public")
        fields = {**self.fields(row, names), "unit": self.units[row.values["unit"]]}
        if "post" in row.values:
            fields["post"] = self.ref(self.posts, row.values["post"])
        code = row.values["code"]
        item = self.power_items.get(code)
        bases = row.values.get("legal_bases")
        if item is None:
            item = actions.power_item_create(
                by=self.by, code=code, legal_bases=bases or (), **fields
            )
            self.power_items[code] = item
            return "created"
        changes = _changes(item, fields)
        new_bases = bases if bases is not None and bases != _bases(item) else None
        if not changes and new_bases is None:
            return "unchanged"
        actions.power_item_update(by=self.by, power_item=item, legal_bases=new_bases, **changes)
        return "updated"


def _in_order(errors: list[RowError]) -> list[RowError]:
    """By sheet (in writing order), row and column, as a reader goes through the file."""

    def position(error: RowError) -> tuple[int, int, int]:
        sheet = SHEETS.index(error.sheet) if error.sheet else -1
        column = error.sheet.columns.index(error.column) if error.sheet and error.column else -1
        return sheet, error.row or 0, column

    return sorted(errors, key=position)


def import_workbook(
    source: IO[bytes] | str | Path, *, by: User, dry_run: bool = False
) -> ImportReport:
    """Import the whole workbook or nothing; a dry run checks everything and then rolls back."""
    access.require(access.manages_org(by))
    rows, errors = read_workbook(source)
    if not rows or any(error.row in (None, 1) for error in errors):
        # Sheets or headers are wrong: checking the rows would only list echoes of that.
        return ImportReport(errors=errors, dry_run=dry_run)
    job = _Import(by, rows, errors)
    job.check()
    if job.errors:
        return ImportReport(errors=_in_order(job.errors), dry_run=dry_run)
    try:
        with transaction.atomic():
            job.write()
            if job.errors or dry_run:
                raise _DiscardError
    except _DiscardError:
        pass
    if job.errors:
        return ImportReport(errors=job.errors, dry_run=dry_run)
    return ImportReport(counts=job.counts, dry_run=dry_run)


__all__ = [
    "Counts",
    "ImportReport",
    "RowError",
    "import_workbook",
    "read_workbook",
]

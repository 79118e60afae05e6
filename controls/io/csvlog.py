"""Read an event log from a CSV file (``.csv`` or ``.csv.gz``), one event per row.

Columns are found by ``controls.io.columns`` (an explicit mapping, else the usual names); every
other non-empty cell goes to ``data`` under its header, as an ``int`` when it is a plain integer
without leading zeros, a ``float`` when it is a decimal, and as text otherwise (so identifiers
such as ``007`` keep their zeros). Rows are numbered as a spreadsheet shows them: the header is
row 1. ``index`` is the event's number in the file, from 0.

``read_csv`` stops at the first bad row; ``read_csv_records`` reports a bad row and goes on
(see ``controls.io.read_records``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import operator
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from controls.events import EMPTY, Event
from controls.io.columns import REQUIRED, resolve_columns
from controls.io.encoding import open_text
from controls.io.errors import LogError
from controls.io.timestamps import DEFAULT_TZ, TimestampParser

_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?", re.ASCII)
_DELIMITERS = (",", "\t", ";", "|")
_MEMO_LIMIT = 65536
_OPTIONAL = ("resource", "post", "unit", "process", "lifecycle")

# Big exports hold long free-text cells (opinions, notes); the default limit is 128 KiB.
csv.field_size_limit(1 << 24)


def typed_cell(text: str) -> Any:
    """A cell as ``int``, ``float`` or the text itself (see the module docstring)."""
    digits = text[1:] if text[0] == "-" else text
    if digits.isdigit() and digits.isascii():
        # Leading zeros mark an identifier (文书号 007), not a quantity.
        return int(text) if digits[0] != "0" or len(digits) == 1 else text
    if "." in digits and _FLOAT.fullmatch(text):
        return float(text)
    return text


def read_csv(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    tz: dt.tzinfo = DEFAULT_TZ,
    encoding: str | None = None,
) -> Iterator[Event]:
    """Yield the events of a CSV log in row order; bad input raises ``LogError``."""
    path = Path(path)
    stream = open_text(path, encoding)
    return _rows_to_events(path, stream, columns, TimestampParser(tz))


def read_csv_records(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    tz: dt.tzinfo = DEFAULT_TZ,
    encoding: str | None = None,
) -> Iterator[tuple[int, Event | LogError]]:
    """Every row in order as ``(row number, Event)``, a bad row as ``(row number, LogError)``.

    Problems of the whole file (not text, not CSV, a required column missing) still raise.
    """
    path = Path(path)
    stream = open_text(path, encoding)
    return _rows_to_records(path, stream, columns, TimestampParser(tz))


def read_csv_header(path: str | Path, encoding: str | None = None) -> list[str]:
    """The header row of a CSV log (stripped names), e.g. for a column-mapping form."""
    path = Path(path)
    with open_text(path, encoding) as stream:
        first = stream.readline()
    rows = csv.reader([first], delimiter=_sniff_delimiter(first))
    return [name.strip() for name in next(rows, [])]


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows_to_events(
    path: Path, stream: Any, columns: Mapping[str, str] | None, parse_time: TimestampParser
) -> Iterator[Event]:
    with stream, _file_errors(path):
        reader, rows = _open_rows(path, stream, columns, parse_time)
        yield from reader.events(rows)


def _rows_to_records(
    path: Path, stream: Any, columns: Mapping[str, str] | None, parse_time: TimestampParser
) -> Iterator[tuple[int, Event | LogError]]:
    with stream, _file_errors(path):
        reader, rows = _open_rows(path, stream, columns, parse_time)
        yield from reader.records(rows)


def _open_rows(
    path: Path, stream: Any, columns: Mapping[str, str] | None, parse_time: TimestampParser
) -> tuple[_RowReader, Iterator[list[str]]]:
    first_line = stream.readline()
    rows = csv.reader(itertools.chain([first_line], stream), delimiter=_sniff_delimiter(first_line))
    header = next(rows, None)
    if not header:
        raise LogError(path, 1, None, "the file is empty: a header row is expected")
    return _RowReader(path, header, columns, parse_time), rows


@contextlib.contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    """Decoding and CSV syntax errors concern the whole file: they name no row."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise LogError(path, None, None, f"cannot decode the text: {error}") from None
    except csv.Error as error:
        raise LogError(path, None, None, f"not a valid CSV file: {error}") from None


class _RowReader:
    def __init__(
        self,
        path: Path,
        header: list[str],
        columns: Mapping[str, str] | None,
        parse_time: TimestampParser,
    ) -> None:
        self.path = path
        self.header = [name.strip() for name in header]
        self.parse_time = parse_time
        self.fields = resolve_columns(self.header, columns, path)
        used = set(self.fields.values())
        self.case_column = self.fields["case"]
        self.activity_column = self.fields["activity"]
        self.time_column = self.fields["time"]
        width = len(self.header)
        # A missing optional column reads the empty cell ``_event`` appends at ``width``.
        self.cells = operator.itemgetter(
            self.case_column,
            self.activity_column,
            self.time_column,
            *(self.fields.get(name, width) for name in _OPTIONAL),
        )
        self.memo: dict[str, Any] = {}
        self.data_columns = [
            (position, name)
            for position, name in enumerate(self.header)
            if position not in used and name
        ]

    def events(self, rows: Iterator[list[str]]) -> Iterator[Event]:
        width = len(self.header)
        index = 0
        for number, row in enumerate(rows, start=2):
            if not row:
                continue  # a blank line
            if len(row) != width:
                row = self._fit(row, number, width)
            yield self._event(row, number, index)
            index += 1

    def records(self, rows: Iterator[list[str]]) -> Iterator[tuple[int, Event | LogError]]:
        """As ``events``, each with its row number, and a bad row's error in its place
        (``index`` counts the good rows only)."""
        width = len(self.header)
        index = 0
        event = self._event
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                if len(row) != width:
                    row = self._fit(row, number, width)
                item: Event | LogError = event(row, number, index)
                index += 1
            except LogError as error:
                item = error
            yield number, item

    def _fit(self, row: list[str], number: int, width: int) -> list[str]:
        # Spreadsheets add empty cells at the end of some rows; anything else is misaligned.
        if len(row) > width and not any(cell.strip() for cell in row[width:]):
            return row[:width]
        raise LogError(
            self.path,
            number,
            None,
            f"the row has {len(row)} cells but the header has {width}",
            message_zh=f"本行有 {len(row)} 个单元格，表头有 {width} 列",
        )

    def _empty(self, row: list[str], number: int) -> LogError:
        name = next(n for n in REQUIRED if not row[self.fields[n]].strip())
        return LogError(
            self.path,
            number,
            self.header[self.fields[name]],
            f"the {name} is empty",
            message_zh="必填项为空",
        )

    def _time_error(self, stamp: str, number: int, error: ValueError) -> LogError:
        column = self.header[self.fields["time"]]
        return LogError(
            self.path, number, column, str(error), message_zh=f"无法识别的时间：{stamp}"
        )

    def _data(self, row: list[str]) -> dict[str, Any]:
        data = {}
        memo = self.memo
        for position, name in self.data_columns:
            text = row[position]
            if not text or text.isspace():
                continue
            value = memo.get(text)
            if value is None:
                # Exports repeat the same cells (dates, codes, flags); typing each once is enough.
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                value = memo[text] = typed_cell(text)
            data[name] = value
        return data

    def _event(self, row: list[str], number: int, index: int) -> Event:
        row.append("")  # the cell of every optional column the file does not have
        case, activity, stamp, resource, post, unit, process, lifecycle = self.cells(row)
        case = case.strip()
        activity = activity.strip()
        stamp = stamp.strip()
        if not (case and activity and stamp):
            raise self._empty(row, number)
        try:
            when = self.parse_time(stamp)
        except ValueError as error:
            raise self._time_error(stamp, number, error) from None
        return Event(
            case,
            activity,
            when,
            resource.strip(),
            post.strip(),
            unit.strip(),
            process.strip(),
            lifecycle.strip() or "complete",
            self._data(row) or EMPTY,
            index,
        )

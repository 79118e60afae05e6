"""Read an uploaded log record by record, going on past bad records.

The engine's readers (``controls.io``) stop at the first bad row: right for a check on the
command line, wrong for an import, which must report the row and take the rest. This module
drives the same readers' per-record parsers, so a file is read exactly as ``controls`` reads it,
and yields each record in file order as ``(position, Event)`` or ``(position, LogError)``.
Errors about the whole file (not a CSV, broken XML, a missing column) still raise ``LogError``.

The readers' per-record parts are private to ``controls.io``; when it grows a public
"report and go on" mode, this module shrinks to a call.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from controls.events import Event
from controls.io import LogError, csvlog, jsonl, xes
from controls.io.encoding import open_text
from controls.io.timestamps import TimestampParser

Record = tuple[int | None, Event | LogError]
_CHUNK = 1 << 20


def read_records(
    path: Path, fmt: str, columns: Mapping[str, str] | None = None
) -> Iterator[Record]:
    """Every record of the log at ``path`` in order; bad records come as ``LogError``."""
    if fmt == "csv":
        return _csv_records(path, columns or None)
    if fmt == "jsonl":
        return _jsonl_records(path)
    if fmt == "xes":
        xes._check_prolog(path)
        return cast(Iterator[Record], _TolerantXes(path, TimestampParser()).events())
    raise LogError(path, None, None, f"unknown log format {fmt!r}")


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV log, for the column-mapping form."""
    with open_text(path) as stream:
        first = stream.readline()
        rows = csv.reader([first], delimiter=csvlog._sniff_delimiter(first))
        return [name.strip() for name in next(rows, [])]


def estimate_records(path: Path, fmt: str) -> int:
    """How many records the file holds, counted cheaply (lines, or ``<event`` tags for XES).

    An estimate (CSV cells may hold line breaks), used only for the progress bar.
    """
    needle = b"<event" if fmt == "xes" else b"\n"
    count = 0
    last = b""
    with _open_binary(path) as stream:
        while chunk := stream.read(_CHUNK):
            # A needle split across two chunks is counted once, on the joined edge.
            joined = last + chunk
            count += joined.count(needle) - last.count(needle)
            last = chunk[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return max(count - 1, 0) if fmt == "csv" else count


def _open_binary(path: Path) -> Any:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def _csv_records(path: Path, columns: Mapping[str, str] | None) -> Iterator[Record]:
    with open_text(path) as stream:
        try:
            first = stream.readline()
            rows = csv.reader(
                itertools.chain([first], stream), delimiter=csvlog._sniff_delimiter(first)
            )
            header = next(rows, None)
            if not header:
                raise LogError(path, 1, None, "the file is empty: a header row is expected")
            reader = _TolerantRows(path, header, columns, TimestampParser())
            yield from cast(Iterator[Record], reader.events(rows))
        except UnicodeDecodeError as error:
            raise LogError(path, None, None, f"cannot decode the text: {error}") from None
        except csv.Error as error:
            raise LogError(path, None, None, f"not a valid CSV file: {error}") from None


class _TolerantRows(csvlog._RowReader):
    """The CSV row reader, answering a bad row with its error instead of stopping."""

    _pending: LogError | None = None

    def _fit(self, row: list[str], number: int, width: int) -> list[str]:
        try:
            return super()._fit(row, number, width)
        except LogError as error:
            self._pending = error
            return row

    def _event(self, row: list[str], number: int, index: int) -> Any:
        pending, self._pending = self._pending, None
        if pending is not None:
            return number, pending
        try:
            return number, super()._event(row, number, index)
        except LogError as error:
            return number, error


def _jsonl_records(path: Path) -> Iterator[Record]:
    parse_time = TimestampParser()
    index = 0
    with jsonl._open(path) as stream:
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, jsonl._event(path, number, line, index, parse_time)
                    index += 1
                except LogError as error:
                    yield number, error
        except UnicodeDecodeError as error:
            raise LogError(path, None, None, f"not UTF-8 text: {error}") from None


class _TolerantXes(xes._XesReader):
    """The XES reader, answering a bad event (or a trace without a case id) with its error."""

    def _trace_events(self, trace: Any) -> Iterator[Any]:
        try:
            # Event errors are caught in ``_event``; what escapes here concerns the whole trace
            # and is raised before its first event, so nothing of the trace was yielded.
            yield from super()._trace_events(trace)
        except LogError as error:
            yield error.position, error

    def _event(self, element: Any, case: str, process: str, trace_data: dict[str, Any]) -> Any:
        try:
            return element.sourceline, super()._event(element, case, process, trace_data)
        except LogError as error:
            return error.position or element.sourceline, error

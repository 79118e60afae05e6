"""Reading event logs and reference tables, and writing logs back.

``read_log(path)`` picks the reader by the file name (``.xes``, ``.xes.gz``, ``.csv``,
``.csv.gz``, ``.jsonl``, ``.jsonl.gz``) unless ``format`` names it. Every reader yields ``Event``
records lazily, in file order, and raises ``LogError`` (file, row or line, field) on bad input.

``read_records`` is the "report bad records and continue" mode of the same readers, for imports
that must take every good record of a file and list the bad ones: it yields ``(position,
Event)`` for a good record and ``(position, LogError)`` for a bad one, in file order, where the
position is the CSV row (header = row 1) or the XES / JSON-lines line. Only problems of the
whole file (unreadable, not the format, a required CSV column missing) raise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import cast

from controls.events import Event
from controls.io.columns import load_columns, parse_columns
from controls.io.csvlog import read_csv, read_csv_header, read_csv_records
from controls.io.errors import LogError
from controls.io.jsonl import read_jsonl, read_jsonl_records
from controls.io.reference import ReferenceTable, read_reference
from controls.io.timestamps import DEFAULT_TZ
from controls.io.writers import write_csv, write_jsonl, write_xes
from controls.io.xes import read_xes, read_xes_records

__all__ = [
    "FORMATS",
    "LogError",
    "Record",
    "ReferenceTable",
    "guess_format",
    "load_columns",
    "parse_columns",
    "read_csv",
    "read_csv_header",
    "read_jsonl",
    "read_log",
    "read_records",
    "read_reference",
    "read_xes",
    "write_csv",
    "write_jsonl",
    "write_xes",
]

FORMATS = ("xes", "csv", "jsonl")

# A record of ``read_records``: its row or line (``None`` if unknown) and the event or the error.
Record = tuple[int | None, Event | LogError]
_SUFFIXES = {
    ".xes": "xes",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def guess_format(path: str | Path) -> str | None:
    """``xes``, ``csv`` or ``jsonl`` from the file name (a final ``.gz`` is looked through)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIXES.get(Path(name).suffix)


def read_log(
    path: str | Path,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    tz: dt.tzinfo = DEFAULT_TZ,
) -> Iterator[Event]:
    """The events of the log at ``path``; ``columns`` (CSV only) maps Event fields to columns."""
    chosen = format or guess_format(path)
    if chosen == "xes":
        return read_xes(path, tz=tz)
    if chosen == "csv":
        return read_csv(path, columns=columns, tz=tz)
    if chosen == "jsonl":
        return read_jsonl(path, tz=tz)
    raise _unknown_format(path, chosen)


def read_records(
    path: str | Path,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    tz: dt.tzinfo = DEFAULT_TZ,
) -> Iterator[Record]:
    """Every record of the log at ``path`` in order, a bad one as its ``LogError`` (see above)."""
    chosen = format or guess_format(path)
    if chosen == "xes":
        return read_xes_records(path, tz=tz)
    if chosen == "csv":
        return cast(Iterator[Record], read_csv_records(path, columns=columns, tz=tz))
    if chosen == "jsonl":
        return cast(Iterator[Record], read_jsonl_records(path, tz=tz))
    raise _unknown_format(path, chosen)


def _unknown_format(path: str | Path, chosen: str | None) -> LogError:
    return LogError(
        path,
        None,
        None,
        f"unknown log format {chosen or Path(path).suffix!r}; use one of {', '.join(FORMATS)}",
        message_zh="无法识别的日志格式，请使用 xes、csv 或 jsonl",
    )

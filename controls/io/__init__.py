"""Reading event logs and reference tables, and writing logs back.

``read_log(path)`` picks the reader by the file name (``.xes``, ``.xes.gz``, ``.csv``,
``.csv.gz``, ``.jsonl``, ``.jsonl.gz``) unless ``format`` names it. Every reader yields ``Event``
records lazily, in file order, and raises ``LogError`` (file, row or line, field) on bad input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from controls.events import Event
from controls.io.columns import load_columns, parse_columns
from controls.io.csvlog import read_csv
from controls.io.errors import LogError
from controls.io.jsonl import read_jsonl
from controls.io.reference import ReferenceTable, read_reference
from controls.io.timestamps import DEFAULT_TZ
from controls.io.writers import write_csv, write_jsonl, write_xes
from controls.io.xes import read_xes

__all__ = [
    "FORMATS",
    "LogError",
    "ReferenceTable",
    "guess_format",
    "load_columns",
    "parse_columns",
    "read_csv",
    "read_jsonl",
    "read_log",
    "read_reference",
    "read_xes",
    "write_csv",
    "write_jsonl",
    "write_xes",
]

FORMATS = ("xes", "csv", "jsonl")
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
    raise LogError(
        path,
        None,
        None,
        f"unknown log format {chosen or Path(path).suffix!r}; use one of {', '.join(FORMATS)}",
        message_zh="无法识别的日志格式，请使用 xes、csv 或 jsonl",
    )

"""Read an event log in JSON lines: one JSON object per line, keyed by the ``Event`` fields.

``{"case": "A1", "activity": "受理", "time": "2026-09-25T09:00:00+08:00", "resource": "S017",
"post": "...", "unit": "...", "process": "...", "lifecycle": "complete", "data": {...}}``

``case``, ``activity`` and ``time`` are required; ``data`` is an object whose values are kept as
JSON gives them. Blank lines are skipped; lines are numbered from 1; ``index`` is the event's
number in the file, from 0 (an ``index`` key, as in finding evidence, is ignored). A ``.gz``
file is decompressed.

``read_jsonl`` stops at the first bad line; ``read_jsonl_records`` reports a bad line and goes
on (see ``controls.io.read_records``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from controls.events import EMPTY, Event
from controls.io.errors import LogError
from controls.io.timestamps import DEFAULT_TZ, TimestampParser

_TEXT_FIELDS = ("resource", "post", "unit", "process", "lifecycle")
_KNOWN = frozenset(("case", "activity", "time", "data", "index", *_TEXT_FIELDS))


def read_jsonl(path: str | Path, tz: dt.tzinfo = DEFAULT_TZ) -> Iterator[Event]:
    """Yield the events of a JSON-lines log in line order; bad input raises ``LogError``."""
    path = Path(path)
    return _events(path, _open(path), TimestampParser(tz))


def read_jsonl_records(
    path: str | Path, tz: dt.tzinfo = DEFAULT_TZ
) -> Iterator[tuple[int, Event | LogError]]:
    """Every line in order as ``(line number, Event)``, a bad line as ``(line number, LogError)``.

    A file that is not UTF-8 text still raises.
    """
    path = Path(path)
    return _records(path, _open(path), TimestampParser(tz))


def _open(path: Path) -> IO[str]:
    try:
        with path.open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        if gzipped:
            return gzip.open(path, "rt", encoding="utf-8-sig")
        return path.open(encoding="utf-8-sig")
    except OSError as error:
        raise LogError(path, None, None, f"cannot open: {error.strerror}") from None


def _events(path: Path, stream: IO[str], parse_time: TimestampParser) -> Iterator[Event]:
    index = 0
    with stream:
        try:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield _event(path, number, line, index, parse_time)
                    index += 1
        except UnicodeDecodeError as error:
            raise LogError(path, None, None, f"not UTF-8 text: {error}") from None


def _records(
    path: Path, stream: IO[str], parse_time: TimestampParser
) -> Iterator[tuple[int, Event | LogError]]:
    index = 0
    with stream:
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    item: Event | LogError = _event(path, number, line, index, parse_time)
                    index += 1
                except LogError as error:
                    item = error
                yield number, item
        except UnicodeDecodeError as error:
            raise LogError(path, None, None, f"not UTF-8 text: {error}") from None


def _fail(path: Path, number: int, field: str | None, message: str) -> LogError:
    return LogError(path, number, field, message, where="line")


def _event(path: Path, number: int, line: str, index: int, parse_time: TimestampParser) -> Event:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _fail(path, number, None, f"not valid JSON: {error.msg}") from None
    if not isinstance(record, dict):
        raise _fail(path, number, None, "expected a JSON object")
    unknown = sorted(set(record) - _KNOWN)
    if unknown:
        raise _fail(path, number, unknown[0], "unknown field (extra values belong in 'data')")
    text = {name: _text(path, number, record, name) for name in _TEXT_FIELDS}
    return Event(
        _required(path, number, record, "case"),
        _required(path, number, record, "activity"),
        _time(path, number, record, parse_time),
        text["resource"],
        text["post"],
        text["unit"],
        text["process"],
        text["lifecycle"] or "complete",
        _data(path, number, record),
        index,
    )


def _text(path: Path, number: int, record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(path, number, name, f"expected a string, got {type(value).__name__}")
    return value


def _required(path: Path, number: int, record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    # Case ids are often numbers in exports; they are identifiers, so they become text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise _fail(path, number, name, "missing or empty")
    return value


def _time(
    path: Path, number: int, record: dict[str, Any], parse_time: TimestampParser
) -> dt.datetime:
    value = record.get("time")
    if not isinstance(value, str) or not value:
        raise _fail(path, number, "time", "missing or not a string")
    try:
        return parse_time(value)
    except ValueError as error:
        raise _fail(path, number, "time", str(error)) from None


def _data(path: Path, number: int, record: dict[str, Any]) -> Any:
    data = record.get("data")
    if data is None:
        return EMPTY
    if not isinstance(data, dict):
        raise _fail(path, number, "data", "expected an object")
    return data or EMPTY

"""Write events as XES, CSV or JSON lines, streaming, so generated logs of millions of events fit.

What comes back when a written file is read again: the same events, with these limits of the
formats. XES keeps ``str``/``int``/``float``/``bool``/``datetime`` data values; CSV keeps ``str``,
``int`` and ``float`` (a text that looks like a number comes back as a number); JSON lines keeps
JSON's types (a ``datetime`` in ``data`` comes back as its ISO text). ``index`` is not written:
readers number events by their position.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from controls.events import Event

# What a writer puts in the header for each Event field; the readers recognise these names.
CSV_HEADER = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "time": "time:timestamp",
    "resource": "org:resource",
    "post": "org:role",
    "unit": "org:group",
    "process": "process",
    "lifecycle": "lifecycle:transition",
}
_XES_FIELD_KEYS = (
    ("resource", "org:resource"),
    ("post", "org:role"),
    ("unit", "org:group"),
)
# Data keys that would be read back as an Event field, not as data.
_XES_RESERVED = frozenset(
    (
        "concept:name",
        "time:timestamp",
        "org:resource",
        "org:role",
        "org:group",
        "lifecycle:transition",
        "case:concept:name",
        "case:process",
    )
)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def _open_out(path: Path, encoding: str = "utf-8", newline: str | None = None) -> IO[str]:
    if path.name.endswith(".gz"):
        # Level 6 writes several times faster than the default 9 for a few percent more bytes.
        return gzip.open(path, "wt", encoding=encoding, newline=newline, compresslevel=6)
    return path.open("w", encoding=encoding, newline=newline)


# --- XES -------------------------------------------------------------------------------------


def _quote(value: str) -> str:
    if _INVALID_XML.search(value):
        raise ValueError(f"control characters cannot be written to XML: {value!r}")
    return value.translate(_ESCAPES)


def _xes_attribute(key: str, value: Any) -> str:
    if isinstance(value, bool):
        kind, text = "boolean", "true" if value else "false"
    elif isinstance(value, int):
        kind, text = "int", str(value)
    elif isinstance(value, float):
        kind, text = "float", repr(value)
    elif isinstance(value, dt.datetime):
        kind, text = "date", value.isoformat()
    else:
        kind, text = "string", str(value)
    return f'<{kind} key="{_quote(key)}" value="{_quote(text)}"/>'


def _runs(events: Iterable[Event]) -> Iterator[list[Event]]:
    """Consecutive events of one case (and process), each run becoming one trace."""
    run: list[Event] = []
    for event in events:
        if run and (event.case != run[0].case or event.process != run[0].process):
            yield run
            run = []
        run.append(event)
    if run:
        yield run


def _shared_case_data(run: list[Event]) -> dict[str, Any]:
    """``case:`` data equal on every event of the run: written once, as trace attributes."""
    first = run[0].data
    shared = {
        k: v
        for k, v in first.items()
        if k.startswith("case:") and k not in _XES_RESERVED and v is not None
    }
    for event in run[1:]:
        shared = {k: v for k, v in shared.items() if k in event.data and event.data[k] == v}
    return shared


def _xes_trace(run: list[Event]) -> Iterator[str]:
    shared = _shared_case_data(run)
    yield "\t<trace>\n"
    yield f"\t\t{_xes_attribute('concept:name', run[0].case)}\n"
    if run[0].process:
        yield f"\t\t{_xes_attribute('process', run[0].process)}\n"
    for key, value in shared.items():
        yield f"\t\t{_xes_attribute(key[5:], value)}\n"
    for event in run:
        yield from _xes_event(event, shared)
    yield "\t</trace>\n"


def _xes_event(event: Event, shared: dict[str, Any]) -> Iterator[str]:
    yield "\t\t<event>\n"
    yield f"\t\t\t{_xes_attribute('concept:name', event.activity)}\n"
    yield f"\t\t\t{_xes_attribute('time:timestamp', event.time)}\n"
    for name, key in _XES_FIELD_KEYS:
        value = getattr(event, name)
        if value:
            yield f"\t\t\t{_xes_attribute(key, value)}\n"
    yield f"\t\t\t{_xes_attribute('lifecycle:transition', event.lifecycle)}\n"
    for key, value in event.data.items():
        if key in _XES_RESERVED:
            raise ValueError(
                f"event {event.index} of case {event.case!r}: data key {key!r} "
                "would be read back as an event field"
            )
        if key not in shared and value is not None:
            yield f"\t\t\t{_xes_attribute(key, value)}\n"
    yield "\t\t</event>\n"


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" \
uri="http://www.xes-standard.org/lifecycle.xesext"/>
"""


def write_xes(events: Iterable[Event], path: str | Path) -> int:
    """Write ``events`` as XES (gzipped when the name ends in ``.gz``); returns the count.

    Consecutive events of one case form a trace; ``case:`` data shared by a whole trace is
    written as trace attributes, as the reader expects it.
    """
    count = 0
    with _open_out(Path(path)) as out:
        out.write(_XES_HEAD)
        for run in _runs(events):
            out.write("".join(_xes_trace(run)))
            count += len(run)
        out.write("</log>\n")
    return count


# --- CSV -------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _decimal(value: float) -> str:
    """A float as text with a decimal point (``1e-05`` → ``1.0e-05``), so it reads back typed."""
    text = repr(value)
    mantissa, exponent, power = text.partition("e")
    if exponent and "." not in mantissa:
        return f"{mantissa}.0e{power}"
    return text


def write_csv(
    events: Iterable[Event],
    path: str | Path,
    encoding: str = "utf-8",
    data_columns: Sequence[str] | None = None,
) -> int:
    """Write ``events`` as CSV with the XES column names; returns the count.

    The data columns are ``data_columns`` if given; else, for a list, every key any event has;
    for a stream, the keys of its first event (a later unknown key raises ``ValueError``).
    """
    if data_columns is None and isinstance(events, Sequence):
        data_columns = list(dict.fromkeys(k for event in events for k in event.data))
    stream = iter(events)
    first = next(stream, None)
    if data_columns is None:
        data_columns = list(first.data) if first is not None else []
    clash = set(data_columns) & set(CSV_HEADER.values())
    if clash:
        raise ValueError(f"data keys clash with event columns: {', '.join(sorted(clash))}")
    count = 0
    with _open_out(Path(path), encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*CSV_HEADER.values(), *data_columns])
        known = set(data_columns)
        for event in _chain(first, stream):
            writer.writerow(_csv_row(event, data_columns, known))
            count += 1
    return count


def _chain(first: Event | None, rest: Iterator[Event]) -> Iterator[Event]:
    if first is not None:
        yield first
        yield from rest


def _csv_row(event: Event, columns: Sequence[str], known: set[str]) -> list[str]:
    extra = set(event.data) - known
    if extra:
        raise ValueError(
            f"event {event.index} of case {event.case!r} has data not in the columns: "
            f"{', '.join(sorted(extra))}; pass data_columns"
        )
    data = event.data
    fixed = [
        event.case,
        event.activity,
        event.time.isoformat(),
        event.resource,
        event.post,
        event.unit,
        event.process,
        event.lifecycle,
    ]
    return fixed + [_csv_cell(data[c]) if c in data else "" for c in columns]


# --- JSON lines ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def event_record(event: Event) -> dict[str, Any]:
    """The JSON-lines object for ``event`` (empty optional fields left out)."""
    record: dict[str, Any] = {
        "case": event.case,
        "activity": event.activity,
        "time": event.time.isoformat(),
    }
    for name in ("resource", "post", "unit", "process"):
        value = getattr(event, name)
        if value:
            record[name] = value
    if event.lifecycle != "complete":
        record["lifecycle"] = event.lifecycle
    if event.data:
        record["data"] = {k: _json_value(v) for k, v in event.data.items()}
    return record


def write_jsonl(events: Iterable[Event], path: str | Path) -> int:
    """Write ``events`` as JSON lines (gzipped when the name ends in ``.gz``); returns the count."""
    count = 0
    with _open_out(Path(path)) as out:
        for event in events:
            out.write(json.dumps(event_record(event), ensure_ascii=False))
            out.write("\n")
            count += 1
    return count

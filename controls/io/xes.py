"""Read XES event logs (``.xes`` and ``.xes.gz``) as a stream of ``Event`` records.

Mapping (IEEE 1849 standard extensions):

==========================  =============================================================
XES attribute               ``Event`` field
==========================  =============================================================
trace ``concept:name``      ``case``
trace ``process``           ``process`` (else the log's ``concept:name``)
event ``concept:name``      ``activity``
event ``time:timestamp``    ``time`` (a timestamp without offset is read in the given zone)
event ``org:resource``      ``resource``
event ``org:role``          ``post``
event ``org:group``         ``unit``
``lifecycle:transition``    ``lifecycle`` (default ``complete``)
other event attributes      ``data[key]``, typed by their XES type
other trace attributes      ``data["case:" + key]`` on every event of the trace
==========================  =============================================================

``index`` is the running number of the event in the file, from 0. The file is parsed trace by
trace and each parsed trace is dropped before the next, so memory does not grow with the log.

Well-formed events are read by one quick loop; an irregular one (a missing field, a value that
does not convert) is read again attribute by attribute, which names the line and field.

``read_xes`` stops at the first bad event; ``read_xes_records`` reports a bad event (or a trace
without a case id) and goes on (see ``controls.io.read_records``).

Safety: a document with a DOCTYPE (and so with entity declarations) is refused before parsing;
the parser itself never loads a DTD, resolves an entity or touches the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from lxml import etree

from controls.events import EMPTY, Event
from controls.io.errors import LogError
from controls.io.timestamps import DEFAULT_TZ, TimestampParser

_GZIP_MAGIC = b"\x1f\x8b"
_PROLOG_LIMIT = 1 << 20

# Event attributes that fill an Event field rather than ``data``.
_FIELDS = {
    "concept:name": "activity",
    "time:timestamp": "time",
    "org:resource": "resource",
    "org:role": "post",
    "org:group": "unit",
    "lifecycle:transition": "lifecycle",
}
# The same in the order the hot loop keeps them: a list slot per field, unpacked at the end.
_FIELD_SLOT = {key: slot for slot, key in enumerate(_FIELDS)}
_fromisoformat = dt.datetime.fromisoformat
# Attribute names as bytes: lxml takes them as they are instead of encoding a str on each call.
_KEY = b"key"
_VALUE = b"value"


def _event_factory() -> Callable[..., Event]:
    """A maker of ``Event`` records taking the fields in order, about twice as quick as the
    frozen dataclass's ``__init__`` (which calls ``object.__setattr__`` field by field): it sets
    the slots through their descriptors. Should ``Event`` ever check or derive a field at
    construction, or change its fields, the reader falls back to the class itself."""
    names = (
        "case",
        "activity",
        "time",
        "resource",
        "post",
        "unit",
        "process",
        "lifecycle",
        "data",
        "index",
    )
    if hasattr(Event, "__post_init__") or tuple(f.name for f in dataclasses.fields(Event)) != names:
        return Event
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = (getattr(Event, name).__set__ for name in names)
    new = object.__new__

    def make(
        case: str,
        activity: str,
        time: dt.datetime,
        resource: str,
        post: str,
        unit: str,
        process: str,
        lifecycle: str,
        data: Mapping[str, Any],
        index: int,
    ) -> Event:
        event = new(Event)
        s0(event, case)
        s1(event, activity)
        s2(event, time)
        s3(event, resource)
        s4(event, post)
        s5(event, unit)
        s6(event, process)
        s7(event, lifecycle)
        s8(event, data)
        s9(event, index)
        return event

    return make


_new_event = _event_factory()


class _IrregularEventError(Exception):
    """An event the hot loop leaves to the explaining reader."""


def read_xes(path: str | Path, tz: dt.tzinfo = DEFAULT_TZ) -> Iterator[Event]:
    """Yield the events of the XES file at ``path`` in file order; bad input raises LogError."""
    path = Path(path)
    _check_prolog(path)
    return _XesReader(path, TimestampParser(tz)).events()


def read_xes_records(
    path: str | Path, tz: dt.tzinfo = DEFAULT_TZ
) -> Iterator[tuple[int | None, Event | LogError]]:
    """Every event in order as ``(line, Event)``, a bad one as ``(line, LogError)``.

    A trace without a case id comes as one error in place of its events. Problems of the whole
    file (not XML, not a log, a DOCTYPE) still raise.
    """
    path = Path(path)
    _check_prolog(path)
    return _ReportingXesReader(path, TimestampParser(tz)).records()


def _open(path: Path) -> Any:
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
    except OSError as error:
        raise LogError(path, None, None, f"cannot open: {error.strerror}") from None
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")


def _check_prolog(path: Path) -> None:
    """Refuse DOCTYPE and other declarations before the root element (the door to entity
    expansion and external fetches), and anything that is not XML at all."""
    with _open(path) as stream:
        try:
            head = stream.read(_PROLOG_LIMIT)
        except (OSError, EOFError, zlib.error) as error:
            raise LogError(path, None, None, f"cannot read: {error}") from None
    problem = _prolog_problem(head)
    if problem is not None:
        line, message = problem
        raise LogError(path, line, None, message, where="line")


def _prolog_problem(head: bytes) -> tuple[int | None, str] | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00":
        return None, "XES must be encoded as UTF-8 (this file looks like UTF-16)"
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(head) and head[pos : pos + 1].isspace():
            pos += 1
        line = head.count(b"\n", 0, pos) + 1
        if head.startswith(b"<?", pos):
            pos = _skip(head, pos, b"?>")
        elif head.startswith(b"<!--", pos):
            pos = _skip(head, pos, b"-->")
        elif head.startswith(b"<!", pos):
            return line, "DOCTYPE and entity declarations are not allowed in an event log"
        elif head.startswith(b"<", pos):
            return None
        elif pos >= len(head):
            return None if pos else (None, "the file is empty")
        else:
            return line, "not an XML document"
        if pos < 0:
            return line, "unterminated comment or processing instruction before the log element"


def _skip(head: bytes, pos: int, end: bytes) -> int:
    found = head.find(end, pos)
    return -1 if found < 0 else found + len(end)


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"not a boolean: {text!r}")


class _XesReader:
    # Whether ``events`` yields (line, event) pairs instead of events.
    with_lines = False

    def __init__(self, path: Path, parse_time: TimestampParser) -> None:
        self.path = path
        self.parse_time = parse_time
        self.index = 0
        self.log_process = ""
        self.ns = ""
        self.converters: dict[object, Callable[[str], Any]] = {}
        self.event_tag = "event"

    def events(self) -> Iterator[Event]:
        with _open(self.path) as stream:
            context = etree.iterparse(
                stream,
                events=("end",),
                tag=("{*}trace", "trace"),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                remove_comments=True,
                remove_pis=True,
                remove_blank_text=True,  # fewer nodes to build; whitespace carries nothing
            )
            first = True
            try:
                for _, trace in context:
                    if first:
                        self._read_log_head(trace)
                        first = False
                    yield from self._trace_events(trace)
                    self._drop(trace)
                self._check_root(context.root)
            except etree.XMLSyntaxError as error:
                raise self._syntax_error(error, context.error_log) from None
            except (OSError, EOFError, zlib.error) as error:
                raise LogError(self.path, None, None, f"cannot read: {error}") from None

    def _syntax_error(self, error: etree.XMLSyntaxError, log: Any) -> LogError:
        # The first logged problem is the real one; the exception itself may only say that the
        # parser gave up at the end of the file.
        entries = list(log)
        line, message = (
            (entries[0].line, entries[0].message) if entries else (error.lineno, error.msg)
        )
        return LogError(
            self.path, line or None, None, f"not well-formed XML: {message}", where="line"
        )

    def _check_root(self, root: Any) -> None:
        """A document without traces is an empty log only if it is a log at all."""
        tag = root.tag if root is not None else ""
        if tag.rpartition("}")[2] != "log":
            raise LogError(
                self.path,
                None,
                None,
                f"not an XES log: the root element is <{tag.rpartition('}')[2]}>",
            )

    def _read_log_head(self, trace: Any) -> None:
        """Learn the namespace and the log-level process name from what precedes the first trace."""
        root = trace.getparent()
        tag = root.tag if root is not None else trace.tag
        self.ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        ns = self.ns
        self.event_tag = ns + "event"
        self.converters = {
            ns + "string": str,
            ns + "id": str,
            ns + "int": int,
            ns + "float": float,
            ns + "boolean": _boolean,
            ns + "date": self._date,
        }
        if root is None:
            return
        for child in root:
            if child is trace:
                break
            if child.tag == ns + "string" and child.get("key") == "concept:name":
                self.log_process = child.get("value") or ""

    def _date(self, text: str) -> dt.datetime:
        """``parse_time`` by its quickest road: most stamps in XES are ISO 8601 and all differ."""
        try:
            value = _fromisoformat(text)
        except ValueError:
            return self.parse_time(text)
        return value if value.tzinfo is not None else value.replace(tzinfo=self.parse_time.tz)

    def _drop(self, trace: Any) -> None:
        trace.clear()
        parent = trace.getparent()
        if parent is None:
            return
        while (previous := trace.getprevious()) is not None:
            if previous.tag == self.event_tag:
                raise LogError(
                    self.path, previous.sourceline, None, "an event outside any trace", where="line"
                )
            del parent[0]

    def _typed(self, element: Any, key: str, convert: Callable[[str], Any]) -> Any:
        value = element.get("value")
        if value is None:
            raise LogError(
                self.path, element.sourceline, key, "attribute without a value", where="line"
            )
        try:
            return convert(value)
        except ValueError as error:
            raise LogError(self.path, element.sourceline, key, str(error), where="line") from None

    def _trace_head(self, trace: Any) -> tuple[str, str, dict[str, Any], list[Any]]:
        """The case id, process and data of a trace (which may follow its events), and its
        event elements."""
        case: str | None = None
        process = self.log_process
        trace_data: dict[str, Any] = {}
        event_elements = []
        event_tag = self.event_tag
        converters = self.converters
        for child in trace:
            tag = child.tag
            if tag == event_tag:
                event_elements.append(child)
                continue
            convert = converters.get(tag)
            if convert is None:
                continue  # lists and containers carry no event field
            key = child.get(_KEY)
            if key == "concept:name":
                case = child.get(_VALUE)
            elif key == "process":
                process = child.get(_VALUE) or ""
            elif key is not None:
                value = child.get(_VALUE)
                if convert is str and value is not None:
                    trace_data["case:" + key] = value
                else:
                    trace_data["case:" + key] = self._typed(child, key, convert)
        if case is None:
            raise LogError(
                self.path, trace.sourceline, "concept:name", "trace without a case id", where="line"
            )
        return case, process, trace_data, event_elements

    def _trace_events(self, trace: Any) -> Iterator[Any]:
        return self._events_of(*self._trace_head(trace))

    def _events_of(
        self,
        case: str,
        process: str,
        trace_data: dict[str, Any],
        elements: list[Any],
    ) -> Iterator[Any]:
        """The hot loop of the reader, for the events of one trace.

        One pass over each event's attributes: a field goes to its slot by its key, only a data
        attribute has its tag (its type) looked at. The loop takes well-formed events only: an
        event with a missing field, an attribute without a value or a value that does not
        convert goes to ``_event``, which explains what is wrong, naming the line and field (or
        reads a timestamp the ISO parser refused in the looser forms ``parse_time`` accepts).
        Both read attributes alike, so they give the same events.
        """
        with_lines = self.with_lines
        field_slot = _FIELD_SLOT.get
        convert_for = self.converters.get
        zone = self.parse_time.tz
        index = self.index
        for element in elements:
            slots: list[str | None] = [None, None, None, None, None, None]
            data = trace_data.copy() if trace_data else {}
            try:
                for attribute in element:
                    key = attribute.get(_KEY)
                    slot = field_slot(key)
                    if slot is not None:
                        slots[slot] = attribute.get(_VALUE)
                        continue
                    convert = convert_for(attribute.tag)
                    if convert is None or key is None:
                        continue
                    value = attribute.get(_VALUE)
                    if value is None:
                        raise _IrregularEventError
                    data[key] = value if convert is str else convert(value)
                activity, stamp, resource, post, unit, lifecycle = slots
                if activity is None or stamp is None:
                    raise _IrregularEventError
                # Most stamps are plain ISO 8601 and all different: no cache, no loose parsing.
                time = _fromisoformat(stamp)
                if time.tzinfo is None:
                    time = time.replace(tzinfo=zone)
            except (_IrregularEventError, ValueError):
                self.index = index
                yield self._event(element, case, process, trace_data)
                index = self.index
                continue
            event = _new_event(
                case,
                activity,
                time,
                resource or "",
                post or "",
                unit or "",
                process,
                lifecycle or "complete",
                data or EMPTY,
                index,
            )
            index += 1
            yield (element.sourceline, event) if with_lines else event
        self.index = index

    def _event(self, element: Any, case: str, process: str, trace_data: dict[str, Any]) -> Event:
        """One event read attribute by attribute, explaining what is wrong with it."""
        fields: dict[str, str | None] = {}
        data = trace_data.copy()
        converters = self.converters
        for attribute in element:
            key = attribute.get("key")
            if key in _FIELDS:
                fields[_FIELDS[key]] = attribute.get("value")
                continue
            convert = converters.get(attribute.tag)
            if convert is not None and key is not None:
                data[key] = self._typed(attribute, key, convert)
        activity = fields.get("activity")
        if activity is None:
            raise LogError(
                self.path,
                element.sourceline,
                "concept:name",
                "event without an activity name",
                where="line",
            )
        index = self.index
        self.index = index + 1
        return Event(
            case,
            activity,
            self._time(element, fields.get("time")),
            fields.get("resource") or "",
            fields.get("post") or "",
            fields.get("unit") or "",
            process,
            fields.get("lifecycle") or "complete",
            data or EMPTY,
            index,
        )

    def _time(self, element: Any, stamp: str | None) -> dt.datetime:
        if stamp is None:
            raise LogError(
                self.path,
                element.sourceline,
                "time:timestamp",
                "event without a timestamp",
                where="line",
            )
        try:
            return self.parse_time(stamp)
        except ValueError as error:
            raise LogError(
                self.path, _stamp_line(element), "time:timestamp", str(error), where="line"
            ) from None


class _ReportingXesReader(_XesReader):
    """The reader answering a bad event (or a trace without a case id) with its error."""

    with_lines = True

    def records(self) -> Iterator[tuple[int | None, Event | LogError]]:
        # ``events`` yields what ``_trace_events`` yields: here, pairs instead of events.
        return cast(Iterator[tuple[int | None, Event | LogError]], self.events())

    def _trace_events(self, trace: Any) -> Iterator[Any]:
        try:
            head = self._trace_head(trace)
        except LogError as error:
            # A problem of the whole trace (no case id) stands for all its events.
            return iter([(error.position, error)])
        # Event errors are caught in ``_event``, which here gives (line, event or error).
        return self._events_of(*head)

    def _event(self, element: Any, case: str, process: str, trace_data: dict[str, Any]) -> Any:
        try:
            return element.sourceline, super()._event(element, case, process, trace_data)
        except LogError as error:
            return error.position or element.sourceline, error


def _stamp_line(event: Any) -> int:
    """The line of the event's timestamp attribute, or of the event when it has none."""
    for attribute in event:
        if attribute.get("key") == "time:timestamp":
            return int(attribute.sourceline)
    return int(event.sourceline)

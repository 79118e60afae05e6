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

``read_xes`` stops at the first bad event; ``read_xes_records`` reports a bad event (or a trace
without a case id) and goes on (see ``controls.io.read_records``).

Safety: a document with a DOCTYPE (and so with entity declarations) is refused before parsing;
the parser itself never loads a DTD, resolves an entity or touches the network.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
from collections.abc import Callable, Iterator
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
            ns + "date": self.parse_time,
        }
        if root is None:
            return
        for child in root:
            if child is trace:
                break
            if child.tag == ns + "string" and child.get("key") == "concept:name":
                self.log_process = child.get("value") or ""

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

    def _trace_events(self, trace: Any) -> Iterator[Event]:
        case: str | None = None
        process = self.log_process
        trace_data: dict[str, Any] = {}
        event_elements = []
        converters = self.converters
        for child in trace:
            tag = child.tag
            if tag == self.event_tag:
                event_elements.append(child)
                continue
            convert = converters.get(tag)
            if convert is None:
                continue  # lists and containers carry no event field
            key = child.get("key")
            if key == "concept:name":
                case = child.get("value")
            elif key == "process":
                process = child.get("value") or ""
            elif key is not None:
                trace_data["case:" + key] = self._typed(child, key, convert)
        if case is None:
            raise LogError(
                self.path, trace.sourceline, "concept:name", "trace without a case id", where="line"
            )
        for element in event_elements:
            yield self._event(element, case, process, trace_data)

    def _event(self, element: Any, case: str, process: str, trace_data: dict[str, Any]) -> Event:
        fields: dict[str, str] = {}
        data = trace_data.copy()
        converters = self.converters
        # The hot loop of the reader: one pass, few calls; errors are explained on a slow path.
        for attribute in element:
            key = attribute.get("key")
            value = attribute.get("value")
            name = _FIELDS.get(key)
            if name is not None:
                fields[name] = value
                continue
            convert = converters.get(attribute.tag)
            if convert is str and value is not None:
                data[key] = value
            elif convert is not None and key is not None:
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

    def records(self) -> Iterator[tuple[int | None, Event | LogError]]:
        # ``events`` yields what ``_trace_events`` yields: here, pairs instead of events.
        return cast(Iterator[tuple[int | None, Event | LogError]], self.events())

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


def _stamp_line(event: Any) -> int:
    """The line of the event's timestamp attribute, or of the event when it has none."""
    for attribute in event:
        if attribute.get("key") == "time:timestamp":
            return int(attribute.sourceline)
    return int(event.sourceline)

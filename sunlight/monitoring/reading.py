"""Read an uploaded log record by record, going on past bad records.

The engine's readers (``controls.io``) read the file, in their "report bad records and
continue" mode (``read_records``): each record comes in file order as ``(position, Event)`` or
``(position, LogError)``, so an import reports the bad row and takes the rest. Errors about the
whole file (not a CSV, broken XML, a missing column) still raise ``LogError``.

Parsing runs a little ahead of the import on a reader thread, which also does the per-event
work of storing that needs no database (``eventstore.prepare_ahead``): the database does most
of its work with the interpreter lock released (SQLite's B-tree inserts, PostgreSQL's server),
and the next records are read and prepared meanwhile instead of after.
"""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from controls import io as controls_io
from controls.events import Event
from controls.io import LogError, Record
from sunlight.monitoring.eventstore import prepare_ahead

__all__ = ["Record", "csv_header", "estimate_records", "read_records"]

_CHUNK = 1 << 20
# Records handed over per queue item, and items parsed ahead: a few thousand records in memory.
_HANDOVER = 1000
_AHEAD = 8


def read_records(
    path: Path, fmt: str, columns: Mapping[str, str] | None = None
) -> Iterator[Record]:
    """Every record of the log at ``path`` in order; bad records come as ``LogError``."""
    if fmt not in controls_io.FORMATS:
        raise LogError(path, None, None, f"unknown log format {fmt!r}")
    return _ahead(controls_io.read_records(path, fmt, columns or None))


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV log, for the column-mapping form."""
    return controls_io.read_csv_header(path)


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


class _End:
    """What the reader thread hands over last: nothing more, or the error that stopped it."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def _ahead(records: Iterator[Record]) -> Generator[Record, None, None]:
    """``records`` in the same order, parsed on a thread ahead of the consumer.

    An error of the reader (a ``LogError`` about the whole file) is raised here, in the
    consumer, after the records before it. A consumer that stops early (a crash, a lost lease)
    stops the thread: it must not go on reading a file nobody takes from.
    """
    handover: queue.Queue[list[Record] | _End] = queue.Queue(maxsize=_AHEAD)
    stop = threading.Event()
    thread = threading.Thread(
        target=_produce, args=(records, handover, stop), name="import-reader", daemon=True
    )
    thread.start()
    try:
        while not isinstance(chunk := handover.get(), _End):
            yield from chunk
        if chunk.error is not None:
            raise chunk.error
    finally:
        stop.set()
        _drain(handover)
        thread.join()


def _produce(
    records: Iterator[Record], handover: queue.Queue[list[Record] | _End], stop: threading.Event
) -> None:
    chunk: list[Record] = []
    end = _End()
    try:
        for record in records:
            if type(record[1]) is Event:
                prepare_ahead(record[1])
            chunk.append(record)
            if len(chunk) == _HANDOVER:
                _put(handover, chunk, stop)
                chunk = []
                if stop.is_set():
                    break
    except BaseException as error:  # handed over, and raised by the consumer
        end = _End(error)
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()  # the reader's file, now rather than when collected
    if chunk:
        _put(handover, chunk, stop)  # the records before the end, or before the error
    _put(handover, end, stop)


def _put(handover: queue.Queue[list[Record] | _End], item: list[Record] | _End,
         stop: threading.Event) -> None:  # fmt: skip
    while not stop.is_set():
        try:
            handover.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _drain(handover: queue.Queue[list[Record] | _End]) -> None:
    """Empty the queue so a reader thread blocked on a full one sees ``stop`` and ends."""
    while True:
        try:
            handover.get_nowait()
        except queue.Empty:
            return

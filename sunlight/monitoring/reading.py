"""Read an uploaded log as the rows the store writes, going on past bad records.

The engine's readers (``controls.io``) read the file, in their "report bad records and
continue" mode: each record comes in file order as ``(position, Event)`` or
``(position, LogError)``, so an import reports the bad row and takes the rest. Errors about the
whole file (not a CSV, broken XML, a missing column) still raise ``LogError``.

Each event becomes its ``eventrows.Row`` (key, UTC time, canonical JSON) where it is read, not
where it is stored. Reading, parsing and that per-event work are most of an import's work, and
need no database: for a large file they run in a reader process of their own, on the other
core, while this process does only what needs the database (``read_rows``); a small file is
read on a thread, which costs no process start. Either way the reader runs a bounded distance
ahead of the consumer, hands over errors after the records before them, and stops when the
consumer stops.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import itertools
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from controls import io as controls_io
from controls.io import LogError, Record
from sunlight.monitoring.eventrows import RowMaker, RowRecord

__all__ = ["Record", "RowRecord", "csv_header", "estimate_records", "read_chunks"]

_CHUNK = 1 << 20
# Records handed over per item, and items read ahead: a few thousand records in memory, and
# for a process more than one batch of the store, so the reader never waits for a batch.
_HANDOVER = 1000
_AHEAD = 8
_PROCESS_AHEAD = 24
# How often a reader process checks that its consumer still lives, and a consumer its reader.
_PATIENCE = 0.5
_SWITCH_INTERVAL = 0.0002
_PIPE_BYTES = 1 << 20


def read_chunks(
    path: Path,
    fmt: str,
    columns: Mapping[str, str] | None = None,
    *,
    source_system: str,
    skip: int = 0,
    in_process: bool = False,
) -> Generator[list[RowRecord], None, None]:
    """The records of the log at ``path`` from the ``skip``-th on, in order and in lists of a
    thousand, each event as its row (for ``source_system``); bad records come as ``LogError``.
    Handed over by the list: per record, a hand-over would cost a tenth of storing it.

    ``in_process``: read in a
    reader process (worth its start, a fraction of a second, for tens of thousands of records),
    else on a thread."""
    if fmt not in controls_io.FORMATS:
        raise LogError(path, None, None, f"unknown log format {fmt!r}")
    job = (str(path), fmt, dict(columns or {}), source_system, skip)
    if in_process:
        return _from_process(job)
    return _ahead(_row_records(*job))


def _row_records(
    path: str, fmt: str, columns: dict[str, str], source_system: str, skip: int
) -> Iterator[RowRecord]:
    # A generator: an error opening the file comes out of the first ``next``, on the reader's
    # side, and reaches the consumer like any other error of the reader.
    records = controls_io.read_records(Path(path), fmt, columns or None)
    # Resuming: the records before the checkpoint are committed already; read past them.
    yield from RowMaker(source_system).records(itertools.islice(records, skip, None))


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
    """What a reader hands over last: nothing more, or the error that stopped it."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def _chunks(records: Iterator[RowRecord]) -> Iterator[list[RowRecord] | _End]:
    """The records in lists of ``_HANDOVER``, then the end (with the reader's error, if any,
    after the records read before it)."""
    try:
        while True:
            chunk, error = _next_chunk(records)
            if chunk:
                yield chunk
            if error is not None or len(chunk) < _HANDOVER:
                yield _End(error)
                return
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()  # the reader's file, now rather than when collected


def _next_chunk(records: Iterator[RowRecord]) -> tuple[list[RowRecord], Exception | None]:
    chunk: list[RowRecord] = []
    try:
        chunk.extend(itertools.islice(records, _HANDOVER))
    except Exception as error:  # handed over, and raised by the consumer
        return chunk, error
    return chunk, None


# --- on a thread ------------------------------------------------------------------------------


def _ahead(records: Iterator[RowRecord]) -> Generator[list[RowRecord], None, None]:
    """``records`` in the same order and in lists, read on a thread ahead of the consumer.

    An error of the reader (a ``LogError`` about the whole file) is raised here, in the
    consumer, after the records before it. A consumer that stops early (a crash, a lost lease)
    stops the thread: it must not go on reading a file nobody takes from.
    """
    handover: queue.Queue[list[RowRecord] | _End] = queue.Queue(maxsize=_AHEAD)
    stop = threading.Event()
    thread = threading.Thread(
        target=_produce, args=(records, handover, stop), name="import-reader", daemon=True
    )
    thread.start()
    try:
        yield from _consume(handover.get)
    finally:
        stop.set()
        _drain(handover)
        thread.join()


def _consume(take: Any) -> Iterator[list[RowRecord]]:
    while not isinstance(chunk := take(), _End):
        yield chunk
    if chunk.error is not None:
        raise chunk.error


def _produce(
    records: Iterator[RowRecord],
    handover: queue.Queue[list[RowRecord] | _End],
    stop: threading.Event,
) -> None:
    for item in _chunks(records):
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.1)
                break
            except queue.Full:
                continue
        if stop.is_set():
            return


def _drain(handover: queue.Queue[list[RowRecord] | _End]) -> None:
    """Empty the queue so a reader thread blocked on a full one sees ``stop`` and ends."""
    while True:
        try:
            handover.get_nowait()
        except queue.Empty:
            return


# --- in a process -----------------------------------------------------------------------------


class ReaderDiedError(RuntimeError):
    """The reader process ended without handing over the end of the file."""


def _from_process(job: tuple[Any, ...]) -> Generator[list[RowRecord], None, None]:
    """As ``_ahead``, the reading done by a fresh interpreter (``spawn``: it inherits no
    threads, locks or database connections of this one). It imports no Django."""
    context = multiprocessing.get_context("spawn")
    handover: Any = context.Queue(maxsize=_PROCESS_AHEAD)
    reader = context.Process(
        target=_serve, args=(handover, os.getpid(), job), name="import-reader", daemon=True
    )
    reader.start()
    try:
        yield from _consume(lambda: _take(handover, reader))
    finally:
        if reader.is_alive():
            reader.terminate()  # a consumer that stops early stops the reader
        reader.join()
        handover.close()
        handover.join_thread()


def _take(handover: Any, reader: Any) -> list[RowRecord] | _End:
    while True:
        try:
            item: list[RowRecord] | _End = handover.get(timeout=_PATIENCE)
        except queue.Empty:
            if not reader.is_alive():
                message = f"the import reader stopped (exit code {reader.exitcode})"
                raise ReaderDiedError(message) from None
            continue
        return item


def _serve(handover: Any, consumer: int, job: tuple[Any, ...]) -> None:
    """The reader process: hand over the chunks, blocking while the queue is full."""
    # The queue's feeder thread pickles and sends each chunk while this thread parses the next;
    # at the default switch interval it would wait up to 5 ms for the interpreter lock after
    # each write to the pipe, which throttled the hand-over below the parsing.
    sys.setswitchinterval(_SWITCH_INTERVAL)
    _widen(handover)
    threading.Thread(target=_watch, args=(consumer,), name="consumer-watch", daemon=True).start()
    for item in _chunks(_row_records(*job)):
        # A ``LogError`` crosses as itself; any other error as its description, which always
        # pickles.
        if isinstance(item, _End) and item.error and not isinstance(item.error, LogError):
            item = _End(ReaderDiedError(repr(item.error)))
        handover.put(item)
    handover.close()
    handover.join_thread()


def _widen(handover: Any) -> None:
    """A pipe of a megabyte (Linux) instead of 64 KiB: a chunk goes over in one write."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(handover._writer.fileno(), setsize, _PIPE_BYTES)


def _watch(consumer: int) -> None:
    """End the reader process as soon as its consumer is gone: a killed worker must not leave a
    reader behind, blocked on a full queue or on a pipe nobody reads."""
    while os.getppid() == consumer:
        time.sleep(_PATIENCE)
    os._exit(0)

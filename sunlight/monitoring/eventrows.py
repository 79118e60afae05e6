"""An event as the row the store writes: its natural key and its values, computed without Django.

Everything here is plain Python, so an import can do it in a reader process beside the one that
writes to the database (``reading``): the data's canonical JSON, the time's UTC text and the
natural key are most of the per-event work of storing, and they need no database.

A ``Row`` is a plain tuple (``ROW_FIELDS`` names its places): built once per event in the hot
loop of an import, a tuple costs the least to make and to send between processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
from collections.abc import Iterable, Iterator
from typing import Any

from controls.events import Event
from controls.io import LogError

ROW_FIELDS = (
    "key",
    "case",
    "activity",
    "utc_text",
    "lifecycle",
    "process",
    "resource",
    "post",
    "unit",
    "data",
)
Row = tuple[str, str, str, str, str, str, str, str, str, str]
# Distinct values a ``RowMaker`` keeps one object of, before it starts over.
_SAME_LIMIT = 100_000
# ``(position, Row)`` for a good record, ``(position, LogError)`` for a bad one.
RowRecord = tuple[int | None, Row | LogError]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# One encoder for every event: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
)
# The C encoder ``_ENCODER.encode`` sets up on each call, set up once (the same arguments, less
# the check for circular references that data read from a file cannot have): half the time.
_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_escape = getattr(json.encoder, "c_encode_basestring", None)
_C_ENCODER = (
    _make_encoder(None, _plain, _escape, None, ":", ",", True, False, True)
    if _make_encoder is not None and _escape is not None
    else None
)


def data_json(data: Any) -> str:
    """The event's data as canonical JSON (sorted keys): stored as is and hashed as is."""
    if not data:
        return "{}"
    plain = data if type(data) is dict else dict(data)
    if _C_ENCODER is not None:
        return "".join(_C_ENCODER(plain, 0))
    return _ENCODER.encode(plain)


def natural_key(source_system: str, event: Event) -> str:
    """What makes an event itself: where it came from, the case, what, when, who, and data.

    Post, unit and process are left out on purpose: they describe the officer and the case, and
    a re-export with a corrected unit must not store the same step twice.

    32 hex digits: the event's minute (UTC, 8 digits), then 96 bits of a hash of the rest. The
    minute first keeps the unique index append-mostly: a log comes roughly in time order, so
    its keys land at the index's end instead of on a random page each (at a million events,
    several times fewer pages written). Two events collide only with the same minute and the
    same 96-bit hash.
    """
    return RowMaker(source_system).row(event)[0]


class RowMaker:
    """Rows of one source system's events (the source's part of the hash is computed once)."""

    def __init__(self, source_system: str) -> None:
        self._source = hashlib.blake2b(f"{source_system}\x1f".encode(), digest_size=12)
        # One object per distinct activity, officer, post, unit, process and lifecycle: a row
        # sent to another process then names a repeated value by reference (a tenth of the
        # bytes to pickle and unpickle), and the store's look-ups hash each object once.
        self._same: dict[str, str] = {}

    def row(self, event: Event) -> Row:
        """The event's key and values. The time's UTC text is the one Django writes on SQLite
        (``2026-01-05 01:00:17``, with ``.ffffff`` when there are microseconds), cut from the
        ISO text the key hashes."""
        data = data_json(event.data)
        when = event.time
        stamp = when.astimezone(dt.UTC).isoformat()
        digest = self._source.copy()
        digest.update(
            "\x1f".join(
                (event.case, event.activity, stamp, event.resource, event.lifecycle, data)
            ).encode()
        )
        minute = int(when.timestamp()) // 60 & 0xFFFFFFFF
        same = self._same
        if len(same) > _SAME_LIMIT:
            same.clear()
        one = same.setdefault
        return (
            "%08x%s" % (minute, digest.hexdigest()),  # noqa: UP031  (the fastest way to say it)
            event.case,
            one(event.activity, event.activity),
            stamp[:10] + " " + stamp[11:-6],
            one(event.lifecycle, event.lifecycle),
            one(event.process, event.process),
            one(event.resource, event.resource),
            one(event.post, event.post),
            one(event.unit, event.unit),
            data,
        )

    def records(
        self, records: Iterable[tuple[int | None, Event | LogError]]
    ) -> Iterator[RowRecord]:
        """Each event record as its row; a bad record's error passes through."""
        row = self.row
        for position, item in records:
            yield (position, row(item) if isinstance(item, Event) else item)


def utc_datetime(utc_text: str) -> dt.datetime:
    """The aware time a row's UTC text stands for."""
    return dt.datetime.fromisoformat(utc_text).replace(tzinfo=dt.UTC)

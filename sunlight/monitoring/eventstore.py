"""Storing events: the natural key, the mapping step, and insert-or-ignore in bulk.

Called only from ``actions`` inside their transaction; nothing here opens one. The insert is
plain SQL (``INSERT … ON CONFLICT DO NOTHING RETURNING key``, the same text on SQLite and
PostgreSQL) because it must say which events were new, item by item, for the push API and the
counts; ``bulk_create(ignore_conflicts=True)`` cannot tell. It is also several times faster
than building a model instance per event, which matters at a million events per import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from controls.events import Event
from sunlight.monitoring.models import Case, MappingKind, TraceEvent, ValueMapping
from sunlight.org.models import Post, PowerItem, Staff, Unit

# Unmatched values kept per kind on a job or batch: enough to act on, bounded in size.
UNKNOWN_LIMIT = 200


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def data_json(data: Any) -> str:
    """The event's data as canonical JSON (sorted keys): stored as is and hashed as is."""
    return json.dumps(
        dict(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    )


def natural_key(source_system: str, event: Event, data: str) -> str:
    """What makes an event itself: where it came from, the case, what, when, who, and data.

    Post, unit and process are left out on purpose: they describe the officer and the case, and
    a re-export with a corrected unit must not store the same step twice.
    """
    parts = (
        source_system,
        event.case,
        event.activity,
        event.time.astimezone(dt.UTC).isoformat(),
        event.resource,
        event.lifecycle,
        data,
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _unique_by(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """name → id for names that occur once; an ambiguous name must be mapped by a person."""
    seen: dict[str, int] = {}
    ambiguous: set[str] = set()
    for name, pk in rows:
        if name in seen:
            ambiguous.add(name)
        seen[name] = pk
    return {name: pk for name, pk in seen.items() if name not in ambiguous}


class Resolver:
    """Source values → organisation records: a person's mapping first, then the catalogue's
    code (staff number, post code, unit code, power code), then a name that is unambiguous."""

    def __init__(self) -> None:
        mapped: dict[str, dict[str, int | None]] = {kind: {} for kind in MappingKind.values}
        for mapping in ValueMapping.objects.all():
            mapped[mapping.kind][mapping.value] = mapping.target_id
        self.mapped = mapped
        self.codes: dict[str, dict[str, int]] = {
            MappingKind.STAFF: dict(Staff.objects.values_list("staff_no", "pk")),
            MappingKind.POST: dict(Post.objects.values_list("code", "pk")),
            MappingKind.UNIT: dict(Unit.objects.values_list("code", "pk")),
            MappingKind.PROCESS: dict(PowerItem.objects.values_list("code", "pk")),
        }
        self.names: dict[str, dict[str, int]] = {
            MappingKind.STAFF: _unique_by(Staff.objects.values_list("name", "pk")),
            MappingKind.POST: _unique_by(Post.objects.values_list("name", "pk")),
            MappingKind.UNIT: _unique_by(Unit.objects.values_list("name", "pk")),
            MappingKind.PROCESS: _unique_by(PowerItem.objects.values_list("name", "pk")),
        }
        # Post names repeat across units (every branch has a 税源管理员): the unit decides.
        self.post_in_unit = {
            (unit_id, name): pk
            for name, unit_id, pk in Post.objects.values_list("name", "unit_id", "pk")
        }
        self.staff_unit = dict(Staff.objects.values_list("pk", "unit_id"))
        self.post_unit = dict(Post.objects.values_list("pk", "unit_id"))

    def find(self, kind: str, value: str) -> int | None:
        if not value:
            return None
        if value in self.mapped[kind]:
            return self.mapped[kind][value]
        return self.codes[kind].get(value) or self.names[kind].get(value)

    def post(self, value: str, unit_id: int | None) -> int | None:
        found = self.find(MappingKind.POST, value)
        if found is None and unit_id is not None:
            found = self.post_in_unit.get((unit_id, value))
        return found


@dataclass
class Resolved:
    """The organisation ids of one event, and the source values that matched nothing."""

    staff: int | None
    post: int | None
    unit: int | None
    unknown: list[tuple[str, str]]


@dataclass
class Batch:
    """What storing a batch did: per item ``stored`` / ``duplicate``, and the unmatched values."""

    statuses: list[str]
    unknowns: dict[str, set[str]] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.statuses.count("stored")

    @property
    def duplicates(self) -> int:
        return self.statuses.count("duplicate")


def resolve(resolver: Resolver, event: Event) -> Resolved:
    unknown: list[tuple[str, str]] = []
    staff = _lookup(resolver, MappingKind.STAFF, event.resource, unknown)
    unit = _lookup(resolver, MappingKind.UNIT, event.unit, unknown)
    # The process is kept on the case; here it is only checked, so an unknown one is listed.
    _lookup(resolver, MappingKind.PROCESS, event.process, unknown)
    post = resolver.post(event.post, unit)
    if post is None and event.post:
        unknown.append((MappingKind.POST, event.post))
    if unit is None and not event.unit:
        # A source that names no unit: the officer's unit, else the post's, places the event.
        unit = resolver.staff_unit.get(staff or 0) or resolver.post_unit.get(post or 0)
    return Resolved(staff, post, unit, unknown)


def _lookup(
    resolver: Resolver, kind: str, value: str, unknown: list[tuple[str, str]]
) -> int | None:
    found = resolver.find(kind, value)
    if found is None and value:
        unknown.append((kind, value))
    return found


_EVENT_COLUMNS = (
    "key",
    "case_id",
    "activity",
    "time",
    "lifecycle",
    "source_process",
    "source_resource",
    "source_post",
    "source_unit",
    "data",
    "staff_id",
    "post_id",
    "unit_id",
    "import_job_id",
    "push_batch_id",
    "position",
)


def store_events(
    *,
    source_system: str,
    events: Sequence[tuple[int | None, Event]],
    resolver: Resolver,
    import_job_id: int | None = None,
    push_batch_id: int | None = None,
) -> Batch:
    """Store ``(position, event)`` pairs; each is ``stored`` or a ``duplicate`` of a stored one."""
    cases = _case_ids(source_system, [event for _, event in events], resolver)
    adapt_time = connection.ops.adapt_datetimefield_value
    keys: list[str] = []
    rows: list[tuple[Any, ...]] = []
    unknowns: dict[str, set[str]] = {}
    for position, event in events:
        data = data_json(event.data)
        key = natural_key(source_system, event, data)
        keys.append(key)
        found = resolve(resolver, event)
        for kind, value in found.unknown:
            unknowns.setdefault(kind, set()).add(value)
        rows.append((
            key, cases[event.case], event.activity, adapt_time(event.time), event.lifecycle,
            event.process, event.resource, event.post, event.unit, data,
            found.staff, found.post, found.unit, import_job_id, push_batch_id, position,
        ))  # fmt: skip
    new = _insert_returning(TraceEvent._meta.db_table, _EVENT_COLUMNS, rows, "key")
    return Batch(_statuses(keys, new), unknowns)


def _statuses(keys: list[str], new: set[str]) -> list[str]:
    """The first occurrence of a newly inserted key was stored; every other one is a duplicate."""
    statuses = []
    for key in keys:
        if key in new:
            statuses.append("stored")
            new.discard(key)
        else:
            statuses.append("duplicate")
    return statuses


def _case_ids(source_system: str, events: list[Event], resolver: Resolver) -> dict[str, int]:
    first: dict[str, Event] = {}
    for event in events:
        first.setdefault(event.case, event)
    rows = [
        (source_system, case, event.process, resolver.find(MappingKind.PROCESS, event.process))
        for case, event in first.items()
    ]
    table = Case._meta.db_table
    _insert_returning(table, ("source_system", "external_id", "process", "power_item_id"), rows)
    found: dict[str, int] = {}
    names = list(first)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        found.update(
            Case.objects.filter(source_system=source_system, external_id__in=chunk).values_list(
                "external_id", "pk"
            )
        )
    return found


def _insert_returning(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], returning: str | None = None
) -> set[str]:
    """``INSERT … ON CONFLICT DO NOTHING`` in statements as large as the database allows;
    the ``returning`` column of the rows actually inserted."""
    if not rows:
        return set()
    quote = connection.ops.quote_name
    limit = min(connection.features.max_query_params or 65535, 65535)
    per_statement = max(limit // len(columns), 1)
    # Only quoted model names are interpolated; every value is a parameter.
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "  # noqa: S608
    tail = " ON CONFLICT DO NOTHING" + (f" RETURNING {quote(returning)}" if returning else "")
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                inserted.update(value for (value,) in cursor.fetchall())
    return inserted


def merge_unknowns(current: dict[str, list[str]], new: dict[str, set[str]]) -> dict[str, list[str]]:
    """Add newly unmatched values to a job's or batch's list, up to ``UNKNOWN_LIMIT`` per kind."""
    merged = {kind: list(values) for kind, values in current.items()}
    for kind, values in new.items():
        known = merged.setdefault(kind, [])
        room = UNKNOWN_LIMIT - len(known)
        if room > 0:
            known.extend(sorted(values - set(known))[:room])
    return merged

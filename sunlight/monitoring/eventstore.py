"""Storing events: the natural key, the mapping step, and insert-or-ignore in bulk.

Called only from ``actions`` inside their transaction; nothing here commits. The insert is
plain SQL because it must say which events were new, item by item (the push API answers per
item, and the new events' cases are marked for the rules); ``bulk_create(ignore_conflicts=True)``
cannot tell, and building a model instance per event would cost more than storing it.

- SQLite: one ``executemany`` of ``INSERT … ON CONFLICT DO NOTHING`` per batch; the rows it
  added are those with an id above the largest before it (the batch holds the write lock, and
  ids only grow), read back by key.
- PostgreSQL: the batch's keys already stored are looked up, and the new rows go in by
  ``COPY`` (the bulk speed); should another writer store one of them in between, the batch
  goes by ``COPY`` into a temporary table and ``INSERT … SELECT … ON CONFLICT DO NOTHING
  RETURNING`` instead (the idempotence of the key, whatever happens meanwhile).

An event comes as its ``eventrows.Row`` (key, UTC time, canonical JSON), made where it was
read: for an import, in the reader (``reading``). Here each row only gets its ids: officers,
posts and units are resolved once per distinct combination, cases once per run (see
``Resolver``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from controls.events import Event
from sunlight.monitoring.eventrows import Row, RowMaker, utc_datetime
from sunlight.monitoring.models import Case, MappingKind, TraceEvent, ValueMapping
from sunlight.org.models import Post, PowerItem, Staff, Unit

# Unmatched values kept per kind on a job or batch: enough to act on, bounded in size.
UNKNOWN_LIMIT = 200
# Combinations of officer, post, unit and process a resolver remembers before it starts over.
PLACED_MEMORY = 100_000
# Cases whose ids a resolver remembers before it starts over (about 100 bytes each).
CASE_MEMORY = 1_000_000
# SQLite, for the connection that stores events: a page cache that holds the key and timeline
# indexes of a million events instead of re-reading them for every batch (the default is 2 MB),
# and a checkpoint of the write-ahead log every 160 MB instead of every 4 MB, so an index page
# that each batch touches is copied into the database once per forty batches or so, not per
# batch (at a million events, a fifth of the import's time).
SQLITE_PRAGMAS = ("PRAGMA cache_size = -131072", "PRAGMA wal_autocheckpoint = 40000")


def _unique_by(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """name → id for names that occur once; an ambiguous name must be mapped by a person."""
    seen: dict[str, int] = {}
    ambiguous: set[str] = set()
    for name, pk in rows:
        if name in seen:
            ambiguous.add(name)
        seen[name] = pk
    return {name: pk for name, pk in seen.items() if name not in ambiguous}


@dataclass
class Resolved:
    """The organisation ids of one event, and the source values that matched nothing."""

    staff: int | None
    post: int | None
    unit: int | None
    unknown: list[tuple[str, str]]


class Resolver:
    """Source values → organisation records: a person's mapping first, then the catalogue's
    code (staff number, post code, unit code, power code), then a name that is unambiguous.

    A snapshot for one run (an import's or a push's): it also remembers what it resolved, per
    combination of officer, post, unit and process, and the ids of the cases it has seen
    committed.
    """

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
        # An export names a few hundred officers, posts and units: each combination once.
        self.placed: dict[tuple[str, str, str, str], Resolved] = {}
        self.cases: dict[str, dict[str, int]] = {}
        # PostgreSQL: whether the run's last batch met keys already stored (see
        # ``_insert_postgresql``).
        self.meets_stored_keys = False

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

    def place(self, found: tuple[str, str, str, str]) -> Resolved:
        """``resolve(self, found)``, remembered for each officer, post, unit and process."""
        placed = self.placed.get(found)
        if placed is None:
            if len(self.placed) >= PLACED_MEMORY:
                self.placed.clear()
            placed = self.placed[found] = resolve(self, found)
        return placed

    def remember_cases(self, source_system: str, ids: dict[str, int]) -> None:
        known = self.cases.setdefault(source_system, {})
        if len(known) + len(ids) > CASE_MEMORY:
            known.clear()
        known.update(ids)


@dataclass
class Batch:
    """What storing a batch did: per item ``stored`` / ``duplicate``, the unmatched values, and
    the ids of the cases that got a new event."""

    statuses: list[str]
    unknowns: dict[str, set[str]] = field(default_factory=dict)
    stored_cases: set[int] = field(default_factory=set)

    @property
    def stored(self) -> int:
        return self.statuses.count("stored")

    @property
    def duplicates(self) -> int:
        return self.statuses.count("duplicate")


def resolve(resolver: Resolver, found: tuple[str, str, str, str]) -> Resolved:
    """The ids of an event's ``(officer, post, unit, process)`` as the source names them."""
    resource, post_name, unit_name, process = found
    unknown: list[tuple[str, str]] = []
    staff = _lookup(resolver, MappingKind.STAFF, resource, unknown)
    unit = _lookup(resolver, MappingKind.UNIT, unit_name, unknown)
    # The process is kept on the case; here it is only checked, so an unknown one is listed.
    _lookup(resolver, MappingKind.PROCESS, process, unknown)
    post = resolver.post(post_name, unit)
    if post is None and post_name:
        unknown.append((MappingKind.POST, post_name))
    if unit is None and not unit_name:
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
    """Store ``(position, event)`` pairs (see ``store_rows``)."""
    row = RowMaker(source_system).row
    return store_rows(
        events=[(position, row(event)) for position, event in events],
        resolver=resolver,
        source_system=source_system,
        import_job_id=import_job_id,
        push_batch_id=push_batch_id,
    )


def store_rows(
    *,
    source_system: str,
    events: Sequence[tuple[int | None, Row]],
    resolver: Resolver,
    import_job_id: int | None = None,
    push_batch_id: int | None = None,
) -> Batch:
    """Store ``(position, row)`` pairs of ``source_system``'s events; each is ``stored`` or a
    ``duplicate`` of a stored one (stored before, or earlier in the same batch)."""
    if not events:
        return Batch([])
    with transaction.atomic(savepoint=False):
        cases = _case_ids(source_system, events, resolver)
        keys, rows, unknowns = _rows(events, cases, resolver, (import_job_id, push_batch_id))
        if connection.vendor == "postgresql":
            new = _insert_postgresql(rows, resolver)
        else:
            new = _insert_sqlite(rows)
    return Batch(_statuses(keys, set(new)), unknowns, set(new.values()))


def _rows(
    events: Sequence[tuple[int | None, Row]],
    cases: dict[str, int],
    resolver: Resolver,
    origin: tuple[int | None, int | None],
) -> tuple[list[str], list[tuple[Any, ...]], dict[str, set[str]]]:
    """Every event's key, the rows to insert (a key repeated in the batch only once), and the
    source values that matched nothing.

    The hot loop of an import, so ``Resolver.place``'s remembering is written out here.
    """
    time_of = _time_value()
    placed = resolver.placed
    place = resolver.place
    keys: list[str] = []
    rows: list[tuple[Any, ...]] = []
    unknowns: dict[str, set[str]] = {}
    seen: set[str] = set()
    for position, row in events:
        key, case, activity, utc_text, lifecycle, process, resource, post, unit, data = row
        keys.append(key)
        if key in seen:
            continue
        seen.add(key)
        found = (resource, post, unit, process)
        ids = placed.get(found) or place(found)
        if ids.unknown:
            for kind, value in ids.unknown:
                unknowns.setdefault(kind, set()).add(value)
        rows.append((
            key, cases[case], activity, time_of(utc_text) if time_of else utc_text, lifecycle,
            process, resource, post, unit, data, ids.staff, ids.post, ids.unit, *origin,
            position,
        ))  # fmt: skip
    return keys, rows, unknowns


def _time_value() -> Any:
    """How a row's UTC text goes into the time column: ``None`` when as it is (SQLite, whose
    Django connection speaks UTC: the text is what Django writes), else a function of it."""
    if connection.vendor == "postgresql":
        return _postgresql_time
    if settings.USE_TZ and connection.timezone_name == "UTC":
        return None
    adapt = connection.ops.adapt_datetimefield_value
    return lambda utc_text: adapt(utc_datetime(utc_text))


def _postgresql_time(utc_text: str) -> str:
    # COPY reads the text as ``timestamptz``; the offset says it is UTC, whatever the session.
    return utc_text + "+00"


def _statuses(keys: list[str], new: set[str]) -> list[str]:
    """The first occurrence of a newly inserted key was stored; every other one is a duplicate."""
    if len(new) == len(keys):
        return ["stored"] * len(keys)  # as many new keys as items: each item stored once
    statuses = []
    for key in keys:
        if key in new:
            statuses.append("stored")
            new.discard(key)
        else:
            statuses.append("duplicate")
    return statuses


def _insert_sqlite(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Insert-or-ignore the rows; key → case id of those inserted."""
    table, columns = _names(TraceEvent._meta.db_table, _EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    with connection.cursor() as cursor:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608  (quoted model names only)
        (last,) = cursor.fetchone()
        insert = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
        cursor.executemany(insert, rows)
        # Every row inserted (a fresh import: the usual case): the rows are the answer, and
        # reading ten thousand keys back would cost a tenth of the insert. ``rowcount`` sums
        # the rows each statement inserted itself; one skipped by ON CONFLICT counts none.
        if cursor.rowcount == len(rows):
            return {row[0]: row[1] for row in rows}
        # Ids only grow (AUTOINCREMENT) and this transaction holds the write lock: every row
        # above the old largest id is one of this batch's.
        cursor.execute(f"SELECT key, case_id FROM {table} WHERE id > %s", [last or 0])  # noqa: S608
        return dict(cursor.fetchall())


def _insert_postgresql(rows: list[tuple[Any, ...]], resolver: Resolver) -> dict[str, int]:
    """Store the rows whose keys are new; key → case id of those inserted.

    The new rows go in by ``COPY`` straight into the event table, which the server indexes
    while the rows still arrive. A new file's batches are copied at once. A batch that meets a
    stored key (a file imported again, a re-export that overlaps) makes the COPY fail on the
    unique key; from then on the run looks the batch's stored keys up first and copies only the
    others, until a batch finds none stored. A writer that stores one of the same keys between
    the look-up and the COPY makes that COPY fail too: then the batch goes the slower way that
    cannot conflict (``_insert_loaded``).
    """
    if not resolver.meets_stored_keys:
        if _copied(rows):
            return {row[0]: row[1] for row in rows}
        resolver.meets_stored_keys = True
    stored = _stored_keys([row[0] for row in rows])
    resolver.meets_stored_keys = bool(stored)
    fresh = [row for row in rows if row[0] not in stored]
    if not fresh:
        return {}
    if not _copied(fresh):
        return _insert_loaded(rows)
    return {row[0]: row[1] for row in fresh}


def _copied(rows: list[tuple[Any, ...]]) -> bool:
    """COPY the rows in a savepoint; ``False`` (and nothing stored) if a key was stored."""
    try:
        with transaction.atomic():  # a savepoint: a failed COPY leaves the batch usable
            _copy(rows)
    except IntegrityError:
        return False
    return True


def _stored_keys(keys: list[str]) -> set[str]:
    table = connection.ops.quote_name(TraceEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key FROM {table} WHERE key IN (SELECT json_array_elements_text(%s::json))",  # noqa: S608
            [json_array(keys)],
        )
        return {key for (key,) in cursor.fetchall()}


def json_array(values: list[Any]) -> str:
    """A list sent to PostgreSQL as one JSON text (``json_array_elements…`` reads it there):
    ten thousand values as a Python list parameter cost more to send than the rows they find.
    """
    return json.dumps(values, ensure_ascii=False)


def _copy(rows: list[tuple[Any, ...]]) -> None:
    table, columns = _names(TraceEvent._meta.db_table, _EVENT_COLUMNS)
    # The raw cursor's COPY: its errors become Django's (``IntegrityError``) here.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


_LOAD = "sunlight_event_load"


def _insert_loaded(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """COPY the rows into a temporary table, then insert-or-ignore them from there; key → case
    id of those inserted."""
    table, columns = _names(TraceEvent._meta.db_table, _EVENT_COLUMNS)
    with connection.cursor() as cursor:
        # Without constraints or indexes: a plain heap that COPY fills at full speed. Dropped
        # at the end here, and by the rollback or commit on any other way out.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_LOAD} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {_LOAD} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_LOAD} "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING key, case_id"
        )
        inserted = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {_LOAD}")
    return inserted


def _names(table: str, columns: Sequence[str]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(table), ", ".join(map(quote, columns))


def _case_ids(
    source_system: str, events: Sequence[tuple[int | None, Row]], resolver: Resolver
) -> dict[str, int]:
    """Case number → id for every case of the batch; new cases are created (the first event
    of a case in the batch names its process)."""
    known = resolver.cases.get(source_system, {})
    # Comprehensions, not a loop with tests: this runs for every event of an import.
    first_process = {row[1]: row[5] for _, row in reversed(events)}
    in_order = dict.fromkeys([row[1] for _, row in events])  # as the file names them
    found = {case: known[case] for case in in_order if case in known}
    missing = {case: first_process[case] for case in in_order if case not in known}
    if missing:
        fresh = _create_cases(source_system, missing, resolver)
        found.update(fresh)
        # Remembered once committed: after a rollback the ids would name nothing.
        transaction.on_commit(lambda: resolver.remember_cases(source_system, fresh))
    return found


def _create_cases(
    source_system: str, missing: dict[str, str], resolver: Resolver
) -> dict[str, int]:
    kind = MappingKind.PROCESS
    rows = [
        (source_system, case, process, resolver.find(kind, process))
        for case, process in missing.items()
    ]
    if connection.vendor == "postgresql":
        return _create_cases_postgresql(source_system, rows)
    columns = ("source_system", "external_id", "process", "power_item_id")
    created = _insert_returning(Case._meta.db_table, columns, rows, ("external_id", "id"))
    ids: dict[str, int] = dict(created)
    # Cases that existed already (an earlier import, another source file) are looked up.
    others = [case for case in missing if case not in ids]
    step = _params_per_statement(1) - 1
    for start in range(0, len(others), step):
        ids.update(
            Case.objects.filter(
                source_system=source_system, external_id__in=others[start : start + step]
            ).values_list("external_id", "pk")
        )
    return ids


def _create_cases_postgresql(source_system: str, rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """As ``_create_cases``, the rows sent as one JSON array (see ``json_array``)."""
    table = connection.ops.quote_name(Case._meta.db_table)
    names = [row[1] for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source_system, external_id, process, power_item_id) "  # noqa: S608
            "SELECT %s, row->>0, row->>1, (row->>2)::bigint "
            "FROM json_array_elements(%s::json) AS row "
            "ON CONFLICT DO NOTHING RETURNING external_id, id",
            [source_system, json_array([row[1:] for row in rows])],
        )
        ids: dict[str, int] = dict(cursor.fetchall())
        others = [name for name in names if name not in ids]
        if others:
            cursor.execute(
                f"SELECT external_id, id FROM {table} "  # noqa: S608
                "WHERE source_system = %s "
                "AND external_id IN (SELECT json_array_elements_text(%s::json))",
                [source_system, json_array(others)],
            )
            ids.update(cursor.fetchall())
    return ids


def _params_per_statement(width: int) -> int:
    """Rows of ``width`` values that fit the database's limit on parameters per statement."""
    limit = min(connection.features.max_query_params or 65535, 65535)
    return max(limit // width, 1)


def _insert_returning(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING`` in statements as large as the database
    allows; the ``returning`` columns of the rows actually inserted."""
    name, names = _names(table, columns)
    per_statement = _params_per_statement(len(columns))
    # Only quoted model names are interpolated; every value is a parameter.
    head = f"INSERT INTO {name} ({names}) VALUES "  # noqa: S608
    tail = " ON CONFLICT DO NOTHING RETURNING " + ", ".join(
        map(connection.ops.quote_name, returning)
    )
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    inserted: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            inserted.extend(cursor.fetchall())
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

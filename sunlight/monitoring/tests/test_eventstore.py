"""The event store's fast paths give what the plain definitions give: keys, times, statuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from django.db import connection

from controls.events import Event
from controls.io import LogError
from sunlight.core.testing import World
from sunlight.monitoring import actions, eventrows, eventstore, reading
from sunlight.monitoring.models import Case, TraceEvent
from sunlight.monitoring.tests.logs import csv_text, upload

CST = dt.timezone(dt.timedelta(hours=8))


def _event(case: str, minute: int, **more: Any) -> Event:
    when = dt.datetime(2026, 3, 2, 9, minute, tzinfo=CST)
    return Event(case, "受理", when, "S-A", "PA1", "A1", "减免税审批", **more)


def _store(events: list[Event], source: str = "default") -> eventstore.Batch:
    return eventstore.store_events(
        source_system=source,
        events=list(enumerate(events)),
        resolver=eventstore.Resolver(),
    )


def test_a_stored_key_is_the_natural_key_of_its_event(world: World) -> None:
    event = _event(
        "K1", 5, data={"amount": 12000.5, "party": "纳税人", "when": dt.date(2026, 3, 1)}
    )
    _store([event], source="tax")

    key = TraceEvent.objects.get().key
    data = eventrows.data_json(event.data)
    assert data == '{"amount":12000.5,"party":"纳税人","when":"2026-03-01"}'
    assert key == eventrows.natural_key("tax", event)
    # The minute first (UTC, hex), so a log in time order fills the index at its end; then
    # the hash of the source, case, activity, UTC time, officer, lifecycle and data.
    parts = ("tax", "K1", "受理", "2026-03-02T01:05:00+00:00", "S-A", "complete", data)
    hashed = "\x1f".join(parts)
    digest = hashlib.blake2b(hashed.encode(), digest_size=12).hexdigest()
    assert key == f"{int(event.time.timestamp()) // 60:08x}{digest}"


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 3, 2, 9, 30, tzinfo=CST),
        dt.datetime(2026, 3, 2, 0, 30, 5, 123456, tzinfo=CST),
        dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
def test_times_come_back_as_stored_whatever_their_offset(world: World, when: dt.datetime) -> None:
    _store([Event("T1", "受理", when)])

    assert TraceEvent.objects.get().time == when


def test_a_key_repeated_in_one_batch_is_stored_once_the_first_time(world: World) -> None:
    first, other = _event("D1", 1), _event("D1", 2)
    batch = _store([first, other, first])

    assert batch.statuses == ["stored", "stored", "duplicate"]
    assert list(TraceEvent.objects.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
    ]
    assert batch.stored_cases == {Case.objects.get(external_id="D1").pk}


def test_storing_again_stores_nothing_and_names_no_case(world: World) -> None:
    events = [_event("A", 1), _event("B", 2)]
    _store(events)

    again = _store([*events, _event("C", 3)])

    assert again.statuses == ["duplicate", "duplicate", "stored"]
    assert again.stored_cases == {Case.objects.get(external_id="C").pk}
    assert TraceEvent.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_a_key_stored_by_another_writer_after_the_look_up_is_not_stored_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [_event("R1", 1), _event("R2", 2)]
    _store(events[:1])
    # As if the other writer committed between the look-up and the COPY: the look-up saw
    # nothing, the COPY meets the unique key, and the batch goes the way that cannot conflict.
    monkeypatch.setattr(eventstore, "_stored_keys", lambda keys: set())

    batch = _store(events)

    assert batch.statuses == ["duplicate", "stored"]
    assert TraceEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_a_run_looks_stored_keys_up_only_while_its_batches_meet_them(world: World) -> None:
    resolver = eventstore.Resolver()

    def store(*events: Event) -> list[str]:
        batch = eventstore.store_events(
            source_system="default", events=list(enumerate(events)), resolver=resolver
        )
        return batch.statuses

    assert store(_event("M1", 1)) == ["stored"]
    assert not resolver.meets_stored_keys  # copied at once
    assert store(_event("M1", 1), _event("M2", 2)) == ["duplicate", "stored"]
    assert resolver.meets_stored_keys  # the COPY met M1: the next batch looks up first
    assert store(_event("M3", 3)) == ["stored"]
    assert not resolver.meets_stored_keys  # none stored: back to copying at once
    assert TraceEvent.objects.count() == 3


def test_an_import_reads_ahead_and_stores_every_event_in_file_order(world: World) -> None:
    job = actions.import_job_create(by=world.user("office"), upload=upload("a.csv", csv_text(900)))

    actions.import_job_run(job.pk, batch_size=700)

    positions = list(TraceEvent.objects.order_by("id").values_list("position", flat=True))
    assert positions == list(range(2, 3602))


def _records(count: int, then: BaseException | None = None) -> Iterator[eventrows.RowRecord]:
    row = eventrows.RowMaker("default").row
    for number in range(count):
        yield number, row(_event(f"C{number}", 0))
    if then is not None:
        raise then


def test_reading_ahead_gives_the_records_in_order_then_the_readers_error() -> None:
    broken = LogError(Path("x.csv"), None, None, "not a valid CSV file")
    seen: list[int | None] = []

    def consume() -> None:
        for chunk in reading._ahead(_records(2500, then=broken)):
            seen.extend(number for number, _ in chunk)

    with pytest.raises(LogError, match="not a valid CSV file"):
        consume()
    assert seen == list(range(2500))


def test_a_consumer_that_stops_early_stops_the_reader_thread() -> None:
    before = {thread.ident for thread in threading.enumerate()}
    records = reading._ahead(_records(100_000))

    assert next(records)[0][0] == 0
    records.close()

    assert {thread.ident for thread in threading.enumerate()} <= before


@pytest.mark.parametrize(
    "data",
    [
        {"b": 1, "a": "纳税人"},
        {"amount": 1e16, "rate": 0.1, "nested": {"z": [1, None, True], "a": "x"}},
        MappingProxyType({"when": dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST), "n": Decimal("1.5")}),
        {},
    ],
)
def test_the_data_json_is_the_canonical_json_of_the_data(data: Any) -> None:
    canonical = json.dumps(
        dict(data),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=lambda value: value.isoformat() if hasattr(value, "isoformat") else str(value),
    )

    assert eventrows.data_json(data) == canonical

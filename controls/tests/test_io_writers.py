"""Writers: what is written and read back is the same log, in every format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controls.events import EMPTY, Event
from controls.io import read_log, write_csv, write_jsonl, write_xes

SHANGHAI = ZoneInfo("Asia/Shanghai")
CST = dt.timezone(dt.timedelta(hours=8))

LOG = [
    Event(
        "A-001",
        "受理",
        dt.datetime(2026, 9, 25, 9, 0, 0, 123000, tzinfo=CST),
        "S017",
        "受理岗",
        "第一分局",
        "减免税审批",
        data={"case:channel": "窗口", "金额": 12000, "rate": 0.5, "note": 'a "quoted" <b> & c'},
        index=0,
    ),
    Event(
        "A-001",
        "审核",
        dt.datetime(2026, 9, 28, 10, 15, tzinfo=SHANGHAI),
        "S020",
        "审核岗",
        "第一分局",
        "减免税审批",
        lifecycle="start",
        data={"case:channel": "窗口", "金额": 12000, "text": "line one\nline two,\ttabbed"},
        index=1,
    ),
    Event(
        "B-7", "受理", dt.datetime(2026, 10, 10, 8, 30, tzinfo=dt.UTC), process="行政处罚", index=2
    ),
    Event(
        "A-001",
        "批准",
        dt.datetime(2026, 10, 12, 16, 0, tzinfo=CST),
        "S001",
        data={"case:channel": "网上"},
        index=3,
    ),
]

WRITERS: list[tuple[str, Callable[[Iterable[Event], Path], int]]] = [
    ("log.xes", write_xes),
    ("log.xes.gz", write_xes),
    ("log.csv", write_csv),
    ("log.csv.gz", write_csv),
    ("log.jsonl", write_jsonl),
    ("log.jsonl.gz", write_jsonl),
]


@pytest.mark.parametrize(("name", "write"), WRITERS)
def test_round_trip(
    tmp_path: Path, name: str, write: Callable[[Iterable[Event], Path], int]
) -> None:
    path = tmp_path / name
    assert write(LOG, path) == len(LOG)
    assert list(read_log(path)) == LOG


def test_xes_typed_data_round_trip(tmp_path: Path) -> None:
    event = Event(
        "c",
        "a",
        dt.datetime(2026, 1, 5, 9, tzinfo=CST),
        data={
            "flag": False,
            "when": dt.datetime(2026, 1, 4, 18, tzinfo=CST),
            "big": 12345678901234,
            "ratio": 1e-7,
            "skip": None,
        },
        index=0,
    )
    path = tmp_path / "typed.xes"
    write_xes([event], path)
    (back,) = read_log(path)
    assert dict(back.data) == {
        "flag": False,
        "when": dt.datetime(2026, 1, 4, 18, tzinfo=CST),
        "big": 12345678901234,
        "ratio": 1e-7,
    }


def test_csv_in_gbk_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    write_csv(LOG, path, encoding="gbk")
    assert "受理".encode("gbk") in path.read_bytes()
    assert list(read_log(path)) == LOG


def test_csv_from_a_stream_uses_the_first_events_keys(tmp_path: Path) -> None:
    def stream() -> Iterator[Event]:
        yield from LOG

    with pytest.raises(ValueError, match="data not in the columns: text"):
        write_csv(stream(), tmp_path / "log.csv")
    columns = ["case:channel", "金额", "rate", "note", "text"]
    write_csv(stream(), tmp_path / "log.csv", data_columns=columns)
    assert list(read_log(tmp_path / "log.csv")) == LOG


@pytest.mark.parametrize(
    ("write", "data", "words"),
    [
        (write_xes, {"concept:name": "x"}, "read back as an event field"),
        (write_xes, {"note": "bell\x07"}, "control characters"),
        (write_csv, {"time:timestamp": "x"}, "clash"),
    ],
)
def test_writers_refuse_what_cannot_come_back(
    tmp_path: Path, write: Callable[..., int], data: dict[str, Any], words: str
) -> None:
    event = Event("c", "a", dt.datetime(2026, 1, 5, tzinfo=CST), data=data)
    with pytest.raises(ValueError, match=words):
        write([event], tmp_path / "out")


def _many(count: int) -> Iterator[Event]:
    start = dt.datetime(2026, 1, 5, 9, tzinfo=CST)
    for number in range(count):
        yield Event(
            f"C{number // 5}",
            f"step {number % 5}",
            start + dt.timedelta(minutes=number),
            f"S{number % 7:03d}",
            data={"n": number},
            index=number,
        )


@pytest.mark.parametrize(("name", "write"), WRITERS)
def test_streams_a_generated_log(
    tmp_path: Path, name: str, write: Callable[[Iterable[Event], Path], int]
) -> None:
    path = tmp_path / name
    assert write(_many(2000), path) == 2000
    assert list(read_log(path)) == list(_many(2000))


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
).filter(lambda s: s.strip() == s)
stamps = st.datetimes(
    # Hypothesis takes naive bounds and attaches the zone itself.
    min_value=dt.datetime(2004, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(CST),
)
events = st.lists(
    st.builds(
        Event,
        case=text,
        activity=text,
        time=stamps,
        resource=text | st.just(""),
        data=st.dictionaries(
            st.sampled_from(["amount", "party", "金额"]),
            st.integers(-(10**12), 10**12)
            | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
        ).map(lambda d: d or EMPTY),
    ),
    max_size=8,
).map(
    lambda log: [
        Event(e.case, e.activity, e.time, e.resource, data=e.data, index=i)
        for i, e in enumerate(log)
    ]
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log=events)
@pytest.mark.parametrize("name", ["log.xes", "log.csv", "log.jsonl"])
def test_any_log_round_trips(tmp_path: Path, name: str, log: list[Event]) -> None:
    path = tmp_path / name
    writers: dict[str, Callable[[Iterable[Event], Path], int]] = {
        "log.xes": write_xes,
        "log.csv": write_csv,
        "log.jsonl": write_jsonl,
    }
    writer = writers[name]
    writer(log, path)
    assert list(read_log(path)) == log

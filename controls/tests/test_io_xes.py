"""Reading XES: the field mapping, typed data, safety, and errors that name the line."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from controls.bench.common import DATA_DIR
from controls.events import Event
from controls.io import LogError, read_log, read_records, read_xes

DATA = Path(__file__).parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CST = dt.timezone(dt.timedelta(hours=8))

SMALL = [
    Event(
        "A-001",
        "受理",
        dt.datetime(2026, 9, 25, 9, 0, tzinfo=CST),
        resource="S017",
        post="受理岗",
        unit="第一税务分局",
        process="减免税审批",
        data={
            "case:channel": "窗口",
            "amount": 120000,
            "rate": 0.5,
            "urgent": True,
            "ref": "0007",
            "received": dt.datetime(2026, 9, 24, 17, 30, tzinfo=CST),
        },
        index=0,
    ),
    Event(
        "A-001",
        "审核",
        dt.datetime(2026, 9, 28, 10, 15, tzinfo=SHANGHAI),
        process="减免税审批",
        lifecycle="start",
        data={"case:channel": "窗口", "note": "看"},
        index=1,
    ),
    Event(
        "A-002",
        "受理",
        dt.datetime(2026, 10, 10, 8, 30, tzinfo=dt.UTC),
        process="行政处罚",
        index=2,
    ),
]


def test_reads_the_small_log() -> None:
    events = list(read_xes(DATA / "io_small.xes"))
    assert events == SMALL
    assert [e.time.utcoffset() for e in events] == [dt.timedelta(hours=8)] * 2 + [dt.timedelta(0)]


def test_reads_gzip_and_picks_the_reader_by_name(tmp_path: Path) -> None:
    path = tmp_path / "small.xes.gz"
    with (DATA / "io_small.xes").open("rb") as source, gzip.open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    assert list(read_log(path)) == SMALL


def test_naive_timestamps_take_the_given_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    events = list(read_xes(DATA / "io_small.xes", tz=berlin))
    assert events[1].time == dt.datetime(2026, 9, 28, 10, 15, tzinfo=berlin)
    assert events[0].time == SMALL[0].time  # an explicit offset is kept


def _xes(body: str, head: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<log xes.version="1.0">\n{body}</log>\n'


EVENT = (
    '<event><string key="concept:name" value="a"/>'
    '<date key="time:timestamp" value="2026-01-05T09:00:00"/></event>'
)

BAD = [
    # (document, line, field, words in the message)
    (_xes(f"<trace>\n{EVENT}\n</trace>\n"), 3, "concept:name", "without a case id"),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n<event>\n'
            '<date key="time:timestamp" value="2026-01-05T09:00:00"/></event></trace>\n'
        ),
        4,
        "concept:name",
        "without an activity",
    ),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n'
            '<event><string key="concept:name" value="a"/></event></trace>\n'
        ),
        4,
        "time:timestamp",
        "without a timestamp",
    ),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n<event>'
            '<string key="concept:name" value="a"/>\n'
            '<date key="time:timestamp" value="yesterday"/></event></trace>\n'
        ),
        5,
        "time:timestamp",
        "not a date",
    ),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n<event>'
            '<string key="concept:name" value="a"/>\n'
            '<date key="time:timestamp" value="2026-01-05T09:00:00"/>\n'
            '<int key="amount" value="12.5"/></event></trace>\n'
        ),
        6,
        "amount",
        "invalid literal",
    ),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n<event>'
            '<string key="concept:name" value="a"/>\n'
            '<date key="time:timestamp" value="2026-01-05T09:00:00"/>\n'
            '<boolean key="urgent" value="yes"/></event></trace>\n'
        ),
        6,
        "urgent",
        "not a boolean",
    ),
    (
        _xes(
            '<trace><string key="concept:name" value="c"/>\n<event>'
            '<string key="concept:name" value="a"/>\n'
            '<date key="time:timestamp" value="2026-01-05T09:00:00"/>\n'
            '<string key="note"/></event></trace>\n'
        ),
        6,
        "note",
        "without a value",
    ),
    (
        _xes(f'{EVENT}\n<trace>\n<string key="concept:name" value="c"/></trace>\n'),
        3,
        None,
        "outside any trace",
    ),
    (
        _xes("<trace>\n<string key='concept:name' value='c'>\n</trace>\n"),
        5,
        None,
        "not well-formed",
    ),
    (_xes("<trace>&undefined;</trace>\n"), 3, None, "not well-formed"),
    (
        _xes(EVENT, head='<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'),
        2,
        None,
        "DOCTYPE",
    ),
    (
        _xes(EVENT, head='<!DOCTYPE log SYSTEM "http://example.invalid/log.dtd">\n'),
        2,
        None,
        "DOCTYPE",
    ),
    ("case,activity\n1,a\n", 1, None, "not an XML document"),
]


@pytest.mark.parametrize(("document", "line", "field", "words"), BAD)
def test_bad_input_names_the_line_and_field(
    tmp_path: Path, document: str, line: int, field: str | None, words: str
) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(LogError) as caught:
        list(read_xes(path))
    error = caught.value
    assert (error.position, error.field) == (line, field)
    assert words in str(error)
    assert str(error).startswith(f"{path}, line {line}")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        ('<?xml version="1.0" encoding="UTF-16"?><log/>'.encode("utf-16"), "UTF-8"),
        (b"\x1f\x8b\x08\x00broken gzip", "cannot read"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.xes"
    path.write_bytes(content)
    with pytest.raises(LogError, match=words):
        list(read_xes(path))


def test_missing_file_is_a_log_error(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="cannot open"):
        read_xes(tmp_path / "absent.xes")


def test_error_has_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(_xes(f"<trace>\n{EVENT}\n</trace>\n"), encoding="utf-8")
    with pytest.raises(LogError) as caught:
        list(read_xes(path))
    assert caught.value.message_zh.startswith(f"{path}，第 3 行，字段「concept:name」")


@pytest.mark.skipif(not (DATA_DIR / "receipt_wabo_full.xes.gz").exists(), reason="shared data")
def test_reads_the_receipt_log() -> None:
    events = list(read_xes(DATA_DIR / "receipt_wabo_full.xes.gz"))
    assert len(events) == 8577
    assert len({e.case for e in events}) == 1434
    assert [e.index for e in events] == list(range(8577))
    first = events[0]
    assert (first.case, first.activity, first.resource, first.unit) == (
        "case-10011",
        "Confirmation of receipt",
        "Resource21",
        "Group 1",
    )
    assert first.time == dt.datetime(
        2011, 10, 11, 13, 45, 40, 276000, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    assert first.data["case:channel"] == "Internet"


def test_an_xml_file_that_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "page.xes"
    path.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(LogError, match="not an XES log: the root element is <html>"):
        list(read_xes(path))


def test_a_log_without_traces_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.xes"
    path.write_text(_xes(""), encoding="utf-8")
    assert list(read_xes(path)) == []


def test_the_quick_and_the_explaining_reader_agree(tmp_path: Path) -> None:
    # Given a log whose events take both roads: well-formed ones (the hot loop) and one with a
    # spreadsheet-style timestamp that only the looser parser reads (the explaining reader),
    # with attributes in every order, one with its value before its key and one without a key.
    path = tmp_path / "mixed.xes"
    path.write_text(
        _xes(
            '<trace><string key="concept:name" value="c"/><int key="n" value="4"/>\n'
            '<event><string value="受理" key="concept:name"/>'
            '<date key="time:timestamp" value="2026-01-05T09:00:00"/>'
            '<string value="ignored"/><boolean key="ok" value="TRUE"/></event>\n'
            '<event><date key="time:timestamp" value="2026/1/6 9:30"/>'
            '<string key="org:resource" value="S1"/><string key="concept:name" value="审核"/>'
            '<string value="ignored"/><boolean key="ok" value="false"/></event>\n'
            "</trace>\n"
        ),
        encoding="utf-8",
    )
    # When it is read both ways, then both give the same events, typed alike.
    expected = [
        Event(
            "c",
            "受理",
            dt.datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI),
            data={"case:n": 4, "ok": True},
            index=0,
        ),
        Event(
            "c",
            "审核",
            dt.datetime(2026, 1, 6, 9, 30, tzinfo=SHANGHAI),
            resource="S1",
            data={"case:n": 4, "ok": False},
            index=1,
        ),
    ]
    assert list(read_xes(path)) == expected
    assert list(read_records(path)) == [(4, expected[0]), (5, expected[1])]


def test_events_are_frozen_records_like_any_other() -> None:
    (event, *_) = read_xes(DATA / "io_small.xes")
    assert type(event) is Event
    with pytest.raises(AttributeError):
        event.case = "changed"  # type: ignore[misc]

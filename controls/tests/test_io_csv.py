"""Reading CSV logs: column mapping, encodings, timestamps, typed data, errors naming row/column."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from controls.bench.common import DATA_DIR
from controls.events import Event
from controls.io import LogError, load_columns, parse_columns, read_csv, read_log
from controls.io.csvlog import typed_cell

SHANGHAI = ZoneInfo("Asia/Shanghai")
CST = dt.timezone(dt.timedelta(hours=8))

CHINESE = (
    "案件编号,环节,办理时间,经办人,岗位,部门,流程,金额,文书号\n"
    "A-001,受理,2026/9/25 9:00,张三,受理岗,第一分局,减免税审批,12000,007\n"
    "A-001,审核,2026-09-28 10:15:30,李四,审核岗,第一分局,减免税审批,12000.50,\n"
)
CHINESE_EVENTS = [
    Event(
        "A-001",
        "受理",
        dt.datetime(2026, 9, 25, 9, 0, tzinfo=SHANGHAI),
        "张三",
        "受理岗",
        "第一分局",
        "减免税审批",
        data={"金额": 12000, "文书号": "007"},
        index=0,
    ),
    Event(
        "A-001",
        "审核",
        dt.datetime(2026, 9, 28, 10, 15, 30, tzinfo=SHANGHAI),
        "李四",
        "审核岗",
        "第一分局",
        "减免税审批",
        data={"金额": 12000.5},
        index=1,
    ),
]


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "log.csv") -> Path:
    path = tmp_path / name
    data = text.encode(encoding)
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8", "log.csv"),
        ("utf-8-sig", "log.csv"),
        ("gbk", "log.csv"),
        ("gb18030", "log.csv"),
        ("utf-8", "log.csv.gz"),
        ("gbk", "log.csv.gz"),
    ],
)
def test_chinese_headers_in_every_encoding(tmp_path: Path, encoding: str, name: str) -> None:
    path = _write(tmp_path, CHINESE, encoding, name)
    assert list(read_log(path)) == CHINESE_EVENTS


def test_xes_style_headers_and_lifecycle(tmp_path: Path) -> None:
    text = (
        "case:concept:name,concept:name,time:timestamp,org:resource,org:role,org:group,"
        "lifecycle:transition\nc1,a,2026-01-05T09:00:00+02:00,r,p,u,start\n"
    )
    assert list(read_csv(_write(tmp_path, text))) == [
        Event(
            "c1",
            "a",
            dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "r",
            "p",
            "u",
            lifecycle="start",
            index=0,
        )
    ]


def test_explicit_mapping_wins(tmp_path: Path) -> None:
    text = "CaseId,Step,When,Who,case\nX,a,2026-01-05,w,not-this\n"
    columns = parse_columns("case=CaseId, activity=Step,time=When,resource=Who")
    assert list(read_csv(_write(tmp_path, text), columns=columns)) == [
        Event(
            "X",
            "a",
            dt.datetime(2026, 1, 5, tzinfo=SHANGHAI),
            "w",
            data={"case": "not-this"},
            index=0,
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-25T09:30:00+08:00", dt.datetime(2026, 9, 25, 9, 30, tzinfo=CST)),
        ("2026-09-25T01:30:00Z", dt.datetime(2026, 9, 25, 1, 30, tzinfo=dt.UTC)),
        ("2026-09-25 09:30", dt.datetime(2026, 9, 25, 9, 30, tzinfo=SHANGHAI)),
        ("2026-09-25 09:30:05", dt.datetime(2026, 9, 25, 9, 30, 5, tzinfo=SHANGHAI)),
        ("2026/09/25 09:30", dt.datetime(2026, 9, 25, 9, 30, tzinfo=SHANGHAI)),
        ("2026/9/5 9:30:05", dt.datetime(2026, 9, 5, 9, 30, 5, tzinfo=SHANGHAI)),
        ("2026-09-25", dt.datetime(2026, 9, 25, tzinfo=SHANGHAI)),
        ("2026/9/25", dt.datetime(2026, 9, 25, tzinfo=SHANGHAI)),
        ("2026/9/25 9:30 +0800", dt.datetime(2026, 9, 25, 9, 30, tzinfo=CST)),
    ],
)
def test_timestamp_forms(tmp_path: Path, text: str, expected: dt.datetime) -> None:
    path = _write(tmp_path, f"case,activity,time\nc,a,{text}\n")
    (event,) = read_csv(path)
    assert event.time == expected
    assert event.time.utcoffset() == expected.utcoffset()


def test_a_log_that_changes_timestamp_form_midway(tmp_path: Path) -> None:
    # The parser reads ISO stamps by ``fromisoformat`` alone until one is not ISO; the rows
    # after it, ISO or not, must read the same as they would on their own.
    rows = (
        "c,a,2026-09-25T09:30:00+08:00\nc,b,2026/9/5 9:30\nc,c,2026-09-26 10:00\nc,d,2026-09-25\n"
    )
    events = list(read_csv(_write(tmp_path, "case,activity,time\n" + rows)))
    assert [event.time for event in events] == [
        dt.datetime(2026, 9, 25, 9, 30, tzinfo=CST),
        dt.datetime(2026, 9, 5, 9, 30, tzinfo=SHANGHAI),
        dt.datetime(2026, 9, 26, 10, tzinfo=SHANGHAI),
        dt.datetime(2026, 9, 25, tzinfo=SHANGHAI),
    ]
    assert events[0].time.utcoffset() == dt.timedelta(hours=8)


def test_naive_timestamps_take_the_given_zone(tmp_path: Path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    (event,) = read_csv(_write(tmp_path, "case,activity,time\nc,a,2026-07-01 12:00\n"), tz=berlin)
    assert event.time == dt.datetime(2026, 7, 1, 12, tzinfo=berlin)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("0", 0),
        ("007", "007"),
        ("12.50", 12.5),
        ("-0.25", -0.25),
        ("1.5e3", 1500.0),
        ("1e3", "1e3"),
        ("12,000", "12,000"),
        ("3.", "3."),
        ("True", "True"),
        ("九", "九"),
        ("٣", "٣"),
    ],
)
def test_typed_cells(cell: str, value: Any) -> None:
    assert typed_cell(cell) == value
    assert type(typed_cell(cell)) is type(value)


def test_tab_separated_and_trailing_empty_cells(tmp_path: Path) -> None:
    text = "case\tactivity\ttime\tnote\nc\ta\t2026-01-05\t\t\t\n"
    assert list(read_csv(_write(tmp_path, text))) == [
        Event("c", "a", dt.datetime(2026, 1, 5, tzinfo=SHANGHAI), index=0)
    ]


def test_blank_lines_are_skipped_but_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "case,activity,time\n\nc,a,2026-01-05\nc,,2026-01-06\n")
    with pytest.raises(LogError) as caught:
        list(read_csv(path))
    assert (caught.value.position, caught.value.field) == (4, "activity")


BAD = [
    # (content, row, column, words)
    ("case,activity,time\nc,a,2026-13-05\n", 2, "time", "not a valid date"),
    ("case,activity,time\nc,a,soon\n", 2, "time", "not a date or timestamp"),
    ("case,activity,time\n,a,2026-01-05\n", 2, "case", "empty"),
    ("case,activity,time\nc,a,2026-01-05\nc,b,\n", 3, "time", "empty"),
    ("case,activity,time\nc,a,2026-01-05,extra\n", 2, None, "4 cells but the header has 3"),
    ("case,activity,time\nc,a\n", 2, None, "2 cells"),
    ("case,activity,note\nc,a,x\n", 1, "time", "no column for the time"),
    ("", 1, None, "empty"),
]


@pytest.mark.parametrize(("content", "row", "column", "words"), BAD)
def test_bad_rows_name_row_and_column(
    tmp_path: Path, content: str, row: int, column: str | None, words: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(LogError) as caught:
        list(read_csv(path))
    error = caught.value
    assert (error.position, error.field) == (row, column)
    assert words in str(error)
    assert str(error).startswith(f"{path}, row {row}")


def test_a_mapped_column_missing_from_the_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "case,activity,time\nc,a,2026-01-05\n")
    with pytest.raises(LogError, match=r"'Who'.*not in the header"):
        list(read_csv(path, columns={"resource": "Who"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("case=CaseId,activity=Step", {"case": "CaseId", "activity": "Step"}),
        (" time = 办理时间 , ", {"time": "办理时间"}),
        ("", {}),
    ],
)
def test_parse_columns(text: str, expected: dict[str, str]) -> None:
    assert parse_columns(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [("case", "field=column"), ("officer=Who", "unknown field"), ("case=", "field=column")],
)
def test_parse_columns_rejects(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_columns(text)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("map.yaml", "case: 案件编号\nactivity: 环节\n", {"case": "案件编号", "activity": "环节"}),
        ("map.json", '{"time": "When"}', {"time": "When"}),
    ],
)
def test_load_columns(tmp_path: Path, name: str, content: str, expected: dict[str, str]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert load_columns(path) == expected


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("map.yaml", "- case\n", "expected an object"),
        ("map.json", "{", "not valid JSON/YAML"),
        ("map.yaml", "who: X\n", "unknown field"),
    ],
)
def test_load_columns_errors(tmp_path: Path, name: str, content: str, words: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LogError, match=words):
        load_columns(path)


def test_unknown_format_is_a_log_error(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="unknown log format"):
        read_log(tmp_path / "log.parquet")


@pytest.mark.skipif(
    not (DATA_DIR / "bpic15_1_municipality_eventdataR.csv.gz").exists(), reason="shared data"
)
def test_reads_the_bpic_2015_export() -> None:
    events = list(read_csv(DATA_DIR / "bpic15_1_municipality_eventdataR.csv.gz"))
    assert len(events) == 52217
    first = events[0]
    assert (first.case, first.activity, first.resource) == ("10009138", "01_HOOFD_010", "9264148")
    assert first.time == dt.datetime(2014, 4, 10, 22, tzinfo=SHANGHAI)
    assert first.data["monitoringResource"] == 2670601
    assert first.data["activityNameEN"] == "register submission date request"
    assert "dateStop" not in first.data  # an empty cell is absent

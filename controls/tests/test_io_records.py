"""``read_records``: every reader's "report bad records and continue" mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controls.events import Event
from controls.io import LogError, read_csv_header, read_log, read_records


def _summary(path: Path, **options: object) -> list[tuple[int | None, str]]:
    """Each record as (position, the case of an event or "field: message" of an error)."""
    found = []
    for position, item in read_records(path, **options):  # type: ignore[arg-type]
        if isinstance(item, Event):
            found.append((position, item.case))
        else:
            found.append((position, f"{item.field}: {item.message}"))
    return found


def test_a_csv_reports_its_bad_rows_by_row_and_field_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "案件编号,环节,办理时间,金额\n"
        "A1,受理,2026-03-02 09:00,5\n"
        "A2,受理,not a time,6\n"
        "\n"
        ",受理,2026-03-02 10:00,7\n"
        "A4,受理,2026-03-02 11:00,8,extra\n"
        "A5,审核,2026-03-02 12:00,9\n",
        encoding="utf-8",
    )

    assert _summary(path) == [
        (2, "A1"),
        (3, "办理时间: not a date or timestamp: 'not a time'"),
        (5, "案件编号: the case is empty"),
        (6, "None: the row has 5 cells but the header has 4"),
        (7, "A5"),
    ]


def test_good_records_are_the_events_the_stopping_reader_gives(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case,activity,time,resource,amount\nA1,a,2026-03-02 09:00,S1,5\nA1,b,2026-03-03,,x\n",
        encoding="utf-8",
    )

    assert [event for _, event in read_records(path)] == list(read_log(path))


def test_a_jsonl_log_reports_bad_lines_and_counts_only_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good = {"case": "J1", "activity": "受理", "time": "2026-03-02T09:00:00+08:00"}
    path.write_text(
        "\n".join([json.dumps(good), "{not json", "", json.dumps({**good, "case": "J2"})]),
        encoding="utf-8",
    )

    records = list(read_records(path))

    assert [(position, type(item).__name__) for position, item in records] == [
        (1, "Event"),
        (2, "LogError"),
        (4, "Event"),
    ]
    assert [item.index for _, item in records if isinstance(item, Event)] == [0, 1]


def test_an_xes_trace_without_a_case_id_is_one_error_in_place_of_its_events(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.xes"
    event = (
        '<event><string key="concept:name" value="受理"/>'
        '<date key="time:timestamp" value="{}"/></event>'
    )
    path.write_text(
        "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                "<log>",
                '<trace><string key="concept:name" value="X1"/>',
                event.format("2026-03-02T09:00:00+08:00"),
                event.format("never"),
                "</trace>",
                "<trace>",
                event.format("2026-03-02T10:00:00+08:00"),
                "</trace>",
                "</log>",
            ]
        ),
        encoding="utf-8",
    )

    assert _summary(path) == [
        (4, "X1"),
        (5, "time:timestamp: not a date or timestamp: 'never'"),
        (7, "concept:name: trace without a case id"),
    ]


def test_problems_of_the_whole_file_still_raise(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("who,what\nA1,x\n", encoding="utf-8")

    with pytest.raises(LogError, match="no column for the case"):
        list(read_records(path))
    with pytest.raises(LogError, match="unknown log format"):
        read_records(tmp_path / "log.parquet")


def test_the_header_of_a_csv_is_read_in_its_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(" case ;activity;time\n", encoding="utf-8")

    assert read_csv_header(path) == ["case", "activity", "time"]

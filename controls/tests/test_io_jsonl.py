"""Reading JSON lines: one event object per line, errors naming the line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from controls.events import Event
from controls.io import LogError, read_jsonl, read_log

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _write(tmp_path: Path, text: str, name: str = "log.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_fields_and_data(tmp_path: Path) -> None:
    text = (
        '{"case": "A-1", "activity": "受理", "time": "2026-09-25T09:00:00+08:00", '
        '"resource": "S017", "post": "受理岗", "unit": "一分局", "process": "减免税", '
        '"data": {"金额": 1200, "urgent": true}}\n'
        "\n"
        '{"case": 42, "activity": "审核", "time": "2026-09-28 10:00", "lifecycle": "start",'
        ' "index": 99}\n'
    )
    assert list(read_log(_write(tmp_path, text))) == [
        Event(
            "A-1",
            "受理",
            dt.datetime(2026, 9, 25, 9, tzinfo=SHANGHAI),
            "S017",
            "受理岗",
            "一分局",
            "减免税",
            data={"金额": 1200, "urgent": True},
            index=0,
        ),
        Event(
            "42", "审核", dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI), lifecycle="start", index=1
        ),
    ]


GOOD = '{"case": "c", "activity": "a", "time": "2026-01-05T09:00:00"}\n'

BAD = [
    # (second line, field, words)
    ("{not json}", None, "not valid JSON"),
    ("[1, 2]", None, "expected a JSON object"),
    ('{"activity": "a", "time": "2026-01-05"}', "case", "missing or empty"),
    ('{"case": "c", "activity": "", "time": "2026-01-05"}', "activity", "missing or empty"),
    ('{"case": "c", "activity": "a"}', "time", "missing"),
    ('{"case": "c", "activity": "a", "time": "Monday"}', "time", "not a date"),
    (
        '{"case": "c", "activity": "a", "time": "2026-01-05", "resource": 7}',
        "resource",
        "expected a string",
    ),
    (
        '{"case": "c", "activity": "a", "time": "2026-01-05", "data": [1]}',
        "data",
        "expected an object",
    ),
    (
        '{"case": "c", "activity": "a", "time": "2026-01-05", "amount": 5}',
        "amount",
        "unknown field",
    ),
]


@pytest.mark.parametrize(("line", "field", "words"), BAD)
def test_bad_lines_name_line_and_field(
    tmp_path: Path, line: str, field: str | None, words: str
) -> None:
    path = _write(tmp_path, GOOD + line + "\n")
    with pytest.raises(LogError) as caught:
        list(read_jsonl(path))
    error = caught.value
    assert (error.position, error.field) == (2, field)
    assert words in str(error)
    assert str(error).startswith(f"{path}, line 2")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(GOOD.replace('"a"', '"受理"').encode("gbk"))
    with pytest.raises(LogError, match="not UTF-8"):
        list(read_jsonl(path))

"""Reading a log in a reader process gives exactly what reading it on a thread gives."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from controls.io import LogError
from sunlight.monitoring import reading
from sunlight.monitoring.tests.logs import csv_text


def _log(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path, *, in_process: bool, skip: int = 0) -> list[reading.RowRecord]:
    chunks = reading.read_chunks(path, "csv", source_system="tax", skip=skip, in_process=in_process)
    return [record for chunk in chunks for record in chunk]


def _comparable(records: list[reading.RowRecord]) -> list[tuple[object, ...]]:
    # An error compares by what it says: where, which field, what.
    return [
        (position, str(item) if isinstance(item, LogError) else item) for position, item in records
    ]


@pytest.mark.parametrize("skip", [0, 1234])
def test_a_reader_process_gives_the_rows_a_reader_thread_gives(tmp_path: Path, skip: int) -> None:
    path = _log(tmp_path, csv_text(800, bad_rows=(3, 1500, 2999)))

    in_process = _read(path, in_process=True, skip=skip)

    assert len(in_process) == 3200 - skip
    assert in_process[0][0] == 2 + skip  # row numbers of the file: the header is row 1
    assert _comparable(in_process) == _comparable(_read(path, in_process=False, skip=skip))
    assert sum(isinstance(item, LogError) for _, item in in_process) == (3 if skip == 0 else 2)


def test_a_reader_process_hands_over_the_files_error(tmp_path: Path) -> None:
    path = _log(tmp_path, "who,when\nS-A,2026-03-02 09:00\n")

    with pytest.raises(LogError, match="case") as raised:
        _read(path, in_process=True)

    assert raised.value.path == str(path)


def test_a_consumer_that_stops_early_stops_the_reader_process(tmp_path: Path) -> None:
    path = _log(tmp_path, csv_text(5000))
    chunks = reading.read_chunks(path, "csv", source_system="tax", in_process=True)

    assert next(chunks)[0][0] == 2
    chunks.close()

    assert multiprocessing.active_children() == []

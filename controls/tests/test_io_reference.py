"""Reference tables: loading in any encoding, required columns, look-ups, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from controls.io import LogError, read_reference

KINSHIP = (
    "officer,party,relation\n"
    "S017,91330100MA001,配偶\n"
    "S020,91330100MA002,兄弟\n"
    " S017 ,91330100MA003,父子\n"
    ",,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_loads_rows_as_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "kinship.csv"
    path.write_bytes(KINSHIP.encode(encoding))
    table = read_reference(path)
    assert table.name == "kinship"
    assert table.columns == ("officer", "party", "relation")
    assert table.rows == (
        {"officer": "S017", "party": "91330100MA001", "relation": "配偶"},
        {"officer": "S020", "party": "91330100MA002", "relation": "兄弟"},
        {"officer": "S017", "party": "91330100MA003", "relation": "父子"},
    )


def test_index_and_unique_index(tmp_path: Path) -> None:
    path = tmp_path / "kinship.csv"
    path.write_text(KINSHIP, encoding="utf-8")
    table = read_reference(path, name="亲属关系")
    by_officer = table.index("officer")
    assert [row["party"] for row in by_officer[("S017",)]] == ["91330100MA001", "91330100MA003"]
    pairs = table.unique_index("officer", "party")
    assert pairs[("S020", "91330100MA002")]["relation"] == "兄弟"
    with pytest.raises(LogError) as caught:
        table.unique_index("officer")
    assert (caught.value.position, caught.value.field) == (4, "officer")


def test_require_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "kinship.csv"
    path.write_text(KINSHIP, encoding="utf-8")
    table = read_reference(path, name="亲属关系")
    table.require("officer", "party")
    with pytest.raises(LogError) as caught:
        table.require("officer", "degree")
    assert (caught.value.position, caught.value.field) == (1, "degree")
    assert "亲属关系" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "row", "column", "words"),
    [
        ("", 1, None, "empty"),
        ("a,,c\n1,2,3\n", 1, "#2", "without a name"),
        ("a,b,a\n1,2,3\n", 1, "a", "twice"),
        ("a,b\n1,2\n1,2,3\n", 3, None, "3 cells"),
        ("a,b,c\n1,2\n", 2, "c", "ends before"),
    ],
)
def test_bad_tables(tmp_path: Path, content: str, row: int, column: str | None, words: str) -> None:
    path = tmp_path / "table.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LogError) as caught:
        read_reference(path)
    assert (caught.value.position, caught.value.field) == (row, column)
    assert words in str(caught.value)


def test_trailing_empty_header_cells_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bands.csv"
    path.write_text("violation,band,,\nV1,1000-5000,,\n", encoding="utf-8")
    assert read_reference(path).rows == ({"violation": "V1", "band": "1000-5000"},)


def test_errors_name_the_files_row_after_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "kinship.csv"
    path.write_text("officer,party,relation\nS017,P1,配偶\n\n,,\nS017,P1,兄弟\n", encoding="utf-8")
    table = read_reference(path)

    assert table.numbers == (2, 5)  # rows 3 and 4 are blank
    with pytest.raises(LogError) as repeated:
        table.unique_index("officer", "party")
    assert repeated.value.position == 5

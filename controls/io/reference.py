"""Reference tables: CSV data the controls check events against.

Examples: kinship between officers and parties (for recusal), discretion bands by violation and
circumstance, lists of high-risk posts. A table keeps its rows as text; the rule that uses it
says which columns it needs (``require``) and looks rows up by key (``index``). Encodings are
detected as for logs (UTF-8, UTF-8 with BOM, GB18030); the header is row 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from controls.io.encoding import open_text
from controls.io.errors import LogError


@dataclass(frozen=True)
class ReferenceTable:
    """A named table: its column names in file order and its rows (header = row 1)."""

    name: str
    path: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]
    # The row of the file each row came from (header = row 1). Blank rows are skipped, so after
    # one they are not simply 2, 3, …; a table built in code may leave this out.
    numbers: tuple[int, ...] = ()

    def numbered(self) -> Iterator[tuple[int, Mapping[str, str]]]:
        """Each row with its row number in the file, for errors that name it."""
        return zip(self.numbers or range(2, 2 + len(self.rows)), self.rows, strict=True)

    def require(self, *columns: str) -> None:
        """Raise ``LogError`` naming the first of ``columns`` the table lacks."""
        for column in columns:
            if column not in self.columns:
                raise LogError(
                    self.path,
                    1,
                    column,
                    f"reference table {self.name!r} needs this column; it has "
                    f"{', '.join(self.columns)}",
                    message_zh=f"参照表「{self.name}」缺少此列",
                )

    def index(self, *key: str) -> dict[tuple[str, ...], list[Mapping[str, str]]]:
        """Rows grouped by the values of the ``key`` columns (several rows may share a key)."""
        self.require(*key)
        grouped: dict[tuple[str, ...], list[Mapping[str, str]]] = {}
        for row in self.rows:
            grouped.setdefault(tuple(row[c] for c in key), []).append(row)
        return grouped

    def unique_index(self, *key: str) -> dict[tuple[str, ...], Mapping[str, str]]:
        """Rows by the values of the ``key`` columns; a repeated key is an error naming its row."""
        self.require(*key)
        unique: dict[tuple[str, ...], Mapping[str, str]] = {}
        for number, row in self.numbered():
            value = tuple(row[c] for c in key)
            if value in unique:
                raise LogError(
                    self.path,
                    number,
                    ",".join(key),
                    f"repeats the key {value!r} of an earlier row",
                    message_zh="与前面的行重复",
                )
            unique[value] = row
        return unique


def read_reference(
    path: str | Path, name: str | None = None, encoding: str | None = None
) -> ReferenceTable:
    """Load the CSV at ``path``; cells are stripped of surrounding spaces, blank rows skipped."""
    path = Path(path)
    with open_text(path, encoding) as stream:
        try:
            rows = list(csv.reader(stream))
        except UnicodeDecodeError as error:
            raise LogError(path, None, None, f"cannot decode the text: {error}") from None
        except csv.Error as error:
            raise LogError(path, None, None, f"not a valid CSV file: {error}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise LogError(
            path,
            1,
            None,
            "the file is empty: a header row is expected",
            message_zh="文件为空，第一行应为表头",
        )
    columns = _header(path, rows[0])
    records = list(_records(path, columns, rows[1:]))
    return ReferenceTable(
        name=name or path.name.split(".")[0],
        path=str(path),
        columns=columns,
        rows=tuple(row for _, row in records),
        numbers=tuple(number for number, _ in records),
    )


def _header(path: Path, cells: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(cell.strip() for cell in cells)
    while columns and not columns[-1]:
        columns = columns[:-1]  # trailing empty header cells left by spreadsheets
    for position, column in enumerate(columns, start=1):
        if not column:
            raise LogError(path, 1, f"#{position}", "a column without a name")
        if column in columns[: position - 1]:
            raise LogError(path, 1, column, "the column name appears twice")
    return columns


def _records(
    path: Path, columns: tuple[str, ...], rows: Iterable[list[str]]
) -> Iterable[tuple[int, Mapping[str, str]]]:
    width = len(columns)
    for number, cells in enumerate(rows, start=2):
        values = [cell.strip() for cell in cells]
        if not any(values):
            continue
        if len(values) > width and any(values[width:]):
            raise LogError(
                path, number, None, f"the row has {len(values)} cells but the header has {width}"
            )
        if len(values) < width:
            raise LogError(path, number, columns[len(values)], "the row ends before this column")
        yield number, dict(zip(columns, values, strict=False))

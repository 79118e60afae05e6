"""The one error every reader raises: it names the file, the row or line, and the field.

The command line and the import screens print ``str(error)`` (or ``message_zh``) instead of a
traceback, so the text must tell a clerk what to fix without reading code.
"""

from __future__ import annotations

from pathlib import Path


class LogError(ValueError):
    """Bad input in an event log or reference table.

    ``where`` is ``"line"`` for line-oriented formats (XES, JSON lines) and ``"row"`` for tables
    (CSV, where the header is row 1). ``position`` and ``field`` are ``None`` when the problem
    concerns the whole file (unreadable, wrong format).
    """

    def __init__(
        self,
        path: str | Path,
        position: int | None,
        field: str | None,
        message: str,
        *,
        where: str = "row",
        message_zh: str = "",
    ) -> None:
        self.path = str(path)
        self.position = position
        self.field = field
        self.message = message
        self.where = where
        self._message_zh = message_zh
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.path]
        if self.position is not None:
            parts.append(f"{self.where} {self.position}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return f"{', '.join(parts)}: {self.message}"

    @property
    def message_zh(self) -> str:
        """The same message for Chinese screens; the detail stays in English when not translated."""
        parts = [self.path]
        if self.position is not None:
            parts.append(f"第 {self.position} 行")
        if self.field is not None:
            parts.append(f"字段「{self.field}」")
        return f"{'，'.join(parts)}：{self._message_zh or self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries when imports run in a worker.
        return (
            _rebuild,
            (self.path, self.position, self.field, self.message, self.where, self._message_zh),
        )


def _rebuild(
    path: str, position: int | None, field: str | None, message: str, where: str, message_zh: str
) -> LogError:
    return LogError(path, position, field, message, where=where, message_zh=message_zh)

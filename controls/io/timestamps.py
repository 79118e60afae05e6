"""Timestamps as business systems write them, turned into aware datetimes.

Accepted: ISO 8601 with or without an offset (``2026-09-25T09:30:00+08:00``, ``...Z``), a space
instead of the ``T``, seconds optional, ``/`` or ``.`` between date parts, one-digit months,
days and hours as spreadsheets export them (``2026/9/5 9:30``), and a bare date (midnight).
A timestamp without an offset is read in the configured zone (by default ``Asia/Shanghai``).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

_LOOSE = re.compile(
    r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T ]\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*"
)

# Logs repeat the same timestamp strings (dates without a time, batch jobs); a bounded cache
# keeps those cheap without letting memory grow with the size of the log.
_CACHE_LIMIT = 65536


class TimestampParser:
    """Parses timestamp strings for one zone, remembering recent strings."""

    def __init__(self, tz: dt.tzinfo = DEFAULT_TZ) -> None:
        self.tz = tz
        self._cache: dict[str, dt.datetime] = {}
        # Whether the log writes ISO 8601: then ``fromisoformat`` (C) alone reads nearly every
        # stamp faster than the cache is looked up and filled, for stamps that rarely repeat.
        # The first stamp it cannot read turns this off for the rest of the log (the cache and
        # the loose reading take over); the result is the same either way.
        self._iso = True

    def __call__(self, text: str) -> dt.datetime:
        """The aware datetime for ``text``; raises ``ValueError`` with a short reason."""
        if self._iso:
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                self._iso = False
            else:
                return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        value = self._parse(text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = value
        return value

    def _parse(self, text: str) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            value = _parse_loose(text)
        if value.tzinfo is None:
            return value.replace(tzinfo=self.tz)
        return value


def _parse_loose(text: str) -> dt.datetime:
    match = _LOOSE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date or timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=_offset(offset),
        )
    except ValueError as error:
        raise ValueError(f"not a valid date or time: {text!r} ({error})") from None


def _offset(text: str | None) -> dt.tzinfo | None:
    if text is None:
        return None
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return dt.timezone(sign * dt.timedelta(minutes=minutes))

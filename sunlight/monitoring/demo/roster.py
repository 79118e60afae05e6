"""Who held which post when: the part of the organisation the trace generator needs.

Kept as plain data (no Django) so that the generator is a pure function of a roster and a seed;
``queries.demo_roster`` reads it from the loaded demo bureau.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


class RosterError(ValueError):
    """The organisation cannot staff a step: names the post and the day."""


@dataclass(frozen=True, slots=True)
class Tenure:
    """``staff_no`` held the post ``post`` (in unit ``unit``) from ``start`` to ``end``."""

    staff_no: str
    post: str
    unit: str
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Roster:
    """Tenures by post code, asked "who held this post on this day?"."""

    def __init__(self, tenures: Iterable[Tenure], power_items: Iterable[str] = ()) -> None:
        self._by_post: dict[str, list[Tenure]] = {}
        self._unit: dict[str, str] = {}
        for tenure in sorted(tenures, key=lambda t: (t.post, t.staff_no, t.start)):
            self._by_post.setdefault(tenure.post, []).append(tenure)
            self._unit[tenure.post] = tenure.unit
        self.power_items = frozenset(power_items)

    def unit_of(self, post: str) -> str:
        unit = self._unit.get(post)
        if unit is None:
            raise RosterError(f"post {post}: nobody ever held it")
        return unit

    def holders(self, post: str, day: dt.date) -> list[str]:
        """Staff numbers holding ``post`` on ``day``, sorted (a stable order for the seed)."""
        found = sorted({t.staff_no for t in self._by_post.get(post, ()) if t.covers(day)})
        if not found:
            raise RosterError(f"post {post}: nobody held it on {day.isoformat()}")
        return found

    def holds(self, staff_no: str, post: str, day: dt.date) -> bool:
        return any(t.staff_no == staff_no and t.covers(day) for t in self._by_post.get(post, ()))

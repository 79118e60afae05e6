"""The two records the engine speaks in: an ``Event`` of a case trace, and a ``Finding``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


class Stage(StrEnum):
    """When a finding is raised relative to the breach (事前 / 事中 / 事后)."""

    BEFORE = "before"  # a breach is predicted (a deadline approaches)
    DURING = "during"  # the breach is happening in an open matter
    AFTER = "after"  # the breach is found after the fact


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Event:
    """One step of one case: who did what, when, in which post and unit, with which data.

    ``time`` is always timezone-aware. ``index`` is the event's position in its source (row or
    line number), used for evidence and as a stable tie-break between equal timestamps.
    """

    case: str
    activity: str
    time: dt.datetime
    resource: str = ""
    post: str = ""
    unit: str = ""
    process: str = ""
    lifecycle: str = "complete"
    data: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    index: int = 0

    def evidence(self) -> dict[str, Any]:
        """The event as plain JSON-ready data, for a finding's evidence."""
        return {
            "case": self.case,
            "activity": self.activity,
            "time": self.time.isoformat(),
            "resource": self.resource,
            "post": self.post,
            "unit": self.unit,
            "lifecycle": self.lifecycle,
            "index": self.index,
            "data": {k: _plain(v) for k, v in self.data.items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Finding:
    """A breach or likely breach of one rule, with its proof and the person responsible.

    ``key`` tells apart several findings of one rule on the same cases (e.g. two late steps);
    the id is derived from rule, stage, cases and key only, so re-running never duplicates.
    """

    rule: str
    template: str
    stage: Stage
    severity: Severity
    cases: tuple[str, ...]
    time: dt.datetime
    resource: str
    post: str
    unit: str
    events: tuple[Event, ...]
    message_zh: str
    message_en: str
    key: str = ""
    details: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    @property
    def id(self) -> str:
        raw = "\x1f".join((self.rule, self.stage.value, "\x1e".join(self.cases), self.key))
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "template": self.template,
            "stage": self.stage.value,
            "severity": self.severity.value,
            "cases": list(self.cases),
            "time": self.time.isoformat(),
            "resource": self.resource,
            "post": self.post,
            "unit": self.unit,
            "events": [e.evidence() for e in self.events],
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "details": {k: _plain(v) for k, v in self.details.items()},
        }

"""Pieces of the plain-language explanations that findings carry, in Chinese and English.

Messages name the case, the steps with their dates, the person, the rule and the amount by which
it was missed, so that a unit head can act on a warning without opening the log.
"""

from __future__ import annotations

import datetime as dt

from controls.events import Event
from controls.rules.base import RuleSpec


def rule_zh(spec: RuleSpec) -> str:
    return f"规则「{spec.name}」（{spec.id}）"


def rule_en(spec: RuleSpec) -> str:
    return f"rule {spec.id} ({spec.name_en or spec.name})"


def person_zh(event: Event) -> str:
    """``张三（税源管理岗）``; the post or unit alone when the person is unknown."""
    if event.resource and event.post:
        return f"{event.resource}（{event.post}）"
    return event.resource or event.post or event.unit or "（未记录）"


def person_en(event: Event) -> str:
    if event.resource and event.post:
        return f"{event.resource} ({event.post})"
    return event.resource or event.post or event.unit or "(not recorded)"


def day(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        return moment.date().isoformat()
    return moment.isoformat()


def minute(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def amount(value: float) -> str:
    """A quantity without a useless ``.0``: 12, 2.5."""
    return f"{value:g}" if value != int(value) else str(int(value))


def step_zh(event: Event) -> str:
    """``受理（2026-09-25）``: a step with its date."""
    return f"{event.activity}（{day(event.time)}）"


def step_en(event: Event) -> str:
    return f"{event.activity} ({day(event.time)})"

"""Warnings for the tests: events pushed through the monitoring app, findings made from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from controls.events import Event, Finding, Severity, Stage
from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.actions import events_push
from sunlight.monitoring.models import TraceEvent
from sunlight.warnings import actions
from sunlight.warnings.models import Warning

BEIJING = dt.timezone(dt.timedelta(hours=8))
STEPS = ("受理", "审核", "批准")


def push_case(
    world: World, case: str, officer: str = "S-A", post: str = "PA1", unit: str = "A1",
    day: dt.date = dt.date(2026, 3, 2),
) -> list[TraceEvent]:  # fmt: skip
    """Three steps of one case, done by ``officer``; returns the stored events in order."""
    items = [
        {
            "case": case,
            "activity": step,
            "resource": officer,
            "post": post,
            "unit": unit,
            "time": dt.datetime(day.year, day.month, day.day, 9 + i, tzinfo=BEIJING).isoformat(),
            "data": {"amount": 1000},
        }
        for i, step in enumerate(STEPS)
    ]
    batch, _ = events_push(by=world.user("office"), items=items, source_system="tax")
    return list(TraceEvent.objects.filter(push_batch=batch).order_by("time", "id"))


def as_event(stored: TraceEvent) -> Event:
    """The engine's view of a stored event: ``index`` is the stored row's id (the contract)."""
    return Event(
        case=stored.case.external_id,
        activity=stored.activity,
        time=stored.time,
        resource=stored.source_resource,
        post=stored.source_post,
        unit=stored.source_unit,
        index=stored.pk,
    )


def finding(
    stored: list[TraceEvent], rule: str = "four_eyes", key: str = "", **fields: Any
) -> Finding:
    first = stored[0]
    values: dict[str, Any] = {
        "rule": rule,
        "template": "separation_of_duties",
        "stage": Stage.AFTER,
        "severity": Severity.HIGH,
        "cases": (first.case.external_id,),
        "time": stored[-1].time,
        "resource": first.source_resource,
        "post": first.source_post,
        "unit": first.source_unit,
        "events": tuple(as_event(e) for e in stored),
        "message_zh": "同一人既受理又批准",
        "message_en": "The same officer accepted and approved",
        "key": key,
    }
    values.update(fields)
    return Finding(**values)


def raised(
    world: World,
    case: str = "C1",
    *,
    assign: bool = True,
    now: dt.datetime | None = None,
    officer: str = "S-A",
    post: str = "PA1",
    unit: str = "A1",
    **fields: Any,
) -> Warning:
    """One warning about the officer (staff_a of county A by default), assigned to its verifier
    unless ``assign`` is false."""
    events = push_case(world, case, officer=officer, post=post, unit=unit)
    result = actions.raise_warnings(
        [finding(events, **fields)], rule_set="demo", now=now, assign=assign
    )
    assert result.new == 1
    return Warning.objects.get(pk=result.warning_ids[0])


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client

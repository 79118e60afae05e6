"""The case page as a case file: the header says once what every step shares, the steps say
what they add, working-day gaps between them, warnings pinned on their evidence, few queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from controls.events import Event, Finding, Severity, Stage
from sunlight.core.actions.calendar import calendar_day_set
from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring import queries
from sunlight.monitoring.actions import events_push
from sunlight.monitoring.models import Case, TraceEvent
from sunlight.warnings.actions import raise_warnings
from sunlight.warnings.models import Warning

BEIJING = dt.timezone(dt.timedelta(hours=8))
PARTY = {"party": "91330100MA2XXXXX1", "party_name": "杭州示例贸易有限公司"}


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client


def at(day: str, hour: int = 9) -> str:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING).isoformat()


def pushed(world: World, case: str, steps: list[dict[str, Any]]) -> list[TraceEvent]:
    """Store the steps of one case (officer S-A in county A unless a step says otherwise)."""
    items = [
        {"case": case, "resource": "S-A", "post": "PA1", "unit": "A1", **step} for step in steps
    ]
    batch, results = events_push(by=world.user("office"), items=items, source_system="tax")
    assert batch.stored == len(steps), results
    return list(TraceEvent.objects.filter(case__external_id=case).order_by("time", "id"))


@pytest.mark.parametrize(
    ("datas", "header"),
    [
        ([{"p": 1}, {"p": 1}, {"p": 1}], {"p": 1}),
        ([{"p": 1}, {"p": 1}, {}], {"p": 1}),  # on most steps, the same wherever it is
        ([{"p": 1}, {"p": 1}, {}, {}], {}),  # on half the steps only: the steps' own
        ([{"p": 1}, {"p": 2}, {"p": 1}], {}),  # differs once: the steps' own
        ([{"p": 1}], {}),  # a lone step's data is its own
        ([{"p": {"a": [1]}}, {"p": {"a": [1]}}], {"p": {"a": [1]}}),
        ([], {}),
    ],
)
def test_which_data_is_the_cases(datas: list[dict[str, Any]], header: dict[str, Any]) -> None:
    assert queries.case_attributes(datas) == header


def filed(world: World, case: str = "K1") -> list[TraceEvent]:
    """Four steps around the Qingming holiday of 2026 (Sat 4 to Mon 6 April, all rest days):
    the party is the same on every step, the amount changes, a note is on one step only."""
    return pushed(
        world,
        case,
        [
            {"activity": "受理", "time": at("2026-04-03"), "data": {**PARTY, "amount": 1000}},
            {"activity": "审核", "time": at("2026-04-07"), "data": {**PARTY, "amount": 1200}},
            {"activity": "复核", "time": at("2026-04-07", 15), "data": {**PARTY, "amount": 1200}},
            {"activity": "批准", "time": at("2026-04-09"), "data": {**PARTY, "note": "加急"}},
        ],
    )


def row_of(page: str, event: TraceEvent) -> str:
    found = re.search(rf'<tr data-event="{event.pk}".*?</tr>', page, re.S)
    assert found, f"no row for event {event.pk}"
    return found.group(0)


def page_of(world: World, role: str, events: list[TraceEvent]) -> str:
    answer = client_for(world, role).get(f"/monitoring/cases/{events[0].case_id}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_case_data_is_said_once_in_the_header(world: World) -> None:
    events = filed(world)

    page = page_of(world, "office", events)

    header = page[page.index('id="sl-case-attributes"') : page.index('id="sl-timeline"')]
    assert page.count(PARTY["party_name"]) == 1
    assert page.count(PARTY["party"]) == 1
    assert f'data-key="party_name">{PARTY["party_name"]}<' in header
    for event in events:
        assert PARTY["party"] not in row_of(page, event)


def test_data_that_differs_between_steps_stays_on_the_steps(world: World) -> None:
    events = filed(world)

    page = page_of(world, "office", events)

    assert 'data-key="amount"' not in page
    assert "1000" in row_of(page, events[0])
    assert "1200" in row_of(page, events[1])
    assert "amount" not in row_of(page, events[3])  # the last step carries no amount
    assert "加急" in row_of(page, events[3])  # on one step only: the step's own
    assert 'data-key="note"' not in page


def test_working_day_gaps_skip_the_weekend_and_the_holiday(world: World) -> None:
    events = filed(world)

    page = page_of(world, "office", events)

    gaps = [re.search(r'data-gap="(\d+)"', row_of(page, e)) for e in events]
    # Fri 3 April → Tue 7 April: Sat, Sun and Mon (Qingming) are rest days; then the same day;
    # then Wed 8 and Thu 9.
    assert [g.group(1) if g else None for g in gaps] == [None, "1", None, "2"]
    assert 'data-workdays="3"' in page
    assert "星期五" in row_of(page, events[0])  # local time with the weekday


def test_a_bureau_rest_day_counts_in_the_gaps(world: World) -> None:
    calendar_day_set(by=world.user("office"), date=dt.date(2026, 4, 8), is_workday=False)
    events = filed(world)

    page = page_of(world, "office", events)

    assert 'data-gap="1"' in row_of(page, events[3])


def test_the_header_names_officers_and_units_with_links_only_within_scope(world: World) -> None:
    events = pushed(
        world,
        "K2",
        [
            {"activity": "受理", "time": at("2026-04-01")},
            {"activity": "审核", "time": at("2026-04-02"), "resource": "S-B", "post": "PB1",
             "unit": "B1"},
            {"activity": "批准", "time": at("2026-04-03"), "resource": "王五", "unit": "某分局"},
        ],
    )  # fmt: skip

    head = page_of(world, "head", events)
    office = page_of(world, "office", events)

    officers = head[head.index('id="sl-case-officers"') :].split("</dd>")[0]
    assert f'href="/org/staff/{world.staff_a.pk}/">张三（S-A）</a>' in (officers)
    assert "李四" in officers
    assert f"/org/staff/{world.staff_b.pk}/" not in officers
    assert "王五" in officers  # not matched to a staff record: named, not linked
    units = head[head.index('id="sl-case-units"') :].split("</dd>")[0]
    assert f"/org/units/{world.dept_a1.pk}/" in units
    assert f"/org/units/{world.dept_b1.pk}/" not in units
    assert "B县税务局征管科" in units
    assert f"/org/staff/{world.staff_b.pk}/" in office
    assert f"/org/units/{world.dept_b1.pk}/" in office
    leader = page_of(world, "leader", events)  # county B: the other way round
    assert f"/org/staff/{world.staff_b.pk}/" in leader
    assert f"/org/staff/{world.staff_a.pk}/" not in leader


def warned(events: list[TraceEvent], rule: str = "four_eyes") -> Warning:
    first = events[0]
    evidence = (events[0], events[-1])
    found = Finding(
        rule=rule,
        template="separation_of_duties",
        stage=Stage.DURING,
        severity=Severity.HIGH,
        cases=(first.case.external_id,),
        time=events[-1].time,
        resource=first.source_resource,
        post=first.source_post,
        unit=first.source_unit,
        events=tuple(
            Event(case=first.case.external_id, activity=e.activity, time=e.time,
                  resource=e.source_resource, index=e.pk)
            for e in evidence
        ),
        message_zh="同一人既受理又批准",
        message_en="The same officer accepted and approved",
    )  # fmt: skip
    result = raise_warnings([found], rule_set="demo")
    return Warning.objects.get(pk=result.warning_ids[0])


def test_warnings_are_listed_with_their_status_and_pinned_on_their_evidence(
    world: World,
) -> None:
    events = filed(world)
    warning = warned(events)

    page = page_of(world, "office", events)

    listed = page[page.index('id="sl-case-warnings"') : page.index('id="sl-timeline"')]
    assert f'href="/warnings/{warning.pk}/">four_eyes</a>' in listed
    assert warning.get_status_display() in listed
    for event in (events[0], events[-1]):
        row = row_of(page, event)
        assert f'class="badge bg-red-lt sl-pin" href="/warnings/{warning.pk}/"' in row
        assert warning.get_stage_display() in row
        assert warning.get_severity_display() in row
    for event in events[1:-1]:
        assert "sl-pin" not in row_of(page, event)


def test_the_query_count_does_not_grow_with_the_steps(world: World) -> None:
    short = filed(world, "K1")
    long = pushed(
        world,
        "K9",
        [
            {"activity": f"步骤{n}", "time": at(f"2026-04-{1 + n % 20:02d}", 8 + n % 9),
             "resource": "S-B" if n % 2 else "S-A", "post": "PB1" if n % 2 else "PA1",
             "unit": "B1" if n % 2 else "A1", "data": {**PARTY, "n": n}}
            for n in range(40)
        ],
    )  # fmt: skip
    warned(short)
    warned(long, rule="late")
    head = client_for(world, "head")
    head.get(f"/monitoring/cases/{short[0].case_id}/")  # the calendar is built once, then kept

    counts = []
    for events in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert head.get(f"/monitoring/cases/{events[0].case_id}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Case.objects.count() == 2

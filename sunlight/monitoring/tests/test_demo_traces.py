"""The demo bureau's year of traces: deterministic, planted problems at realistic rates, every
planted problem found by the demo rule set and nothing found on a clean case; stored through the
event store with every officer, post, unit and process matched, and loaded twice without a
duplicate.

The engine half runs on a roster drawn from the org demo's own specifications (no database);
the platform half loads the real demo bureau once per module and rolls it back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from controls import cli
from controls.calendar import WorkCalendar
from controls.events import Finding
from controls.io.reference import ReferenceTable, read_reference
from controls.monitor import check
from controls.rules.catalog import load_rules
from sunlight.monitoring.demo import processes
from sunlight.monitoring.demo.files import (
    BANDS_FILE,
    RELATIONS_FILE,
    RULES_FILE,
    relations_csv,
    write_demo_files,
)
from sunlight.monitoring.demo.generator import (
    CITY,
    COUNTIES,
    OVERDUE_STAGES,
    PLANTED_RULES,
    DemoTraces,
    generate,
)
from sunlight.monitoring.demo.roster import Roster, Tenure
from sunlight.monitoring.demo.schedule import NOW, PERIOD_START, TZ
from sunlight.org.demo import data as org_data

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def spec_roster() -> Roster:
    """Every post of the org demo's specification, held since 2020 by its number of holders
    (staff numbers of our own: the generator needs only post and unit codes)."""
    tenures: list[Tenure] = []
    bureaus = [(org_data.CITY_CODE, org_data.CITY_POSTS)]
    bureaus += [(code, org_data.COUNTY_POSTS) for code, _ in org_data.COUNTIES]
    for bureau, posts in bureaus:
        for unit_key, specs in posts.items():
            unit = "-".join(part for part in (bureau, unit_key) if part)
            for spec in specs:
                post = f"{unit}-{spec.key}"
                for _ in range(spec.holders):
                    staff = f"T{len(tenures) + 1:04d}"
                    tenures.append(Tenure(staff, post, unit, dt.date(2020, 1, 1), None))
    return Roster(tenures)


def reference(traces: DemoTraces) -> dict[str, Any]:
    rows = tuple(
        {"officer": o, "party": p, "relation": r} for o, p, r in traces.relations
    )  # fmt: skip
    relations = ReferenceTable("relations", "relations", ("officer", "party", "relation"), rows)
    return {"relations": relations, "discretion_bands": read_reference(BANDS_FILE)}


def run_rules(traces: DemoTraces) -> list[Finding]:
    return check(traces.events(), load_rules(RULES_FILE), now=NOW, reference=reference(traces))


def limit_rules(traces: DemoTraces) -> dict[str, str]:
    """Each case's time-limit rule id (by its process)."""
    by_process = {
        f"QL-{bureau}-{p.power}": p.limit.rule
        for p in processes.PROCESSES
        if p.limit is not None
        for bureau in ((CITY,) if p.city else COUNTIES)
    }
    return {case.id: by_process.get(case.process, "") for case in traces.cases}


def expected(kind: str, limit_rule: str) -> set[tuple[str, str]]:
    """(rule, stage) pairs that may report a case planted with ``kind``; stage "" = any."""
    if kind in OVERDUE_STAGES:
        return {(limit_rule, OVERDUE_STAGES[kind])}
    return {(rule, "") for rule in PLANTED_RULES[kind]}


def explains(finding: Finding, kind: str, limit_rule: str) -> bool:
    return any(
        finding.rule == rule and stage in ("", finding.stage.value)
        for rule, stage in expected(kind, limit_rule)
    )


@pytest.fixture(scope="module")
def traces() -> DemoTraces:
    return generate(spec_roster())


@pytest.fixture(scope="module")
def findings(traces: DemoTraces) -> list[Finding]:
    return run_rules(traces)


# --- the traces -------------------------------------------------------------------------------


def test_same_seed_same_traces(traces: DemoTraces) -> None:
    again = generate(spec_roster())
    assert [e.evidence() for e in again.events()] == [e.evidence() for e in traces.events()]
    assert again.relations == traces.relations
    assert again.planted() == traces.planted()


def test_a_year_of_a_few_thousand_cases(traces: DemoTraces) -> None:
    events = traces.events()
    assert 3000 <= len(traces.cases) <= 6000
    assert 20_000 <= len(events) <= 40_000
    assert events[0].time.astimezone(TZ).date() >= PERIOD_START
    assert events[-1].time <= NOW
    assert [e.index for e in events] == list(range(1, len(events) + 1))
    assert len({e.process for e in events}) == 3 + 8 * len(COUNTIES)


def test_officers_act_only_in_posts_they_hold(traces: DemoTraces) -> None:
    roster = spec_roster()
    for event in traces.events():
        assert roster.holds(event.resource, event.post, event.time.astimezone(TZ).date()), event
        assert event.unit == roster.unit_of(event.post)


def test_holidays_and_make_up_days_are_in_the_calendar(traces: DemoTraces) -> None:
    """Clean work happens on working days, the make-up Saturdays included; some planted
    approvals fall on an official holiday."""
    planted = traces.planted()
    days: dict[bool, set[dt.date]] = {True: set(), False: set()}
    for case in traces.cases:
        days[case.id in planted].update(e.time.astimezone(TZ).date() for e in case.events)
    calendar = WorkCalendar.official()
    assert all(calendar.is_workday(day) for day in days[False])
    assert dt.date(2025, 10, 11) in days[False]  # Saturday, worked for National Day
    assert dt.date(2026, 2, 14) in days[False]  # Saturday, worked for Spring Festival
    holidays = {d for d in days[True] if not calendar.is_workday(d) and d.weekday() < 5}
    assert len(holidays) >= 3


def test_planted_problems_at_realistic_rates(traces: DemoTraces) -> None:
    planted = traces.planted()
    kinds = Counter(planted.values())
    assert set(kinds) == set(PLANTED_RULES) | set(OVERDUE_STAGES)
    assert 0.03 <= len(planted) / len(traces.cases) <= 0.12
    for kind, count in kinds.items():
        assert count / len(traces.cases) <= 0.02, kind


# --- the rule set -----------------------------------------------------------------------------


def test_the_rule_set_is_large_enough() -> None:
    rules = load_rules(RULES_FILE)
    assert len(rules.specs) >= 12
    assert {spec.id for spec in rules.specs} >= set().union(*PLANTED_RULES.values())


def test_no_finding_on_a_clean_case(traces: DemoTraces, findings: list[Finding]) -> None:
    planted = traces.planted()
    stray = [f for f in findings if not any(case in planted for case in f.cases)]
    assert stray == [], [f.message_en for f in stray[:5]]


def test_every_finding_is_explained_by_a_planted_problem(
    traces: DemoTraces, findings: list[Finding]
) -> None:
    planted, limits = traces.planted(), limit_rules(traces)
    unexplained = [
        f
        for f in findings
        if not any(explains(f, planted[c], limits[c]) for c in f.cases if c in planted)
    ]
    assert unexplained == [], [f.message_en for f in unexplained[:5]]


def test_every_planted_problem_is_found(traces: DemoTraces, findings: list[Finding]) -> None:
    planted, limits = traces.planted(), limit_rules(traces)
    by_case: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        for case in finding.cases:
            by_case[case].append(finding)
    missed = {
        case: kind
        for case, kind in planted.items()
        if not any(explains(f, kind, limits[case]) for f in by_case[case])
    }
    assert missed == {}
    stages = Counter(f.stage.value for f in findings)
    assert stages["before"] > 0
    assert stages["during"] > 0
    assert stages["after"] > 0


def test_the_command_line_finds_the_same(
    traces: DemoTraces, findings: list[Finding], tmp_path: Path
) -> None:
    files = write_demo_files(traces, tmp_path)
    out = io.StringIO()
    code = cli.main(
        [
            "check", "--rules", str(files["rules"]), "--log", str(files["events"]),
            "--reference", f"relations={files['relations']}",
            "--reference", f"discretion_bands={files['discretion_bands']}",
            "--now", NOW.isoformat(), "--format", "json",
        ],
        out,
    )  # fmt: skip
    assert code == 0
    assert sorted(f["id"] for f in json.loads(out.getvalue())) == sorted(f.id for f in findings)


# --- in the platform --------------------------------------------------------------------------


@dataclass
class Loaded:
    traces: Any = None
    first: Any = None
    second: Any = None
    counts: list[dict[str, int]] = field(default_factory=list)
    unmatched_events: int = -1
    unmatched_cases: int = -1
    findings: list[Finding] = field(default_factory=list)
    planted: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    appeals: int = 0
    orders: int = 0
    not_held: list[Any] = field(default_factory=list)


def _counts() -> dict[str, int]:
    from sunlight.audit.models import AuditRecord
    from sunlight.monitoring.models import Case, ReferenceTableVersion, RuleSetVersion, TraceEvent
    from sunlight.warnings.models import Transition, Warning

    models = (Case, TraceEvent, RuleSetVersion, ReferenceTableVersion, Warning, Transition)
    counts = {m.__name__: m.objects.count() for m in models}
    counts["AuditRecord"] = AuditRecord.objects.count()
    return counts


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Loaded:
    """The org demo and the monitoring demo loaded twice, recorded, and rolled back."""
    from sunlight.monitoring import rulesets
    from sunlight.monitoring.demo.actions import demo_load
    from sunlight.monitoring.demo.queries import demo_roster
    from sunlight.monitoring.models import Case, TraceEvent
    from sunlight.org.demo import load_demo
    from sunlight.warnings.models import Accountability, SupervisionOrder

    result = Loaded()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        load_demo()
        roster = demo_roster()
        result.traces = generate(roster)
        result.not_held = [
            e for e in result.traces.events()
            if not roster.holds(e.resource, e.post, e.time.astimezone(TZ).date())
        ]  # fmt: skip
        result.first = demo_load(traces=result.traces)
        result.counts.append(_counts())
        result.second = demo_load()
        result.counts.append(_counts())
        events = TraceEvent.objects.filter(case__source_system="demo")
        result.unmatched_events = events.filter(staff=None).count() + events.filter(
            post=None
        ).count() + events.filter(unit=None).count()  # fmt: skip
        result.unmatched_cases = Case.objects.filter(power_item=None).count()
        result.findings = run_rules(result.traces)
        result.planted = result.traces.planted()
        result.statuses = result.second.statuses
        result.appeals = Accountability.objects.exclude(appealed_at=None).count()
        result.orders = SupervisionOrder.objects.count()
        transaction.set_rollback(True)
    rulesets.forget()
    return result


@pytest.mark.django_db  # (so that the test database is set up)
def test_every_event_maps_to_the_demo_organisation(loaded: Loaded) -> None:
    assert loaded.first.traces.unknowns == {}
    assert loaded.first.traces.stored == len(loaded.traces.events())
    assert loaded.unmatched_events == 0
    assert loaded.unmatched_cases == 0
    assert loaded.not_held == []  # officers act only in posts they held that day


@pytest.mark.django_db  # (so that the test database is set up)
def test_loading_twice_stores_nothing_twice(loaded: Loaded) -> None:
    assert loaded.second.traces.stored == 0
    assert loaded.second.traces.duplicates == loaded.first.traces.stored
    assert loaded.second.rules.changed == []
    assert loaded.second.check.new == 0
    assert loaded.counts[0] == loaded.counts[1]


@pytest.mark.django_db  # (so that the test database is set up)
def test_the_demo_org_gives_a_clean_and_planted_year(loaded: Loaded) -> None:
    stray = [f for f in loaded.findings if not any(c in loaded.planted for c in f.cases)]
    assert stray == []
    found = {c for f in loaded.findings for c in f.cases}
    assert set(loaded.planted) <= found


@pytest.mark.django_db  # (so that the test database is set up)
def test_the_period_check_raises_every_finding_as_a_warning(loaded: Loaded) -> None:
    assert loaded.first.check.findings == len(loaded.findings)
    assert loaded.first.check.new == len(loaded.findings)


@pytest.mark.django_db  # (so that the test database is set up)
def test_the_queues_show_every_step_of_the_lifecycle(loaded: Loaded) -> None:
    statuses = loaded.statuses
    assert set(statuses) == {"assigned", "responded", "rectifying", "rectified", "closed"}
    # Most are handled by now; some still await an answer or run a long rectification.
    assert statuses["closed"] > sum(statuses.values()) / 2
    assert statuses["assigned"] >= 20
    assert statuses["rectifying"] >= 20
    assert loaded.appeals == 1
    assert loaded.orders == 1


@pytest.mark.django_db  # (so that the test database is set up)
def test_the_shipped_relations_table_is_the_generated_one(loaded: Loaded) -> None:
    """``data/relations.csv`` (for the command line) must list the relations the demo bureau's
    traces are generated with; regenerate it with ``files.relations_csv`` when the org demo
    changes."""
    assert RELATIONS_FILE.read_text(encoding="utf-8") == relations_csv(loaded.traces.relations)

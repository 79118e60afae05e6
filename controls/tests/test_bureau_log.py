"""The bureau rule set over a generated log: every planted breach found, no decoy, nothing else."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
from pathlib import Path

import pytest

from controls.bench import generate as g
from controls.calendar import WorkCalendar
from controls.events import Event, Finding, Stage
from controls.io import read_log, read_reference
from controls.monitor import Monitor, check
from controls.rules.catalog import RuleSet, load_rules

BENCH = Path(g.__file__).parent
EVENTS = 3000


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules(BENCH / "bureau_rules.yaml")


@pytest.fixture(scope="module")
def reference() -> dict[str, object]:
    names = ("discretion_bands", "relations")
    return {n: read_reference(BENCH / "reference" / f"{n}.csv", n) for n in names}


@pytest.fixture(scope="module")
def log() -> list[Event]:
    return list(g.generate(EVENTS, seed=11))


@pytest.fixture(scope="module")
def found(log: list[Event], ruleset: RuleSet, reference: dict[str, object]) -> list[Finding]:
    return check(log, ruleset, reference=reference)


def _hits(found: list[Finding], rule: str, case: str) -> list[Finding]:
    return [f for f in found if f.rule == rule and case in f.cases and f.stage != Stage.BEFORE]


@pytest.mark.parametrize("planted", g.ground_truth(), ids=lambda p: f"{p.rule}:{p.boundary}")
def test_planted_case(planted: g.Planted, found: list[Finding]) -> None:
    hits = _hits(found, planted.rule, planted.case)
    if planted.breach:
        assert hits, f"{planted.case} not found by {planted.rule}"
        assert all(f.message_zh and f.message_en and f.resource for f in hits)
    else:
        assert hits == [], [f.message_en for f in hits]


def test_background_is_clean(found: list[Finding]) -> None:
    breaches = {(p.rule, p.case) for p in g.ground_truth() if p.breach}
    stray = [f.message_en for f in found if not any((f.rule, c) in breaches for c in f.cases)]
    assert stray == []


def test_every_rule_of_the_set_is_planted_on_both_sides(ruleset: RuleSet) -> None:
    sides = collections.defaultdict(set)
    for p in g.ground_truth():
        sides[p.rule].add(p.breach)
    assert {spec.id for spec in ruleset.specs} == set(sides)
    assert all(s == {True, False} for s in sides.values())
    assert len(ruleset.specs) >= 12


def test_log_has_exact_size_time_order_and_plants(log: list[Event]) -> None:
    assert len(log) == EVENTS
    assert [e.index for e in log] == list(range(1, EVENTS + 1))
    assert all(a.time <= b.time for a, b in itertools.pairwise(log))
    cases = {e.case for e in log}
    assert {p.case for p in g.ground_truth()} <= cases
    assert {e.process for e in log} == {g.RELIEF, g.PENALTY, g.INVOICE, g.QUALIFICATION,
                                        g.REGISTRATION}  # fmt: skip


def test_background_keeps_working_days_and_hours(log: list[Event]) -> None:
    calendar = WorkCalendar.official()
    planted = {p.case for p in g.ground_truth()}
    for e in log:
        if e.case in planted:
            continue
        assert calendar.is_workday(e.time.date()), e
        assert dt.time(9) <= e.time.timetz().replace(tzinfo=None) < dt.time(17), e
    days = {e.time.date() for e in log}
    assert dt.date(2026, 10, 10) in days  # the make-up Saturday is a working day
    assert not any(dt.date(2026, 10, 1) <= d <= dt.date(2026, 10, 7) for d in days
                   if d != dt.date(2026, 10, 3))  # fmt: skip


def test_same_seed_same_log_other_seed_other_log(log: list[Event]) -> None:
    again = list(g.generate(EVENTS, seed=11))
    assert [e.evidence() for e in again] == [e.evidence() for e in log]
    other = list(g.generate(EVENTS, seed=12))
    assert [e.evidence() for e in other] != [e.evidence() for e in log]


def test_case_order_holds_the_same_events(log: list[Event]) -> None:
    grouped = list(g.generate(EVENTS, seed=11, by_case=True))
    key = lambda e: (e.case, e.time, e.activity)  # noqa: E731
    assert sorted(map(key, grouped)) == sorted(map(key, log))
    seen: list[str] = []
    for e in grouped:
        if not seen or seen[-1] != e.case:
            assert e.case not in seen
            seen.append(e.case)


def test_too_few_events_for_the_plants_is_refused() -> None:
    with pytest.raises(ValueError, match="planted events"):
        list(g.generate(10))
    assert len(list(g.generate(10, planted=False))) == 10


def test_incremental_monitor_gives_the_batch_findings(
    log: list[Event], ruleset: RuleSet, reference: dict[str, object], found: list[Finding]
) -> None:
    monitor = Monitor(ruleset, reference=reference)
    incremental = [f for e in log for f in monitor.feed(e)] + monitor.finish()
    assert [f.id for f in incremental] == [f.id for f in found]


@pytest.mark.parametrize("suffix", [".csv", ".xes.gz"])
def test_written_and_read_back_gives_the_same_findings(
    tmp_path: Path,
    suffix: str,
    ruleset: RuleSet,
    reference: dict[str, object],
    found: list[Finding],
) -> None:
    path = tmp_path / f"log{suffix}"
    assert g.write_log(path, EVENTS, seed=11) == EVENTS
    events = list(read_log(path))
    if suffix == ".xes.gz":  # XES holds cases whole: put the events back in time order
        events.sort(key=lambda e: (e.time, e.case))
    again = check(events, ruleset, reference=reference)
    assert sorted(f.id for f in again) == sorted(f.id for f in found)


def test_reference_files_match_the_generator() -> None:
    folder = BENCH / "reference"
    assert (folder / "discretion_bands.csv").read_text(encoding="utf-8") == g.bands_csv()
    assert (folder / "relations.csv").read_text(encoding="utf-8") == g.relations_csv()
    assert (folder / "staff.csv").read_text(encoding="utf-8") == g.staff_csv()

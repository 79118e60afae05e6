"""The demo's writers: store the generated traces, install the demo rule set, run it over the
period, and take a handful of the warnings through their lifecycle.

Every step goes through the platform's own writers (the event store, the rule-set actions, the
runner's batch check, the warnings actions), so the demo shows what a real bureau's data would
look like, audit trail included. Every step is idempotent: events by their natural key, rule
and table versions only when their text differs, warnings by their finding id, and the
lifecycle walk only moves warnings still waiting for their first step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from sunlight.audit.actions import audit_record
from sunlight.core.models import User
from sunlight.monitoring import eventstore
from sunlight.monitoring.actions import checking
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.demo.files import BANDS_FILE, RULES_FILE, relations_csv
from sunlight.monitoring.demo.generator import SOURCE_SYSTEM, DemoTraces, generate
from sunlight.monitoring.demo.queries import demo_roster
from sunlight.monitoring.demo.schedule import NOW, PERIOD_START, TZ
from sunlight.monitoring.models import ReferenceTable, RuleSet
from sunlight.monitoring.rulesets import parse_text, read_table_upload, table_text
from sunlight.risks.demo.actions import demo_register_load
from sunlight.warnings import actions as warnings
from sunlight.warnings.models import Measure, Outcome, Status, Warning

ACTOR = "manage.py loaddemo"
BATCH = 5000
OFFICE_USERNAME = "office"  # the demo account of the internal-control office (org demo)


@dataclass
class TracesStored:
    cases: int
    events: int
    stored: int = 0
    duplicates: int = 0
    unknowns: dict[str, list[str]] = field(default_factory=dict)


def demo_traces_store(*, traces: DemoTraces) -> TracesStored:
    """Store the traces through the event store, in one transaction; a second run stores
    nothing (every event is a duplicate of itself)."""
    events = traces.events()
    result = TracesStored(cases=len(traces.cases), events=len(events))
    with transaction.atomic():
        resolver = eventstore.Resolver()
        for start in range(0, len(events), BATCH):
            chunk = events[start : start + BATCH]
            batch = eventstore.store_events(
                source_system=SOURCE_SYSTEM,
                events=[(event.index, event) for event in chunk],
                resolver=resolver,
            )
            # As every import does: the cases of new events wait for the rules.
            checking.mark_stored(
                source_system=SOURCE_SYSTEM,
                events=chunk,
                statuses=batch.statuses,
                priority=checking.IMPORTED,
            )
            result.stored += batch.stored
            result.duplicates += batch.duplicates
            result.unknowns = eventstore.merge_unknowns(result.unknowns, batch.unknowns)
        if result.stored:
            audit_record(
                by=None,
                actor_name=ACTOR,
                action="monitoring.demo.traces",
                after={
                    "source_system": SOURCE_SYSTEM,
                    "cases": result.cases,
                    "stored": result.stored,
                    "duplicates": result.duplicates,
                },
            )
    return result


# --- the rule set ---------------------------------------------------------------------------


@dataclass
class RulesInstalled:
    rule_set: RuleSet
    changed: list[str]  # what got a new version: table names, "rules"


def demo_rules_install(*, by: User, relations: Iterable[tuple[str, str, str]]) -> RulesInstalled:
    """Put the demo rule set in force with its reference tables (the penalty bands, and the
    officers' relations to taxpayers the traces were generated with)."""
    tables = {
        "discretion_bands": (BANDS_FILE.read_bytes(), BANDS_FILE.name),
        "relations": (relations_csv(relations).encode(), "relations.csv"),
    }
    changed = []
    # Tables first: the rules are validated against the tables they consult.
    for name, (content, file_name) in tables.items():
        if _table_differs(name, content, file_name):
            rule_actions.reference_table_upload(
                by=by, name=name, content=content, file_name=file_name,
                comment="示例数据 / demo data",
            )  # fmt: skip
            changed.append(name)
    text = RULES_FILE.read_text(encoding="utf-8")
    name = parse_text(text).name
    rule_set = RuleSet.objects.filter(name=name).first()
    latest = rule_set.versions.order_by("-number").first() if rule_set else None
    if latest is None or latest.text != text:
        rule_set = rule_actions.rule_set_import(
            by=by, content=text.encode(), file_name=RULES_FILE.name, comment="示例数据 / demo data"
        )
        changed.append("rules")
    assert rule_set is not None  # found, or just imported
    return RulesInstalled(rule_set, changed)


def _table_differs(name: str, content: bytes, file_name: str) -> bool:
    table = ReferenceTable.objects.filter(name=name).first()
    newest = table.versions.order_by("-number").first() if table else None
    return newest is None or newest.content != table_text(
        read_table_upload(name, content, file_name)
    )


def demo_check() -> checking.PeriodCounts:
    """The runner's batch check over the demo period, with the clock at its end: deadline
    pre-warnings for the matters still open then, and every breach of the year."""
    start = dt.datetime.combine(PERIOD_START, dt.time(), tzinfo=TZ)
    return checking.check_period(start=start, end=NOW, now=NOW)


# --- a few warnings through their lifecycle ---------------------------------------------------

# The office's work after the National Day holidays of 2026: fixed moments, so a reload is equal.
_WALK_START = dt.datetime(2026, 10, 9, 9, 30, tzinfo=TZ)


def _at(days: int, hour: int = 0) -> dt.datetime:
    return _WALK_START + dt.timedelta(days=days, hours=hour)


@dataclass
class _Walk:
    """One warning taken through some steps: the first (by finding id) that ``pick`` accepts."""

    label: str
    pick: Callable[[Warning], bool]
    steps: Callable[[Warning, User], None]


def _person(warning: Warning) -> User | None:
    if warning.staff_id is None:
        return None
    return User.objects.filter(staff_id=warning.staff_id, is_active=True).first()


def _verifier(warning: Warning, office: User) -> User:
    """Who decides: the assigned unit head, else the office."""
    if warning.verifier is not None and not warning.verifier_is_office:
        return warning.verifier
    return office


def _rule(*rules: str, stage: str = "") -> Callable[[Warning], bool]:
    return lambda w: w.rule in rules and (not stage or w.stage == stage)


def _has_account(warning: Warning) -> bool:
    return _person(warning) is not None


def _respond(warning: Warning, office: User) -> None:
    person = _person(warning)
    assert person is not None  # picked for it
    warnings.warning_respond(
        by=person, warning=warning, now=_at(1),
        explanation="情况属实，系当日系统操作时未注意岗位权限，已按要求补正手续。",
    )  # fmt: skip


def _unfounded(warning: Warning, office: User) -> None:
    warnings.warning_decide(
        by=_verifier(warning, office), warning=warning, outcome=Outcome.UNFOUNDED, now=_at(3),
        note="经核实，纳税人补正资料耗时较长，已履行延期告知手续，不属违规。",
    )  # fmt: skip


def _justified(warning: Warning, office: User) -> None:
    warnings.warning_decide(
        by=_verifier(warning, office), warning=warning, outcome=Outcome.JUSTIFIED, now=_at(3),
        note="预警属实，属程序性瑕疵，责令限期整改。", rectify_days=10,
    )  # fmt: skip


def _rectify(warning: Warning, office: User) -> None:
    warnings.warning_rectify(
        by=_person(warning) or _verifier(warning, office), warning=warning, now=_at(10),
        report="已完善审批手续并组织本科室学习相关制度。",
    )  # fmt: skip


def _close(warning: Warning, office: User) -> None:
    warnings.warning_close(
        by=_verifier(warning, office), warning=warning, now=_at(12), note="整改到位，予以销号。"
    )


def _violation(warning: Warning, office: User) -> None:
    warnings.warning_decide(
        by=_verifier(warning, office), warning=warning, outcome=Outcome.VIOLATION, now=_at(4),
        note="违反分权制衡规定，情节较轻。", rectify_days=10,
    )  # fmt: skip
    record = warnings.accountability_decide(
        by=office, warning=warning, measure=Measure.WRITTEN_REVIEW, now=_at(5),
        reason="违反审批权限规定，责令作出书面检查。",
    )  # fmt: skip
    person = _person(warning)
    if person is not None:
        warnings.accountability_appeal(
            by=person, record=record, now=_at(6), text="事出紧急，已事后补办手续，请求从轻处理。"
        )


def _supervise(warning: Warning, office: User) -> None:
    warnings.supervision_order_issue(
        by=office, warning=warning, now=_at(14), days=5,
        note="请于 5 个工作日内完成核查反馈。",
    )  # fmt: skip


def _steps(*steps: Callable[[Warning, User], None]) -> Callable[[Warning, User], None]:
    def run(warning: Warning, office: User) -> None:
        for step in steps:
            step(warning, office)
            warning.refresh_from_db()

    return run


WALKS = (
    _Walk("responded", _has_account, _steps(_respond)),
    _Walk("unfounded", _rule("DJ-01", "TS-01"), _steps(_unfounded)),
    _Walk("rectifying", _rule("JM-01", "CK-02", stage="after"), _steps(_justified)),
    _Walk("rectified", _rule("WT-01"), _steps(_justified, _rectify)),
    _Walk("closed", _rule("SOD-02"), _steps(_justified, _rectify, _close)),
    # A person with a login, so that the appeal against the measure can be shown too.
    _Walk("violation", _has_account, _steps(_violation)),
    _Walk("accountable", _rule("SOD-01", "NC-01"), _steps(_violation, _rectify, _close)),
    _Walk("supervised", _rule("CF-01", "CK-02", "JC-03"), _steps(_supervise)),
)


def demo_warnings_walk(*, office: User, rule_set: RuleSet) -> dict[str, int]:
    """Take one warning per walk through its steps (each walk picks a different warning), then
    handle most of the others as a bureau would have by now (``_work_the_backlog``); returns the
    warnings of the rule set by status."""
    mine = Warning.objects.filter(rule_set=rule_set.name[:100]).order_by("finding_id")
    taken: set[int] = set()
    for walk in WALKS:
        found = next((w for w in mine if w.pk not in taken and walk.pick(w)), None)
        if found is None:
            continue
        taken.add(found.pk)
        if _untouched(found):
            walk.steps(found, office)
    _work_the_backlog([w for w in mine if w.pk not in taken], office)
    counts = mine.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in counts}


def _untouched(warning: Warning) -> bool:
    """Raised and assigned, nothing more: a reload must not handle it twice."""
    return (
        warning.status == Status.ASSIGNED
        and not warning.transitions.exclude(step__in=("raise", "assign")).exists()
    )


def _work_the_backlog(backlog: list[Warning], office: User) -> None:
    """The office's October and November: of every ten warnings, five are found unfounded, three
    corrected and closed, one is under a rectification that runs into next year, and one still
    awaits its answer (overdue by now: the worker's sweep issues its supervision order). Spread
    over days, so the statistics show handling times; chosen by position, so a reload is equal.
    """
    for position, warning in enumerate(backlog):
        if not _untouched(warning):
            continue
        share, day = position % 10, 2 + position % 9
        if share in (1, 2, 3, 4, 5):
            warnings.warning_decide(
                by=_verifier(warning, office), warning=warning, outcome=Outcome.UNFOUNDED,
                now=_at(day), note="经核实，办理过程有正当理由并已留存说明材料，不属违规。",
            )  # fmt: skip
        elif share in (6, 7, 8):
            _corrected(warning, office, day)
        elif share == 9:
            warnings.warning_decide(
                by=_verifier(warning, office), warning=warning, outcome=Outcome.JUSTIFIED,
                now=_at(day), note="预警属实，涉及制度流程调整，限期整改。", rectify_days=60,
            )  # fmt: skip


def _corrected(warning: Warning, office: User, day: int) -> None:
    verifier = _verifier(warning, office)
    warnings.warning_decide(
        by=verifier, warning=warning, outcome=Outcome.JUSTIFIED, now=_at(day),
        note="预警属实，属程序性瑕疵，责令限期整改。", rectify_days=10,
    )  # fmt: skip
    warning.refresh_from_db()
    warnings.warning_rectify(
        by=_person(warning) or verifier, warning=warning, now=_at(day + 6),
        report="已补正相关手续，并组织岗位人员学习制度规定。",
    )  # fmt: skip
    warning.refresh_from_db()
    warnings.warning_close(
        by=verifier, warning=warning, now=_at(day + 8), note="整改到位，予以销号。"
    )


# --- all of it ------------------------------------------------------------------------------


@dataclass
class DemoLoaded:
    traces: TracesStored
    rules: RulesInstalled | None = None
    check: checking.PeriodCounts | None = None
    statuses: dict[str, int] = field(default_factory=dict)


def demo_load(*, rules: bool = True, traces: DemoTraces | None = None) -> DemoLoaded:
    """Generate the traces for the loaded demo bureau and store them; with ``rules`` (and the
    office's demo account present) install the demo rule set, check the period and walk a few
    warnings through their lifecycle."""
    traces = traces or generate(demo_roster())
    loaded = DemoLoaded(demo_traces_store(traces=traces))
    office = User.objects.filter(username=OFFICE_USERNAME, is_active=True).first()
    if not rules or office is None:
        return loaded
    loaded.rules = demo_rules_install(by=office, relations=traces.relations)
    # The register's measures name the demo rules: linked before the check raises warnings, so
    # every warning of a linked rule carries its risk point.
    demo_register_load(rule_set=loaded.rules.rule_set)
    loaded.check = demo_check()
    loaded.statuses = demo_warnings_walk(office=office, rule_set=loaded.rules.rule_set)
    return loaded

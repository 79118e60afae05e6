"""Preventive control (事中阻断): "may this officer do this step in this case now?".

The case's stored trace is fed to the per-case rules in force, the clock is ticked to the
intended time, and then the intended event is fed: what that event (and the clock after it)
adds are the findings the step itself would cause. The monitor returns each finding once, so a
breach the case already had is not blamed on the new step. Warnings (stage *before*) do not
deny. Same engine and same semantics as the runner.

The cross-case rules (splitting, familiarity, concentration, first offence) are judged the same
way on their own monitor, fed the stored events that can matter to them: those inside their
longest window before the intended time, of the activities they look at, of the same party or
the same officer, in time order (at most ``RELATED_LIMIT``, the latest kept). So a relief
application that splits below the collective-review threshold with the party's earlier ones is
denied before it is accepted. Every decision is stored with an audit record.

The intended event is described as a business system would push it, and resolved as the import
resolves it: a person's mapping, then a staff number or post / unit code, then an unambiguous
name; an officer whose unit is not given acts in their own unit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.events import Event, Finding, Stage
from controls.monitor import Monitor
from controls.rules.base import Rule
from controls.rules.templates.crosscase import Span
from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import policy, rulesets, runner, traces
from sunlight.monitoring.models import (
    DEFAULT_SOURCE,
    Case,
    Decision,
    DecisionOutcome,
    MappingKind,
    ValueMapping,
)
from sunlight.org.models import Post, Staff, Unit

log = logging.getLogger(__name__)

# The most stored events a decision reads for its cross-case rules: a party or officer with
# more inside the window is judged on the latest ones (and it is logged).
RELATED_LIMIT = 50_000
# The look-back of a cross-case rule whose window cannot be read (every template today has one).
FALLBACK_WINDOW = dt.timedelta(days=366)


@dataclass(frozen=True)
class Intent:
    """The step a business system is about to commit."""

    case: str
    activity: str
    actor: str
    source_system: str = DEFAULT_SOURCE
    post: str = ""
    unit: str = ""
    process: str = ""
    time: dt.datetime | None = None
    data: Mapping[str, Any] | None = None


def decide(*, by: User, intent: Intent) -> Decision:
    """Answer allow or deny for ``intent`` and record the answer."""
    access.require(policy.may_decide(by))
    _check(intent)
    moment = intent.time or timezone.now()
    case = Case.objects.filter(source_system=intent.source_system, external_id=intent.case).first()
    trace = traces.case_events([case.pk]) if case else []
    event = _event(intent, case, moment)
    force = rulesets.in_force()
    caused = [finding for active in force.sets for finding in _judged(active, force, trace, event)]
    violations = [_violation(f) for f in caused if f.stage != Stage.BEFORE]
    with transaction.atomic():
        decision = Decision.objects.create(
            decided_at=timezone.now(), asked_by=by, source_system=intent.source_system,
            case_ref=intent.case, case=case, activity=intent.activity, actor=intent.actor,
            post=intent.post, unit=intent.unit, time=moment,
            data=checking_json(intent.data or {}),
            outcome=DecisionOutcome.DENY if violations else DecisionOutcome.ALLOW,
            violations=violations, rule_versions=force.versions(),
        )  # fmt: skip
        audit_record(
            by=by, action="monitoring.decision", obj=decision,
            after=snapshot(decision, ["source_system", "case_ref", "activity", "actor", "post",
                                      "unit", "time", "outcome", "violations", "rule_versions"]),
        )  # fmt: skip
    return decision


def _check(intent: Intent) -> None:
    for name in ("case", "activity", "actor"):
        if not str(getattr(intent, name) or "").strip():
            raise ValidationError({name: _("This field is required.")})
    if intent.time is not None and intent.time.tzinfo is None:
        raise ValidationError({"time": _("Give the time with its offset (e.g. +08:00).")})


def checking_json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in data.items()}


def _judged(
    active: rulesets.ActiveRuleSet, force: rulesets.InForce, trace: list[Event], event: Event
) -> list[Finding]:
    """What the step causes under one rule set: its per-case rules on the case's trace, its
    cross-case rules on the related stored events; less what is switched off."""
    per_case = _caused(rulesets.monitor(active.per_case, force), trace, event)
    cross = _cross_caused(rulesets.monitor(rulesets.only_cross_case(active.rules), force), event)
    return force.keep(active, [*per_case, *cross])


def _caused(monitor: Monitor, history: list[Event], event: Event) -> list[Finding]:
    runner.feed_all(monitor, [e for e in history if e.time <= event.time])
    monitor.tick(event.time)  # what the history raised before the step is not the step's doing
    return [*monitor.feed(event), *monitor.tick(event.time)]


def _cross_caused(monitor: Monitor, event: Event) -> list[Finding]:
    if not monitor.rules:
        return []  # most rule sets have no cross-case rule: no query
    parties = {
        key: event.data[key]
        for rule in monitor.rules
        if isinstance(key := getattr(rule, "party", None), str)
        and event.data.get(key) not in (None, "")
    }
    watched = [rule.watches() for rule in monitor.rules]
    activities = None if None in watched else frozenset().union(*(w for w in watched if w))
    history, cut = traces.related_events(
        since=min(_window_start(rule, event.time) for rule in monitor.rules),
        until=event.time,
        activities=activities,
        parties=parties,
        resource=event.resource,
        limit=RELATED_LIMIT,
    )
    if cut:
        log.warning("decision on %s: only the latest %s related events read", event.case,
                    RELATED_LIMIT)  # fmt: skip
    return _caused(monitor, history, event)


def _window_start(rule: Rule, moment: dt.datetime) -> dt.datetime:
    """The first moment the rule's window ending at ``moment`` holds, as the rule counts it
    (calendar dates in its time zone, inclusive)."""
    span, zone = getattr(rule, "span", None), getattr(rule, "zone", None)
    if not isinstance(span, Span) or not isinstance(zone, dt.tzinfo):
        return moment - FALLBACK_WINDOW
    first = span.earliest(moment.astimezone(zone).date())
    return dt.datetime.combine(first, dt.time.min, tzinfo=zone)


def _violation(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "stage": finding.stage.value,
        "message_zh": finding.message_zh,
        "message_en": finding.message_en,
    }


def _event(intent: Intent, case: Case | None, moment: dt.datetime) -> Event:
    staff = _find(MappingKind.STAFF, intent.actor)
    unit = _find(MappingKind.UNIT, intent.unit) if intent.unit else None
    if unit is None and not intent.unit and isinstance(staff, Staff):
        unit = staff.unit
    post = _find(MappingKind.POST, intent.post) if intent.post else None
    if post is None and intent.post and isinstance(unit, Unit):
        post = Post.objects.filter(unit=unit, name=intent.post).first()
    return Event(
        case=intent.case,
        activity=intent.activity,
        time=moment,
        resource=staff.staff_no if isinstance(staff, Staff) else intent.actor,
        post=post.code if isinstance(post, Post) else intent.post,
        unit=unit.code if isinstance(unit, Unit) else intent.unit,
        process=intent.process or (case.process if case else ""),
        data=dict(intent.data or {}),
    )


_MODELS: dict[str, tuple[type[Any], str]] = {
    MappingKind.STAFF: (Staff, "staff_no"),
    MappingKind.POST: (Post, "code"),
    MappingKind.UNIT: (Unit, "code"),
}


def _find(kind: str, value: str) -> Any:
    """The record a source value names, as the import's resolver finds it."""
    value = value.strip()
    model, code = _MODELS[kind]
    mapping = ValueMapping.objects.filter(kind=kind, value=value).first()
    if mapping is not None:
        return model.objects.filter(pk=mapping.target_id).first()
    found = model.objects.filter(**{code: value}).first()
    if found is not None:
        return found
    named = list(model.objects.filter(name=value)[:2])
    return named[0] if len(named) == 1 else None

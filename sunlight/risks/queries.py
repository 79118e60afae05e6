"""Reads of the risk register, scoped by the user's access (see ``core/access.py``), and the link
from a rule of a rule set to the control measures it backs and their risk points.

Staff see the risk points of the posts they hold; a head or leader those of the units in their
subtree; the office, auditors and administrators the whole register. Outside the scope a risk
point is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import translation

from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import rulesets
from sunlight.monitoring.models import RuleSet
from sunlight.org.models import Post, Unit
from sunlight.risks.models import ControlMeasure, RiskItem, RiskPoint


def risk_points_for(user: User) -> QuerySet[RiskPoint]:
    points = RiskPoint.objects.select_related("item", "unit", "post")
    if access.sees_everything(user):
        return points
    if not access.is_active(user):
        return points.none()
    return points.filter(
        access.subtree_q(user, "unit__path")
        | access.subtree_q(user, "post__unit__path")
        | Q(post_id__in=access.current_post_ids(user))
    )


def risk_items_for(user: User) -> QuerySet[RiskItem]:
    """Items with at least one point in the scope (all of them for those who see everything)."""
    items = RiskItem.objects.select_related("power_item")
    if access.sees_everything(user):
        return items
    return items.filter(pk__in=risk_points_for(user).values("item_id"))


def filter_register(
    points: QuerySet[RiskPoint],
    *,
    unit: Unit | None = None,
    post: Post | None = None,
    level: str = "",
    q: str = "",
) -> QuerySet[RiskPoint]:
    """The register's filters: a unit (and below), a post, a level, words in the text."""
    if unit is not None:
        points = points.filter(unit__path__startswith=unit.path) if unit.path else points.none()
    if post is not None:
        points = points.filter(post=post)
    if level:
        points = points.filter(level=level)
    if q:
        points = points.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(item__name__icontains=q)
            | Q(step__icontains=q)
            | Q(manifestation__icontains=q)
            | Q(cause__icontains=q)
        )
    return points


def measures_of(point: RiskPoint) -> QuerySet[ControlMeasure]:
    return point.measures.select_related("post", "rule_set").order_by("seq")


# --- rules and the measures they back ---------------------------------------------------------


def rule_ids_in_force(rule_set: RuleSet) -> frozenset[str] | None:
    """The rule ids of the version of ``rule_set`` in force; ``None`` when none is in force."""
    for active in rulesets.in_force().sets:
        if active.rule_set.pk == rule_set.pk:
            return frozenset(str(rule) for rule in active.version.rule_ids)
    return None


def rules_in_force() -> list[tuple[RuleSet, list[tuple[str, str]]]]:
    """Each rule set in force with its rules (id, name in the current language)."""
    english = (translation.get_language() or "").startswith("en")
    return [
        (
            active.rule_set,
            [
                (spec.id, spec.name_en if english and spec.name_en else spec.name)
                for spec in active.rules.specs
            ],
        )
        for active in rulesets.in_force().sets
    ]


def rule_names(rule_set: RuleSet) -> dict[str, str]:
    """Rule id → name, of the version of ``rule_set`` in force (empty when none is)."""
    for active, rules in rules_in_force():
        if active.pk == rule_set.pk:
            return dict(rules)
    return {}


def _linked(rule_set_name: str) -> QuerySet[ControlMeasure]:
    return ControlMeasure.objects.filter(rule_set__name=rule_set_name).select_related(
        "risk_point__unit", "risk_point__post", "risk_point__item", "post", "rule_set"
    )


def measures_for_rule(
    rule_set_name: str, rule_id: str, user: User | None = None
) -> QuerySet[ControlMeasure]:
    """The measures backed by one rule; with ``user``, only those of points in their scope."""
    measures = _linked(rule_set_name).filter(rule=rule_id)
    if user is not None:
        measures = measures.filter(risk_point__in=risk_points_for(user))
    return measures.order_by("risk_point__code", "seq")


def measures_by_rule(user: User, rule_set: RuleSet) -> dict[str, list[ControlMeasure]]:
    """Rule id → the measures it backs, of points in the user's scope (the rule set page)."""
    measures = _linked(rule_set.name).filter(risk_point__in=risk_points_for(user))
    found: dict[str, list[ControlMeasure]] = {}
    for measure in measures.exclude(rule="").order_by("rule", "risk_point__code", "seq"):
        found.setdefault(measure.rule, []).append(measure)
    return found


@dataclass
class RuleLinks:
    """The measures a batch of rules backs, loaded at once, and which one a finding goes to."""

    by_rule: dict[str, list[ControlMeasure]] = field(default_factory=dict)

    @classmethod
    def load(cls, rule_set_name: str, rule_ids: Iterable[str]) -> RuleLinks:
        wanted = sorted(set(rule_ids))
        links = cls()
        if not rule_set_name or not wanted:
            return links
        measures = _linked(rule_set_name).filter(rule__in=wanted)
        for measure in measures.order_by("risk_point__code", "seq"):
            links.by_rule.setdefault(measure.rule, []).append(measure)
        return links

    def measure_for(
        self, rule_id: str, *, post: Post | None = None, unit: Unit | None = None
    ) -> ControlMeasure | None:
        """A rule may back measures of many units' risk points (every county has its own): the
        one at the finding's post; else the one nearest the finding's unit in the tree (an
        ancestor before a relative at the same distance); else the first in the register."""
        candidates = self.by_rule.get(rule_id, [])
        if not candidates:
            return None
        if post is not None:
            at_post = [m for m in candidates if m.risk_point.post_id == post.pk]
            if at_post:
                return at_post[0]
        if unit is None or not unit.path:
            return candidates[0]
        path = unit.path
        return max(candidates, key=lambda m: _nearness(path, m.risk_point.unit.path))


def _nearness(path: str, other: str) -> tuple[int, bool]:
    """How many units two paths share from the root, and whether ``other`` is an ancestor."""
    ours, theirs = path.strip("/").split("/"), other.strip("/").split("/")
    shared = 0
    for mine, yours in zip(ours, theirs, strict=False):
        if mine != yours:
            break
        shared += 1
    return shared, bool(other) and path.startswith(other)


def risk_point_for_rule(
    rule_set_name: str, rule_id: str, *, post: Post | None = None, unit: Unit | None = None
) -> RiskPoint | None:
    """The risk point a finding of ``rule_id`` belongs to (see ``RuleLinks.measure_for``)."""
    measure = RuleLinks.load(rule_set_name, [rule_id]).measure_for(rule_id, post=post, unit=unit)
    return measure.risk_point if measure is not None else None

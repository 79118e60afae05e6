"""The only writers of the risk register: risk items, risk points (graded here), their control
measures, and the rules of a monitoring rule set that back the measures.

Every function runs in one transaction, checks permission through ``policy`` (refused →
``PermissionDenied``), validates with ``full_clean()`` and writes exactly one audit row.
``by=None`` is the system (the demo loader). An update that changes nothing writes nothing, so
loading the demo twice leaves no trace.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring.models import RuleSet
from sunlight.org.actions import apply_changes, restored_on_error
from sunlight.org.models import Post, PowerItem, Unit
from sunlight.risks import grading, policy, queries
from sunlight.risks.models import ControlMeasure, RiskItem, RiskPoint

M = TypeVar("M", bound=models.Model)

ITEM_FIELDS = frozenset({"code", "name", "power_item", "description"})
POINT_FIELDS = frozenset(
    {"code", "name", "item", "unit", "post", "step", "manifestation", "cause"}
    | {"likelihood", "impact", "published"}
)
MEASURE_FIELDS = frozenset({"text", "kind", "post"})


# --- shared helpers ---------------------------------------------------------------------------


def _require(by: User | None) -> None:
    """System jobs (``by=None``) pass; every person must be allowed to keep the register."""
    if by is not None:
        access.require(policy.may_edit_register(by))


# --- risk items -------------------------------------------------------------------------------


def risk_item_create(
    *,
    by: User | None,
    code: str,
    name: str,
    power_item: PowerItem | None = None,
    description: str = "",
) -> RiskItem:
    _require(by)
    item = RiskItem(code=code, name=name, power_item=power_item, description=description)
    with transaction.atomic():
        item.full_clean()
        item.save()
        audit_record(by=by, action="risks.item.create", obj=item, before=None, after=snapshot(item))
    return item


def risk_item_update(*, by: User | None, item: RiskItem, **fields: Any) -> RiskItem:
    _require(by)
    with restored_on_error(item), transaction.atomic():
        before = snapshot(item)
        changed = apply_changes(item, fields, ITEM_FIELDS)
        if not changed:
            return item
        item.full_clean()
        item.save(update_fields=changed)
        audit_record(
            by=by, action="risks.item.update", obj=item, before=before, after=snapshot(item)
        )
    return item


# --- risk points ------------------------------------------------------------------------------


def _grade(point: RiskPoint) -> None:
    """The level follows likelihood × impact; a value off the scale is refused by its field."""
    for name in ("likelihood", "impact"):
        value = getattr(point, name)
        if isinstance(value, bool) or value not in grading.SCALE:
            raise ValidationError({name: _("Choose 1, 2 or 3.")})
    point.level = grading.grade(point.likelihood, point.impact)


def _check_post(point: RiskPoint) -> None:
    """The post where the risk sits belongs to the point's unit (or a unit below it)."""
    if point.post_id is None or point.unit_id is None:
        return
    post_path = Post.objects.filter(pk=point.post_id).values_list("unit__path", flat=True).first()
    unit_path = Unit.objects.filter(pk=point.unit_id).values_list("path", flat=True).first()
    if not post_path or not unit_path or not post_path.startswith(unit_path):
        raise ValidationError({"post": _("The post is not in this unit or below it.")})


def _validate_point(point: RiskPoint) -> None:
    _grade(point)
    _check_post(point)
    point.full_clean()


def risk_point_create(
    *,
    by: User | None,
    code: str,
    name: str,
    item: RiskItem,
    unit: Unit,
    manifestation: str,
    likelihood: int,
    impact: int,
    post: Post | None = None,
    step: str = "",
    cause: str = "",
    published: bool = False,
) -> RiskPoint:
    _require(by)
    point = RiskPoint(
        code=code,
        name=name,
        item=item,
        unit=unit,
        post=post,
        step=step,
        manifestation=manifestation,
        cause=cause,
        likelihood=likelihood,
        impact=impact,
        published=published,
    )
    with transaction.atomic():
        _validate_point(point)
        point.save()
        audit_record(
            by=by, action="risks.point.create", obj=point, before=None, after=snapshot(point)
        )
    return point


def risk_point_update(*, by: User | None, point: RiskPoint, **fields: Any) -> RiskPoint:
    """Change what is given and grade the point again from its likelihood and impact."""
    _require(by)
    with restored_on_error(point), transaction.atomic():
        before = snapshot(point)
        changed = apply_changes(point, fields, POINT_FIELDS)
        if not changed:
            return point
        level = point.level
        _validate_point(point)
        if point.level != level:
            changed.append("level")
        point.save(update_fields=changed)
        audit_record(
            by=by, action="risks.point.update", obj=point, before=before, after=snapshot(point)
        )
    return point


# --- control measures and the rules behind them -------------------------------------------------


def _check_rule(rule_set: RuleSet, rule: str) -> str:
    """``rule`` stripped, when it is a rule of the version of ``rule_set`` in force."""
    rule = rule.strip()
    if not rule:
        raise ValidationError({"rule": _("Give the id of the rule in the rule set.")})
    ids = queries.rule_ids_in_force(rule_set)
    if ids is None:
        raise ValidationError({"rule_set": _("This rule set has no version in force.")})
    if rule not in ids:
        raise ValidationError(
            {
                "rule": _("There is no rule %(rule)s in the version of %(rule_set)s in force.")
                % {"rule": rule, "rule_set": rule_set.name}
            }
        )
    return rule


def _next_seq(point: RiskPoint) -> int:
    top = ControlMeasure.objects.filter(risk_point=point).aggregate(m=Max("seq"))["m"]
    return (top or 0) + 1


def measure_add(
    *,
    by: User | None,
    risk_point: RiskPoint,
    text: str,
    kind: str,
    post: Post | None = None,
    rule_set: RuleSet | None = None,
    rule: str = "",
) -> ControlMeasure:
    """A new measure of ``risk_point``, numbered after the last; backed by ``rule`` of
    ``rule_set`` when both are given."""
    _require(by)
    if rule_set is not None or rule:
        if rule_set is None:
            raise ValidationError({"rule_set": _("Choose the rule set the rule belongs to.")})
        rule = _check_rule(rule_set, rule)
    with transaction.atomic():
        # Lock the point so that two measures added at once do not take the same number.
        RiskPoint.objects.select_for_update().filter(pk=risk_point.pk).first()
        measure = ControlMeasure(
            risk_point=risk_point,
            seq=_next_seq(risk_point),
            text=text,
            kind=kind,
            post=post,
            rule_set=rule_set,
            rule=rule,
        )
        measure.full_clean()
        measure.save()
        audit_record(
            by=by, action="risks.measure.add", obj=measure, before=None, after=snapshot(measure)
        )
    return measure


def measure_update(*, by: User | None, measure: ControlMeasure, **fields: Any) -> ControlMeasure:
    """Text, kind and responsible post; the rule behind it changes by ``measure_link_rule``."""
    _require(by)
    with restored_on_error(measure), transaction.atomic():
        before = snapshot(measure)
        changed = apply_changes(measure, fields, MEASURE_FIELDS)
        if not changed:
            return measure
        measure.full_clean()
        measure.save(update_fields=changed)
        audit_record(
            by=by,
            action="risks.measure.update",
            obj=measure,
            before=before,
            after=snapshot(measure),
        )
    return measure


def measure_remove(*, by: User | None, measure: ControlMeasure) -> None:
    """Warnings that came from it keep their risk point; they lose only the measure."""
    _require(by)
    with transaction.atomic():
        before = snapshot(measure)
        audit_record(by=by, action="risks.measure.remove", obj=measure, before=before, after=None)
        measure.delete()


def measure_link_rule(
    *, by: User | None, measure: ControlMeasure, rule_set: RuleSet, rule: str
) -> ControlMeasure:
    """Back ``measure`` by ``rule`` of ``rule_set``: it must be a rule of the version in force."""
    _require(by)
    rule = _check_rule(rule_set, rule)
    if measure.rule_set_id == rule_set.pk and measure.rule == rule:
        return measure
    with restored_on_error(measure), transaction.atomic():
        before = snapshot(measure)
        measure.rule_set = rule_set
        measure.rule = rule
        measure.full_clean()
        measure.save(update_fields=["rule_set", "rule"])
        audit_record(
            by=by,
            action="risks.measure.link_rule",
            obj=measure,
            before=before,
            after=snapshot(measure),
        )
    return measure


def measure_unlink_rule(*, by: User | None, measure: ControlMeasure) -> ControlMeasure:
    _require(by)
    if measure.rule_set_id is None and not measure.rule:
        return measure
    with restored_on_error(measure), transaction.atomic():
        before = snapshot(measure)
        measure.rule_set = None
        measure.rule = ""
        measure.save(update_fields=["rule_set", "rule"])
        audit_record(
            by=by,
            action="risks.measure.unlink_rule",
            obj=measure,
            before=before,
            after=snapshot(measure),
        )
    return measure

"""The demo's writer of the risk register: stamps ``data`` out for the city bureau and every county
bureau of the org demo, through the register's own actions (audited as the system).

Idempotent: items and points by code, measures by (point, number); an update that changes
nothing writes nothing. Without a rule set (``loaddemo --no-traces``) the measures are left
unlinked, or as a previous load linked them; with the demo rule set, the machine-checkable
ones are backed by its rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from sunlight.monitoring.models import RuleSet
from sunlight.org.demo import data as org_data
from sunlight.org.models import Post, PowerItem, Unit
from sunlight.risks import actions
from sunlight.risks.demo.data import CITY_ITEMS, COUNTY_ITEMS, ItemSpec, MeasureSpec, PointSpec
from sunlight.risks.models import ControlMeasure, RiskItem, RiskPoint


@dataclass
class RegisterLoaded:
    items: int = 0
    points: int = 0
    measures: int = 0
    linked: int = 0


@dataclass
class _Catalogue:
    """The org demo's records, by code, and the register as it stands."""

    units: dict[str, Unit]
    posts: dict[str, Post]
    powers: dict[str, PowerItem]
    items: dict[str, RiskItem]
    points: dict[str, RiskPoint]
    measures: dict[tuple[int, int], ControlMeasure]

    @classmethod
    def load(cls) -> _Catalogue:
        return cls(
            units={u.code: u for u in Unit.objects.all()},
            posts={p.code: p for p in Post.objects.all()},
            powers={p.code: p for p in PowerItem.objects.all()},
            items={i.code: i for i in RiskItem.objects.all()},
            points={p.code: p for p in RiskPoint.objects.all()},
            measures={(m.risk_point_id, m.seq): m for m in ControlMeasure.objects.all()},
        )


def _unit_code(bureau: str, key: str) -> str:
    return f"{bureau}-{key}" if key else bureau


def _post(cat: _Catalogue, bureau: str, key: str | None) -> Post | None:
    """``"ZG/JMS"`` of bureau SL01 → post SL01-ZG-JMS."""
    if not key:
        return None
    unit, _slash, post = key.partition("/")
    return cat.posts[f"{_unit_code(bureau, unit)}-{post}"]


def _item(cat: _Catalogue, bureau: str, spec: ItemSpec) -> RiskItem:
    code = f"FX-{bureau}-{spec.key}"
    power = cat.powers.get(f"QL-{bureau}-{spec.power}") if spec.power else None
    fields = {"name": spec.name, "power_item": power}
    item = cat.items.get(code)
    if item is None:
        return actions.risk_item_create(by=None, code=code, **fields)  # type: ignore[arg-type]
    return actions.risk_item_update(by=None, item=item, **fields)


def _point(cat: _Catalogue, bureau: str, item: RiskItem, n: int, spec: PointSpec) -> RiskPoint:
    code = f"{item.code}-{n:02d}"
    fields = {
        "name": spec.name,
        "item": item,
        "unit": cat.units[_unit_code(bureau, spec.unit)],
        "post": cat.posts[f"{_unit_code(bureau, spec.unit)}-{spec.post}"] if spec.post else None,
        "step": spec.step,
        "manifestation": spec.manifestation,
        "cause": spec.cause,
        "likelihood": spec.likelihood,
        "impact": spec.impact,
        "published": spec.published,
    }
    point = cat.points.get(code)
    if point is None:
        return actions.risk_point_create(by=None, code=code, **fields)  # type: ignore[arg-type]
    return actions.risk_point_update(by=None, point=point, **fields)


def _measure(
    cat: _Catalogue,
    bureau: str,
    point: RiskPoint,
    seq: int,
    spec: MeasureSpec,
    rule_set: RuleSet | None,
) -> ControlMeasure:
    fields = {"text": spec.text, "kind": spec.kind, "post": _post(cat, bureau, spec.post)}
    measure = cat.measures.get((point.pk, seq))
    if measure is None:
        linked = rule_set is not None and bool(spec.rule)
        return actions.measure_add(
            by=None,
            risk_point=point,
            rule_set=rule_set if linked else None,
            rule=spec.rule if linked else "",
            **fields,  # type: ignore[arg-type]
        )
    actions.measure_update(by=None, measure=measure, **fields)
    if rule_set is not None and spec.rule:
        actions.measure_link_rule(by=None, measure=measure, rule_set=rule_set, rule=spec.rule)
    return measure


def _bureaus(cat: _Catalogue) -> list[tuple[str, tuple[ItemSpec, ...]]]:
    """The org demo's bureaus that are loaded, with the items of their kind."""
    bureaus = [(org_data.CITY_CODE, CITY_ITEMS)]
    bureaus += [(code, COUNTY_ITEMS) for code, _name in org_data.COUNTIES]
    return [(code, items) for code, items in bureaus if code in cat.units]


def demo_register_load(*, rule_set: RuleSet | None) -> RegisterLoaded:
    """Create or refresh the demo register; back its measures by ``rule_set``'s rules if given."""
    loaded = RegisterLoaded()
    with transaction.atomic():
        cat = _Catalogue.load()
        for bureau, item_specs in _bureaus(cat):
            for item_spec in item_specs:
                item = _item(cat, bureau, item_spec)
                loaded.items += 1
                for n, point_spec in enumerate(item_spec.points, start=1):
                    point = _point(cat, bureau, item, n, point_spec)
                    loaded.points += 1
                    for seq, spec in enumerate(point_spec.measures, start=1):
                        measure = _measure(cat, bureau, point, seq, spec, rule_set)
                        loaded.measures += 1
                        loaded.linked += bool(measure.rule)
    return loaded

"""A small register on the test organisation of ``sunlight.core.testing``, and a rule set.

item I1 ── point RP-A1 (dept A1, post PA1, 3×3 high): measure 1 backed by SOD-01, measure 2
        └─ point RP-A2 (dept A1, post PA2, 1×2 low)
item I2 ── point RP-B1 (dept B1, post PB1, 2×2 medium): measure 1 backed by SOD-01
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.models import RuleSet
from sunlight.monitoring.tests.rules_kit import rule_set
from sunlight.risks import actions
from sunlight.risks.models import ControlMeasure, MeasureKind, RiskItem, RiskPoint


@dataclass
class Register:
    rules: RuleSet
    item: RiskItem
    a1: RiskPoint
    a2: RiskPoint
    b1: RiskPoint
    a1_checked: ControlMeasure
    a1_manual: ControlMeasure
    b1_checked: ControlMeasure


def build_register(world: World) -> Register:
    rules = rule_set(world)
    item = actions.risk_item_create(by=None, code="I1", name="减免税核准")
    other = actions.risk_item_create(by=None, code="I2", name="纳税评估")
    a1 = actions.risk_point_create(
        by=None, code="RP-A1", name="违规减免税款", item=item, unit=world.dept_a1,
        post=world.post_a1, step="审核", manifestation="对不符合条件的申请予以减免",
        cause="审核依赖个人判断", likelihood=3, impact=3, published=True,
    )  # fmt: skip
    a2 = actions.risk_point_create(
        by=None, code="RP-A2", name="超期办理", item=item, unit=world.dept_a1,
        post=world.post_a2, manifestation="拖延办理", likelihood=1, impact=2,
    )  # fmt: skip
    b1 = actions.risk_point_create(
        by=None, code="RP-B1", name="滥用自由裁量权", item=other, unit=world.dept_b1,
        post=world.post_b1, manifestation="处罚畸轻畸重", likelihood=2, impact=2,
    )  # fmt: skip
    a1_checked = actions.measure_add(
        by=None, risk_point=a1, text="审核与批准分岗", kind=MeasureKind.PROCESS,
        rule_set=rules, rule="SOD-01",
    )  # fmt: skip
    a1_manual = actions.measure_add(
        by=None, risk_point=a1, text="办结后公示", kind=MeasureKind.SUPERVISION
    )
    b1_checked = actions.measure_add(
        by=None, risk_point=b1, text="审核与批准分岗", kind=MeasureKind.PROCESS,
        rule_set=rules, rule="SOD-01",
    )  # fmt: skip
    return Register(rules, item, a1, a2, b1, a1_checked, a1_manual, b1_checked)


def client_for(world: World, role: str, language: str = "zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client

"""Rule texts and helpers shared by the rules, checking and decision tests."""

from __future__ import annotations

from typing import Any

from sunlight.core.testing import World
from sunlight.monitoring import actions, rulesets
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.models import RuleSet

RULES = """\
version: "t1"
name: 测试规则
case_end: [办结]
rules:
  - id: SOD-01
    template: separation_of_duties
    name: 审核与批准不得为同一人
    name_en: Review and approval by different people
    severity: high
    first: 审核
    second: 批准
  - id: TL-01
    template: time_limit
    name: 受理后 6 个工作日内办结
    from: 受理
    to: 办结
    limit: 6
    unit: workdays
    warn_at: 0.8
  - id: TH-01
    template: required_step
    name: 50 万元以上须经集体审理
    activity: 批准
    when: amount >= 500000
    requires: [集体审理]
"""

SPLITTING = """\
name: 拆分
rules:
  - id: SPLIT-01
    template: splitting
    name: 拆分申请规避集体审理
    activity: 受理
    amount: amount
    threshold: 500000
    lower: 450000
    window_days: 30
"""


def rule_set(world: World, text: str = RULES, name: str = "测试规则") -> RuleSet:
    rulesets.forget()
    return rule_actions.rule_set_create(by=world.user("office"), name=name, text=text)


def event(case: str, activity: str, time: str, who: str = "S-A", **data: Any) -> dict[str, Any]:
    return {"case": case, "activity": activity, "time": time, "resource": who, "data": data}


def push(world: World, *items: dict[str, Any]) -> list[dict[str, Any]]:
    _, results = actions.events_push(by=world.user("office"), items=list(items))
    return results

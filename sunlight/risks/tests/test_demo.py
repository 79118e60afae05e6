"""The demo register: every demo rule backs a measure, each point graded with 1–3 measures on
the right bureau's posts, and a second load changes nothing."""

from __future__ import annotations

from collections import Counter

import yaml

from sunlight.audit.models import AuditRecord
from sunlight.core.models import User
from sunlight.monitoring.demo.actions import demo_rules_install
from sunlight.monitoring.demo.files import RULES_FILE
from sunlight.org.demo import load_demo
from sunlight.risks.demo.actions import demo_register_load
from sunlight.risks.grading import grade
from sunlight.risks.models import ControlMeasure, RiskPoint


def test_the_demo_register(db: None) -> None:
    load_demo()
    rules = demo_rules_install(by=User.objects.get(username="office"), relations=[]).rule_set

    first = demo_register_load(rule_set=rules)
    rows = AuditRecord.objects.count()
    again = demo_register_load(rule_set=rules)

    assert first == again
    assert AuditRecord.objects.count() == rows
    demo_rules = {r["id"] for r in yaml.safe_load(RULES_FILE.read_text("utf-8"))["rules"]}
    linked = set(ControlMeasure.objects.exclude(rule="").values_list("rule", flat=True))
    assert linked == demo_rules
    assert not ControlMeasure.objects.exclude(rule="").filter(rule_set=None).exists()
    per_point = Counter(ControlMeasure.objects.values_list("risk_point", flat=True))
    assert set(per_point.values()) <= {1, 2, 3}
    assert len(per_point) == RiskPoint.objects.count() >= 50
    for point in RiskPoint.objects.select_related("unit", "post__unit"):
        assert point.level == grade(point.likelihood, point.impact)
        bureau = point.code.split("-")[1]
        assert point.unit.code.split("-")[0] == bureau
        if point.post is not None:
            assert point.post.unit.path.startswith(point.unit.path)
    assert set(RiskPoint.objects.values_list("level", flat=True)) == {"high", "medium", "low"}


def test_without_a_rule_set_the_measures_stay_as_they_were(db: None) -> None:
    load_demo()

    demo_register_load(rule_set=None)

    assert ControlMeasure.objects.count() > 100
    assert not ControlMeasure.objects.exclude(rule="").exists()

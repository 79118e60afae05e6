"""The register's writers: graded points, measures, the rules behind them, an audit row each, and
refusals for roles that do not keep the register."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.tests.rules_kit import rule_set
from sunlight.risks import actions
from sunlight.risks.models import ControlMeasure, Level, MeasureKind, RiskPoint
from sunlight.risks.tests.kit import Register, build_register


def audited(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


@pytest.fixture
def register(world: World) -> Register:
    return build_register(world)


def test_a_new_point_is_graded_and_audited(world: World) -> None:
    item = actions.risk_item_create(by=world.user("office"), code="I9", name="发票领用")

    point = actions.risk_point_create(
        by=world.user("office"), code="RP-9", name="违规发售发票", item=item,
        unit=world.dept_a1, post=world.post_a1, manifestation="超量发售", likelihood=2, impact=3,
    )  # fmt: skip

    assert point.level == Level.HIGH
    [row] = audited("risks.point.create")
    assert (row.actor_id, row.object_id, (row.after or {})["level"]) == (
        world.user("office").pk, str(point.pk), "high",
    )  # fmt: skip
    assert len(audited("risks.item.create")) == 1


def test_updating_likelihood_or_impact_regrades_the_point(world: World, register: Register) -> None:
    point = actions.risk_point_update(by=world.user("admin"), point=register.a1, likelihood=1)

    point.refresh_from_db()
    assert (point.likelihood, point.level) == (1, Level.MEDIUM)
    [row] = audited("risks.point.update")
    assert ((row.before or {})["level"], (row.after or {})["level"]) == ("high", "medium")


def test_an_update_that_changes_nothing_writes_nothing(world: World, register: Register) -> None:
    rows = AuditRecord.objects.count()

    actions.risk_point_update(by=world.user("office"), point=register.a1, likelihood=3, impact=3)

    assert AuditRecord.objects.count() == rows


@pytest.mark.parametrize("field", ["likelihood", "impact"])
def test_a_grade_off_the_scale_names_the_field(
    world: World, register: Register, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.risk_point_update(by=world.user("office"), point=register.a2, **{field: 4})

    assert set(caught.value.message_dict) == {field}
    register.a2.refresh_from_db()
    assert register.a2.level == Level.LOW


def test_the_post_must_sit_in_the_points_unit(world: World, register: Register) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.risk_point_update(by=world.user("office"), point=register.a2, post=world.post_b1)

    assert set(caught.value.message_dict) == {"post"}
    assert register.a2.post == world.post_a2  # the caller's object is restored


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_the_office_and_admins_keep_the_register(
    world: World, register: Register, role: str
) -> None:
    user = world.user(role)
    rows = AuditRecord.objects.count()
    attempts: list[Callable[[], object]] = [
        lambda: actions.risk_item_create(by=user, code="X", name="X"),
        lambda: actions.risk_point_update(by=user, point=register.a1, likelihood=1),
        lambda: actions.measure_add(by=user, risk_point=register.a1, text="x", kind="rule"),
        lambda: actions.measure_update(by=user, measure=register.a1_manual, text="y"),
        lambda: actions.measure_remove(by=user, measure=register.a1_manual),
        lambda: actions.measure_link_rule(
            by=user, measure=register.a1_manual, rule_set=register.rules, rule="TL-01"
        ),
        lambda: actions.measure_unlink_rule(by=user, measure=register.a1_checked),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditRecord.objects.count() == rows
    register.a1.refresh_from_db()
    assert register.a1.likelihood == 3


def test_measures_are_numbered_in_order(world: World, register: Register) -> None:
    measure = actions.measure_add(
        by=world.user("office"), risk_point=register.a1, text="定期轮岗",
        kind=MeasureKind.RULE, post=world.post_a2,
    )  # fmt: skip

    assert measure.seq == 3
    [row] = audited("risks.measure.add")[-1:]
    assert (row.after or {})["text"] == "定期轮岗"


def test_a_measure_is_linked_to_a_rule_of_the_version_in_force(
    world: World, register: Register
) -> None:
    measure = actions.measure_link_rule(
        by=world.user("office"), measure=register.a1_manual, rule_set=register.rules,
        rule=" TL-01 ",
    )  # fmt: skip

    measure.refresh_from_db()
    assert (measure.rule_set, measure.rule) == (register.rules, "TL-01")
    [row] = audited("risks.measure.link_rule")
    assert ((row.before or {})["rule"], (row.after or {})["rule"]) == ("", "TL-01")


def test_a_rule_id_not_in_the_rule_set_is_refused(world: World, register: Register) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.measure_link_rule(
            by=world.user("office"), measure=register.a1_manual, rule_set=register.rules,
            rule="NO-SUCH",
        )  # fmt: skip

    assert set(caught.value.message_dict) == {"rule"}
    assert "NO-SUCH" in caught.value.message_dict["rule"][0]
    assert audited("risks.measure.link_rule") == []


def test_a_rule_dropped_from_the_version_in_force_can_no_longer_be_linked(
    world: World, register: Register
) -> None:
    text = register.rules.versions.get().text
    without = text[: text.index("  - id: TH-01")]
    rule_actions.rule_set_save(by=world.user("office"), rule_set=register.rules, text=without)

    with pytest.raises(ValidationError) as caught:
        actions.measure_link_rule(
            by=world.user("office"), measure=register.a1_manual, rule_set=register.rules,
            rule="TH-01",
        )  # fmt: skip

    assert set(caught.value.message_dict) == {"rule"}


def test_a_rule_set_out_of_force_cannot_back_a_measure(world: World, register: Register) -> None:
    rule_actions.rule_set_update(by=world.user("office"), rule_set=register.rules, active=False)

    with pytest.raises(ValidationError) as caught:
        actions.measure_add(
            by=world.user("office"), risk_point=register.a2, text="x", kind="technology",
            rule_set=register.rules, rule="SOD-01",
        )  # fmt: skip

    assert set(caught.value.message_dict) == {"rule_set"}


def test_unlinking_and_removing_are_audited(world: World, register: Register) -> None:
    office = world.user("office")

    actions.measure_unlink_rule(by=office, measure=register.a1_checked)
    actions.measure_remove(by=office, measure=register.a1_manual)

    register.a1_checked.refresh_from_db()
    assert (register.a1_checked.rule_set, register.a1_checked.rule) == (None, "")
    assert not ControlMeasure.objects.filter(pk=register.a1_manual.pk).exists()
    assert len(audited("risks.measure.unlink_rule")) == 1
    [removed] = audited("risks.measure.remove")
    assert ((removed.before or {})["text"], removed.after) == ("办结后公示", None)


def test_a_second_rule_set_keeps_its_own_rules(world: World, register: Register) -> None:
    other = rule_set(world, text="name: 其他\nrules:\n" + _ONE_RULE, name="其他")

    with pytest.raises(ValidationError):
        actions.measure_link_rule(
            by=world.user("office"), measure=register.a1_manual, rule_set=other, rule="TL-01"
        )
    actions.measure_link_rule(
        by=world.user("office"), measure=register.a1_manual, rule_set=other, rule="X-01"
    )

    assert RiskPoint.objects.get(pk=register.a1.pk).measures.filter(rule="X-01").count() == 1


_ONE_RULE = """\
  - id: X-01
    template: separation_of_duties
    name: 受理与批准不得为同一人
    first: 受理
    second: 批准
"""

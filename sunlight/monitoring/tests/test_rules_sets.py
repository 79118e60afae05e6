"""Rule sets: validation naming rule and field, versions, reference tables, unit switches."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.monitoring import rulesets
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.models import RuleSet, RuleSetVersion, RuleSwitch
from sunlight.monitoring.tests.rules_kit import RULES, rule_set

pytestmark = pytest.mark.django_db

RECUSAL = """\
rules:
  - id: RC-01
    template: recusal
    name: 有利害关系应当回避
"""
RELATIONS = "officer,party,relation\nS-A,P1,配偶\n".encode()


def _refused(world: World, text: str) -> rule_actions.RuleTextInvalidError:
    with pytest.raises(rule_actions.RuleTextInvalidError) as caught:
        rule_actions.rule_set_create(by=world.user("office"), name="x", text=text)
    assert not RuleSet.objects.exists()
    return caught.value


def test_a_valid_rule_set_is_saved_as_version_1_with_an_audit_record(world: World) -> None:
    rules = rule_set(world)
    version = rules.versions.get()
    assert (version.number, version.label, version.rule_ids) == (
        1,
        "t1",
        ["SOD-01", "TL-01", "TH-01"],
    )
    assert version.author == world.user("office")
    assert AuditRecord.objects.filter(
        action="monitoring.ruleset.version", object_id=str(version.pk)
    )
    assert [a.version.number for a in rulesets.in_force().sets] == [1]


def test_a_wrong_value_is_refused_naming_the_rule_the_field_and_the_line(world: World) -> None:
    error = _refused(world, RULES.replace("limit: 6", "limit: six"))
    problem = error.problem
    assert (problem.rule, problem.field, problem.line) == ("TL-01", "limit", 17)
    with translation.override("en"):
        assert problem.message().startswith("Rule TL-01, field limit:")
    with translation.override("zh-hans"):
        assert problem.reason_zh in problem.message()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.reason_zh)


def test_a_misspelt_parameter_and_bad_yaml_are_refused(world: World) -> None:
    misspelt = _refused(world, RULES.replace("warn_at:", "warn_att:")).problem
    assert (misspelt.rule, misspelt.field) == ("TL-01", "warn_att")
    broken = _refused(world, RULES + "  - id: [unclosed\n").problem
    assert broken.rule == ""
    assert broken.line is not None


def test_a_rule_needing_a_missing_reference_table_is_refused_until_it_is_uploaded(
    world: World,
) -> None:
    problem = _refused(world, RECUSAL).problem
    assert (problem.rule, problem.field) == ("RC-01", "table")
    assert "relations" in problem.reason_en

    office = world.user("office")
    rule_actions.reference_table_upload(
        by=office, name="relations", content=RELATIONS, file_name="relations.csv"
    )
    rule_actions.rule_set_create(by=office, name="回避", text=RECUSAL)
    rulesets.forget()
    # A new version of the table that the rule in force cannot use is refused.
    with pytest.raises(ValidationError) as caught:
        rule_actions.reference_table_upload(
            by=office, name="relations", content=b"officer,relation\nS-A,x\n", file_name="r.csv"
        )
    assert "回避" in str(caught.value)
    assert rulesets.current_reference()["relations"].columns == ("officer", "party", "relation")


def test_a_bad_reference_csv_names_the_row(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        rule_actions.reference_table_upload(
            by=world.user("office"), name="relations",
            content=b"officer,party\nS-A\n", file_name="relations.csv",
        )  # fmt: skip
    text = " ".join(caught.value.messages)
    assert "relations.csv" in text
    assert "2" in text


def test_versions_are_numbered_and_an_unchanged_text_is_refused(world: World) -> None:
    rules = rule_set(world)
    office = world.user("office")
    v2 = rule_actions.rule_set_save(
        by=office, rule_set=rules, text=RULES.replace("limit: 6", "limit: 8"), comment="8 天"
    )
    assert (v2.number, v2.comment) == (2, "8 天")
    with pytest.raises(ValidationError):
        rule_actions.rule_set_save(by=office, rule_set=rules, text=v2.text)
    rulesets.forget()
    assert rulesets.in_force().sets[0].version == v2
    assert RuleSetVersion.objects.filter(rule_set=rules).count() == 2


def test_the_newest_version_that_loads_is_in_force(world: World) -> None:
    rules = rule_set(world)
    # A text the engine no longer accepts (as after a template changed): stored directly,
    # because the action would refuse it.
    RuleSetVersion.objects.create(
        rule_set=rules, number=2, text="rules: [{id: X, template: gone}]",
        created_at=timezone.now(),
    )  # fmt: skip
    rulesets.forget()
    assert rulesets.in_force().sets[0].version.number == 1


def test_an_inactive_rule_set_is_not_in_force(world: World) -> None:
    rules = rule_set(world)
    rule_actions.rule_set_update(by=world.user("office"), rule_set=rules, active=False)
    rulesets.forget()
    assert rulesets.in_force().sets == ()


def test_a_switch_covers_the_unit_subtree_and_one_rule_only(world: World) -> None:
    rules = rule_set(world)
    office = world.user("office")
    rule_actions.rule_switch_off(by=office, rule_set=rules, unit=world.county_a, rule_id="SOD-01")
    active = rulesets.in_force().sets[0]
    assert active.switched_off("SOD-01", world.dept_a1.path)
    assert not active.switched_off("TL-01", world.dept_a1.path)
    assert not active.switched_off("SOD-01", world.dept_b1.path)
    with pytest.raises(ValidationError):
        rule_actions.rule_switch_off(by=office, rule_set=rules, unit=world.county_a,
                                     rule_id="SOD-01")  # fmt: skip
    with pytest.raises(ValidationError):
        rule_actions.rule_switch_off(by=office, rule_set=rules, unit=world.city, rule_id="NOPE")
    rule_actions.rule_switch_on(by=office, switch=RuleSwitch.objects.get())
    assert not rulesets.in_force().sets[0].switched_off("SOD-01", world.dept_a1.path)
    assert AuditRecord.objects.filter(action="monitoring.ruleswitch.on").exists()


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_the_office_and_admins_write_rules(world: World, role: str) -> None:
    user = world.user(role)
    with pytest.raises(PermissionDenied):
        rule_actions.rule_set_create(by=user, name="x", text=RULES)
    rules = rule_set(world)
    with pytest.raises(PermissionDenied):
        rule_actions.rule_set_save(by=user, rule_set=rules, text=RULES + "\n")
    with pytest.raises(PermissionDenied):
        rule_actions.rule_switch_off(by=user, rule_set=rules, unit=world.city)
    with pytest.raises(PermissionDenied):
        rule_actions.reference_table_upload(
            by=user, name="relations", content=RELATIONS, file_name="r.csv"
        )


def test_an_imported_file_is_a_new_version_of_the_set_of_its_name(world: World) -> None:
    admin = world.user("admin")
    first = rule_actions.rule_set_import(by=admin, content=RULES.encode(), file_name="a.yaml")
    assert first.name == "测试规则"
    again = rule_actions.rule_set_import(
        by=admin, content=RULES.replace("limit: 6", "limit: 7").encode(), file_name="b.yaml"
    )
    assert again == first
    assert first.versions.count() == 2
    with pytest.raises(ValidationError):
        rule_actions.rule_set_import(by=admin, content=b"\xff\xfe", file_name="c.yaml")

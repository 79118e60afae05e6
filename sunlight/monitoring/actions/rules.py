"""The writers of rule sets, reference tables and unit switches (each with its audit record).

A rule text is validated before it is stored (``rulesets.validate``): a refused text raises a
``ValidationError`` on ``text`` whose message names the rule and the field; nothing is stored.
Versions are append-only. A new reference table version is checked against every rule set in
force, so uploading a table cannot break a running rule.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.io import LogError
from controls.io.reference import ReferenceTable as EngineTable
from controls.rules.catalog import RuleSet as EngineRuleSet
from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import policy, rulesets
from sunlight.monitoring.models import (
    ReferenceTable,
    ReferenceTableVersion,
    RuleSet,
    RuleSetVersion,
    RuleSwitch,
)
from sunlight.org.models import Unit

TABLE_NAME_MAX = 64
TEXT_LIMIT = 1_000_000  # characters of YAML: far above any real rule file
TABLE_LIMIT = 20 * 1024 * 1024  # bytes of CSV


class RuleTextInvalidError(ValidationError):
    """A refused rule text, keeping the structured problem for inline display."""

    def __init__(self, problem: rulesets.RuleProblem) -> None:
        self.problem = problem
        super().__init__({"text": [problem.message()]})


def _validated(text: str) -> tuple[str, EngineRuleSet]:
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": _("The rule text is too long.")})
    text = text.replace("\r\n", "\n")
    try:
        return text, rulesets.validate(text)
    except rulesets.RuleTextError as exc:
        raise RuleTextInvalidError(exc.problem) from None


def rule_set_create(
    *, by: User, name: str, text: str, description: str = "", comment: str = ""
) -> RuleSet:
    """A new rule set with its first version."""
    access.require(policy.may_edit_rules(by))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the rule set a name.")})
    text, rules = _validated(text)
    with transaction.atomic():
        if RuleSet.objects.filter(name=name).exists():
            raise ValidationError({"name": _("A rule set with this name exists.")})
        rule_set = RuleSet.objects.create(
            name=name[:200], description=description, created_by=by, created_at=timezone.now()
        )
        audit_record(
            by=by, action="monitoring.ruleset.create", obj=rule_set,
            after=snapshot(rule_set, ["name", "description", "active"]),
        )  # fmt: skip
        _add_version(by, rule_set, text, rules, comment)
    return rule_set


def rule_set_save(*, by: User, rule_set: RuleSet, text: str, comment: str = "") -> RuleSetVersion:
    """Save a new version; refused when invalid or when it changes nothing."""
    access.require(policy.may_edit_rules(by))
    text, rules = _validated(text)
    with transaction.atomic():
        latest = rule_set.versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ValidationError({"text": _("Nothing changed since version %d.") % latest.number})
        return _add_version(by, rule_set, text, rules, comment)


def _add_version(
    by: User, rule_set: RuleSet, text: str, rules: EngineRuleSet, comment: str
) -> RuleSetVersion:
    # Lock the rule set so two editors saving at once get consecutive numbers.
    RuleSet.objects.select_for_update().filter(pk=rule_set.pk).first()
    number = (rule_set.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=number,
        text=text,
        label=rules.version[:100],
        rule_ids=[spec.id for spec in rules.specs],
        comment=comment.strip()[:500],
        author=by,
        created_at=timezone.now(),
    )
    audit_record(
        by=by, action="monitoring.ruleset.version", obj=version,
        after=snapshot(version, ["rule_set", "number", "label", "rule_ids", "comment", "text"]),
    )  # fmt: skip
    return version


def rule_set_update(
    *, by: User, rule_set: RuleSet, description: str | None = None, active: bool | None = None
) -> RuleSet:
    """Change the description, or take the whole rule set out of force (and back)."""
    access.require(policy.may_edit_rules(by))
    with transaction.atomic():
        before = snapshot(rule_set, ["description", "active"])
        if description is not None:
            rule_set.description = description
        if active is not None:
            rule_set.active = active
        rule_set.save(update_fields=["description", "active"])
        audit_record(
            by=by, action="monitoring.ruleset.update", obj=rule_set, before=before,
            after=snapshot(rule_set, ["description", "active"]),
        )  # fmt: skip
    return rule_set


def rule_set_import(*, by: User, content: bytes, file_name: str, comment: str = "") -> RuleSet:
    """A YAML rule file: a new version of the rule set of the same name, or a new rule set.

    The name is the file's ``name`` field, else the file name without its extension.
    """
    access.require(policy.may_edit_rules(by))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("The rule file is not UTF-8 text.")}) from None
    name = _declared_name(text) or Path(file_name).stem
    existing = RuleSet.objects.filter(name=name).first()
    if existing is None:
        return rule_set_create(by=by, name=name, text=text, comment=comment)
    rule_set_save(by=by, rule_set=existing, text=text, comment=comment)
    return existing


def _declared_name(text: str) -> str:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""  # validation reports it with its line
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) else ""


# --- reference tables -----------------------------------------------------------------------


def reference_table_upload(
    *,
    by: User,
    name: str,
    content: bytes,
    file_name: str,
    comment: str = "",
    description: str = "",
) -> ReferenceTableVersion:
    """A new version of the named table (created on first upload), checked against the rules."""
    access.require(policy.may_edit_rules(by))
    name = name.strip()
    if not name or len(name) > TABLE_NAME_MAX or not name.replace("_", "").isalnum():
        raise ValidationError(
            {"name": _("Use letters, digits and underscores for the table name.")}
        )
    if len(content) > TABLE_LIMIT:
        raise ValidationError({"file": _("The file is too large for a reference table.")})
    try:
        table = rulesets.read_table_upload(name, content, file_name)
    except LogError as exc:
        raise ValidationError({"file": [_table_message(exc)]}) from None
    _check_rules_with(name, table)
    with transaction.atomic():
        ref = ReferenceTable.objects.select_for_update().filter(name=name).first()
        if ref is None:
            ref = ReferenceTable.objects.create(
                name=name, description=description, created_by=by, created_at=timezone.now()
            )
        number = (ref.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReferenceTableVersion.objects.create(
            table=ref,
            number=number,
            content=rulesets.table_text(table),
            columns=list(table.columns),
            row_count=len(table.rows),
            original_name=Path(file_name).name[:255],
            comment=comment.strip()[:500],
            author=by,
            created_at=timezone.now(),
        )
        audit_record(
            by=by, action="monitoring.reference.version", obj=version,
            after=snapshot(version, ["table", "number", "columns", "row_count", "original_name",
                                     "comment"]),
        )  # fmt: skip
    return version


def _table_message(exc: LogError) -> str:
    chinese = rulesets._chinese()
    return exc.message_zh if chinese else str(exc)


def _check_rules_with(name: str, table: EngineTable) -> None:
    """Every rule set in force must still bind with the new table in place of the old one."""
    reference = {**rulesets.current_reference(), name: table}
    for active in rulesets.in_force().sets:
        try:
            rulesets.validate(active.version.text, reference)
        except rulesets.RuleTextError as exc:
            raise ValidationError(
                {"file": [_("Rule set %(set)s would break: %(problem)s")
                          % {"set": active.rule_set.name, "problem": exc.problem.message()}]}
            ) from None  # fmt: skip


# --- switching rules off per unit -----------------------------------------------------------


def rule_switch_off(
    *, by: User, rule_set: RuleSet, unit: Unit, rule_id: str = "", reason: str = ""
) -> RuleSwitch:
    """Switch a rule set (``rule_id`` blank) or one rule off for ``unit`` and its subtree."""
    access.require(policy.may_edit_rules(by))
    rule_id = rule_id.strip()
    latest = rule_set.versions.order_by("-number").first()
    if rule_id and (latest is None or rule_id not in latest.rule_ids):
        raise ValidationError({"rule_id": _("The rule set has no rule %s.") % rule_id})
    try:
        with transaction.atomic():
            switch = RuleSwitch.objects.create(
                rule_set=rule_set, rule_id=rule_id, unit=unit, reason=reason.strip()[:500],
                created_by=by, created_at=timezone.now(),
            )  # fmt: skip
            audit_record(by=by, action="monitoring.ruleswitch.off", obj=switch,
                         after=snapshot(switch))  # fmt: skip
    except IntegrityError:
        raise ValidationError({"unit": _("Already switched off for this unit.")}) from None
    return switch


def rule_switch_on(*, by: User, switch: RuleSwitch) -> None:
    """Switch back on: the switch is removed (its record stays in the audit trail)."""
    access.require(policy.may_edit_rules(by))
    with transaction.atomic():
        before = snapshot(switch)
        audit_record(by=by, action="monitoring.ruleswitch.on", obj=switch, before=before)
        switch.delete()

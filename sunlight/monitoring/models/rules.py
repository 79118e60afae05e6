"""Rule sets in the platform: versioned YAML rule files, the reference tables they consult, and
per-unit switches.

A version is never changed once saved: a correction is a new version. The version in force is
the newest one that still loads (``rulesets.in_force``); every stored version passed validation
when it was saved. Writes happen only in ``actions/rules.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    """A named rule file the internal-control office keeps (e.g. 市局执法内控规则)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    """One saved text of a rule set; immutable."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("rules (YAML)"))
    # From the text, kept for lists: the file's own ``version`` field and its rule ids.
    label = models.CharField(_("version label"), max_length=100, blank=True)
    rule_ids = models.JSONField(_("rules"), default=list)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["rule_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="ruleset_version_number")
        ]
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")

    def __str__(self) -> str:
        return f"{self.rule_set_id} v{self.number}"


class ReferenceTable(models.Model):
    """Reference data rules look up by name (``relations``, ``discretion_bands`` …)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("reference table")
        verbose_name_plural = _("reference tables")

    def __str__(self) -> str:
        return self.name


class ReferenceTableVersion(models.Model):
    """One uploaded CSV of a reference table, kept as UTF-8 CSV text; immutable."""

    table = models.ForeignKey(ReferenceTable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.TextField(_("content (CSV)"))
    columns = models.JSONField(_("columns"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["table", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="reftable_version_number")
        ]
        verbose_name = _("reference table version")
        verbose_name_plural = _("reference table versions")

    def __str__(self) -> str:
        return f"{self.table_id} v{self.number}"


class RuleSwitch(models.Model):
    """A rule set (``rule_id`` blank) or one of its rules switched off for a unit subtree."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="switches")
    rule_id = models.CharField(_("rule"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("switched off at"))

    class Meta:
        ordering = ["rule_set", "rule_id", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "rule_id", "unit"], name="rule_switch_natural_key"
            )
        ]
        verbose_name = _("rule switched off")
        verbose_name_plural = _("rules switched off")

    def __str__(self) -> str:
        return f"{self.rule_set_id}:{self.rule_id or '*'}@{self.unit_id}"

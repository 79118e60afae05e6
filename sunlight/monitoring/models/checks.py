"""What the runner keeps: cases waiting to be checked, batch re-check runs, the clock tick,
and the decisions answered to business systems before they act (事中阻断).

Writes happen only in ``actions/checking.py`` (the runner) and ``actions/decisions.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sunlight.monitoring.models.traces import Case


class CaseCheck(models.Model):
    """A case with new events, waiting for the rules: marked in the transaction that stored the
    events, deleted only in the transaction that stored its warnings.

    ``token`` changes on every mark, so a check that read the trace before a newer mark cannot
    clear it. A runner holds the mark under a lease while it checks; a dead runner's lease runs
    out and another takes the case.
    """

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="check_mark"
    )
    token = models.CharField(max_length=32)
    marked_at = models.DateTimeField()
    # 0: pushed by a business system (someone waits for the warning); 1: from a file import.
    priority = models.PositiveSmallIntegerField(default=1)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "marked_at"]
        indexes = [models.Index(fields=["priority", "marked_at"], name="casecheck_queue_idx")]

    def __str__(self) -> str:
        return f"check {self.case_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CheckRun(models.Model):
    """A batch re-check of the events in [start, end): cross-case rules included."""

    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    # Judge cases still open at the end as if they had ended (a closed historical period).
    close_open = models.BooleanField(_("judge open cases as ended"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    events = models.PositiveIntegerField(_("events"), default=0)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-check run")
        verbose_name_plural = _("re-check runs")

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


class ClockTick(models.Model):
    """When the periodic re-check of open cases last ran (one row; claimed by update)."""

    name = models.CharField(max_length=32, unique=True)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DecisionOutcome(models.TextChoices):
    ALLOW = "allow", _("Allow")
    DENY = "deny", _("Deny")


class Decision(models.Model):
    """One answer to "may this actor do this step in this case now?"."""

    decided_at = models.DateTimeField(_("decided at"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_system = models.CharField(_("source system"), max_length=64)
    case_ref = models.CharField(_("case number"), max_length=200)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    activity = models.CharField(_("activity"), max_length=200)
    actor = models.CharField(_("officer"), max_length=100)
    post = models.CharField(_("post"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    time = models.DateTimeField(_("time"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    outcome = models.CharField(_("decision"), max_length=5, choices=DecisionOutcome.choices)
    violations = models.JSONField(_("violations"), default=list, blank=True)
    # Rule set id → version number used, so a decision can be explained later.
    rule_versions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.case_ref} {self.activity}: {self.outcome}"

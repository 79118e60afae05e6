"""Warnings (预警) raised from the controls' findings, and their handling to closure.

A warning carries the finding (rule, stage, severity, cases, evidence, explanation), the
person, post and unit it was traced to, and the risk point whose control measure the rule
backs. Its lifecycle is a small state machine whose steps are written only by ``actions.py``;
each step leaves a ``Transition`` row (the history shown on the page) and an audit record.
Deadlines are dates: a step is due by the end of its day, counted in Chinese working days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Same values as ``controls.events.Stage``."""

    BEFORE = "before", _("Before the fact")
    DURING = "during", _("During")
    AFTER = "after", _("After the fact")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Awaiting response")
    RESPONDED = "responded", _("Awaiting verification")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFIED = "rectified", _("Awaiting closure")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.RESPONDED,
    Status.RECTIFYING,
    Status.RECTIFIED,
)


class Outcome(models.TextChoices):
    """The verifier's decision on a warning."""

    UNFOUNDED = "unfounded", _("Unfounded")
    JUSTIFIED = "justified", _("Justified")
    VIOLATION = "violation", _("Violation")


class Step(models.TextChoices):
    """What a ``Transition`` records."""

    RAISE = "raise", _("Raised")
    ASSIGN = "assign", _("Assigned")
    RESPOND = "respond", _("Responded")
    DECIDE = "decide", _("Decided")
    RECTIFY = "rectify", _("Rectification reported")
    CLOSE = "close", _("Closed")
    SUPERVISE = "supervise", _("Supervision order")
    ACCOUNTABILITY = "accountability", _("Accountability")
    APPEAL = "appeal", _("Appeal")
    APPEAL_DECIDE = "appeal_decide", _("Appeal decided")
    REASSIGN = "reassign", _("Verifier reassigned")


class Warning(models.Model):
    finding_id = models.CharField(_("finding"), max_length=24, unique=True)
    rule = models.CharField(_("rule"), max_length=100)
    template = models.CharField(_("rule template"), max_length=64, blank=True)
    rule_set = models.CharField(_("rule set"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    cases = models.ManyToManyField(
        "monitoring.Case", verbose_name=_("cases"), blank=True, related_name="warnings"
    )
    evidence = models.ManyToManyField(
        "monitoring.TraceEvent", verbose_name=_("evidence"), blank=True, related_name="warnings"
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    post = models.ForeignKey(
        "org.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    # The risk point (and the control measure) whose rule raised it, from the risk register.
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        verbose_name=_("risk point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
    )
    control_measure = models.ForeignKey(
        "risks.ControlMeasure",
        verbose_name=_("control measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The finding's own words for who, where and which unit, kept when they could not be matched.
    source_resource = models.CharField(_("officer (as found)"), max_length=100, blank=True)
    source_post = models.CharField(_("post (as found)"), max_length=100, blank=True)
    source_unit = models.CharField(_("unit (as found)"), max_length=100, blank=True)
    # What could not be resolved (kind → values): shown, never a reason to drop the warning.
    unresolved = models.JSONField(_("unresolved"), default=dict, blank=True)
    explanation_zh = models.TextField(_("explanation (Chinese)"))
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    found_at = models.DateTimeField(_("found at"))
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Leaders' own cases, and units without a head, are verified by the office as a whole.
    verifier_is_office = models.BooleanField(_("verified by the office"), default=False)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    due_date = models.DateField(_("current step due"), null=True, blank=True)
    rectify_due = models.DateField(_("rectification due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set once any step missed its deadline: timeliness statistics count on it.
    was_overdue = models.BooleanField(_("was overdue"), default=False)

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="warning_due_idx"),
            models.Index(fields=["found_at"], name="warning_found_idx"),
        ]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return f"{self.rule} {self.finding_id}"

    @property
    def explanation(self) -> str:
        """The explanation in the current language (Chinese when no English text exists)."""
        language = get_language() or ""
        if language.startswith("en") and self.explanation_en:
            return self.explanation_en
        return self.explanation_zh

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Transition(models.Model):
    """One step of a warning's history: who did what, when, with which note and deadline."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="transitions")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    due_date = models.DateField(_("next step due"), null=True, blank=True)

    class Meta:
        ordering = ["warning", "at", "id"]
        verbose_name = _("warning step")
        verbose_name_plural = _("warning steps")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.step}"


class Attachment(models.Model):
    """A file given with a response or a rectification report."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="attachments")
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="warnings/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["warning", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class SupervisionOrder(models.Model):
    """督办单: a step missed its deadline; the unit head must see it finished by ``due_date``."""

    warning = models.ForeignKey(
        Warning, on_delete=models.CASCADE, related_name="supervision_orders"
    )
    step_status = models.CharField(_("overdue step"), max_length=12, choices=Status.choices)
    missed_due = models.DateField(_("missed deadline"))
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_office = models.BooleanField(_("issued to the office"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    due_date = models.DateField(_("finish by"))
    note = models.TextField(_("note"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One order per missed deadline: a sweep run twice (or by two workers) issues one.
            models.UniqueConstraint(
                fields=["warning", "step_status", "missed_due"], name="supervision_once"
            )
        ]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.step_status} {self.missed_due}"


class Reminder(models.Model):
    """A reminder sent because a step is due soon: one per warning, step and deadline, so a
    sweep run again (or by two workers) reminds once, and a new deadline reminds anew."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="reminders")
    step_status = models.CharField(_("step"), max_length=12, choices=Status.choices)
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "step_status", "due_date"], name="reminder_once"
            )
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.step_status} {self.due_date}"


class Measure(models.TextChoices):
    """Sanctions of 责任追究, mildest first."""

    EDUCATION = "education", _("Criticism and education")
    WRITTEN_REVIEW = "written_review", _("Written self-criticism")
    CIRCULATED = "circulated", _("Circulated criticism")
    ADMONITION = "admonition", _("Admonishment talk")
    TRANSFER = "transfer", _("Transfer from post")
    OTHER = "other", _("Other")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    CHANGED = "changed", _("Changed")
    REVOKED = "revoked", _("Revoked")


class Accountability(models.Model):
    """责任追究 for a violation: the measure, who decided it, and an appeal with its outcome."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="accountabilities")
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountabilities",
    )
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("appeal outcome"), max_length=8, choices=AppealOutcome.choices, blank=True
    )
    appeal_note = models.TextField(_("appeal decision"), blank=True)
    # When an appeal changes the measure, the new one; the original stays on record.
    final_measure = models.CharField(
        _("measure after appeal"), max_length=16, choices=Measure.choices, blank=True
    )
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appeal decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("accountability")
        verbose_name_plural = _("accountabilities")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.measure}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A warning awaits your verification")
    RESPOND = "respond", _("A warning about you awaits your response")
    RESPONDED = "responded", _("The person responded to a warning")
    DECIDED = "decided", _("A warning about you was decided")
    RECTIFIED = "rectified", _("A rectification awaits your confirmation")
    CLOSED = "closed", _("A warning about you was closed")
    SUPERVISION = "supervision", _("A supervision order was issued")
    ACCOUNTABILITY = "accountability", _("An accountability measure was decided")
    APPEAL = "appeal", _("An appeal awaits a decision")
    APPEAL_DECIDED = "appeal_decided", _("Your appeal was decided")
    REASSIGNED = "reassigned", _("A warning you verified was given to another verifier")
    REMINDER = "reminder", _("A step of a warning is due soon")


class Notification(models.Model):
    """An in-app message to one user about one warning; e-mailed too when SMTP is configured."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    warning = models.ForeignKey(
        Warning, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

"""The organisation (岗责体系): units, posts, duties, goals, staff, assignments and the power list.

Natural keys (``code``, ``staff_no`` …) make spreadsheet re-imports idempotent. Writes happen only
in ``actions.py``; nothing here has behaviour beyond derived read-only properties.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau")
    DEPARTMENT = "department", _("Department")
    BRANCH = "branch", _("Branch")
    TEAM = "team", _("Team")


class PowerType(models.TextChoices):
    """The separation of powers (三权) a post, duty or power belongs to."""

    DECIDE = "decide", _("Decide")
    EXECUTE = "execute", _("Execute")
    SUPERVISE = "supervise", _("Supervise")


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path ("/1/4/9/") so a subtree is one indexed prefix query; kept by actions.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0


class Post(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts"
    )
    power_type = models.CharField(_("power type"), max_length=16, choices=PowerType.choices)
    description = models.TextField(_("description"), blank=True)
    is_high_risk = models.BooleanField(_("high-risk post"), default=False)
    term_limit_years = models.PositiveSmallIntegerField(
        _("term limit (years)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name


class DutyStatus(models.TextChoices):
    """Duties are drafted bottom-up and approved level by level."""

    DRAFT = "draft", _("Draft")
    HEAD_REVIEW = "head_review", _("Awaiting unit head")
    LEADER_REVIEW = "leader_review", _("Awaiting leader in charge")
    PERSONNEL_REVIEW = "personnel_review", _("Awaiting personnel office")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Returned for revision")


class Duty(models.Model):
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="duties"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("duty"))
    power_type = models.CharField(
        _("power type"), max_length=16, choices=PowerType.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DutyStatus.choices, default=DutyStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        "Staff",
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drafted_duties",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["post__code", "seq"]
        constraints = [models.UniqueConstraint(fields=["post", "seq"], name="duty_post_seq_unique")]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self) -> str:
        return f"{self.post.code}-{self.seq}"


class ReviewDecision(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")


class DutyReview(models.Model):
    """One step of a duty's approval trail: who decided what at which stage, and why."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("stage"), max_length=20, choices=DutyStatus.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        "core.User", verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["duty", "at", "id"]
        verbose_name = _("duty review")
        verbose_name_plural = _("duty reviews")

    def __str__(self) -> str:
        return f"{self.duty} {self.stage} {self.decision}"


class Goal(models.Model):
    """A work goal, set top-down: a unit goal may be broken down into post goals."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="goals"
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent goal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    title = models.CharField(_("title"), max_length=200)
    target = models.TextField(_("target"), blank=True)
    set_by = models.ForeignKey(
        "core.User",
        verbose_name=_("set by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "unit__path", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Staff(models.Model):
    staff_no = models.CharField(_("staff number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    rank = models.CharField(_("rank"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    ACTING = "acting", _("Acting")


class Assignment(models.Model):
    """Staff × post × dates: tenure in a post is computed from these."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="assignments"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AssignmentKind.choices, default=AssignmentKind.PRIMARY
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["staff__staff_no", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "post", "start"], name="assignment_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.staff} @ {self.post}"

    def tenure_days(self, on: dt.date) -> int:
        """Days in post up to ``on`` inclusive (0 if the assignment starts later)."""
        last = min(self.end, on) if self.end else on
        return max((last - self.start).days + 1, 0)


class PowerCategory(models.TextChoices):
    """The seeds' classification: 征管查 / 减免罚 / 人财物."""

    COLLECTION = "collection", _("Collection (征收)")
    ADMINISTRATION = "administration", _("Administration (管理)")
    INSPECTION = "inspection", _("Inspection (稽查)")
    RELIEF = "relief", _("Tax relief (减免税)")
    PENALTY = "penalty", _("Penalty (处罚)")
    PERSONNEL = "personnel", _("Personnel (人事)")
    FINANCE = "finance", _("Finance (财务)")
    ASSETS = "assets", _("Assets (资产)")


class PowerItem(models.Model):
    """A power the unit exercises (权力清单), with its legal basis and owner."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=PowerCategory.choices)
    power_type = models.CharField(_("power type"), max_length=16, choices=PowerType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="power_items"
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("owner post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="power_items",
    )
    description = models.TextField(_("description"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), null=True, blank=True
    )
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("power item")
        verbose_name_plural = _("power items")

    def __str__(self) -> str:
        return self.name


class LegalBasis(models.Model):
    """One law and article behind a power item (执法依据)."""

    power_item = models.ForeignKey(PowerItem, on_delete=models.CASCADE, related_name="legal_bases")
    law = models.CharField(_("law"), max_length=200)
    article = models.CharField(_("article"), max_length=100, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)

    class Meta:
        ordering = ["power_item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["power_item", "law", "article"], name="legal_basis_natural_key"
            )
        ]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return f"{self.law}{self.article}"

"""The risk register (廉政风险档案库): risk items, the risk points where power can be abused, and
the control measures that prevent or detect the abuse.

A measure may be backed by a rule of a monitoring rule set (``rule_set`` + ``rule``): the rule
is the machine check of the measure, and a warning raised by that rule is traced back to the
measure and its risk point. Writes happen only in ``actions.py``; the level is graded there from
likelihood and impact (``grading.py``).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sunlight.risks import grading

ONE_TO_THREE = [MinValueValidator(1), MaxValueValidator(3)]


class Level(models.TextChoices):
    """The grade of a risk point (风险等级), from ``grading.MATRIX``."""

    HIGH = grading.HIGH, _("High")
    MEDIUM = grading.MEDIUM, _("Medium")
    LOW = grading.LOW, _("Low")


class MeasureKind(models.TextChoices):
    """制度 / 流程 / 科技 / 监督: how a measure controls the risk."""

    RULE = "rule", _("Regulation")
    PROCESS = "process", _("Process control")
    TECHNOLOGY = "technology", _("Technology")
    SUPERVISION = "supervision", _("Supervision")


class RiskItem(models.Model):
    """廉政风险事项: a group of related risk points, usually those of one power item."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    power_item = models.ForeignKey(
        "org.PowerItem",
        verbose_name=_("power item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_items",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("risk item")
        verbose_name_plural = _("risk items")

    def __str__(self) -> str:
        return self.name


class RiskPoint(models.Model):
    """廉政风险点: a place in a process step where power can be abused, graded and published."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    item = models.ForeignKey(
        RiskItem, verbose_name=_("risk item"), on_delete=models.PROTECT, related_name="points"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="risk_points"
    )
    post = models.ForeignKey(
        "org.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    step = models.CharField(_("process step"), max_length=100, blank=True)
    manifestation = models.TextField(_("manifestation"))
    cause = models.TextField(_("cause"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=ONE_TO_THREE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=ONE_TO_THREE)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=3),
                name="risk_point_likelihood_1_3",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=3), name="risk_point_impact_1_3"
            ),
        ]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")

    def __str__(self) -> str:
        return self.name


class ControlMeasure(models.Model):
    """防控措施: what prevents or detects the abuse of one risk point; ``rule`` (an id in
    ``rule_set``) is its machine check, blank when it is not machine-checked."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="measures"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("measure text"))
    kind = models.CharField(_("kind of measure"), max_length=12, choices=MeasureKind.choices)
    post = models.ForeignKey(
        "org.Post",
        verbose_name=_("responsible post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="control_measures",
    )
    rule_set = models.ForeignKey(
        "monitoring.RuleSet",
        verbose_name=_("rule set"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="control_measures",
    )
    # Kept when the rule set goes, so the register still says which check it used to be.
    rule = models.CharField(_("rule"), max_length=100, blank=True)

    class Meta:
        ordering = ["risk_point__code", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "seq"], name="control_measure_point_seq")
        ]
        indexes = [models.Index(fields=["rule_set", "rule"], name="control_measure_rule_idx")]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return f"{self.risk_point.code}-{self.seq}"

    @property
    def is_machine_checked(self) -> bool:
        return bool(self.rule_set_id and self.rule)

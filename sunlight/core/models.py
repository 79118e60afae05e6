"""Login accounts and their role. What a role may see and do is decided in ``access.py``."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    HEAD = "head", _("Unit head")
    LEADER = "leader", _("Leader in charge")
    OFFICE = "office", _("Internal-control office")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    staff = models.OneToOneField(
        "org.Staff",
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )
    # A head's own unit, or the units a leader is in charge of: their subtrees are the scope.
    scope_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units in scope"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")


class CalendarDay(models.Model):
    """The bureau's own entry for one day of the working-day calendar (法定节假日, 调休上班 …).

    It wins over the official table (``controls.calendar``) and may extend it to a year the
    package does not cover yet. Written only by ``calendar_actions``; read through ``workdays``.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}".strip()

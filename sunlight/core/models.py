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

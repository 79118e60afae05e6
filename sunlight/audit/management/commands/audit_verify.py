"""``manage.py audit_verify``: recompute the audit chain; exit 1 at the first altered row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunlight.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        check = verify_chain()
        if not check.ok:
            # CommandError exits with status 1 and prints to stderr.
            raise CommandError(
                _("Audit chain broken at row %(id)s (%(checked)d rows before it are intact).")
                % {"id": check.first_bad_id, "checked": check.checked}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(checked)d audit rows checked: OK.") % {"checked": check.checked}
            )
        )

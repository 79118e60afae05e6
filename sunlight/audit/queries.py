"""Reading the audit trail, and checking that nobody has altered it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from sunlight.audit.actions import compute_digest
from sunlight.audit.models import AuditRecord
from sunlight.core import access
from sunlight.core.models import User


def records_for(user: User) -> QuerySet[AuditRecord]:
    """The trail is evidence: the office, auditors and admins read all of it; others their own."""
    records = AuditRecord.objects.select_related("actor")
    if access.sees_everything(user):
        return records
    return records.filter(actor=user)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_id: int | None = None


def verify_chain(batch: int = 2000) -> ChainCheck:
    """Recompute every digest in order; the first row that does not match is reported."""
    prev = ""
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditRecord.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return ChainCheck(ok=True, checked=checked)
        for row in rows:
            if row.prev_digest != prev or compute_digest(row) != row.digest:
                return ChainCheck(ok=False, checked=checked, first_bad_id=row.id)
            prev = row.digest
            checked += 1
        last_id = rows[-1].id

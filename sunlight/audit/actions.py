"""The one writer of the audit trail. Every other ``actions`` module calls ``audit_record``
inside its own transaction, so an action and its audit row commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from sunlight.audit import context
from sunlight.audit.models import AuditRecord
from sunlight.core.models import User

# Any fixed 64-bit number: one advisory lock serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK = 7_340_021_117


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys as ids), ready for JSON."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _jsonable(field.value_from_object(instance))
    return data


def compute_digest(record: AuditRecord) -> str:
    payload = {
        "at": record.at.isoformat(),
        "actor": record.actor_id,
        "actor_name": record.actor_name,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "before": record.before,
        "after": record.after,
        "request_id": record.request_id,
        "ip": record.ip,
        "prev": record.prev_digest,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _lock_chain() -> None:
    # SQLite runs write transactions one at a time (IMMEDIATE mode), so only PostgreSQL needs it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


# The actor of writes that no person made (a sweep, a demo load) and no job named.
SYSTEM = "system"


def audit_record(
    *,
    by: User | None,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditRecord:
    """Append one row to the audit chain. ``action`` is dotted: ``org.duty.approve``. A write
    by nobody signed in (``by=None``) is the system's unless ``actor_name`` names the job."""
    ctx = context.current()
    with transaction.atomic():
        _lock_chain()
        last = AuditRecord.objects.order_by("-id").values_list("digest", flat=True).first()
        record = AuditRecord(
            # Microseconds dropped: the digest must survive a round trip through any database.
            at=timezone.now().replace(microsecond=0),
            actor=by,
            actor_name=actor_name or (by.get_username() if by else SYSTEM),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_digest=last or "",
        )
        record.digest = compute_digest(record)
        record.save()
    return record

"""The writers of imports, pushes and value mappings.

An import runs off the request thread in batches. Each batch commits together with the job's
checkpoint (``records_done``) and counts, guarded by the worker's lease, so a worker killed at
any moment leaves the job exactly at the end of its last committed batch; the next worker skips
that many records and goes on. The natural key makes a repeated event a no-op in any case.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import operator
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.events import Event
from controls.io import LogError, guess_format
from controls.io import jsonl as jsonl_reader
from controls.io.columns import FIELDS, resolve_columns
from controls.io.timestamps import TimestampParser
from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.monitoring import eventstore, policy, reading, tasks
from sunlight.monitoring.actions import checking
from sunlight.monitoring.eventrows import Row
from sunlight.monitoring.models import (
    DEFAULT_SOURCE,
    Case,
    ImportJob,
    ImportRowError,
    JobStatus,
    LogFormat,
    MappingKind,
    PushBatch,
    TraceEvent,
    ValueMapping,
)
from sunlight.org.models import Post, PowerItem, Staff, Unit

log = logging.getLogger(__name__)

BATCH_SIZE = 10_000
LEASE = dt.timedelta(seconds=120)
MAX_ATTEMPTS = 5
# Bad rows beyond this many are counted but not listed one by one.
ROW_ERROR_LIMIT = 1000
PUSH_LIMIT = 10000
WORKER_ACTOR = "monitoring-worker"


class LeaseLostError(Exception):
    """Another worker took the job over (this one was presumed dead): stop without writing."""


# --- creating a job -------------------------------------------------------------------------


def import_job_create(
    *,
    by: User,
    upload: UploadedFile,
    fmt: str = "",
    source_system: str = "",
    columns: Mapping[str, str] | None = None,
) -> ImportJob:
    """Keep the uploaded file and queue its import (a CSV whose columns are unclear waits)."""
    access.require(policy.may_import(by))
    name = Path(upload.name or "upload").name
    chosen = fmt or guess_format(name) or ""
    if chosen not in LogFormat.values:
        raise ValidationError({"format": _("Choose the format: CSV, XES or JSON lines.")})
    _check_columns(columns or {})
    with transaction.atomic():
        job = ImportJob(
            source_system=(source_system or DEFAULT_SOURCE).strip()[:64],
            format=chosen,
            original_name=name[:255],
            size_bytes=upload.size or 0,
            columns=dict(columns or {}),
            created_by=by,
            created_at=timezone.now(),
        )
        # FileField storage moves Django's temporary upload file (or copies it in chunks):
        # the file is never held in memory whole.
        job.file.save(name, upload, save=False)
        job.status, job.failure = _columns_status(job)
        job.save()
        audit_record(
            by=by,
            action="monitoring.import.create",
            obj=job,
            after={**snapshot(job, _CREATED), "file": job.file.name},
        )
        _enqueue_on_commit(job)
    return job


_CREATED = ["source_system", "format", "original_name", "size_bytes", "columns", "status"]


def import_job_set_columns(*, by: User, job: ImportJob, columns: Mapping[str, str]) -> ImportJob:
    """Say which CSV column holds which field, and queue the job."""
    access.require(policy.may_import(by))
    if job.status != JobStatus.COLUMNS:
        raise ValidationError(_("The columns of this import are already settled."))
    _check_columns(columns)
    with transaction.atomic():
        before = snapshot(job, ["columns", "status"])
        job.columns = {field: column for field, column in columns.items() if column}
        job.status, job.failure = _columns_status(job)
        job.save(update_fields=["columns", "status", "failure"])
        audit_record(
            by=by,
            action="monitoring.import.columns",
            obj=job,
            before=before,
            after=snapshot(job, ["columns", "status"]),
        )
        _enqueue_on_commit(job)
    return job


def _check_columns(columns: Mapping[str, str]) -> None:
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValidationError({"columns": _("Unknown field(s): %s") % ", ".join(unknown)})


def _columns_status(job: ImportJob) -> tuple[str, str]:
    """Queued, or awaiting a column mapping (with the reason) for a CSV that needs one."""
    if job.format != LogFormat.CSV:
        return JobStatus.QUEUED, ""
    path = Path(job.file.path)
    try:
        resolve_columns(reading.csv_header(path), job.columns or None, path)
    except LogError as error:
        return JobStatus.COLUMNS, describe(error)
    except (UnicodeDecodeError, OSError) as error:
        return JobStatus.COLUMNS, str(error)
    return JobStatus.QUEUED, ""


def describe(error: LogError) -> str:
    """A row error as the user reads it, without the server's file path."""
    parts = []
    if error.position is not None:
        parts.append(f"{error.where} {error.position}")
    if error.field is not None:
        parts.append(f"field {error.field!r}")
    return f"{', '.join(parts)}: {error.message}" if parts else error.message


def _enqueue_on_commit(job: ImportJob) -> None:
    if job.status == JobStatus.QUEUED:
        job_id = job.pk
        transaction.on_commit(lambda: tasks.enqueue_import(job_id))


# --- running a job --------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def import_job_claim(*, job_id: int, owner: str) -> bool:
    """Take the job if it is queued or its runner's lease ran out. ``False``: nothing got
    updated, another worker got there first (or the job is finished)."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now)
    updated = ImportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=JobStatus.RUNNING,
        lease_owner=owner,
        lease_until=now + LEASE,
        attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
    )
    return updated == 1


def import_job_claim_next(*, owner: str) -> int | None:
    """The oldest job this worker could claim, claimed; ``None`` when there is none."""
    _give_up_exhausted()
    now = timezone.now()
    candidates = (
        ImportJob.objects.filter(
            Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now)
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:20]
    )
    for job_id in candidates:
        if import_job_claim(job_id=job_id, owner=owner):
            return job_id
    return None


def _give_up_exhausted() -> None:
    """A job whose runner died ``MAX_ATTEMPTS`` times is failed, not retried forever."""
    stale = ImportJob.objects.filter(
        status=JobStatus.RUNNING, lease_until__lt=timezone.now(), attempts__gte=MAX_ATTEMPTS
    )
    for job in stale:
        _finish(job, job.lease_owner, failure=_("Stopped after %d attempts.") % MAX_ATTEMPTS)


def import_job_run(
    job_id: int,
    *,
    owner: str | None = None,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[ImportJob], None] | None = None,
) -> bool:
    """Claim the job and import it to the end; ``False`` if another worker holds it.

    ``after_batch`` is called after each committed batch (progress reporting, fault tests).
    """
    owner = owner or worker_name()
    if not import_job_claim(job_id=job_id, owner=owner):
        return False
    return import_job_continue(job_id=job_id, owner=owner, batch_size=batch_size,
                               after_batch=after_batch)  # fmt: skip


def import_job_continue(
    *,
    job_id: int,
    owner: str,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[ImportJob], None] | None = None,
) -> bool:
    """Run a job this worker has claimed, from its checkpoint to the end."""
    job = ImportJob.objects.get(pk=job_id)
    # One snapshot of the catalogue and the mappings per run; a mapping made meanwhile
    # re-resolves the stored events itself.
    resolver = eventstore.Resolver()
    try:
        _estimate(job, owner)
        for batch in _batches(job, batch_size):
            _commit_batch(job, owner, batch, resolver)
            if after_batch is not None:
                after_batch(job)
    except LeaseLostError:
        log.warning("import %s: lease lost to another worker", job_id)
        return False
    except LogError as error:
        _finish(job, owner, failure=describe(error))
        return True
    except Exception:
        # A crash that is not the file's fault (database gone, disk full): hand the job back
        # at its checkpoint so a worker retries it, a few times.
        if job.attempts >= MAX_ATTEMPTS:
            _finish(job, owner, failure=_("Stopped after %d attempts.") % MAX_ATTEMPTS)
        else:
            _release(job, owner)
        raise
    _finish(job, owner)
    return True


def _batches(job: ImportJob, size: int) -> Iterator[list[reading.RowRecord]]:
    """The job's records from its checkpoint on, in batches of ``size``; a reader's error
    (about the whole file) is raised after the batch of the records read before it."""
    chunks = reading.read_chunks(
        Path(job.file.path),
        job.format,
        job.columns,
        source_system=job.source_system,
        # Resuming: the records up to the checkpoint are committed already; the reader skips
        # them.
        skip=job.records_done,
        in_process=(job.records_total or 0) - job.records_done
        >= settings.SUNLIGHT_IMPORT_PROCESS_FROM,
    )
    pending: list[reading.RowRecord] = []
    try:
        for chunk in chunks:
            pending += chunk
            while len(pending) >= size:
                yield pending[:size]
                del pending[:size]
    except LogError:
        if pending:
            yield pending
        raise
    if pending:
        yield pending


def _estimate(job: ImportJob, owner: str) -> None:
    if job.records_total is not None:
        return
    total = reading.estimate_records(Path(job.file.path), job.format)
    with transaction.atomic():
        _renew(job, owner)
        ImportJob.objects.filter(pk=job.pk).update(records_total=total)
    job.records_total = total


def _renew(job: ImportJob, owner: str) -> None:
    """Lock the job row and check this worker still holds it at the expected checkpoint."""
    held = ImportJob.objects.filter(
        pk=job.pk, lease_owner=owner, status=JobStatus.RUNNING, records_done=job.records_done
    ).update(lease_until=timezone.now() + LEASE)
    if held != 1:
        raise LeaseLostError


def _commit_batch(
    job: ImportJob, owner: str, batch: list[reading.RowRecord], resolver: eventstore.Resolver
) -> None:
    # Most batches hold no bad row: then the batch is the events, as found by a pass in C.
    if LogError in set(map(type, map(_ITEM, batch))):
        errors = [(pos, item) for pos, item in batch if isinstance(item, LogError)]
        events = [(pos, item) for pos, item in batch if not isinstance(item, LogError)]
    else:
        errors, events = [], cast(list[tuple[int | None, Row]], batch)
    with transaction.atomic():
        _without_waiting_for_the_disk()
        _renew(job, owner)
        stored = eventstore.store_rows(
            source_system=job.source_system,
            events=events,
            resolver=resolver,
            import_job_id=job.pk,
        )
        # Same transaction: a committed event always has its case marked for the rules.
        checking.mark_cases(stored.stored_cases, priority=checking.IMPORTED)
        _record_row_errors(job, errors)
        job.records_done += len(batch)
        job.stored += stored.stored
        job.duplicates += stored.duplicates
        job.errors += len(errors)
        job.unknowns = eventstore.merge_unknowns(job.unknowns, stored.unknowns)
        job.save(update_fields=["records_done", "stored", "duplicates", "errors", "unknowns"])


_ITEM = operator.itemgetter(1)


def _without_waiting_for_the_disk() -> None:
    """PostgreSQL: this batch's commit returns before its log reaches the disk. A crash may then
    lose the last batches committed, never part of one: each batch commits with the job's
    checkpoint, so the job resumes before them and stores them again (a push, answered item by
    item, keeps the default)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _record_row_errors(job: ImportJob, errors: list[tuple[int | None, LogError]]) -> None:
    room = max(ROW_ERROR_LIMIT - job.errors, 0)
    ImportRowError.objects.bulk_create(
        ImportRowError(
            job=job,
            position=error.position or position,
            where=error.where,
            field=(error.field or "")[:200],
            message=error.message,
            # The Chinese text alone: ``message_zh`` would prefix the server's file path.
            message_zh=getattr(error, "_message_zh", ""),
        )
        for position, error in errors[:room]
    )


def _finish(job: ImportJob, owner: str, failure: str = "") -> None:
    with transaction.atomic():
        done = ImportJob.objects.filter(pk=job.pk, lease_owner=owner).update(
            status=JobStatus.FAILED if failure else JobStatus.DONE,
            failure=failure,
            finished_at=timezone.now(),
            lease_owner="",
            lease_until=None,
        )
        if not done:
            return
        job.refresh_from_db()
        audit_record(
            by=None,
            actor_name=WORKER_ACTOR,
            action="monitoring.import.fail" if failure else "monitoring.import.finish",
            obj=job,
            after=snapshot(
                job, ["status", "records_done", "stored", "duplicates", "errors", "failure"]
            ),
        )


def _release(job: ImportJob, owner: str) -> None:
    ImportJob.objects.filter(pk=job.pk, lease_owner=owner, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED, lease_owner="", lease_until=None
    )


# --- pushing events -------------------------------------------------------------------------


def events_push(
    *, by: User, items: list[Any], source_system: str = ""
) -> tuple[PushBatch, list[dict[str, Any]]]:
    """Store a batch of events from a business system; one result per item, in order.

    Items have the fields of a JSON-lines log (``case``, ``activity``, ``time`` required) and
    are checked by the same parser, so a pushed event and the same event in a file are equal.
    """
    access.require(policy.may_push(by))
    if len(items) > PUSH_LIMIT:
        raise ValidationError({"events": _("At most %d events per batch.") % PUSH_LIMIT})
    parsed = list(_parse_items(items))
    events = [(number, item) for number, item in parsed if isinstance(item, Event)]
    with transaction.atomic():
        batch = PushBatch.objects.create(
            source_system=(source_system or DEFAULT_SOURCE).strip()[:64],
            pushed_by=by,
            received_at=timezone.now(),
            received=len(items),
        )
        stored = eventstore.store_events(
            source_system=batch.source_system,
            events=events,
            resolver=eventstore.Resolver(),
            push_batch_id=batch.pk,
        )
        checking.mark_cases(stored.stored_cases, priority=checking.PUSHED)
        results = _push_results(parsed, iter(stored.statuses))
        batch.stored, batch.duplicates = stored.stored, stored.duplicates
        batch.errors = len(parsed) - len(events)
        batch.unknowns = eventstore.merge_unknowns({}, stored.unknowns)
        batch.save(update_fields=["stored", "duplicates", "errors", "unknowns"])
        audit_record(by=by, action="monitoring.events.push", obj=batch, after=snapshot(batch))
    return batch, results


def _parse_items(items: list[Any]) -> Iterator[tuple[int, Event | LogError]]:
    parse_time = TimestampParser()
    for number, item in enumerate(items):
        try:
            line = json.dumps(item, ensure_ascii=False)
            yield number, jsonl_reader._event(Path("events"), number, line, number, parse_time)
        except LogError as error:
            yield number, error
        except (TypeError, ValueError) as error:
            yield number, LogError("events", number, None, str(error), where="item")


def _push_results(
    parsed: list[tuple[int, Event | LogError]], statuses: Iterator[str]
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for number, item in parsed:
        if isinstance(item, LogError):
            results.append(
                {"index": number, "status": "error", "field": item.field, "message": item.message}
            )
        else:
            results.append({"index": number, "status": next(statuses)})
    return results


# --- mapping source values ------------------------------------------------------------------

_TARGETS: dict[str, tuple[type[Any], str]] = {
    MappingKind.STAFF: (Staff, "staff_no"),
    MappingKind.POST: (Post, "code"),
    MappingKind.UNIT: (Unit, "code"),
    MappingKind.PROCESS: (PowerItem, "code"),
}


def value_mapping_set(*, by: User, kind: str, value: str, target: str) -> ValueMapping:
    """Say what a source value means (``target``: a staff number or a post, unit or power
    code) and re-resolve every stored event that carries it."""
    access.require(policy.may_map(by))
    if kind not in MappingKind.values or not value:
        raise ValidationError({"kind": _("Choose what the value names.")})
    model, code_field = _TARGETS[kind]
    found = model.objects.filter(**{code_field: target.strip()}).first()
    if found is None:
        raise ValidationError({"target": _("No record with the code %s.") % target})
    with transaction.atomic():
        mapping = ValueMapping.objects.filter(kind=kind, value=value).first()
        before = snapshot(mapping) if mapping else None
        mapping = mapping or ValueMapping(kind=kind, value=value)
        for name in ("staff", "post", "unit", "power_item"):
            setattr(mapping, f"{name}_id", None)
        setattr(mapping, _TARGET_FIELD[kind], found.pk)
        mapping.mapped_by, mapping.mapped_at = by, timezone.now()
        mapping.save()
        _reresolve(kind, value, found)
        _mark_remapped(kind, value)
        audit_record(
            by=by, action="monitoring.mapping.set", obj=mapping, before=before,
            after=snapshot(mapping),
        )  # fmt: skip
    return mapping


_TARGET_FIELD: dict[str, str] = {
    MappingKind.STAFF: "staff_id",
    MappingKind.POST: "post_id",
    MappingKind.UNIT: "unit_id",
    MappingKind.PROCESS: "power_item_id",
}


def _mark_remapped(kind: str, value: str) -> None:
    """The events now name another officer, post or unit: their cases are checked again."""
    column = {
        MappingKind.STAFF: "source_resource",
        MappingKind.POST: "source_post",
        MappingKind.UNIT: "source_unit",
    }.get(MappingKind(kind))
    if column is not None:
        checking.mark_events(TraceEvent.objects.filter(**{column: value}))


def _reresolve(kind: str, value: str, target: Any) -> None:
    events = TraceEvent.objects
    if kind == MappingKind.STAFF:
        events.filter(source_resource=value).update(staff_id=target.pk)
        # As at import: an event whose source names no unit is placed in the officer's unit.
        events.filter(source_resource=value, source_unit="").update(unit_id=target.unit_id)
    elif kind == MappingKind.POST:
        events.filter(source_post=value).update(post_id=target.pk)
    elif kind == MappingKind.UNIT:
        events.filter(source_unit=value).update(unit_id=target.pk)
    else:
        Case.objects.filter(process=value).update(power_item_id=target.pk)

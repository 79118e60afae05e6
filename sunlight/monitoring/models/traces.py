"""The event store and the ways traces come in: import jobs (files) and push batches (API).

An event keeps everything the engine's ``controls.events.Event`` has, as the source wrote it
(``source_*`` fields), plus the organisation records the mapping step resolved them to. Its
``key`` is a hash of what makes the event itself (see ``eventrows.natural_key``): storing the
same event twice, from one file or two, from a file and a push, does nothing the second time.
Writes happen only in ``actions/imports.py`` (through ``eventstore`` for the events).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Sources that do not name their business system share this one.
DEFAULT_SOURCE = "default"


class LogFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XES = "xes", _("XES")
    JSONL = "jsonl", _("JSON lines")


class JobStatus(models.TextChoices):
    # A CSV whose header does not show where the case, activity or time is waits for a person.
    COLUMNS = "columns", _("Awaiting column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MappingKind(models.TextChoices):
    """What a source value names, and so which catalogue it is matched against."""

    STAFF = "staff", _("Officer")
    POST = "post", _("Post")
    UNIT = "unit", _("Unit")
    PROCESS = "process", _("Process")


class ImportJob(models.Model):
    """One uploaded log, read in batches off the request thread; resumable from its checkpoint."""

    source_system = models.CharField(_("source system"), max_length=64, default=DEFAULT_SOURCE)
    format = models.CharField(_("format"), max_length=8, choices=LogFormat.choices)
    file = models.FileField(_("file"), upload_to="monitoring/imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    # CSV only: Event field → column header, for files whose headers are not the usual ones.
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The lease: who runs the job and until when; a worker that dies stops renewing it.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The checkpoint: records (events and bad rows) of the file already committed, in file order.
    records_done = models.PositiveBigIntegerField(_("records processed"), default=0)
    records_total = models.PositiveBigIntegerField(_("records (estimate)"), null=True, blank=True)
    stored = models.PositiveBigIntegerField(_("stored"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)
    errors = models.PositiveBigIntegerField(_("bad rows"), default=0)
    # Source values the mapping step could not match, by kind (kept short; see ``eventstore``).
    unknowns = models.JSONField(_("unmatched values"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lease_until"], name="importjob_claim_idx")]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return self.original_name

    @property
    def records_read(self) -> int:
        return self.records_done

    @property
    def progress(self) -> float:
        """Share of the file done, 0..1 (the total is estimated before reading starts)."""
        if self.status == JobStatus.DONE:
            return 1.0
        if not self.records_total:
            return 0.0
        return min(self.records_done / self.records_total, 0.99)


class ImportRowError(models.Model):
    """A bad row (or line) of an import: skipped, and reported by position and field."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    position = models.PositiveBigIntegerField(_("row"), null=True)
    where = models.CharField(max_length=8, default="row")
    field = models.CharField(_("field"), max_length=200, blank=True)
    message = models.TextField(_("problem"))
    message_zh = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "position", "id"]
        verbose_name = _("row error")
        verbose_name_plural = _("row errors")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.position} {self.field}"


class PushBatch(models.Model):
    """One ``POST /api/v1/events`` request of a business system."""

    source_system = models.CharField(_("source system"), max_length=64, default=DEFAULT_SOURCE)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pushed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    received = models.PositiveIntegerField(_("received"), default=0)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    unknowns = models.JSONField(_("unmatched values"), default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("push batch")
        verbose_name_plural = _("push batches")

    def __str__(self) -> str:
        return f"{self.source_system} {self.received_at:%Y-%m-%d %H:%M:%S}"


class StoredJSONField(models.JSONField):
    """A JSON field without SQLite's ``JSON_VALID`` check on every insert: only the event store
    writes it, always the canonical JSON it encoded itself (``eventrows.data_json``)."""

    def db_check(self, connection: Any) -> str | None:
        return None


class Case(models.Model):
    """A matter of a business system: its events form the trace the controls check."""

    source_system = models.CharField(_("source system"), max_length=64)
    external_id = models.CharField(_("case number"), max_length=200)
    process = models.CharField(_("process"), max_length=200, blank=True)
    power_item = models.ForeignKey(
        "org.PowerItem",
        verbose_name=_("power item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["source_system", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"], name="case_natural_key"
            )
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.external_id


class TraceEvent(models.Model):
    """One stored event of a case's trace (全程留痕)."""

    key = models.CharField(max_length=32, unique=True)
    # Indexed through ``event_timeline_idx`` (case, time, id); a second index would only slow
    # the bulk inserts down.
    # No database constraint either (as the links below): the store writes the ids of cases it
    # found or created in the same transaction, and Django keeps a case with events from being
    # deleted (PROTECT). The constraint's per-row check cost a third of a bulk COPY.
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    activity = models.CharField(_("activity"), max_length=200)
    time = models.DateTimeField(_("time"))
    lifecycle = models.CharField(_("lifecycle"), max_length=32, default="complete")
    source_process = models.CharField(_("process"), max_length=200, blank=True)
    source_resource = models.CharField(_("officer (as in the source)"), max_length=100, blank=True)
    source_post = models.CharField(_("post (as in the source)"), max_length=100, blank=True)
    source_unit = models.CharField(_("unit (as in the source)"), max_length=100, blank=True)
    data = StoredJSONField(_("data"), default=dict, blank=True)
    # The links below are resolved by the mapping step and cleared by Django when their target
    # goes (SET_NULL). They carry no database constraint: checking five foreign keys per row
    # made a bulk import several times slower, and the store writes only ids it just resolved.
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    post = models.ForeignKey(
        "org.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Not indexed either: no page looks events up by unit (cases are found through their
    # warnings and numbers), and each index costs every stored event a B-tree insert.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    import_job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_constraint=False,
    )
    push_batch = models.ForeignKey(
        PushBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    # Row or line in the file (or item number in the batch): where the event came from.
    position = models.PositiveBigIntegerField(_("row"), null=True, blank=True)

    class Meta:
        ordering = ["case", "time", "id"]
        indexes = [
            models.Index(fields=["case", "time", "id"], name="event_timeline_idx"),
            models.Index(fields=["time"], name="event_time_idx"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.activity} @ {self.time:%Y-%m-%d %H:%M}"


class ValueMapping(models.Model):
    """A person's answer to "what does this source value mean": officer, post, unit or process."""

    kind = models.CharField(_("kind"), max_length=8, choices=MappingKind.choices)
    value = models.CharField(_("source value"), max_length=200)
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "org.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    power_item = models.ForeignKey(
        "org.PowerItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped_at = models.DateTimeField(_("mapped at"))

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="value_mapping_natural_key")
        ]
        verbose_name = _("value mapping")
        verbose_name_plural = _("value mappings")

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def target_id(self) -> int | None:
        return {
            MappingKind.STAFF: self.staff_id,
            MappingKind.POST: self.post_id,
            MappingKind.UNIT: self.unit_id,
            MappingKind.PROCESS: self.power_item_id,
        }[MappingKind(self.kind)]

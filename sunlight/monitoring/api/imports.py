"""Traces in under /api/v1/: import jobs (``imports``) and the push of events (``events``).

``POST /imports`` (multipart: ``file``, optional ``format``, ``source_system``, ``columns`` as a
JSON object) answers the job at once; ``GET /imports/{id}`` shows its progress, counts, the
first row errors and the values still to map. ``POST /events`` stores a batch and answers one
result per item. Same rules as the pages: reads through ``queries``, writes through ``actions``.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from sunlight.core import access
from sunlight.core.api import ReadsOrWrites, action_errors, api_user
from sunlight.monitoring import actions, policy, queries
from sunlight.monitoring.models import DEFAULT_SOURCE, ImportJob, ImportRowError, LogFormat

ROW_ERRORS_SHOWN = 100


class RowErrorSerializer(serializers.ModelSerializer[ImportRowError]):
    class Meta:
        model = ImportRowError
        fields = ["position", "where", "field", "message"]


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    # Plain text in the schema: an enum named "status" would collide with the duties' one.
    status = serializers.CharField(
        read_only=True, help_text="columns | queued | running | done | failed"
    )
    progress = serializers.FloatField(read_only=True)
    records_read = serializers.IntegerField(read_only=True)
    row_errors = serializers.SerializerMethodField()
    unknowns = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "original_name", "format", "source_system", "size_bytes", "columns", "status",
            "progress", "records_read", "records_total", "stored", "duplicates", "errors",
            "row_errors", "unknowns", "failure", "attempts", "created_at", "started_at",
            "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_row_errors(self, job: ImportJob) -> list[dict[str, Any]]:
        return RowErrorSerializer(queries.row_errors(job, ROW_ERRORS_SHOWN), many=True).data  # type: ignore[return-value]

    def get_unknowns(self, job: ImportJob) -> dict[str, list[str]]:
        """Source values that matched nothing and await a mapping, by kind."""
        return queries.pending_values(job.unknowns)


class ColumnsField(serializers.JSONField):
    """A JSON object of field → column; in a multipart form it arrives as a JSON string."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                raise serializers.ValidationError("not a JSON object") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise serializers.ValidationError("expected an object of field: column names")
        return data


class ImportCreateSerializer(serializers.Serializer[ImportJob]):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=LogFormat.choices, required=False, allow_blank=True)
    source_system = serializers.CharField(max_length=64, required=False, default=DEFAULT_SOURCE)
    columns = ColumnsField(required=False)


class ColumnsSerializer(serializers.Serializer[ImportJob]):
    columns = ColumnsField()


class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ImportJob],
):
    """Import jobs: upload a log, then follow its progress."""

    permission_classes = [ReadsOrWrites]
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return queries.imports_for(api_user(self.request)).prefetch_related(None)

    @extend_schema(request=ImportCreateSerializer, responses={201: ImportJobSerializer})
    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_import(user))
        given = ImportCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with action_errors():
            job = actions.import_job_create(
                by=user,
                upload=data["file"],
                fmt=data.get("format") or "",
                source_system=data.get("source_system") or DEFAULT_SOURCE,
                columns=data.get("columns") or {},
            )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ColumnsSerializer, responses={200: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def columns(self, request: Request, pk: str | None = None) -> Response:
        """Say which CSV column holds which field, for a job awaiting its column mapping."""
        job = self.get_object()
        given = ColumnsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with action_errors():
            actions.import_job_set_columns(
                by=api_user(request), job=job, columns=given.validated_data["columns"]
            )
        return Response(ImportJobSerializer(job).data)


_PUSH_RESULT = inline_serializer(
    "PushResult",
    {
        "batch": serializers.IntegerField(),
        "source_system": serializers.CharField(),
        "received": serializers.IntegerField(),
        "stored": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "errors": serializers.IntegerField(),
        "unknowns": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField())
        ),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)

_PUSH_REQUEST = inline_serializer(
    "PushRequest",
    {
        "source_system": serializers.CharField(required=False),
        "events": serializers.ListField(child=serializers.DictField()),
    },
)


class EventPushViewSet(viewsets.GenericViewSet[Any]):
    """Business systems push events here, in batches."""

    permission_classes = [ReadsOrWrites]
    parser_classes = [JSONParser]
    serializer_class = serializers.Serializer

    @extend_schema(
        request=_PUSH_REQUEST,
        responses={201: _PUSH_RESULT},
        description=(
            "A JSON list of events, or an object with `source_system` and `events`. Each event "
            "has the fields of a JSON-lines log: `case`, `activity`, `time` (required), "
            "`resource`, `post`, `unit`, `process`, `lifecycle`, `data`. Each item is answered "
            "`stored`, `duplicate` (stored before: idempotent by its natural key) or `error` "
            "with the field."
        ),
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_push(user))
        source, items = _push_body(request.data)
        with action_errors():
            batch, results = actions.events_push(by=user, items=items, source_system=source)
        body = {
            "batch": batch.pk,
            "source_system": batch.source_system,
            "received": batch.received,
            "stored": batch.stored,
            "duplicates": batch.duplicates,
            "errors": batch.errors,
            "unknowns": batch.unknowns,
            "results": results,
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _push_body(data: Any) -> tuple[str, list[Any]]:
    if isinstance(data, list):
        return DEFAULT_SOURCE, data
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        source = data.get("source_system") or DEFAULT_SOURCE
        if not isinstance(source, str):
            raise serializers.ValidationError({"source_system": "expected a string"})
        return source, data["events"]
    raise serializers.ValidationError(
        {"events": "expected a JSON list of events, or an object with an 'events' list"}
    )


def register(router: DefaultRouter) -> None:
    router.register("imports", ImportJobViewSet, basename="import")
    router.register("events", EventPushViewSet, basename="event-push")

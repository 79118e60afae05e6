"""Warnings under /api/v1/: list and detail with filters, and one POST per lifecycle step.

``/warnings/`` (filters: status, stage, rule, unit, month, staff, open, overdue),
``/warnings/{id}/`` with evidence and history, ``POST /warnings/{id}/<step>/`` for assign,
reassign, respond, decide, rectify, close, supervise and accountability;
``/accountabilities/{id}/appeal/`` and ``/appeal-decision/``; ``/notifications/`` and
``/notifications/read/``; ``/warnings/statistics/``. Same rules as the pages: reads through
``queries`` (outside the scope is 404), writes through ``actions`` (403 when refused, 400 keyed by
field when invalid).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import BaseFilterBackend
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from sunlight.core.api import ReadsOrWrites, action_errors, api_user
from sunlight.core.models import User
from sunlight.warnings import actions, queries
from sunlight.warnings.models import Accountability, Notification, Transition, Warning
from sunlight.warnings.serializers import (
    AccountabilityInput,
    AccountabilitySerializer,
    AppealDecisionInput,
    AppealInput,
    AssignInput,
    DecideInput,
    NoteInput,
    NotificationSerializer,
    ReadInput,
    ReassignInput,
    RectifyInput,
    RespondInput,
    SuperviseInput,
    SupervisionOrderSerializer,
    WarningDetailSerializer,
    WarningSerializer,
)

_FILTER_HELP = {
    "status": "new | assigned | responded | rectifying | rectified | closed",
    "stage": "before | during | after",
    "rule": "Rule id",
    "unit": "Unit code: warnings of that unit and the units below it",
    "month": "YYYY-MM of the finding (local time)",
    "staff": "Staff number of the person responsible",
    "case": "Case id: warnings of that case",
    "open": "1: only warnings not closed",
    "overdue": "1: only open warnings past their step's deadline",
    "risk_level": "high | medium | low: the level of the warning's risk point",
}


class WarningFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        return queries.apply_filters(queryset, request.query_params)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in _FILTER_HELP.items()
        ]


def _step(request_serializer: type[serializers.Serializer[Any]]) -> Callable[[Any], Any]:
    return extend_schema(request=request_serializer, responses=WarningDetailSerializer)


_STATISTICS = inline_serializer(
    "WarningStatistics",
    {
        "total": serializers.IntegerField(),
        "by_stage": serializers.DictField(child=serializers.IntegerField()),
        "by_status": serializers.DictField(child=serializers.IntegerField()),
        "by_outcome": serializers.DictField(child=serializers.IntegerField()),
        "by_unit": serializers.DictField(child=serializers.IntegerField()),
        "by_rule": serializers.DictField(child=serializers.IntegerField()),
        "by_month": serializers.DictField(child=serializers.IntegerField()),
        "closed": serializers.IntegerField(),
        "closed_in_time": serializers.IntegerField(),
        "in_time_share": serializers.FloatField(allow_null=True),
        "mean_workdays_to_close": serializers.FloatField(allow_null=True),
        "open_overdue": serializers.IntegerField(),
    },
)


class WarningViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Warning],
):
    """Warnings (预警) and the steps of their handling."""

    permission_classes = [ReadsOrWrites]
    filter_backends = [WarningFilter]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Warning]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Warning.objects.none()
        warnings = queries.warnings_for(api_user(self.request)).prefetch_related("cases")
        if self.action == "list":
            return warnings
        history = Transition.objects.select_related("by").prefetch_related("attachments")
        return warnings.prefetch_related(
            "evidence__case",
            "evidence__staff",
            Prefetch("transitions", queryset=history),
            "supervision_orders__issued_to",
            "supervision_orders__issued_by",
            "accountabilities__staff",
            "accountabilities__decided_by",
            "accountabilities__appeal_decided_by",
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return WarningSerializer if self.action == "list" else WarningDetailSerializer

    def _given(self, request: Request, kind: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        given = kind(data=request.data)
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)

    def _answer(self, code: int = status.HTTP_200_OK) -> Response:
        warning = self.get_object()
        return Response(self.get_serializer(warning).data, status=code)

    @_step(AssignInput)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Assign a new warning to its verifier (a unit head, or the office)."""
        warning = self.get_object()
        data = self._given(request, AssignInput)
        verifier = None
        if data.get("verifier") is not None:
            verifier = User.objects.filter(pk=data["verifier"], is_active=True).first()
            if verifier is None:
                raise serializers.ValidationError({"verifier": "no such active user"})
        with action_errors():
            actions.warning_assign(
                by=api_user(request), warning=warning, verifier=verifier, note=data["note"]
            )
        return self._answer()

    @_step(ReassignInput)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """Give an open, undecided warning to another verifier (a unit head over it, or the
        office), with the reason. The office and the heads of the warning's unit may."""
        warning = self.get_object()
        data = self._given(request, ReassignInput)
        verifier = User.objects.filter(pk=data["verifier"], is_active=True).first()
        with action_errors():
            actions.warning_reassign(
                by=api_user(request), warning=warning, verifier=verifier, reason=data["reason"]
            )
        return self._answer()

    @_step(RespondInput)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        """The person's explanation, with files (multipart ``files``)."""
        warning = self.get_object()
        data = self._given(request, RespondInput)
        with action_errors():
            actions.warning_respond(
                by=api_user(request),
                warning=warning,
                explanation=data["explanation"],
                files=data["files"],
            )
        return self._answer()

    @_step(DecideInput)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """The verification decision: unfounded (closes), justified or violation (rectify)."""
        warning = self.get_object()
        data = self._given(request, DecideInput)
        with action_errors():
            actions.warning_decide(
                by=api_user(request),
                warning=warning,
                outcome=data["outcome"],
                note=data["note"],
                rectify_days=data.get("rectify_days"),
            )
        return self._answer()

    @_step(RectifyInput)
    @action(detail=True, methods=["post"])
    def rectify(self, request: Request, pk: str | None = None) -> Response:
        """Report the rectification done, with files (multipart ``files``)."""
        warning = self.get_object()
        data = self._given(request, RectifyInput)
        with action_errors():
            actions.warning_rectify(
                by=api_user(request), warning=warning, report=data["report"], files=data["files"]
            )
        return self._answer()

    @_step(NoteInput)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the rectification and close the warning."""
        warning = self.get_object()
        data = self._given(request, NoteInput)
        with action_errors():
            actions.warning_close(by=api_user(request), warning=warning, note=data["note"])
        return self._answer()

    @extend_schema(request=SuperviseInput, responses={201: SupervisionOrderSerializer})
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, pk: str | None = None) -> Response:
        """Issue a supervision order (督办单) for the warning's current step."""
        warning = self.get_object()
        data = self._given(request, SuperviseInput)
        with action_errors():
            order = actions.supervision_order_issue(
                by=api_user(request), warning=warning, note=data["note"], days=data["days"]
            )
        return Response(SupervisionOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AccountabilityInput, responses={201: AccountabilitySerializer})
    @action(detail=True, methods=["post"])
    def accountability(self, request: Request, pk: str | None = None) -> Response:
        """Decide the accountability measure (责任追究) for a violation."""
        warning = self.get_object()
        data = self._given(request, AccountabilityInput)
        with action_errors():
            record = actions.accountability_decide(
                by=api_user(request), warning=warning, measure=data["measure"],
                reason=data["reason"],
            )  # fmt: skip
        return Response(AccountabilitySerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=_STATISTICS)
    @action(detail=False, methods=["get"], filter_backends=[WarningFilter])
    def statistics(self, request: Request) -> Response:
        """Counts by stage, status, unit, rule and month, and handling timeliness."""
        stats = queries.statistics(self.filter_queryset(self.get_queryset()))
        return Response(
            {
                "total": stats.total,
                "by_stage": stats.by_stage,
                "by_status": stats.by_status,
                "by_outcome": stats.by_outcome,
                "by_unit": dict(stats.by_unit),
                "by_rule": dict(stats.by_rule),
                "by_month": dict(stats.by_month),
                "closed": stats.closed,
                "closed_in_time": stats.closed_in_time,
                "in_time_share": stats.in_time_share,
                "mean_workdays_to_close": stats.mean_workdays_to_close,
                "open_overdue": stats.open_overdue,
            }
        )


class AccountabilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Accountability],
):
    """Accountability records (责任追究) and their appeals."""

    permission_classes = [ReadsOrWrites]
    serializer_class = AccountabilitySerializer

    def get_queryset(self) -> QuerySet[Accountability]:
        if getattr(self, "swagger_fake_view", False):
            return Accountability.objects.none()
        return queries.accountabilities_for(api_user(self.request))

    @extend_schema(request=AppealInput, responses=AccountabilitySerializer)
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        """The person appeals the measure (once)."""
        record = self.get_object()
        given = AppealInput(data=request.data)
        given.is_valid(raise_exception=True)
        with action_errors():
            record = actions.accountability_appeal(
                by=api_user(request), record=record, text=given.validated_data["text"]
            )
        return Response(AccountabilitySerializer(record).data)

    @extend_schema(request=AppealDecisionInput, responses=AccountabilitySerializer)
    @action(detail=True, methods=["post"], url_path="appeal-decision", url_name="appeal-decision")
    def appeal_decision(self, request: Request, pk: str | None = None) -> Response:
        """The appeal's outcome: upheld, changed (give ``final_measure``) or revoked."""
        record = self.get_object()
        given = AppealDecisionInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with action_errors():
            record = actions.accountability_appeal_decide(
                by=api_user(request),
                record=record,
                outcome=data["appeal_outcome"],
                note=data["note"],
                final_measure=data["final_measure"],
            )
        return Response(AccountabilitySerializer(record).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    """The caller's own notifications, newest first."""

    permission_classes = [ReadsOrWrites]
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return queries.notifications_for(api_user(self.request))

    @extend_schema(
        request=ReadInput,
        responses=inline_serializer("NotificationsRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        """Mark notifications read: the ``ids`` given, or all of them."""
        given = ReadInput(data=request.data)
        given.is_valid(raise_exception=True)
        marked = actions.notifications_mark_read(
            by=api_user(request), ids=given.validated_data["ids"]
        )
        return Response({"marked": marked})


def register(router: DefaultRouter) -> None:
    router.register("warnings", WarningViewSet, basename="warning")
    router.register("accountabilities", AccountabilityViewSet, basename="accountability")
    router.register("notifications", NotificationViewSet, basename="notification")

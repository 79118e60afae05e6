"""Rules and decisions under /api/v1/: rule sets and their versions, reference tables, unit
switches, re-check runs, and ``POST /decisions`` (preventive control).

A refused rule text answers 400 with ``text`` (the message in the caller's language) and
``problem`` (``rule``, ``field``, ``line``, ``message_zh``, ``message_en``). Reads through
``queries``, writes through ``actions.rules``, ``actions.checking`` and ``actions.decisions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from sunlight.core import access
from sunlight.core.api import ReadsOrWrites, action_errors, api_user
from sunlight.monitoring import policy, queries, rulesets
from sunlight.monitoring.actions import checking, decisions
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.models import (
    DEFAULT_SOURCE,
    CheckRun,
    Decision,
    ReferenceTable,
    ReferenceTableVersion,
    RuleSet,
    RuleSetVersion,
    RuleSwitch,
)
from sunlight.org.models import Unit


@contextmanager
def rule_errors() -> Iterator[None]:
    """A refused rule text as a 400 naming the rule, field and line; other errors as usual."""
    try:
        with action_errors():
            yield
    except serializers.ValidationError as exc:
        cause = exc.__cause__
        if isinstance(cause, rule_actions.RuleTextInvalidError):
            raise serializers.ValidationError(
                {"text": [cause.problem.message()], "problem": cause.problem.as_dict()}
            ) from cause
        raise


class VersionSerializer(serializers.ModelSerializer[RuleSetVersion]):
    author = serializers.CharField(source="author.username", default="", read_only=True)

    class Meta:
        model = RuleSetVersion
        fields = ["number", "label", "rule_ids", "comment", "author", "created_at"]
        read_only_fields = fields


class RuleSetSerializer(serializers.ModelSerializer[RuleSet]):
    current = serializers.SerializerMethodField()
    text = serializers.CharField(write_only=True, trim_whitespace=False)
    comment = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = RuleSet
        fields = ["id", "name", "description", "active", "current", "text", "comment"]
        read_only_fields = ["id", "active", "current"]

    def get_current(self, rule_set: RuleSet) -> dict[str, Any] | None:
        """The newest version (the one in force while it loads)."""
        latest = rule_set.versions.order_by("-number").first()
        return VersionSerializer(latest).data if latest else None


class RuleSetUpdateSerializer(serializers.Serializer[RuleSet]):
    description = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class NewVersionSerializer(serializers.Serializer[RuleSetVersion]):
    text = serializers.CharField(trim_whitespace=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RuleSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[RuleSet]
):
    """Rule sets: every user reads; the office and administrators write."""

    permission_classes = [ReadsOrWrites]
    serializer_class = RuleSetSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RuleSet.objects.none()
        return queries.rule_sets_for(api_user(self.request))

    @extend_schema(request=RuleSetSerializer, responses={201: RuleSetSerializer})
    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_edit_rules(user))
        given = RuleSetSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with rule_errors():
            rule_set = rule_actions.rule_set_create(
                by=user, name=data["name"], text=data["text"],
                description=data.get("description", ""), comment=data.get("comment", ""),
            )  # fmt: skip
        return Response(RuleSetSerializer(rule_set).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RuleSetUpdateSerializer, responses={200: RuleSetSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        rule_set = self.get_object()
        access.require(policy.may_edit_rules(api_user(request)))
        given = RuleSetUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with action_errors():
            rule_actions.rule_set_update(
                by=api_user(request), rule_set=rule_set,
                description=given.validated_data.get("description"),
                active=given.validated_data.get("active"),
            )  # fmt: skip
        return Response(RuleSetSerializer(rule_set).data)

    @extend_schema(request=NewVersionSerializer, responses={200: VersionSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """GET: the version history, newest first. POST: save a new version (validated)."""
        rule_set = self.get_object()
        if request.method == "POST":
            access.require(policy.may_edit_rules(api_user(request)))
            given = NewVersionSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            with rule_errors():
                version = rule_actions.rule_set_save(
                    by=api_user(request), rule_set=rule_set, **given.validated_data
                )
            return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)
        versions = queries.rule_set_versions(rule_set)
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(responses={(200, "application/x-yaml"): str})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The YAML text of the newest version, or of ``?version=N``."""
        rule_set = self.get_object()
        versions = queries.rule_set_versions(rule_set)
        number = request.query_params.get("version")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None or (number and not number.isdigit()):
            return HttpResponse(status=404)
        return yaml_response(rule_set, version)

    @extend_schema(
        request=NewVersionSerializer,
        responses={200: inline_serializer("RuleValidation", {
            "valid": serializers.BooleanField(),
            "rules": serializers.ListField(child=serializers.CharField()),
            "problem": serializers.DictField(allow_null=True),
        })},
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def validate(self, request: Request) -> Response:
        """Check a rule text without saving it."""
        text = str(request.data.get("text", ""))
        try:
            rules = rulesets.validate(text)
        except rulesets.RuleTextError as exc:
            return Response({"valid": False, "rules": [], "problem": exc.problem.as_dict()})
        return Response({"valid": True, "rules": [s.id for s in rules.specs], "problem": None})


def yaml_response(rule_set: RuleSet, version: RuleSetVersion) -> HttpResponse:
    response = HttpResponse(version.text, content_type="application/x-yaml; charset=utf-8")
    name = f"ruleset-{rule_set.pk}-v{version.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ReferenceVersionSerializer(serializers.ModelSerializer[ReferenceTableVersion]):
    class Meta:
        model = ReferenceTableVersion
        fields = ["number", "columns", "row_count", "original_name", "comment", "created_at"]
        read_only_fields = fields


class ReferenceTableSerializer(serializers.ModelSerializer[ReferenceTable]):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ReferenceTable
        fields = ["id", "name", "description", "current"]
        read_only_fields = fields

    def get_current(self, table: ReferenceTable) -> dict[str, Any] | None:
        versions = sorted(table.versions.all(), key=lambda v: -v.number)
        return ReferenceVersionSerializer(versions[0]).data if versions else None


class ReferenceUploadSerializer(serializers.Serializer[ReferenceTable]):
    name = serializers.CharField(max_length=64)
    file = serializers.FileField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ReferenceTableViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ReferenceTable]
):
    """Reference tables (CSV) the rules consult by name; a new upload is a new version."""

    permission_classes = [ReadsOrWrites]
    serializer_class = ReferenceTableSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ReferenceTable.objects.none()
        return queries.reference_tables_for(api_user(self.request))

    @extend_schema(request=ReferenceUploadSerializer, responses={201: ReferenceVersionSerializer})
    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_edit_rules(user))
        given = ReferenceUploadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with action_errors():
            version = rule_actions.reference_table_upload(
                by=user, name=data["name"], content=data["file"].read(),
                file_name=data["file"].name or "", comment=data["comment"],
                description=data["description"],
            )  # fmt: skip
        return Response(ReferenceVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class RuleSwitchSerializer(serializers.ModelSerializer[RuleSwitch]):
    rule_set = serializers.PrimaryKeyRelatedField(queryset=RuleSet.objects.all())
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())

    class Meta:
        model = RuleSwitch
        fields = ["id", "rule_set", "rule_id", "unit", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]


class RuleSwitchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[RuleSwitch]
):
    """Rule sets or single rules switched off for a unit subtree; DELETE switches back on."""

    permission_classes = [ReadsOrWrites]
    serializer_class = RuleSwitchSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RuleSwitch.objects.none()
        return queries.rule_switches_for(api_user(self.request))

    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_edit_rules(user))
        given = RuleSwitchSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with action_errors():
            switch = rule_actions.rule_switch_off(
                by=user, rule_set=data["rule_set"], unit=data["unit"],
                rule_id=data.get("rule_id", ""), reason=data.get("reason", ""),
            )  # fmt: skip
        return Response(RuleSwitchSerializer(switch).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        switch = self.get_object()
        rule_actions.rule_switch_on(by=api_user(request), switch=switch)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckRunSerializer(serializers.ModelSerializer[CheckRun]):
    class Meta:
        model = CheckRun
        fields = [
            "id", "start", "end", "close_open", "status", "created_at", "started_at",
            "finished_at", "cases", "events", "findings", "failure",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("start", "end", "close_open")]


class CheckRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CheckRun]
):
    """Re-checks of a period (all rules, cross-case included), run by the worker."""

    permission_classes = [ReadsOrWrites]
    serializer_class = CheckRunSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CheckRun.objects.none()
        return queries.check_runs_for(api_user(self.request))

    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_recheck(user))
        given = CheckRunSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with action_errors():
            run = checking.check_run_request(by=user, **given.validated_data)
        return Response(CheckRunSerializer(run).data, status=status.HTTP_201_CREATED)


class DecisionRequestSerializer(serializers.Serializer[Decision]):
    source_system = serializers.CharField(max_length=64, required=False, default=DEFAULT_SOURCE)
    case = serializers.CharField(max_length=200)
    activity = serializers.CharField(max_length=200)
    actor = serializers.CharField(max_length=100, help_text="Staff number or the source's value")
    post = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    process = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    time = serializers.DateTimeField(required=False, default=None)
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    decision = serializers.CharField(source="outcome", help_text="allow | deny")

    class Meta:
        model = Decision
        fields = [
            "id", "decision", "violations", "source_system", "case_ref", "activity", "actor",
            "post", "unit", "time", "decided_at", "rule_versions",
        ]  # fmt: skip
        read_only_fields = fields


class DecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Decision]
):
    """Before a business system commits a step: allow, or deny with the rules it would break."""

    permission_classes = [ReadsOrWrites]
    serializer_class = DecisionSerializer
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Decision.objects.none()
        return queries.decisions_for(api_user(self.request))

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={200: DecisionSerializer},
        description=(
            "The case's stored trace plus the intended step is run through the rule sets in "
            "force; `decision` is `deny` when the step itself would break a rule (each in "
            "`violations` with `rule`, `message_zh`, `message_en`, `severity`). Every decision "
            "is recorded."
        ),
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        access.require(policy.may_decide(user))
        given = DecisionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with action_errors():
            decision = decisions.decide(by=user, intent=decisions.Intent(**given.validated_data))
        return Response(DecisionSerializer(decision).data)


def register(router: DefaultRouter) -> None:
    router.register("rule-sets", RuleSetViewSet, basename="rule-set")
    router.register("reference-tables", ReferenceTableViewSet, basename="reference-table")
    router.register("rule-switches", RuleSwitchViewSet, basename="rule-switch")
    router.register("check-runs", CheckRunViewSet, basename="check-run")
    router.register("decisions", DecisionViewSet, basename="decision")

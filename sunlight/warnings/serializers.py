"""The warnings' API representations. Input serializers check shape only; the actions decide.

Choice fields of the output are plain strings with their values in the help text: the schema
already has enums called ``status``, ``stage`` and ``kind`` (duties, units), and one name must
mean one set of values.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sunlight.monitoring.models import TraceEvent
from sunlight.warnings.models import (
    Accountability,
    AppealOutcome,
    Attachment,
    Measure,
    Notification,
    Outcome,
    Status,
    SupervisionOrder,
    Transition,
    Warning,
)


def _values(choices: Any) -> str:
    return " | ".join(choices.values)


def _slug(slug_field: str, **more: Any) -> Any:
    """A related record shown by its natural key (staff number, code, user name)."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **more)


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size_bytes", "uploaded_at"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer[Transition]):
    step = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    by = _slug("username")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Transition
        fields = [
            "step", "from_status", "to_status", "by", "at", "note", "outcome", "due_date",
            "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer[TraceEvent]):
    case = _slug("external_id")
    staff = _slug("staff_no")

    class Meta:
        model = TraceEvent
        fields = ["id", "case", "activity", "time", "source_resource", "staff", "data"]
        read_only_fields = fields


class SupervisionOrderSerializer(serializers.ModelSerializer[SupervisionOrder]):
    step_status = serializers.CharField(read_only=True, help_text=_values(Status))
    issued_to = _slug("username")
    issued_by = _slug("username")

    class Meta:
        model = SupervisionOrder
        fields = [
            "id", "warning", "step_status", "missed_due", "issued_to", "to_office", "issued_by",
            "issued_at", "due_date", "note", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class AccountabilitySerializer(serializers.ModelSerializer[Accountability]):
    staff = _slug("staff_no")
    measure = serializers.CharField(read_only=True, help_text=_values(Measure))
    final_measure = serializers.CharField(read_only=True, help_text=_values(Measure))
    appeal_outcome = serializers.CharField(read_only=True, help_text=_values(AppealOutcome))
    decided_by = _slug("username")
    appeal_decided_by = _slug("username")

    class Meta:
        model = Accountability
        fields = [
            "id", "warning", "staff", "measure", "reason", "decided_by", "decided_at",
            "appeal_text", "appealed_at", "appeal_outcome", "appeal_note", "final_measure",
            "appeal_decided_by", "appeal_decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer[Warning]):
    stage = serializers.CharField(read_only=True, help_text="before | during | after")
    severity = serializers.CharField(read_only=True, help_text="low | medium | high")
    status = serializers.CharField(read_only=True, help_text=_values(Status))
    outcome = serializers.CharField(read_only=True, help_text=_values(Outcome))
    staff = _slug("staff_no")
    staff_name = serializers.CharField(source="staff.name", read_only=True, default="")
    post = _slug("code")
    unit = _slug("code")
    verifier = _slug("username")
    cases = _slug("external_id", many=True)
    risk_point = _slug("code", help_text="Code of the risk point whose control the rule checks")

    class Meta:
        model = Warning
        fields = [
            "id", "finding_id", "rule", "template", "rule_set", "stage", "severity", "cases",
            "staff", "staff_name", "post", "unit", "source_resource", "source_post",
            "source_unit", "unresolved", "explanation_zh", "explanation_en", "found_at",
            "raised_at", "status", "verifier", "verifier_is_office", "outcome", "due_date",
            "rectify_due", "closed_at", "was_overdue", "risk_point",
        ]  # fmt: skip
        read_only_fields = fields


class WarningDetailSerializer(WarningSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    history = TransitionSerializer(source="transitions", many=True, read_only=True)
    supervision_orders = SupervisionOrderSerializer(many=True, read_only=True)
    accountabilities = AccountabilitySerializer(many=True, read_only=True)

    class Meta(WarningSerializer.Meta):
        fields = [
            *WarningSerializer.Meta.fields,
            "details", "evidence", "history", "supervision_orders", "accountabilities",
        ]  # fmt: skip
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    kind = serializers.CharField(read_only=True)
    text = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "warning", "created_at", "read_at"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class AssignInput(serializers.Serializer[Any]):
    verifier = serializers.IntegerField(
        required=False, allow_null=True, help_text="User id; empty lets Sunlight choose"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReassignInput(serializers.Serializer[Any]):
    verifier = serializers.IntegerField(
        help_text="User id of the new verifier: a unit head over the warning's unit, or the office"
    )
    reason = serializers.CharField()


class RespondInput(serializers.Serializer[Any]):
    explanation = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class DecideInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField()
    rectify_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class RectifyInput(serializers.Serializer[Any]):
    report = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class NoteInput(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SuperviseInput(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    days = serializers.IntegerField(required=False, default=3, min_value=1, max_value=60)


class AccountabilityInput(serializers.Serializer[Any]):
    measure = serializers.ChoiceField(choices=Measure.choices)
    reason = serializers.CharField()


class AppealInput(serializers.Serializer[Any]):
    text = serializers.CharField()


class AppealDecisionInput(serializers.Serializer[Any]):
    appeal_outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    note = serializers.CharField()
    # Plain text: the same values as ``measure`` under a second enum name would be ambiguous.
    final_measure = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_values(Measure)
    )


class ReadInput(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )

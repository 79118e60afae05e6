"""The organisation's API representations. They check the shape of input only; the actions decide
and write. References use natural keys (a unit's code, a post's code, a staff number), as the
spreadsheets do, and only resolve to records the caller may see."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sunlight.core.api import ScopedPrimaryKeyField, ScopedSlugField
from sunlight.org import queries
from sunlight.org.models import (
    Assignment,
    Duty,
    DutyReview,
    Goal,
    LegalBasis,
    Post,
    PowerItem,
    Staff,
    Unit,
)

# Uniqueness is checked by the actions (``full_clean``) against every record, in or out of scope.
NO_VALIDATORS: dict[str, Any] = {"validators": []}


def unit_ref(**kwargs: Any) -> ScopedSlugField:
    return ScopedSlugField(queries.units_for, slug_field="code", **kwargs)


def post_ref(**kwargs: Any) -> ScopedSlugField:
    return ScopedSlugField(queries.posts_for, slug_field="code", **kwargs)


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = unit_ref(allow_null=True, required=False)  # type: ignore[assignment]

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "sort_order", "is_active"]
        read_only_fields = ["is_active"]
        extra_kwargs = {"code": NO_VALIDATORS}
        validators: list[Any] = []


class PostSerializer(serializers.ModelSerializer[Post]):
    unit = unit_ref()

    class Meta:
        model = Post
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "power_type",
            "description",
            "is_high_risk",
            "term_limit_years",
            "is_active",
        ]
        read_only_fields = ["is_active"]
        extra_kwargs = {"code": NO_VALIDATORS}
        validators: list[Any] = []


class StaffSerializer(serializers.ModelSerializer[Staff]):
    unit = unit_ref()

    class Meta:
        model = Staff
        fields = ["id", "staff_no", "name", "gender", "unit", "rank", "phone", "email", "is_active"]
        read_only_fields = ["is_active"]
        extra_kwargs = {"staff_no": NO_VALIDATORS}
        validators: list[Any] = []


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    staff = ScopedSlugField(queries.staff_for, slug_field="staff_no")
    post = post_ref()

    class Meta:
        model = Assignment
        fields = ["id", "staff", "post", "start", "end", "kind"]
        validators: list[Any] = []


class DutyReviewSerializer(serializers.ModelSerializer[DutyReview]):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = DutyReview
        fields = ["stage", "decision", "comment", "by", "at"]
        read_only_fields = fields


class DutySerializer(serializers.ModelSerializer[Duty]):
    post = post_ref()
    drafted_by = serializers.SlugRelatedField(slug_field="staff_no", read_only=True)  # type: ignore[var-annotated]
    reviews = DutyReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Duty
        fields = [
            "id",
            "post",
            "seq",
            "text",
            "power_type",
            "status",
            "drafted_by",
            "updated_at",
            "reviews",
        ]
        read_only_fields = ["seq", "status", "updated_at"]
        validators: list[Any] = []


class DutyEditSerializer(serializers.ModelSerializer[Duty]):
    """What may change in a draft: its text and power type (the post and number stay)."""

    class Meta:
        model = Duty
        fields = ["text", "power_type"]


class DutyDecisionSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class LegalBasisSerializer(serializers.ModelSerializer[LegalBasis]):
    class Meta:
        model = LegalBasis
        fields = ["law", "article", "excerpt"]
        read_only_fields = ["excerpt"]
        validators: list[Any] = []


class PowerItemSerializer(serializers.ModelSerializer[PowerItem]):
    unit = unit_ref()
    post = post_ref(allow_null=True, required=False)
    legal_bases = LegalBasisSerializer(many=True, required=False)

    class Meta:
        model = PowerItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "power_type",
            "unit",
            "post",
            "description",
            "time_limit_days",
            "is_public",
            "legal_bases",
        ]
        extra_kwargs = {"code": NO_VALIDATORS}
        validators: list[Any] = []


class GoalSerializer(serializers.ModelSerializer[Goal]):
    unit = unit_ref()
    post = post_ref(allow_null=True, required=False)
    parent = ScopedPrimaryKeyField(  # type: ignore[assignment]
        queries.goals_for, allow_null=True, required=False
    )
    set_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Goal
        fields = ["id", "year", "unit", "post", "parent", "title", "target", "set_by"]
        validators: list[Any] = []

"""The register's API representations (read-only). Related records appear by natural key (a unit's
code, a post's code, a rule set's name). Choice fields are plain strings with their values in the
help text: the schema already has an enum called ``kind`` (units), and one name must mean one set
of values."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sunlight.risks.models import ControlMeasure, Level, MeasureKind, RiskPoint


def _values(choices: Any) -> str:
    return " | ".join(choices.values)


def _slug(slug_field: str, **more: Any) -> Any:
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **more)


class ControlMeasureSerializer(serializers.ModelSerializer[ControlMeasure]):
    kind = serializers.CharField(read_only=True, help_text=_values(MeasureKind))
    post = _slug("code")
    rule_set = _slug("name", help_text="Name of the rule set whose rule checks the measure")

    class Meta:
        model = ControlMeasure
        fields = ["id", "seq", "text", "kind", "post", "rule_set", "rule"]
        read_only_fields = fields


class RiskPointSerializer(serializers.ModelSerializer[RiskPoint]):
    item = _slug("code")
    item_name = serializers.CharField(source="item.name", read_only=True)
    power_item: Any = serializers.SlugRelatedField(
        source="item.power_item", slug_field="code", read_only=True
    )
    unit = _slug("code")
    post = _slug("code")
    level = serializers.CharField(read_only=True, help_text=_values(Level))
    measures = ControlMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = RiskPoint
        fields = [
            "id", "code", "name", "item", "item_name", "power_item", "unit", "post", "step",
            "manifestation", "cause", "likelihood", "impact", "level", "published", "measures",
        ]  # fmt: skip
        read_only_fields = fields

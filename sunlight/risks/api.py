"""The risk register under /api/v1/risk-points/: read-only, scoped like the pages (outside the
scope is 404). ``?unit=<code>`` (that unit and below), ``?post=<code>``, ``?level=`` and
``?search=`` filter the list."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import mixins, viewsets
from rest_framework.filters import BaseFilterBackend, SearchFilter
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from sunlight.core.api import ReadsOrWrites, api_user
from sunlight.org.models import Post, Unit
from sunlight.risks import queries
from sunlight.risks.models import ControlMeasure, RiskPoint
from sunlight.risks.serializers import RiskPointSerializer

_FILTER_HELP = {
    "unit": "Unit code: risk points of that unit and the units below it",
    "post": "Post code: risk points of that post",
    "level": "high | medium | low",
}


class RegisterFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        params = request.query_params
        unit = Unit.objects.filter(code=params["unit"]).first() if params.get("unit") else None
        post = Post.objects.filter(code=params["post"]).first() if params.get("post") else None
        if (params.get("unit") and unit is None) or (params.get("post") and post is None):
            return queryset.none()
        return queries.filter_register(
            queryset, unit=unit, post=post, level=params.get("level", "")
        )

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


class RiskPointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[RiskPoint],
):
    """Risk points (廉政风险点) with their control measures and the rules that check them."""

    permission_classes = [ReadsOrWrites]
    serializer_class = RiskPointSerializer
    filter_backends = [RegisterFilter, SearchFilter]
    search_fields = ["code", "name", "item__name", "step", "manifestation"]

    def get_queryset(self) -> QuerySet[RiskPoint]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RiskPoint.objects.none()
        measures = ControlMeasure.objects.select_related("post", "rule_set").order_by("seq")
        return (
            queries.risk_points_for(api_user(self.request))
            .select_related("item__power_item")
            .prefetch_related(Prefetch("measures", queryset=measures))
            .order_by("code")
        )


def register(router: DefaultRouter) -> None:
    """Adds the register's endpoints to the /api/v1/ router."""
    router.register("risk-points", RiskPointViewSet, basename="risk-point")

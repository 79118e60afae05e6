"""Shared pieces of the REST API: the same access rules as the pages, and action errors as 400s.

Every endpoint reads through an app's scoped ``queries`` (outside the scope is 404) and writes
through its ``actions`` (which raise ``PermissionDenied`` → 403, ``ValidationError`` → 400 keyed by
field). Nothing here decides what a role may do: it asks ``core.access``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.core import access
from sunlight.core.models import User


def api_user(request: Request) -> User:
    """The authenticated user of an API request (the permission classes ran first)."""
    user = request.user
    assert isinstance(user, User)
    return user


class ReadsOrWrites(BasePermission):
    """Every active user may read (what their scope shows); read-only roles may not write.

    Finer rules (which unit, which post, which stage) are the actions' business: they raise
    ``PermissionDenied`` and DRF answers 403.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User) or not access.is_active(user):
            return False
        return request.method in SAFE_METHODS or access.can_write(user)


@contextmanager
def action_errors() -> Iterator[None]:
    """Turn an action's ``ValidationError`` into DRF's field-keyed 400 response."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc


@extend_schema_field(OpenApiTypes.STR)
class ScopedSlugField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A reference by natural key (a unit's code, a staff number) to a record the user may see.

    A record outside the user's scope is reported exactly like one that does not exist.
    """

    def __init__(self, scope: Callable[[User], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope(api_user(self.context["request"]))


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A reference by id to a record the user may see (for records without a natural key)."""

    def __init__(self, scope: Callable[[User], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope(api_user(self.context["request"]))


class UnitCodeFilter(BaseFilterBackend):
    """``?unit=<code>``: only records of that unit. The view names the lookup in
    ``unit_code_lookup`` (``unit__code``, ``post__unit__code``, ``parent__code`` …)."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        code = request.query_params.get("unit")
        lookup = getattr(view, "unit_code_lookup", None)
        if code and lookup:
            return queryset.filter(**{lookup: code})
        return queryset

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        if not getattr(view, "unit_code_lookup", None):
            return []
        return [
            {
                "name": "unit",
                "required": False,
                "in": "query",
                "description": getattr(view, "unit_code_help", "Unit code"),
                "schema": {"type": "string"},
            }
        ]


class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List, retrieve, create and update, writing through ``create_with`` / ``update_with``
    (which call actions); never delete.

    ``may_create`` / ``may_update`` (asking ``core.access``) refuse early with 403, so a caller who
    may not write at all learns that before being told about their fields; the actions check
    again, with everything they know.
    """

    permission_classes = [ReadsOrWrites]

    def may_create(self, user: User) -> bool:
        return True

    def may_update(self, user: User, obj: Any) -> bool:
        return True

    def create_with(self, user: User, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update_with(self, user: User, obj: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require(self.may_create(api_user(request)))
        return super().create(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require(self.may_update(api_user(request), self.get_object()))
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with action_errors():
            serializer.instance = self.create_with(
                api_user(self.request), dict(serializer.validated_data)
            )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with action_errors():
            serializer.instance = self.update_with(
                api_user(self.request), serializer.instance, dict(serializer.validated_data)
            )

"""The organisation under /api/v1/: units, posts, duties (with their approval steps), staff,
assignments, the power list and goals.

Same rules as the pages: lists and lookups come from ``queries`` (outside the scope is 404), writes
go through ``actions`` (403 when refused, 400 keyed by field when invalid), auditors only read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer

from sunlight.core import access
from sunlight.core.api import (
    ActionViewSet,
    UnitCodeFilter,
    action_errors,
    api_user,
)
from sunlight.core.models import User
from sunlight.org import actions, queries
from sunlight.org.models import Assignment, Duty, DutyReview, Goal, Post, PowerItem, Staff, Unit
from sunlight.org.serializers import (
    AssignmentSerializer,
    DutyDecisionSerializer,
    DutyEditSerializer,
    DutySerializer,
    GoalSerializer,
    PostSerializer,
    PowerItemSerializer,
    StaffSerializer,
    UnitSerializer,
)


class OrgViewSet(ActionViewSet):
    """Records are never deleted through the API (they are deactivated instead)."""

    filter_backends = [UnitCodeFilter, SearchFilter]
    unit_code_lookup = "unit__code"
    unit_code_help = _("Only records of the unit with this code")
    scope: Callable[[User], QuerySet[Any]]
    model: type[Model]
    ordering: tuple[str, ...] = ("pk",)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return self.model._default_manager.none()
        return type(self).scope(api_user(self.request)).order_by(*self.ordering)


class ManagedViewSet(OrgViewSet):
    """The organisation's structure: only those who manage it write (``access.manages_org``)."""

    def may_create(self, user: User) -> bool:
        return access.manages_org(user)

    def may_update(self, user: User, obj: Any) -> bool:
        return access.manages_org(user)


class UnitViewSet(ManagedViewSet):
    """Units of the organisation tree. ``?unit=<code>`` lists the children of that unit."""

    model = Unit
    serializer_class = UnitSerializer
    scope = staticmethod(queries.units_for)
    ordering = ("path",)
    search_fields = ["code", "name"]
    unit_code_lookup = "parent__code"
    unit_code_help = _("Only the units directly under the unit with this code")

    def create_with(self, user: User, data: dict[str, Any]) -> Unit:
        return actions.unit_create(by=user, **data)

    def update_with(self, user: User, obj: Unit, data: dict[str, Any]) -> Unit:
        return actions.unit_update(by=user, unit=obj, **data)


class PostViewSet(ManagedViewSet):
    model = Post
    serializer_class = PostSerializer
    scope = staticmethod(queries.posts_for)
    ordering = ("code",)
    search_fields = ["code", "name"]

    def create_with(self, user: User, data: dict[str, Any]) -> Post:
        return actions.post_create(by=user, **data)

    def update_with(self, user: User, obj: Post, data: dict[str, Any]) -> Post:
        return actions.post_update(by=user, post=obj, **data)


class StaffViewSet(ManagedViewSet):
    model = Staff
    serializer_class = StaffSerializer
    scope = staticmethod(queries.staff_for)
    ordering = ("staff_no",)
    search_fields = ["staff_no", "name"]

    def create_with(self, user: User, data: dict[str, Any]) -> Staff:
        return actions.staff_create(by=user, **data)

    def update_with(self, user: User, obj: Staff, data: dict[str, Any]) -> Staff:
        return actions.staff_update(by=user, staff=obj, **data)


class AssignmentViewSet(ManagedViewSet):
    model = Assignment
    serializer_class = AssignmentSerializer
    scope = staticmethod(queries.assignments_for)
    ordering = ("staff__staff_no", "start", "pk")
    search_fields = ["staff__staff_no", "staff__name", "post__code", "post__name"]
    unit_code_lookup = "post__unit__code"
    unit_code_help = _("Only assignments to posts of the unit with this code")

    def create_with(self, user: User, data: dict[str, Any]) -> Assignment:
        return actions.assignment_create(by=user, **data)

    def update_with(self, user: User, obj: Assignment, data: dict[str, Any]) -> Assignment:
        return actions.assignment_update(by=user, assignment=obj, **data)


def _bases(data: dict[str, Any]) -> list[tuple[str, str]] | None:
    given = data.pop("legal_bases", None)
    if given is None:
        return None
    return [(basis["law"], basis.get("article", "")) for basis in given]


class PowerItemViewSet(ManagedViewSet):
    """The power list (权力清单) with each item's legal bases."""

    model = PowerItem
    serializer_class = PowerItemSerializer
    ordering = ("code",)
    search_fields = ["code", "name"]

    @staticmethod
    def scope(user: User) -> QuerySet[PowerItem]:
        return queries.power_items_for(user).prefetch_related("legal_bases")

    def create_with(self, user: User, data: dict[str, Any]) -> PowerItem:
        return actions.power_item_create(by=user, legal_bases=_bases(data) or (), **data)

    def update_with(self, user: User, obj: PowerItem, data: dict[str, Any]) -> PowerItem:
        return actions.power_item_update(by=user, power_item=obj, legal_bases=_bases(data), **data)


class GoalViewSet(OrgViewSet):
    """Work goals, set top-down by whoever oversees the unit."""

    model = Goal
    serializer_class = GoalSerializer
    ordering = ("-year", "unit__path", "pk")
    search_fields = ["title"]

    @staticmethod
    def scope(user: User) -> QuerySet[Goal]:
        return queries.goals_for(user).select_related("set_by")

    def may_update(self, user: User, obj: Goal) -> bool:
        return access.can_set_goal(user, obj.unit)

    def create_with(self, user: User, data: dict[str, Any]) -> Goal:
        return actions.goal_set(by=user, **data)

    def update_with(self, user: User, obj: Goal, data: dict[str, Any]) -> Goal:
        return actions.goal_update(by=user, goal=obj, **data)


_EDIT = extend_schema(request=DutyEditSerializer, responses=DutySerializer)
_DECIDE = extend_schema(request=DutyDecisionSerializer, responses=DutySerializer)


@extend_schema_view(update=_EDIT, partial_update=_EDIT)
class DutyViewSet(OrgViewSet):
    """Duties of posts, drafted bottom-up and approved level by level.

    A draft is created for a post and edited while it is a draft or returned; ``submit`` sends it
    to the unit head, ``approve`` moves it up one stage, ``return`` sends it back with a comment.
    """

    model = Duty
    serializer_class = DutySerializer
    ordering = ("post__code", "seq")
    search_fields = ["text", "post__code", "post__name"]
    unit_code_lookup = "post__unit__code"
    unit_code_help = _("Only duties of posts of the unit with this code")

    def may_update(self, user: User, obj: Duty) -> bool:
        return access.can_draft_duty(user, obj.post)

    @staticmethod
    def scope(user: User) -> QuerySet[Duty]:
        reviews = DutyReview.objects.select_related("by")
        return queries.duties_for(user).prefetch_related(Prefetch("reviews", queryset=reviews))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("update", "partial_update"):
            return DutyEditSerializer
        if self.action in ("submit", "approve", "return_"):
            return DutyDecisionSerializer
        return DutySerializer

    def create_with(self, user: User, data: dict[str, Any]) -> Duty:
        return actions.duty_draft(by=user, **data)

    def update_with(self, user: User, obj: Duty, data: dict[str, Any]) -> Duty:
        return actions.duty_update(by=user, duty=obj, **data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().update(request, *args, **kwargs)
        return self.answer()

    def decide(self, request: Request, step: Callable[..., Duty]) -> Response:
        duty = self.get_object()
        serializer = DutyDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with action_errors():
            step(by=api_user(request), duty=duty, comment=serializer.validated_data["comment"])
        return self.answer()

    def answer(self) -> Response:
        """The duty as it now is, with its review trail."""
        duty = self.get_object()
        return Response(DutySerializer(duty, context=self.get_serializer_context()).data)

    @_DECIDE
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self.decide(request, actions.duty_submit)

    @_DECIDE
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self.decide(request, actions.duty_approve)

    @_DECIDE
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self.decide(request, actions.duty_return)


def register(router: DefaultRouter) -> None:
    """Adds the organisation's endpoints to the /api/v1/ router."""
    router.register("units", UnitViewSet, basename="unit")
    router.register("posts", PostViewSet, basename="post")
    router.register("duties", DutyViewSet, basename="duty")
    router.register("staff", StaffViewSet, basename="staff")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("power-items", PowerItemViewSet, basename="power-item")
    router.register("goals", GoalViewSet, basename="goal")

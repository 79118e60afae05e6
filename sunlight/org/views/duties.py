"""The duty workflow on a post's page (draft, edit, submit, approve, return) and goal setting.

Each handler fetches its object through the scoped queries (outside the scope: 404) and lets the
action decide whether the user may act (``PermissionDenied``: 403). A refused change
(``ValidationError``) becomes a message. htmx requests get the re-rendered fragment back; plain
form posts are redirected to the page they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunlight.core import access
from sunlight.core.htmx import current_user, is_htmx
from sunlight.core.models import User
from sunlight.org import actions, queries
from sunlight.org.forms import DutyForm, GoalForm, ReturnForm
from sunlight.org.models import Duty, DutyReview, DutyStatus, Post, Unit

REVIEW_STAGES = (DutyStatus.HEAD_REVIEW, DutyStatus.LEADER_REVIEW, DutyStatus.PERSONNEL_REVIEW)
EDITABLE = (DutyStatus.DRAFT, DutyStatus.RETURNED)


@dataclass
class DutyRow:
    duty: Duty
    can_edit: bool
    can_review: bool


def awaiting_my_decision(user: User) -> list[Duty]:
    """Duties in the user's scope that wait at a stage the user may approve or return."""
    waiting = queries.duties_for(user).filter(status__in=REVIEW_STAGES)
    return [d for d in waiting if access.can_review_duty(user, d.status, d.post)]


def duties_context(user: User, post: Post) -> dict[str, Any]:
    """What the duties fragment of a post needs, with the buttons this user may see."""
    can_draft = access.can_draft_duty(user, post)
    duties = (
        queries.duties_for(user)
        .filter(post=post)
        .prefetch_related(Prefetch("reviews", queryset=DutyReview.objects.select_related("by")))
    )
    rows = [
        DutyRow(
            duty=d,
            can_edit=can_draft and d.status in EDITABLE,
            can_review=access.can_review_duty(user, d.status, post),
        )
        for d in duties
    ]
    return {
        "post": post,
        "duty_rows": rows,
        "can_draft": can_draft,
        "duty_form": DutyForm() if can_draft else None,
        "return_form": ReturnForm(),
    }


def goal_form_for(user: User, unit: Unit) -> GoalForm | None:
    if not access.can_set_goal(user, unit):
        return None
    return GoalForm(initial={"year": timezone.localdate().year})


def _respond(request: HttpRequest, user: User, post: Post) -> HttpResponse:
    from_queue = request.POST.get("from") == "queue"
    if is_htmx(request):
        if from_queue:
            return render(request, "org/_review_queue.html", {"duties": awaiting_my_decision(user)})
        return render(request, "org/_duties.html", duties_context(user, post))
    if from_queue:
        return redirect("org:review-queue")
    return redirect("org:post-detail", pk=post.pk)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _scoped_duty(user: User, pk: int) -> Duty:
    return get_object_or_404(queries.duties_for(user), pk=pk)


@login_required
def duty_list(request: HttpRequest, post_pk: int) -> HttpResponse:
    user = current_user(request)
    post = get_object_or_404(queries.posts_for(user), pk=post_pk)
    return render(request, "org/_duties.html", duties_context(user, post))


@require_POST
@login_required
def duty_create(request: HttpRequest, post_pk: int) -> HttpResponse:
    user = current_user(request)
    post = get_object_or_404(queries.posts_for(user), pk=post_pk)
    # The action is the validator: it checks the permission first, then the text.
    try:
        actions.duty_draft(
            by=user,
            post=post,
            text=request.POST.get("text", "").strip(),
            power_type=request.POST.get("power_type", ""),
        )
        messages.success(request, _("Duty drafted."))
    except ValidationError as error:
        _refused(request, error)
    return _respond(request, user, post)


@login_required
def duty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    duty = _scoped_duty(user, pk)
    if request.method == "POST":
        form = DutyForm(request.POST)
        try:
            actions.duty_update(
                by=user,
                duty=duty,
                text=request.POST.get("text", "").strip(),
                power_type=request.POST.get("power_type", ""),
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Duty saved."))
            return _respond(request, user, duty.post)
    else:
        # Showing the form is the same decision as saving it.
        access.require(access.can_draft_duty(user, duty.post) and duty.status in EDITABLE)
        form = DutyForm(initial={"text": duty.text, "power_type": duty.power_type})
    template = "org/_duty_edit.html" if is_htmx(request) else "org/duty_edit.html"
    return render(request, template, {"duty": duty, "post": duty.post, "form": form})


@require_POST
@login_required
def duty_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    duty = _scoped_duty(user, pk)
    try:
        actions.duty_submit(by=user, duty=duty, comment=request.POST.get("comment", ""))
        messages.success(request, _("Duty submitted for review."))
    except ValidationError as error:
        _refused(request, error)
    return _respond(request, user, duty.post)


@require_POST
@login_required
def duty_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    duty = _scoped_duty(user, pk)
    try:
        actions.duty_approve(by=user, duty=duty, comment=request.POST.get("comment", ""))
        messages.success(request, _("Duty approved."))
    except ValidationError as error:
        _refused(request, error)
    return _respond(request, user, duty.post)


@require_POST
@login_required
def duty_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    duty = _scoped_duty(user, pk)
    try:
        actions.duty_return(by=user, duty=duty, comment=request.POST.get("comment", ""))
        messages.success(request, _("Duty returned for revision."))
    except ValidationError as error:
        _refused(request, error)
    return _respond(request, user, duty.post)


@require_POST
@login_required
def goal_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    user = current_user(request)
    unit = get_object_or_404(queries.units_for(user), pk=unit_pk)
    post: Post | None = None
    post_id = request.POST.get("post", "")
    if post_id:
        if not post_id.isdigit():
            raise Http404
        post = get_object_or_404(queries.posts_for(user), pk=int(post_id), unit=unit)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            actions.goal_set(
                by=user,
                unit=unit,
                post=post,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                target=form.cleaned_data["target"],
            )
            messages.success(request, _("Goal set."))
        except ValidationError as error:
            _refused(request, error)
    else:
        access.require(access.can_set_goal(user, unit))
        messages.error(request, _("Please enter the year and title of the goal."))
    if post is not None:
        return redirect("org:post-detail", pk=post.pk)
    return redirect("org:unit-detail", pk=unit.pk)

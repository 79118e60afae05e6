"""Create and edit pages for units, posts, staff, assignments and power items.

Only the internal-control office and administrators manage the organisation; the page refuses
others with 403 and the action checks again when the form is saved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunlight.core import access
from sunlight.core.forms import attach_errors
from sunlight.core.htmx import current_user
from sunlight.core.models import User
from sunlight.org import actions, queries
from sunlight.org.forms import (
    AssignmentForm,
    PostForm,
    PowerItemForm,
    ScopedModelForm,
    StaffForm,
    UnitForm,
)

Write = Callable[[dict[str, Any]], Model]

# Fields the create actions do not take: a new record is always active.
CREATE_ONLY_ACTIVE = "is_active"


def _form_page(
    request: HttpRequest,
    user: User,
    form: ScopedModelForm,
    write: Write,
    *,
    title: Any,
    cancel: str,
    success: Callable[[Model], str],
) -> HttpResponse:
    access.require(access.manages_org(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = write(data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success(saved))
    return render(request, "org/form.html", {"form": form, "title": title, "cancel": cancel})


def _without_active(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != CREATE_ONLY_ACTIVE}


def _creating(form_class: type[ScopedModelForm], request: HttpRequest, user: User) -> Any:
    form = form_class(request.POST or None, user=user, initial=request.GET.dict())
    form.fields.pop(CREATE_ONLY_ACTIVE, None)
    return form


def _editing(
    form_class: type[ScopedModelForm], request: HttpRequest, user: User, instance: Model
) -> Any:
    # The form validates a copy; the action diffs the real instance against the new values.
    return form_class(request.POST or None, user=user, instance=copy.copy(instance))


# Units ---------------------------------------------------------------------------------------


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _form_page(
        request,
        user,
        _creating(UnitForm, request, user),
        lambda data: actions.unit_create(by=user, **_without_active(data)),
        title=gettext_lazy("New unit"),
        cancel=reverse("org:unit-list"),
        success=lambda unit: reverse("org:unit-detail", args=[unit.pk]),
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    unit = get_object_or_404(queries.units_for(user), pk=pk)
    return _form_page(
        request,
        user,
        _editing(UnitForm, request, user, unit),
        lambda data: actions.unit_update(by=user, unit=unit, **data),
        title=gettext_lazy("Edit unit"),
        cancel=reverse("org:unit-detail", args=[unit.pk]),
        success=lambda saved: reverse("org:unit-detail", args=[saved.pk]),
    )


# Posts ---------------------------------------------------------------------------------------


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _form_page(
        request,
        user,
        _creating(PostForm, request, user),
        lambda data: actions.post_create(by=user, **_without_active(data)),
        title=gettext_lazy("New post"),
        cancel=reverse("org:post-list"),
        success=lambda post: reverse("org:post-detail", args=[post.pk]),
    )


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    post = get_object_or_404(queries.posts_for(user), pk=pk)
    return _form_page(
        request,
        user,
        _editing(PostForm, request, user, post),
        lambda data: actions.post_update(by=user, post=post, **data),
        title=gettext_lazy("Edit post"),
        cancel=reverse("org:post-detail", args=[post.pk]),
        success=lambda saved: reverse("org:post-detail", args=[saved.pk]),
    )


# Staff and assignments -----------------------------------------------------------------------


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _form_page(
        request,
        user,
        _creating(StaffForm, request, user),
        lambda data: actions.staff_create(by=user, **_without_active(data)),
        title=gettext_lazy("New staff member"),
        cancel=reverse("org:staff-list"),
        success=lambda person: reverse("org:staff-detail", args=[person.pk]),
    )


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    person = get_object_or_404(queries.staff_for(user), pk=pk)
    return _form_page(
        request,
        user,
        _editing(StaffForm, request, user, person),
        lambda data: actions.staff_update(by=user, staff=person, **data),
        title=gettext_lazy("Edit staff member"),
        cancel=reverse("org:staff-detail", args=[person.pk]),
        success=lambda saved: reverse("org:staff-detail", args=[saved.pk]),
    )


@login_required
def assignment_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _form_page(
        request,
        user,
        _creating(AssignmentForm, request, user),
        lambda data: actions.assignment_create(by=user, **data),
        title=gettext_lazy("New assignment"),
        cancel=reverse("org:staff-list"),
        success=lambda a: reverse("org:staff-detail", args=[a.staff_id]),  # type: ignore[attr-defined]
    )


@login_required
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    assignment = get_object_or_404(queries.assignments_for(user), pk=pk)
    return _form_page(
        request,
        user,
        _editing(AssignmentForm, request, user, assignment),
        lambda data: actions.assignment_update(by=user, assignment=assignment, **data),
        title=gettext_lazy("Edit assignment"),
        cancel=reverse("org:staff-detail", args=[assignment.staff_id]),
        success=lambda a: reverse("org:staff-detail", args=[a.staff_id]),  # type: ignore[attr-defined]
    )


# Power items ---------------------------------------------------------------------------------


@login_required
def power_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _form_page(
        request,
        user,
        _creating(PowerItemForm, request, user),
        lambda data: actions.power_item_create(by=user, **data),
        title=gettext_lazy("New power item"),
        cancel=reverse("org:power-list"),
        success=lambda item: reverse("org:power-detail", args=[item.pk]),
    )


@login_required
def power_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = get_object_or_404(queries.power_items_for(user), pk=pk)
    return _form_page(
        request,
        user,
        _editing(PowerItemForm, request, user, item),
        lambda data: actions.power_item_update(by=user, power_item=item, **data),
        title=gettext_lazy("Edit power item"),
        cancel=reverse("org:power-detail", args=[item.pk]),
        success=lambda saved: reverse("org:power-detail", args=[saved.pk]),
    )

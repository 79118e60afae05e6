"""Pages of the risk register (风险档案库): the list with its filters, a risk point with its
measures, the rules behind them and the warnings raised for it, and the office's edit forms.

Thin, as the other apps' pages: scoped ``queries`` for reads (outside the scope is 404),
``actions`` for writes (refused is 403, invalid is shown on the form).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sunlight.core import access
from sunlight.core.forms import attach_errors
from sunlight.core.htmx import current_user, is_htmx
from sunlight.core.models import User
from sunlight.risks import actions, policy, queries
from sunlight.risks.forms import MeasureForm, RegisterFilterForm, RiskPointForm, RuleLinkForm
from sunlight.risks.models import ControlMeasure, RiskPoint
from sunlight.warnings.queries import warnings_for

PAGE_SIZE = 25
WARNINGS_SHOWN = 20


@login_required
def register(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_register(user))
    form = RegisterFilterForm(request.GET or None, user=user)
    points = queries.risk_points_for(user)
    if form.is_valid():
        data = form.cleaned_data
        points = queries.filter_register(
            points, unit=data["unit"], post=data["post"], level=data["level"], q=data["q"]
        )
    page = Paginator(points, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "risks/_rows.html" if is_htmx(request) else "risks/register.html"
    response = render(
        request,
        template,
        {"page": page, "form": form, "may_edit": policy.may_edit_register(user)},
    )
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _point(request: HttpRequest, pk: int) -> RiskPoint:
    return get_object_or_404(queries.risk_points_for(current_user(request)), pk=pk)


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    point = _point(request, pk)
    measures = list(queries.measures_of(point))
    raised = warnings_for(user).filter(risk_point=point)
    names = {m.rule_set_id: queries.rule_names(m.rule_set) for m in measures if m.rule_set}
    context = {
        "point": point,
        "measures": [(m, names.get(m.rule_set_id, {}).get(m.rule, "")) for m in measures],
        "warnings": raised[:WARNINGS_SHOWN],
        "warning_count": raised.count(),
        "may_edit": policy.may_edit_register(user),
    }
    return render(request, "risks/point_detail.html", context)


# --- the office's forms -------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    user: User,
    form: forms.BaseForm,
    write: Callable[[dict[str, Any]], Model | None],
    *,
    title: Any,
    cancel: str,
    success: Callable[[], str],
) -> HttpResponse:
    access.require(policy.may_edit_register(user))
    if request.method == "POST" and form.is_valid():
        try:
            write(dict(form.cleaned_data))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success())
    return render(request, "risks/form.html", {"form": form, "title": title, "cancel": cancel})


@login_required
def point_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = RiskPointForm(request.POST or None, user=user, initial=request.GET.dict())
    created: list[RiskPoint] = []
    return _form_page(
        request,
        user,
        form,
        lambda data: created.append(actions.risk_point_create(by=user, **data)),
        title=gettext_lazy("New risk point"),
        cancel=reverse("risks:register"),
        success=lambda: reverse("risks:point-detail", args=[created[0].pk]),
    )


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    point = _point(request, pk)
    # The form validates a copy; the action diffs the real point against the new values.
    form = RiskPointForm(request.POST or None, user=user, instance=copy.copy(point))
    detail = reverse("risks:point-detail", args=[point.pk])
    return _form_page(
        request,
        user,
        form,
        lambda data: actions.risk_point_update(by=user, point=point, **data),
        title=gettext_lazy("Edit risk point"),
        cancel=detail,
        success=lambda: detail,
    )


@login_required
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    point = _point(request, pk)
    detail = reverse("risks:point-detail", args=[point.pk])
    return _form_page(
        request,
        user,
        MeasureForm(request.POST or None, user=user),
        lambda data: actions.measure_add(by=user, risk_point=point, **data),
        title=gettext_lazy("New control measure"),
        cancel=detail,
        success=lambda: detail,
    )


def _measure(request: HttpRequest, pk: int) -> ControlMeasure:
    points = queries.risk_points_for(current_user(request))
    return get_object_or_404(
        ControlMeasure.objects.select_related("rule_set"), pk=pk, risk_point__in=points
    )


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    measure = _measure(request, pk)
    detail = reverse("risks:point-detail", args=[measure.risk_point_id])
    return _form_page(
        request,
        user,
        MeasureForm(request.POST or None, user=user, instance=copy.copy(measure)),
        lambda data: actions.measure_update(by=user, measure=measure, **data),
        title=gettext_lazy("Edit control measure"),
        cancel=detail,
        success=lambda: detail,
    )


@login_required
def measure_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """Back a measure by a rule of a rule set in force."""
    user = current_user(request)
    measure = _measure(request, pk)
    detail = reverse("risks:point-detail", args=[measure.risk_point_id])
    initial = {"rule": f"{measure.rule_set_id}:{measure.rule}"} if measure.rule_set_id else {}
    form = RuleLinkForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        user,
        form,
        lambda data: actions.measure_link_rule(
            by=user, measure=measure, rule_set=form.link()[0], rule=form.link()[1]
        ),
        title=gettext_lazy("Back the measure by a rule"),
        cancel=detail,
        success=lambda: detail,
    )


@require_POST
@login_required
def measure_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    measure = _measure(request, pk)
    actions.measure_unlink_rule(by=user, measure=measure)
    messages.success(request, _("The measure is no longer backed by a rule."))
    return redirect("risks:point-detail", pk=measure.risk_point_id)


@require_POST
@login_required
def measure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    measure = _measure(request, pk)
    point_pk = measure.risk_point_id
    actions.measure_remove(by=user, measure=measure)
    messages.success(request, _("The control measure was removed."))
    return redirect("risks:point-detail", pk=point_pk)

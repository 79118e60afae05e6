"""Read pages of the organisation: units, posts, staff, the power list and the review queue.

Every object is fetched from a scoped ``queries`` function, so an object outside the user's scope
is a 404. Lists are paginated and load their related rows in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from sunlight.core import access
from sunlight.core.htmx import current_user, is_htmx
from sunlight.org import queries
from sunlight.org.forms import PostFilterForm, PowerFilterForm
from sunlight.org.models import Assignment
from sunlight.org.views.duties import awaiting_my_decision, duties_context, goal_form_for

PAGE_SIZE = 25


def paginate(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def current_on(day: dt.date) -> Q:
    """Assignments running on ``day``."""
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


@dataclass
class Tenure:
    assignment: Assignment
    days: int
    over_limit: bool

    @property
    def years(self) -> float:
        return round(self.days / 365.25, 1)


def tenures(assignments: QuerySet[Assignment] | list[Assignment], on: dt.date) -> list[Tenure]:
    rows = []
    for a in assignments:
        days = a.tenure_days(on)
        limit = a.post.term_limit_years
        rows.append(Tenure(a, days, bool(limit and a.end is None and days > limit * 365.25)))
    return rows


# Units ---------------------------------------------------------------------------------------


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    units = list(queries.units_for(user))
    top = min((u.depth for u in units), default=0)
    rows = [(u, u.depth - top) for u in units]
    return render(
        request, "org/unit_list.html", {"rows": rows, "can_manage": access.manages_org(user)}
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    unit = get_object_or_404(queries.units_for(user), pk=pk)
    context = {
        "unit": unit,
        "ancestors": queries.units_for(user).filter(
            pk__in=[int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
        ),
        "children": queries.units_for(user).filter(parent=unit),
        "posts": queries.posts_for(user).filter(unit=unit),
        "staff": queries.staff_for(user).filter(unit=unit),
        "goals": queries.goals_for(user).filter(unit=unit, post__isnull=True),
        "goal_form": goal_form_for(user, unit),
        "can_manage": access.manages_org(user),
    }
    return render(request, "org/unit_detail.html", context)


# Posts ---------------------------------------------------------------------------------------


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PostFilterForm(request.GET or None, user=user)
    posts = queries.posts_for(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"]
            posts = posts.filter(
                Q(name__icontains=q) | Q(code__icontains=q) | Q(unit__name__icontains=q)
            )
        if data["unit"]:
            posts = posts.filter(unit__path__startswith=data["unit"].path)
        if data["power_type"]:
            posts = posts.filter(power_type=data["power_type"])
        if data["high_risk"]:
            posts = posts.filter(is_high_risk=True)
    page = paginate(request, posts)
    template = "org/_post_rows.html" if is_htmx(request) else "org/post_list.html"
    response = render(
        request,
        template,
        {"page": page, "form": form, "can_manage": access.manages_org(user)},
    )
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    post = get_object_or_404(queries.posts_for(user), pk=pk)
    today = timezone.localdate()
    holders = queries.assignments_for(user).filter(current_on(today), post=post)
    context = {
        "post": post,
        "holders": tenures(holders, today),
        "power_items": queries.power_items_for(user).filter(post=post),
        "goals": queries.goals_for(user).filter(post=post),
        "goal_form": goal_form_for(user, post.unit),
        "can_manage": access.manages_org(user),
        **duties_context(user, post),
    }
    return render(request, "org/post_detail.html", context)


# Staff ---------------------------------------------------------------------------------------


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    staff = queries.staff_for(user).prefetch_related(
        Prefetch(
            "assignments",
            queryset=queries.assignments_for(user).filter(current_on(today)),
            to_attr="current_assignments",
        )
    )
    q = request.GET.get("q", "").strip()
    if q:
        staff = staff.filter(Q(name__icontains=q) | Q(staff_no__icontains=q))
    return render(
        request,
        "org/staff_list.html",
        {"page": paginate(request, staff), "q": q, "can_manage": access.manages_org(user)},
    )


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    person = get_object_or_404(queries.staff_for(user), pk=pk)
    today = timezone.localdate()
    history = queries.assignments_for(user).filter(staff=person).order_by("-start")
    rows = tenures(history, today)
    return render(
        request,
        "org/staff_detail.html",
        {
            "person": person,
            "history": rows,
            "current": [t for t in rows if current_on_day(t.assignment, today)],
            "can_manage": access.manages_org(user),
        },
    )


def current_on_day(assignment: Assignment, day: dt.date) -> bool:
    return assignment.start <= day and (assignment.end is None or assignment.end >= day)


# Power list ----------------------------------------------------------------------------------


@login_required
def power_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PowerFilterForm(request.GET or None)
    items = queries.power_items_for(user).prefetch_related("legal_bases")
    if form.is_valid():
        q = form.cleaned_data["q"]
        if q:
            matching_law = queries.power_items_for(user).filter(legal_bases__law__icontains=q)
            items = items.filter(
                Q(name__icontains=q) | Q(code__icontains=q) | Q(pk__in=matching_law.values("pk"))
            )
        if form.cleaned_data["category"]:
            items = items.filter(category=form.cleaned_data["category"])
    return render(
        request,
        "org/power_list.html",
        {"page": paginate(request, items), "form": form, "can_manage": access.manages_org(user)},
    )


@login_required
def power_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = get_object_or_404(queries.power_items_for(user), pk=pk)
    return render(
        request,
        "org/power_detail.html",
        {
            "item": item,
            "bases": item.legal_bases.all(),
            "can_manage": access.manages_org(user),
        },
    )


# Duties awaiting my decision -----------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "org/review_queue.html", {"duties": awaiting_my_decision(user)})

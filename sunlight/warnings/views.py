"""Pages: the queue, the board, a warning with its steps, a person's warnings, notifications and
statistics.

Thin: warnings come from scoped ``queries`` (outside the scope is 404), steps go through
``actions`` (refused is 403, invalid is a message on the page). Which step forms a page offers is
decided here from ``policy``, never in the template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunlight.core import access
from sunlight.core.htmx import current_user, is_htmx
from sunlight.core.models import User
from sunlight.org.queries import staff_for, units_for
from sunlight.risks.queries import risk_points_for
from sunlight.warnings import actions, deadlines, policy, queries
from sunlight.warnings.forms import (
    AccountabilityForm,
    AppealDecisionForm,
    AppealForm,
    AssignForm,
    CloseForm,
    DecideForm,
    FilterForm,
    ReassignForm,
    RectifyForm,
    RespondForm,
    SuperviseForm,
)
from sunlight.warnings.models import (
    OPEN_STATUSES,
    Accountability,
    Attachment,
    Outcome,
    Stage,
    Status,
    Warning,
)

PAGE_SIZE = 25


def _filter_form(user: User, params: Any, warnings: Any) -> FilterForm:
    units = [(u.code, u.name) for u in units_for(user).order_by("path")]
    return FilterForm(params or None, rules=queries.rules_in(warnings), units=units)


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """The queue: a head's unit queue, a person's own warnings, everything for the office."""
    user = current_user(request)
    visible = queries.warnings_for(user)
    warnings = queries.apply_filters(visible, request.GET).prefetch_related("cases")
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": _filter_form(user, request.GET, visible),
        "today": deadlines.local_day(),
    }
    template = "warnings/_rows.html" if is_htmx(request) else "warnings/list.html"
    return render(request, template, context)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The office board: where every open warning stands, what is late, what awaits a decision."""
    user = current_user(request)
    visible = queries.warnings_for(user)
    today = deadlines.local_day()
    open_warnings = visible.filter(status__in=OPEN_STATUSES)
    counts = queries.statistics(open_warnings)
    context = {
        "statuses": [(s, counts.by_status.get(s.value, 0)) for s in Status if s in OPEN_STATUSES],
        "stages": [(s, counts.by_stage.get(s.value, 0)) for s in Stage],
        "overdue": open_warnings.filter(due_date__lt=today)
        .prefetch_related("cases")
        .order_by("due_date", "pk")[:50],
        "orders": queries.supervision_orders_for(user).filter(resolved_at__isnull=True)[:50],
        "appeals": queries.accountabilities_for(user).filter(
            appealed_at__isnull=False, appeal_outcome=""
        ),
        "today": today,
    }
    return render(request, "warnings/board.html", context)


def _allowed(user: User, warning: Warning) -> dict[str, bool]:
    status = warning.status
    return {
        "assign": status == Status.NEW and policy.may_assign(user, warning),
        "reassign": status in policy.REASSIGNABLE and policy.may_reassign(user, warning),
        "respond": status == Status.ASSIGNED and policy.may_respond(user, warning),
        "decide": status in (Status.ASSIGNED, Status.RESPONDED)
        and policy.is_verifier(user, warning),
        "rectify": status == Status.RECTIFYING and policy.may_rectify(user, warning),
        "close": status == Status.RECTIFIED and policy.is_verifier(user, warning),
        "supervise": status in OPEN_STATUSES and policy.may_supervise(user),
        "accountability": warning.outcome == Outcome.VIOLATION
        and policy.may_hold_accountable(user),
    }


def _records(user: User, warning: Warning) -> list[dict[str, Any]]:
    return [
        {
            "record": record,
            "may_appeal": record.appealed_at is None and policy.may_appeal(user, record),
            "may_decide": record.appealed_at is not None
            and not record.appeal_outcome
            and policy.may_decide_appeal(user, record),
        }
        for record in warning.accountabilities.select_related(
            "decided_by__staff", "appeal_decided_by__staff", "staff"
        )
    ]


# Steps whose form lists the users who may be named verifier.
_CANDIDATES = {"assign": queries.verifier_candidates, "reassign": queries.reassign_candidates}


def _step_forms(warning: Warning, allowed: dict[str, bool]) -> dict[str, django_forms.Form]:
    """One empty form per step; ids are prefixed per step so the page has no duplicates. The
    verifier lists are built only for a user offered the step."""
    made: dict[str, django_forms.Form] = {}
    if allowed["assign"]:
        made["assign"] = AssignForm(candidates=_CANDIDATES["assign"](warning), auto_id="assign_%s")
    if allowed["reassign"]:
        made["reassign"] = ReassignForm(
            candidates=_CANDIDATES["reassign"](warning), auto_id="reassign_%s"
        )
    for name, form_class in (
        ("respond", RespondForm),
        ("decide", DecideForm),
        ("rectify", RectifyForm),
        ("close", CloseForm),
        ("supervise", SuperviseForm),
        ("accountability", AccountabilityForm),
        ("appeal", AppealForm),
        ("appeal_decision", AppealDecisionForm),
    ):
        made[name] = form_class(auto_id=f"{name}_%s")
    return made


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    warning = get_object_or_404(queries.warnings_for(user), pk=pk)
    allowed = _allowed(user, warning)
    context = {
        "warning": warning,
        "evidence": warning.evidence.select_related("case", "staff", "post", "unit").order_by(
            "time", "pk"
        ),
        "cases": warning.cases.all(),
        "history": queries.warning_history(warning),
        "orders": warning.supervision_orders.select_related("issued_to__staff", "issued_by"),
        "records": _records(user, warning),
        "allowed": allowed,
        "today": deadlines.local_day(),
        "forms": _step_forms(warning, allowed),
        # The point is named to everyone who sees the warning, linked for those who see it.
        "risk_point_visible": warning.risk_point_id is not None
        and risk_points_for(user).filter(pk=warning.risk_point_id).exists(),
    }
    return render(request, "warnings/detail.html", context)


Step = Callable[[User, Warning, dict[str, Any]], Any]

_STEPS: dict[str, tuple[type[django_forms.Form], Step]] = {
    "assign": (
        AssignForm,
        lambda u, w, d: actions.warning_assign(
            by=u, warning=w, verifier=d["verifier"], note=d["note"]
        ),
    ),
    "reassign": (
        ReassignForm,
        lambda u, w, d: actions.warning_reassign(
            by=u, warning=w, verifier=d["verifier"], reason=d["reason"]
        ),
    ),
    "respond": (
        RespondForm,
        lambda u, w, d: actions.warning_respond(
            by=u, warning=w, explanation=d["explanation"], files=d["attachments"]
        ),
    ),
    "decide": (
        DecideForm,
        lambda u, w, d: actions.warning_decide(
            by=u, warning=w, outcome=d["outcome"], note=d["note"], rectify_days=d["rectify_days"]
        ),
    ),
    "rectify": (
        RectifyForm,
        lambda u, w, d: actions.warning_rectify(
            by=u, warning=w, report=d["report"], files=d["attachments"]
        ),
    ),
    "close": (CloseForm, lambda u, w, d: actions.warning_close(by=u, warning=w, note=d["note"])),
    "supervise": (
        SuperviseForm,
        lambda u, w, d: actions.supervision_order_issue(
            by=u, warning=w, note=d["note"], days=d["days"]
        ),
    ),
    "accountability": (
        AccountabilityForm,
        lambda u, w, d: actions.accountability_decide(
            by=u, warning=w, measure=d["measure"], reason=d["reason"]
        ),
    ),
}


def _report(request: HttpRequest, errors: Any) -> None:
    for field_errors in errors.values():
        for error in field_errors:
            messages.error(request, str(error))


@login_required
@require_POST
def warning_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = current_user(request)
    warning = get_object_or_404(queries.warnings_for(user), pk=pk)
    if step not in _STEPS:
        return HttpResponse(status=404)
    form_class, run = _STEPS[step]
    # An auditor (or anyone who may not write) is refused before their input is looked at.
    access.require(access.can_write(user))
    if step == "reassign":
        # Whether a reassignment is refused must not depend on the verifier list built next.
        access.require(policy.may_reassign(user, warning))
    kwargs: dict[str, Any] = {}
    if step in _CANDIDATES:
        kwargs["candidates"] = _CANDIDATES[step](warning)
    form = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        _report(request, form.errors)
        return redirect("warnings:detail", pk=warning.pk)
    try:
        run(user, warning, form.cleaned_data)
    except ValidationError as error:
        _report(
            request, error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("warnings:detail", pk=warning.pk)


def _record(user: User, pk: int) -> Accountability:
    return get_object_or_404(queries.accountabilities_for(user), pk=pk)


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    record = _record(user, pk)
    access.require(policy.may_appeal(user, record))
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            actions.accountability_appeal(by=user, record=record, text=form.cleaned_data["text"])
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _report(request, error.message_dict)
    else:
        _report(request, form.errors)
    return redirect("warnings:detail", pk=record.warning_id)


@login_required
@require_POST
def appeal_decision(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    record = _record(user, pk)
    access.require(policy.may_decide_appeal(user, record))
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.accountability_appeal_decide(
                by=user, record=record, outcome=data["appeal_outcome"], note=data["note"],
                final_measure=data["final_measure"],
            )  # fmt: skip
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _report(request, error.message_dict)
    else:
        _report(request, form.errors)
    return redirect("warnings:detail", pk=record.warning_id)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a response or report, for whoever may see the warning."""
    user = current_user(request)
    item = get_object_or_404(Attachment, pk=pk, warning__in=queries.warnings_for(user))
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A staff member's warnings and their outcomes."""
    user = current_user(request)
    staff = get_object_or_404(staff_for(user), pk=pk)
    warnings = queries.warnings_for(user).filter(staff=staff).prefetch_related("cases")
    context = {
        "person": staff,
        "warnings": warnings,
        "stats": queries.statistics(warnings),
        "records": queries.accountabilities_for(user).filter(staff=staff),
        "today": deadlines.local_day(),
    }
    return render(request, "warnings/person.html", context)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = Paginator(queries.notifications_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "warnings/notifications.html", {"page": page})


@login_required
def unread(request: HttpRequest) -> HttpResponse:
    """The unread count of the menu, fetched after the page so pages pay no query for it."""
    return render(
        request, "warnings/_unread.html", {"unread": queries.unread_count(current_user(request))}
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    given = request.POST.get("id", "")
    ids = [int(given)] if given.isdigit() else None
    actions.notifications_mark_read(by=user, ids=ids)
    if is_htmx(request):
        return render(request, "warnings/_unread.html", {"unread": queries.unread_count(user)})
    return redirect("warnings:notifications")


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    visible = queries.warnings_for(user)
    warnings = queries.apply_filters(visible, request.GET)
    stats = queries.statistics(warnings)
    stage_labels = dict(Stage.choices)
    chart = {
        "months": [m for m, _n in stats.by_month],
        "monthCounts": [n for _m, n in stats.by_month],
        "stages": [
            {"name": str(stage_labels.get(s, s)), "value": n} for s, n in stats.by_stage.items()
        ],
    }
    context = {
        "stats": stats,
        "stages": [(label, stats.by_stage.get(value, 0)) for value, label in Stage.choices],
        "statuses": [(label, stats.by_status.get(value, 0)) for value, label in Status.choices],
        "outcomes": [(label, stats.by_outcome.get(value, 0)) for value, label in Outcome.choices],
        "form": _filter_form(user, request.GET, visible),
        "chart_data": chart,
    }
    return render(request, "warnings/statistics.html", context)

"""Pages: imports (list, upload, job page with a live progress bar), mapping, case timelines.

Thin: objects come from scoped ``queries`` (outside the scope is 404), writes go through
``actions`` (refused is 403, invalid is a message on the form). The progress partial runs the
same check as the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunlight.core import access, workdays
from sunlight.core.forms import attach_errors
from sunlight.core.htmx import current_user, is_htmx
from sunlight.core.models import User
from sunlight.monitoring import actions, policy, queries, reading
from sunlight.monitoring.forms import ColumnsForm, MappingForm, UploadForm
from sunlight.monitoring.models import ImportJob, JobStatus, MappingKind

PAGE_SIZE = 25
LIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_imports(user))
    page = Paginator(queries.imports_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/import_list.html",
        {"page": page, "may_import": policy.may_import(user)},
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.may_import(user))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.import_job_create(
                by=user,
                upload=form.cleaned_data["file"],
                fmt=form.cleaned_data["format"],
                source_system=form.cleaned_data["source_system"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("monitoring:import-detail", pk=job.pk)
    return render(request, "monitoring/import_new.html", {"form": form})


def _job(user: User, pk: int) -> ImportJob:
    return get_object_or_404(queries.imports_for(user), pk=pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    job = _job(user, pk)
    context = {
        "job": job,
        "live": job.status in LIVE,
        "row_errors": queries.row_errors(job),
        "unknowns": _unknowns(job),
        "may_map": policy.may_map(user),
        "columns_form": _columns_form(job, None) if job.status == JobStatus.COLUMNS else None,
    }
    return render(request, "monitoring/import_detail.html", context)


def _unknowns(job: ImportJob) -> list[dict[str, Any]]:
    """The job's unmatched values still unmapped, with how many of its events carry each."""
    rows: list[dict[str, Any]] = []
    for kind, values in queries.pending_values(job.unknowns).items():
        counts = queries.unknown_counts(job, kind, values)
        rows.extend(
            {"form": MappingForm(initial={"kind": kind, "value": value}), "kind": kind,
             "label": MappingKind(kind).label, "value": value, "events": counts.get(value, 0)}
            for value in values
        )  # fmt: skip
    return rows


def _columns_form(job: ImportJob, data: Any) -> ColumnsForm:
    header = reading.csv_header(Path(job.file.path))
    return ColumnsForm(data, header=header, initial=job.columns)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar and counts; polled by htmx while the job runs."""
    job = _job(current_user(request), pk)
    response = render(
        request, "monitoring/_progress.html", {"job": job, "live": job.status in LIVE}
    )
    if is_htmx(request) and request.GET.get("live") and job.status not in LIVE:
        # The job ended while the page watched: reload it once for the errors and unknowns.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    job = _job(user, pk)
    form = _columns_form(job, request.POST)
    if form.is_valid():
        try:
            actions.import_job_set_columns(by=user, job=job, columns=form.columns())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose the columns for the case number, activity and time."))
    return redirect("monitoring:import-detail", pk=job.pk)


@login_required
@require_POST
def mapping_set(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.may_map(user))
    form = MappingForm(request.POST)
    if form.is_valid():
        try:
            actions.value_mapping_set(by=user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Mapped %s.") % form.cleaned_data["value"])
    else:
        messages.error(request, _("Give the code to map the value to."))
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("monitoring:import-list")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    q = request.GET.get("q", "").strip()
    cases = queries.cases_for(user).order_by("source_system", "external_id")
    if q:
        cases = cases.filter(Q(external_id__icontains=q) | Q(process__icontains=q))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/case_list.html", {"page": page, "q": q})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    case = get_object_or_404(queries.cases_for(user), pk=pk)
    return render(
        request,
        "monitoring/case_detail.html",
        {
            "case": case,
            "file": queries.case_file(user, case, workdays.calendar()),
            "back": reverse("monitoring:case-list"),
        },
    )

"""Pages for rules: rule sets (edit with live validation, history, diff, YAML in and out),
reference tables, per-unit switches, re-check runs and the decisions log.

Every user reads rule sets; the office and administrators write (``policy.may_edit_rules``).
Thin, as the other pages: scoped ``queries`` for reads (outside the scope is 404), actions for
writes (refused is 403, invalid is shown on the form). The validation partial asks the same
permission as the edit page.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunlight.core import access
from sunlight.core.forms import attach_errors
from sunlight.core.htmx import current_user
from sunlight.monitoring import policy, queries, rulesets
from sunlight.monitoring.actions import checking
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.api.rules import yaml_response
from sunlight.monitoring.forms import (
    CheckRunForm,
    ReferenceUploadForm,
    RuleFileForm,
    RuleSetForm,
    RuleTextForm,
    SwitchForm,
)
from sunlight.monitoring.models import RuleSet, RuleSetVersion
from sunlight.org.models import Unit
from sunlight.risks.queries import measures_by_rule

PAGE_SIZE = 25
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _problem(error: ValidationError) -> dict[str, Any] | None:
    if isinstance(error, rule_actions.RuleTextInvalidError):
        return error.problem.as_dict()
    return None


@login_required
def rule_set_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_rules(user))
    rule_sets = queries.rule_sets_for(user).prefetch_related("versions__author")
    rows = [(rs, max(rs.versions.all(), key=lambda v: v.number, default=None)) for rs in rule_sets]
    return render(
        request,
        "monitoring/rules/list.html",
        {
            "rows": rows,
            "may_edit": policy.may_edit_rules(user),
            "sees_decisions": policy.sees_decisions(user),
            "file_form": RuleFileForm(),
        },
    )


@login_required
def rule_set_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.may_edit_rules(user))
    form = RuleSetForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = rule_actions.rule_set_create(by=user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
            problem = _problem(error)
        else:
            messages.success(request, _("Rule set saved as version 1."))
            return redirect("monitoring:rule-set", pk=rule_set.pk)
    return render(
        request, "monitoring/rules/edit.html", {"form": form, "problem": problem, "rule_set": None}
    )


def _rule_set(request: HttpRequest, pk: int) -> RuleSet:
    return get_object_or_404(queries.rule_sets_for(current_user(request)), pk=pk)


@login_required
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    rule_set = _rule_set(request, pk)
    versions = list(queries.rule_set_versions(rule_set))
    force = rulesets.in_force()
    in_force = next((a.version for a in force.sets if a.rule_set.pk == rule_set.pk), None)
    latest = versions[0] if versions else None
    shown = in_force or latest
    backed = measures_by_rule(user, rule_set)
    context = {
        "rule_set": rule_set,
        "versions": versions,
        "latest": latest,
        "in_force": in_force,
        "switches": queries.rule_switches_for(user).filter(rule_set=rule_set),
        "switch_form": SwitchForm(rule_ids=list(latest.rule_ids) if latest else []),
        "check_form": CheckRunForm(),
        "may_edit": policy.may_edit_rules(user),
        # Each rule with the control measures (and risk points) of the register it checks.
        "rule_backing": [(rule, backed.get(rule, [])) for rule in shown.rule_ids] if shown else [],
    }
    return render(request, "monitoring/rules/detail.html", context)


@login_required
def rule_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    rule_set = _rule_set(request, pk)
    access.require(policy.may_edit_rules(user))
    latest = rule_set.versions.order_by("-number").first()
    form = RuleTextForm(request.POST or None, initial={"text": latest.text if latest else ""})
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            version = rule_actions.rule_set_save(by=user, rule_set=rule_set, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
            problem = _problem(error)
        else:
            messages.success(request, _("Saved as version %d.") % version.number)
            return redirect("monitoring:rule-set", pk=rule_set.pk)
    return render(
        request,
        "monitoring/rules/edit.html",
        {"form": form, "problem": problem, "rule_set": rule_set, "latest": latest},
    )


@login_required
@require_POST
def rule_text_check(request: HttpRequest) -> HttpResponse:
    """The htmx partial under the editor: the text's first problem, or the rules it holds."""
    access.require(policy.may_edit_rules(current_user(request)))
    text = request.POST.get("text", "")
    try:
        rules = rulesets.validate(text.replace("\r\n", "\n"))
    except rulesets.RuleTextError as exc:
        context: dict[str, Any] = {"problem": exc.problem.as_dict(), "rules": []}
    else:
        context = {"problem": None, "rules": [spec.id for spec in rules.specs]}
    return render(request, "monitoring/rules/_check.html", context)


def _version(request: HttpRequest, pk: int, number: int) -> tuple[RuleSet, RuleSetVersion]:
    rule_set = _rule_set(request, pk)
    return rule_set, get_object_or_404(rule_set.versions, number=number)


@login_required
def rule_set_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version's text and its changes against another (the one before, or ``?against=``)."""
    rule_set, version = _version(request, pk, number)
    against_number = request.GET.get("against", "")
    other_number = int(against_number) if against_number.isdigit() else number - 1
    other = rule_set.versions.filter(number=other_number).first()
    diff = []
    if other is not None:
        diff = list(
            difflib.unified_diff(
                other.text.splitlines(), version.text.splitlines(),
                f"v{other.number}", f"v{version.number}", lineterm="",
            )
        )  # fmt: skip
    return render(
        request,
        "monitoring/rules/version.html",
        {"rule_set": rule_set, "version": version, "other": other, "diff": diff},
    )


@login_required
def rule_set_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    rule_set, version = _version(request, pk, number)
    return yaml_response(rule_set, version)


@login_required
@require_POST
def rule_set_import(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.may_edit_rules(user))
    form = RuleFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a YAML rule file."))
        return redirect("monitoring:rule-sets")
    upload = form.cleaned_data["file"]
    try:
        rule_set = rule_actions.rule_set_import(
            by=user, content=upload.read(), file_name=upload.name or "",
            comment=form.cleaned_data["comment"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("monitoring:rule-sets")
    messages.success(request, _("Rule file imported."))
    return redirect("monitoring:rule-set", pk=rule_set.pk)


@login_required
@require_POST
def rule_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    rule_set = _rule_set(request, pk)
    rule_actions.rule_set_update(by=user, rule_set=rule_set, active=not rule_set.active)
    return redirect("monitoring:rule-set", pk=rule_set.pk)


@login_required
@require_POST
def rule_switch_off(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    rule_set = _rule_set(request, pk)
    access.require(policy.may_edit_rules(user))
    latest = rule_set.versions.order_by("-number").first()
    form = SwitchForm(request.POST, rule_ids=list(latest.rule_ids) if latest else [])
    unit = Unit.objects.filter(code=request.POST.get("unit", "").strip()).first()
    if not form.is_valid() or unit is None:
        messages.error(request, _("Give an existing unit code and a rule of this set."))
        return redirect("monitoring:rule-set", pk=rule_set.pk)
    try:
        rule_actions.rule_switch_off(
            by=user, rule_set=rule_set, unit=unit, rule_id=form.cleaned_data["rule_id"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("monitoring:rule-set", pk=rule_set.pk)


@login_required
@require_POST
def rule_switch_on(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    switch = get_object_or_404(queries.rule_switches_for(user), pk=pk)
    rule_actions.rule_switch_on(by=user, switch=switch)
    return redirect("monitoring:rule-set", pk=switch.rule_set_id)


# --- reference tables ------------------------------------------------------------------------


@login_required
def reference_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_rules(user))
    form = ReferenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        access.require(policy.may_edit_rules(user))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = rule_actions.reference_table_upload(
                    by=user, name=form.cleaned_data["name"], content=upload.read(),
                    file_name=upload.name or "", comment=form.cleaned_data["comment"],
                )  # fmt: skip
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request, _("Saved %(name)s version %(n)d.")
                    % {"name": form.cleaned_data["name"], "n": version.number},
                )  # fmt: skip
                return redirect("monitoring:reference-tables")
    tables = [
        (t, max(t.versions.all(), key=lambda v: v.number, default=None))
        for t in queries.reference_tables_for(user)
    ]
    return render(
        request,
        "monitoring/rules/reference_list.html",
        {"tables": tables, "form": form, "may_edit": policy.may_edit_rules(user)},
    )


@login_required
def reference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(queries.reference_tables_for(current_user(request)), pk=pk)
    versions = list(queries.reference_versions(table))
    preview = rulesets.table_of(versions[0], table.name) if versions else None
    return render(
        request,
        "monitoring/rules/reference_detail.html",
        {"table": table, "versions": versions,
         "columns": preview.columns if preview else (),
         "rows": [[row.get(c, "") for c in preview.columns] for row in preview.rows[:50]]
         if preview else []},
    )  # fmt: skip


# --- re-check runs and decisions -------------------------------------------------------------


@login_required
def check_run_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_rules(user))
    form = CheckRunForm(request.POST or None)
    if request.method == "POST":
        access.require(policy.may_recheck(user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                checking.check_run_request(
                    by=user, start=_midnight(data["start"]), end=_midnight(data["end"]),
                    close_open=data["close_open"],
                )  # fmt: skip
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The re-check is queued."))
                return redirect("monitoring:check-runs")
    page = Paginator(queries.check_runs_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/rules/check_runs.html",
        {"page": page, "form": form, "may_recheck": policy.may_recheck(user)},
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=BEIJING)


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(policy.sees_decisions(user))
    page = Paginator(queries.decisions_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/rules/decisions.html", {"page": page})

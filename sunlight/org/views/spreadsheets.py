"""Spreadsheet pages: the blank template, exports of what the user may see, and the import.

Anyone signed in may download the template and export their own scope; only those who manage
the organisation (``access.manages_org``) may import.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlight.core import access
from sunlight.core.htmx import current_user
from sunlight.org.spreadsheets.columns import SHEETS, SHEETS_BY_KEY, Lang, current_lang
from sunlight.org.spreadsheets.export import export_workbook
from sunlight.org.spreadsheets.importer import import_workbook
from sunlight.org.spreadsheets.workbook import XLSX_CONTENT_TYPE, build_workbook


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Check only, write nothing"),
        required=False,
    )


def _lang(request: HttpRequest) -> Lang:
    wanted = request.GET.get("lang")
    if wanted in ("zh", "en"):
        return "zh" if wanted == "zh" else "en"
    return current_lang()


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "org/spreadsheets/index.html",
        {"sheets": SHEETS, "can_import": access.manages_org(user), "form": ImportForm()},
    )


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    lang = _lang(request)
    return _xlsx(build_workbook(lang), f"sunlight-org-template-{lang}.xlsx")


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    key = request.GET.get("sheet") or None
    if key is not None and key not in SHEETS_BY_KEY:
        raise Http404
    today = timezone.localdate().strftime("%Y%m%d")
    content = export_workbook(user, _lang(request), [key] if key else None)
    return _xlsx(content, f"sunlight-org-{key or 'all'}-{today}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(access.manages_org(user))
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        report = import_workbook(
            form.cleaned_data["file"], by=user, dry_run=form.cleaned_data["dry_run"]
        )
        return render(request, "org/spreadsheets/result.html", {"report": report})
    return render(request, "org/spreadsheets/import.html", {"form": form})


urlpatterns = [
    path("spreadsheets/", index, name="xlsx"),
    path("spreadsheets/template.xlsx", template, name="xlsx-template"),
    path("spreadsheets/export.xlsx", export, name="xlsx-export"),
    path("spreadsheets/import/", import_, name="xlsx-import"),
]

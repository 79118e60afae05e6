"""The spreadsheet pages and the import command: who may do what, and what they are shown."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sunlight.core.testing import World
from sunlight.org.models import Unit
from sunlight.org.spreadsheets.workbook import XLSX_CONTENT_TYPE

UNITS = ["单位编码", "单位名称", "类型", "上级单位编码", "排序号"]


def xlsx_bytes(rows: list[list[Any]], title: str = "单位") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "org.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


@pytest.mark.parametrize("role", ["staff", "head", "leader", "office", "auditor", "admin"])
def test_everyone_signed_in_gets_the_template_and_the_index(world: World, role: str) -> None:
    client = client_for(world, role)

    page = client.get(reverse("org:xlsx"))
    response = client.get(reverse("org:xlsx-template"), {"lang": "zh"})

    assert page.status_code == 200
    assert (reverse("org:xlsx-import") in page.content.decode()) == (role in {"office", "admin"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["单位"][1]] == UNITS


def test_the_export_page_is_scoped(world: World) -> None:
    response = client_for(world, "leader").get(reverse("org:xlsx-export"), {"sheet": "units"})

    wb = load_workbook(io.BytesIO(response.content))
    assert [r[0] for r in wb["单位"].iter_rows(min_row=2, values_only=True)] == ["B", "B1"]


def test_an_unknown_register_is_not_found(world: World) -> None:
    response = client_for(world, "office").get(reverse("org:xlsx-export"), {"sheet": "secrets"})

    assert response.status_code == 404


def test_anonymous_users_are_sent_to_log_in(world: World) -> None:
    response = Client().get(reverse("org:xlsx-template"))

    assert response.status_code == 302


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_the_import_is_refused_to_other_roles(world: World, role: str) -> None:
    client = client_for(world, role)
    content = xlsx_bytes([UNITS, ["D", "D区税务局", "局", "C", 1]])

    assert client.get(reverse("org:xlsx-import")).status_code == 403
    response = client.post(reverse("org:xlsx-import"), {"file": upload(content)})

    assert response.status_code == 403
    assert not Unit.objects.filter(code="D").exists()


def test_the_import_page_shows_counts_per_sheet(world: World) -> None:
    client = client_for(world, "office")
    content = xlsx_bytes(
        [UNITS, ["D", "D区税务局", "局", "C", 1], ["C", "示例市税务局", "局", "", 0]]
    )

    response = client.post(reverse("org:xlsx-import"), {"file": upload(content)})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-import="ok"' in html
    assert '<td class="text-end" data-count="created">1</td>' in html
    assert '<td class="text-end" data-count="unchanged">1</td>' in html
    assert Unit.objects.get(code="D").parent == world.city


def test_the_import_page_lists_errors_by_sheet_row_and_column(world: World) -> None:
    client = client_for(world, "office")
    content = xlsx_bytes([UNITS, ["D", "D区税务局", "市局", "X99", 1]])

    response = client.post(reverse("org:xlsx-import"), {"file": upload(content)})

    html = response.content.decode()
    assert 'data-import="failed"' in html
    assert "<td>单位</td>" in html
    assert "<td>类型</td>" in html
    assert "<td>上级单位编码</td>" in html
    assert "X99" in html
    assert not Unit.objects.filter(code="D").exists()


def test_a_file_that_is_not_a_workbook_gets_a_message_not_a_traceback(world: World) -> None:
    client = client_for(world, "admin")

    response = client.post(
        reverse("org:xlsx-import"), {"file": upload(b"%PDF-1.4 not a sheet", "scan.pdf")}
    )

    assert response.status_code == 200
    assert 'data-import="failed"' in response.content.decode()


def test_the_command_imports_as_the_named_user(world: World, tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes([UNITS, ["D", "D区税务局", "局", "C", 1]]))
    out = io.StringIO()

    call_command("import_org_xlsx", str(path), "--user", "admin", "--lang", "en", stdout=out)

    assert "Units: created 1, updated 0, unchanged 0" in out.getvalue()
    assert Unit.objects.get(code="D").parent == world.city


def test_the_command_reports_errors_and_writes_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes([UNITS, ["D", "D区税务局", "局", "X99", 1]]))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_org_xlsx", str(path), "--user=admin", "--lang=en", stderr=err)

    assert "Units row 2 «Parent unit code»: unit code X99 does not exist" in err.getvalue()
    assert not Unit.objects.filter(code="D").exists()


def test_the_command_refuses_users_who_may_not_import(world: World, tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes([UNITS]))

    with pytest.raises(CommandError):
        call_command("import_org_xlsx", str(path), "--user=auditor")

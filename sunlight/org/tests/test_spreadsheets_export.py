"""The template and the exports: layout, notes, allowed values, scope, and the round trip."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.spreadsheets.columns import SHEETS
from sunlight.org.spreadsheets.export import export_workbook
from sunlight.org.spreadsheets.importer import import_workbook
from sunlight.org.spreadsheets.workbook import build_workbook


def open_xlsx(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def test_the_template_has_one_sheet_per_register_with_chinese_headers() -> None:
    wb = open_xlsx(build_workbook("zh"))

    assert wb.sheetnames == ["单位", "岗位", "人员", "任职", "岗位职责", "权力清单", "填写说明"]
    units = wb["单位"]
    assert [c.value for c in units[1]] == ["单位编码", "单位名称", "类型", "上级单位编码", "排序号"]
    assert units.freeze_panes == "A2"
    assert units.max_row == 1
    assert "必填" in units["A1"].comment.text
    assert "局/处室/分局/科室" in units["C1"].comment.text
    headers = [c.value for c in wb["岗位"][1]]
    assert headers[:4] == ["岗位编码", "岗位名称", "所属单位编码", "权力类型"]


def test_the_template_offers_lists_of_allowed_values() -> None:
    wb = open_xlsx(build_workbook("zh"))

    lists = {
        str(dv.sqref): dv.formula1
        for dv in wb["单位"].data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists == {"C2:C1048576": '"局,处室,分局,科室"'}
    power_lists = [dv.formula1 for dv in wb["权力清单"].data_validations.dataValidation]
    assert '"征收,管理,稽查,减免税,处罚,人事,财务,资产"' in power_lists
    assert '"是,否"' in power_lists


def test_the_template_documents_every_column() -> None:
    wb = open_xlsx(build_workbook("zh"))

    notes = [row for row in wb["填写说明"].iter_rows(values_only=True) if row and row[1]]
    documented = {row[1] for row in notes}
    assert documented >= {column.zh for sheet in SHEETS for column in sheet.columns}
    assert any("；" in str(row[4]) and "|" in str(row[4]) for row in notes if row[1] == "执法依据")


def test_the_template_in_english() -> None:
    wb = open_xlsx(build_workbook("en"))

    assert wb.sheetnames[0] == "Units"
    assert [c.value for c in wb["Units"][1]][:3] == ["Unit code", "Unit name", "Kind"]


@pytest.fixture
def filled(world: World) -> World:
    """The world plus one of everything the export writes: bases, duties, an ended assignment."""
    office = world.user("office")
    actions.power_item_create(
        by=office,
        code="QL-1",
        name="减免税核准",
        category="relief",
        power_type="decide",
        unit=world.dept_a1,
        post=world.post_a2,
        time_limit_days=20,
        legal_bases=[("《税收征收管理法》", "第三十三条"), ("《实施细则》", "")],
    )
    actions.power_item_create(
        by=office,
        code="QL-2",
        name="内部审批",
        category="finance",
        power_type="execute",
        unit=world.dept_b1,
        is_public=False,
    )
    actions.duty_draft(by=office, post=world.post_a1, text="负责税源管理", power_type="execute")
    actions.duty_draft(by=office, post=world.post_a1, text="开展纳税评估")
    actions.assignment_create(
        by=office,
        staff=world.staff_b,
        post=world.post_a2,
        start=dt.date(2016, 1, 1),
        end=dt.date(2018, 12, 31),
        kind="acting",
    )
    return world


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_imports_back_as_a_no_op(filled: World, lang: Any) -> None:
    office = filled.user("office")
    content = export_workbook(office, lang)
    audit_rows = AuditRecord.objects.count()

    report = import_workbook(io.BytesIO(content), by=office)

    assert report.ok, [str(e) for e in report.errors]
    assert report.changed == 0
    assert {key: c.unchanged for key, c in report.counts.items()} == {
        "units": 5,
        "posts": 3,
        "staff": 2,
        "assignments": 3,
        "duties": 2,
        "power_items": 2,
    }
    assert AuditRecord.objects.count() == audit_rows


def test_the_export_writes_the_template_layout(filled: World) -> None:
    wb = open_xlsx(export_workbook(filled.user("office"), "zh"))

    units = list(wb["单位"].iter_rows(values_only=True))
    assert units[0] == ("单位编码", "单位名称", "类型", "上级单位编码", "排序号")
    assert units[1] == ("C", "示例市税务局", "局", None, 0)
    powers = {row[0]: row for row in wb["权力清单"].iter_rows(min_row=2, values_only=True)}
    assert powers["QL-1"][2] == "减免税"
    assert powers["QL-1"][9] == "《税收征收管理法》|第三十三条；《实施细则》|"
    assignments = list(wb["任职"].iter_rows(min_row=2, values_only=True))
    acting = [row for row in assignments if row[:2] == ("S-B", "PA2")]
    assert [row[2:] for row in acting] == [
        (dt.datetime(2016, 1, 1), dt.datetime(2018, 12, 31), "代理")  # noqa: DTZ001  (Excel dates are naive)
    ]


def test_the_export_is_scoped_to_what_the_user_may_see(filled: World) -> None:
    wb = open_xlsx(export_workbook(filled.user("head"), "zh"))

    assert [r[0] for r in wb["单位"].iter_rows(min_row=2, values_only=True)] == ["A", "A1"]
    assert [r[0] for r in wb["岗位"].iter_rows(min_row=2, values_only=True)] == ["PA1", "PA2"]
    assert [r[0] for r in wb["人员"].iter_rows(min_row=2, values_only=True)] == ["S-A"]
    # The unpublished power of county B stays out; the published list is open to all.
    assert [r[0] for r in wb["权力清单"].iter_rows(min_row=2, values_only=True)] == ["QL-1"]


def test_one_register_can_be_exported_alone(filled: World) -> None:
    wb = open_xlsx(export_workbook(filled.user("auditor"), "zh", ["posts"]))

    assert wb.sheetnames == ["岗位", "填写说明"]

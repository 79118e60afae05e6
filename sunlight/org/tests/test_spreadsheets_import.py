"""Importing an organisation workbook: all rows valid or nothing written; idempotent re-imports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import Workbook

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org.models import Assignment, Duty, Post, PowerItem, Staff, Unit
from sunlight.org.spreadsheets.importer import RowError, import_workbook

UNITS = ["单位编码", "单位名称", "类型", "上级单位编码", "排序号"]
POSTS = ["岗位编码", "岗位名称", "所属单位编码", "权力类型", "岗位描述", "是否高风险岗位"]
POSTS += ["任期年限"]
STAFF = ["人员编号", "姓名", "所在单位编码", "性别", "职级", "电话", "邮箱"]
ASSIGNMENTS = ["人员编号", "岗位编码", "开始日期", "结束日期", "任职类型"]
DUTIES = ["岗位编码", "序号", "职责内容", "权力类型"]
POWERS = [
    "权力编码", "权力名称", "权力类别", "权力类型", "所属单位编码", "责任岗位编码",
    "事项描述", "办理时限（工作日）", "是否公开", "执法依据",
]  # fmt: skip


def xlsx(sheets: dict[str, Any]) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def valid_sheets() -> dict[str, list[list[Any]]]:
    """A new district (child defined before its parent) hung under the world's city."""
    return {
        "单位": [
            UNITS,
            ["D1", "D区税务局第一税务所", "分局", "D", 2],
            ["D", "D区税务局", "局", "C", 1],
        ],
        "岗位": [
            POSTS,
            ["PD1", "税收管理员", "D1", "执行", "", "是", 5],
            ["PD2", "减免税审批岗", "D1", "决策", "审批减免税", "否", None],
        ],
        "人员": [STAFF, ["S-D1", "王五", "D1", "男", "一级主任科员", "", ""]],
        "任职": [ASSIGNMENTS, ["S-D1", "PD1", dt.date(2020, 1, 1), None, "主岗"]],
        "岗位职责": [
            DUTIES,
            ["PD1", 2, "开展纳税评估", ""],
            ["PD1", 1, "负责辖区税源管理", "执行"],
        ],
        "权力清单": [
            POWERS,
            [
                "QL-001",
                "减免税核准",
                "减免税",
                "决策",
                "D",
                "PD2",
                "",
                20,
                "是",
                "《中华人民共和国税收征收管理法》|第三十三条；《实施细则》|第四十三条",
            ],
        ],
    }


def located(error: RowError) -> tuple[str, int | None, str]:
    return (
        error.sheet.key if error.sheet else "",
        error.row,
        error.column.key if error.column else "",
    )


@pytest.fixture
def office(world: World) -> Any:
    return world.user("office")


def test_a_valid_file_imports_everything(office: Any) -> None:
    report = import_workbook(xlsx(valid_sheets()), by=office)

    assert report.ok, [str(e) for e in report.errors]
    assert {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()} == {
        "units": (2, 0, 0),
        "posts": (2, 0, 0),
        "staff": (1, 0, 0),
        "assignments": (1, 0, 0),
        "duties": (2, 0, 0),
        "power_items": (1, 0, 0),
    }
    district = Unit.objects.get(code="D")
    assert Unit.objects.get(code="D1").path.startswith(district.path)
    assert Post.objects.get(code="PD1").term_limit_years == 5
    assert Post.objects.get(code="PD1").is_high_risk
    assert Staff.objects.get(staff_no="S-D1").gender == "M"
    assert Assignment.objects.get(staff__staff_no="S-D1").post.code == "PD1"
    assert list(Duty.objects.filter(post__code="PD1").values_list("seq", "text")) == [
        (1, "负责辖区税源管理"),
        (2, "开展纳税评估"),
    ]
    item = PowerItem.objects.get(code="QL-001")
    assert item.category == "relief"
    assert list(item.legal_bases.values_list("law", "article")) == [
        ("《中华人民共和国税收征收管理法》", "第三十三条"),
        ("《实施细则》", "第四十三条"),
    ]


def test_reimporting_the_same_file_changes_nothing(office: Any) -> None:
    import_workbook(xlsx(valid_sheets()), by=office)
    audit_rows = AuditRecord.objects.count()

    report = import_workbook(xlsx(valid_sheets()), by=office)

    assert report.ok
    assert report.changed == 0
    assert report.counts["units"].unchanged == 2
    assert report.counts["power_items"].unchanged == 1
    assert AuditRecord.objects.count() == audit_rows


def test_a_changed_cell_updates_only_that_record(office: Any) -> None:
    import_workbook(xlsx(valid_sheets()), by=office)
    sheets = valid_sheets()
    sheets["岗位"][1][1] = "税收管理员（一）"
    sheets["权力清单"][1][9] = "《中华人民共和国税收征收管理法》|第三十三条"
    audit_rows = AuditRecord.objects.count()

    report = import_workbook(xlsx(sheets), by=office)

    assert report.ok
    assert (report.counts["posts"].updated, report.counts["posts"].unchanged) == (1, 1)
    assert report.counts["power_items"].updated == 1
    assert AuditRecord.objects.count() == audit_rows + 2
    assert Post.objects.get(code="PD1").name == "税收管理员（一）"
    assert PowerItem.objects.get(code="QL-001").legal_bases.count() == 1


def test_an_invalid_file_writes_nothing_and_names_every_error(office: Any) -> None:
    sheets = valid_sheets()
    sheets["单位"].append(["E", "E区税务局", "局", "X99", 3])  # unknown parent
    sheets["单位"].append(["D", "重复的单位", "局", "C", 4])  # duplicate code (row 5)
    sheets["岗位"].append(["PD3", "", "D1", "执行", "", "否", None])  # missing name (row 4)
    sheets["岗位"].append(["PD4", "稽查岗", "X98", "查处", "", "否", None])  # two bad cells
    sheets["任职"].append(["S-D1", "PD2", "2021-05-01", "2021-04-01", "代理"])  # end before start
    units, audit_rows = Unit.objects.count(), AuditRecord.objects.count()

    report = import_workbook(xlsx(sheets), by=office)

    assert not report.ok
    assert [located(e) for e in report.errors] == [
        ("units", 4, "parent"),
        ("units", 5, "code"),
        ("posts", 4, "name"),
        ("posts", 5, "unit"),
        ("posts", 5, "power_type"),
        ("assignments", 3, "end"),
    ]
    assert Unit.objects.count() == units
    assert AuditRecord.objects.count() == audit_rows
    assert report.counts == {}


def test_errors_read_in_chinese_by_default_and_in_english_on_request(office: Any) -> None:
    sheets = valid_sheets()
    sheets["岗位"].append(["PD9", "稽查岗", "X99", "执行", "", "否", None])

    with translation.override("zh-hans"):
        chinese = [str(e) for e in import_workbook(xlsx(sheets), by=office).errors]
    with translation.override("en"):
        english = [str(e) for e in import_workbook(xlsx(sheets), by=office).errors]

    assert len(chinese) == 1
    assert "岗位" in chinese[0]
    assert "4" in chinese[0]
    assert "所属单位编码" in chinese[0]
    assert "X99" in chinese[0]
    assert english == ["Posts row 4 «Unit code»: unit code X99 does not exist"]


def test_an_action_refusal_rolls_back_the_whole_file(world: World, office: Any) -> None:
    # The owner post of a power item must belong to its unit: only the action knows that.
    sheets = valid_sheets()
    sheets["权力清单"].append(
        ["QL-002", "纳税评估", "管理", "执行", "D", "PB1", "", None, "是", ""]
    )
    units = Unit.objects.count()

    report = import_workbook(xlsx(sheets), by=office)

    assert [(e.sheet.key, e.row, e.column.key) for e in report.errors if e.sheet and e.column] == [
        ("power_items", 3, "post")
    ]
    assert Unit.objects.count() == units
    assert not PowerItem.objects.filter(code="QL-001").exists()


def test_a_unit_cycle_is_refused(office: Any) -> None:
    sheets = {"单位": [UNITS, ["X", "甲", "局", "Y", 0], ["Y", "乙", "局", "X", 0]]}

    report = import_workbook(xlsx(sheets), by=office)

    assert {(e.row, e.column.key if e.column else "") for e in report.errors} == {
        (2, "parent"),
        (3, "parent"),
    }


def test_new_duty_numbers_must_follow_on(world: World, office: Any) -> None:
    sheets = {"岗位职责": [DUTIES, ["PA1", 3, "第三条职责", ""]]}

    report = import_workbook(xlsx(sheets), by=office)

    assert [(e.row, e.column.key if e.column else "") for e in report.errors] == [(2, "seq")]


def test_english_headers_and_values_import_too(world: World, office: Any) -> None:
    sheets = {
        "Units": [
            ["Unit code", "Unit name", "Kind", "Parent unit code", "Sort order"],
            ["E", "E district", "Bureau", "C", None],
        ]
    }

    report = import_workbook(xlsx(sheets), by=office)

    assert report.ok, [str(e) for e in report.errors]
    assert Unit.objects.get(code="E").kind == "bureau"


def test_a_dry_run_checks_everything_and_writes_nothing(office: Any) -> None:
    report = import_workbook(xlsx(valid_sheets()), by=office, dry_run=True)

    assert report.ok
    assert report.counts["units"].created == 2
    assert not Unit.objects.filter(code="D").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name,code\nfoo,bar\n", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
    ],
)
def test_a_file_that_is_not_xlsx_gets_a_clear_error(
    office: Any, content: bytes, expected: str
) -> None:
    with translation.override("en"):
        report = import_workbook(io.BytesIO(content), by=office)

    assert [str(e) for e in report.errors] == [f"The file is {expected} (.xlsx)."]


def test_unknown_sheets_and_wrong_headers_are_named(office: Any) -> None:
    sheets = {
        "岗位表": [POSTS],
        "人员": [["人员编号", "名字", "所在单位编码"]],
    }

    with translation.override("en"):
        errors = [str(e) for e in import_workbook(xlsx(sheets), by=office).errors]

    assert errors[0].startswith("unknown sheet «岗位表»")
    assert "Staff row 1: unknown column «名字»" in errors
    assert "Staff row 1 «Name»: this required column is missing" in errors


def test_a_file_without_any_known_sheet_is_refused(office: Any) -> None:
    report = import_workbook(xlsx({"填写说明": [["说明"]]}), by=office)

    assert len(report.errors) == 1
    assert report.errors[0].sheet is None


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_organisation_managers_may_import(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        import_workbook(xlsx(valid_sheets()), by=world.user(role))

    assert not Unit.objects.filter(code="D").exists()


def test_absent_optional_columns_leave_fields_alone(world: World, office: Any) -> None:
    world.post_a1.description = "原有描述"
    world.post_a1.save(update_fields=["description"])
    sheets = {
        "岗位": [
            ["岗位编码", "岗位名称", "所属单位编码", "权力类型"],
            ["PA1", "税源管理员", "A1", "执行"],
        ]
    }

    report = import_workbook(xlsx(sheets), by=office)

    assert report.counts["posts"].unchanged == 1
    world.post_a1.refresh_from_db()
    assert world.post_a1.description == "原有描述"


@pytest.mark.slow
def test_a_large_file_imports_and_reimports(office: Any) -> None:
    rows = [STAFF] + [[f"S{n:05d}", f"人员{n}", "A1", "女", "", "", ""] for n in range(1000)]
    sheets = {"人员": rows}

    first = import_workbook(xlsx(sheets), by=office)
    audit_rows = AuditRecord.objects.count()
    again = import_workbook(xlsx(sheets), by=office)

    assert first.counts["staff"].created == 1000
    assert again.counts["staff"].unchanged == 1000
    assert AuditRecord.objects.count() == audit_rows

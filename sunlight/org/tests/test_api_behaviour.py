"""What the organisation API answers: field errors, filters, nested legal bases, duty steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Duty, DutyStatus, PowerItem


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    client.force_login(world.user(role))
    return client


def test_anonymous_callers_are_refused(world: World) -> None:
    assert APIClient().get("/api/v1/units/").status_code in (401, 403)


def test_invalid_input_is_answered_by_field(world: World) -> None:
    response = client_for(world, "office").post(
        "/api/v1/posts/", {"code": "PX", "unit": "NOPE", "power_type": "rule"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"name", "unit", "power_type"}


def test_a_duplicate_code_found_by_the_action_is_a_field_error(world: World) -> None:
    body = {"code": "PA1", "name": "重复", "unit": "A1", "power_type": "execute"}

    response = client_for(world, "office").post("/api/v1/posts/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_an_action_rule_is_a_field_error_too(world: World) -> None:
    # A power item's owner post must belong to its unit: only the action knows.
    body = {
        "code": "Q1",
        "name": "权力",
        "category": "penalty",
        "power_type": "decide",
        "unit": "B1",
        "post": "PA1",
    }

    response = client_for(world, "office").post("/api/v1/power-items/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["post"]


def test_lists_are_paginated_and_filter_by_unit_and_search(world: World) -> None:
    client = client_for(world, "auditor")

    page = client.get("/api/v1/posts/", {"limit": 2}).json()
    in_a1 = client.get("/api/v1/posts/", {"unit": "A1"}).json()
    found = client.get("/api/v1/posts/", {"search": "减免"}).json()
    children = client.get("/api/v1/units/", {"unit": "C"}).json()

    assert (page["count"], len(page["results"]), bool(page["next"])) == (3, 2, True)
    assert [p["code"] for p in in_a1["results"]] == ["PA1", "PA2"]
    assert [p["code"] for p in found["results"]] == ["PA2"]
    assert [u["code"] for u in children["results"]] == ["A", "B"]


def test_power_items_carry_their_legal_bases(world: World) -> None:
    client = client_for(world, "office")
    body = {
        "code": "Q1",
        "name": "减免税核准",
        "category": "relief",
        "power_type": "decide",
        "unit": "A1",
        "post": "PA2",
        "legal_bases": [
            {"law": "《税收征收管理法》", "article": "第三十三条"},
            {"law": "《实施细则》"},
        ],
    }

    created = client.post("/api/v1/power-items/", body, format="json")
    item_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/power-items/{item_id}/",
        {"legal_bases": [{"law": "《税收征收管理法》", "article": "第三十三条"}]},
        format="json",
    )
    renamed = client.patch(f"/api/v1/power-items/{item_id}/", {"name": "改名"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["legal_bases"] == [
        {"law": "《税收征收管理法》", "article": "第三十三条", "excerpt": ""},
        {"law": "《实施细则》", "article": "", "excerpt": ""},
    ]
    assert changed.status_code == 200
    assert [b["law"] for b in changed.json()["legal_bases"]] == ["《税收征收管理法》"]
    assert [b["law"] for b in renamed.json()["legal_bases"]] == ["《税收征收管理法》"]
    assert PowerItem.objects.get(code="Q1").legal_bases.count() == 1


def test_a_duty_goes_up_the_ladder_through_the_api(world: World) -> None:
    staff, head = client_for(world, "staff"), client_for(world, "head")

    drafted = staff.post("/api/v1/duties/", {"post": "PA1", "text": "负责税源管理"}, format="json")
    duty_id = drafted.json()["id"]
    edited = staff.patch(f"/api/v1/duties/{duty_id}/", {"text": "负责辖区税源管理"}, format="json")
    submitted = staff.post(f"/api/v1/duties/{duty_id}/submit/", {}, format="json")
    edit_after_submit = staff.patch(f"/api/v1/duties/{duty_id}/", {"text": "x"}, format="json")
    self_approval = staff.post(f"/api/v1/duties/{duty_id}/approve/", {}, format="json")
    approved = head.post(f"/api/v1/duties/{duty_id}/approve/", {"comment": "同意"}, format="json")

    assert (drafted.status_code, drafted.json()["seq"], drafted.json()["drafted_by"]) == (
        201,
        1,
        "S-A",
    )
    assert edited.json()["text"] == "负责辖区税源管理"
    assert edited.json()["status"] == DutyStatus.DRAFT
    assert submitted.json()["status"] == DutyStatus.HEAD_REVIEW
    assert (edit_after_submit.status_code, list(edit_after_submit.json())) == (400, ["status"])
    assert self_approval.status_code == 403
    assert approved.status_code == 200
    assert approved.json()["status"] == DutyStatus.LEADER_REVIEW
    assert [(r["decision"], r["by"], r["comment"]) for r in approved.json()["reviews"]] == [
        ("submit", "staff", ""),
        ("approve", "head", "同意"),
    ]


def test_returning_a_duty_needs_a_comment(world: World) -> None:
    duty = actions.duty_draft(by=world.user("office"), post=world.post_a1, text="职责")
    actions.duty_submit(by=world.user("office"), duty=duty)
    head = client_for(world, "head")

    silent = head.post(f"/api/v1/duties/{duty.pk}/return/", {}, format="json")
    returned = head.post(f"/api/v1/duties/{duty.pk}/return/", {"comment": "请细化"}, format="json")

    assert silent.status_code == 400
    assert list(silent.json()) == ["comment"]
    assert returned.json()["status"] == DutyStatus.RETURNED


def test_a_step_out_of_turn_is_a_field_error(world: World) -> None:
    duty = actions.duty_draft(by=world.user("office"), post=world.post_a1, text="职责")

    response = client_for(world, "head").post(f"/api/v1/duties/{duty.pk}/approve/", format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert Duty.objects.get(pk=duty.pk).status == DutyStatus.DRAFT


def test_duty_steps_outside_the_scope_are_not_found(world: World) -> None:
    duty = actions.duty_draft(by=world.user("office"), post=world.post_b1, text="职责")

    response = client_for(world, "head").post(f"/api/v1/duties/{duty.pk}/submit/", format="json")

    assert response.status_code == 404


def test_an_update_that_changes_nothing_writes_nothing(world: World) -> None:
    client = client_for(world, "office")
    before = AuditRecord.objects.count()

    response = client.patch(
        f"/api/v1/posts/{world.post_a1.pk}/", {"name": world.post_a1.name}, format="json"
    )

    assert response.status_code == 200
    assert AuditRecord.objects.count() == before


def queries_to_list(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "resource", ["units", "posts", "staff", "duties", "power-items", "assignments", "goals"]
)
def test_list_queries_do_not_grow_with_the_rows(world: World, resource: str) -> None:
    office = world.user("office")
    client = client_for(world, "head")

    def add(n: int) -> None:
        duty = actions.duty_draft(by=office, post=world.post_a1, text=f"职责{n}")
        actions.duty_submit(by=office, duty=duty)
        actions.power_item_create(
            by=office,
            code=f"Q{n}",
            name=f"权力{n}",
            category="penalty",
            power_type="decide",
            unit=world.dept_a1,
            legal_bases=[("法", f"第{n}条")],
        )
        actions.goal_set(by=office, unit=world.dept_a1, year=2026, title=f"目标{n}")
        staff = actions.staff_create(by=office, staff_no=f"N{n}", name="新人", unit=world.dept_a1)
        actions.assignment_create(
            by=office, staff=staff, post=world.post_a2, start=dt.date(2020, 1, 1)
        )

    add(0)
    few = queries_to_list(client, f"/api/v1/{resource}/")
    for n in range(1, 6):
        add(n)
    many = queries_to_list(client, f"/api/v1/{resource}/")

    assert many == few

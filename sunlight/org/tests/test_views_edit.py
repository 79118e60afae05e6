"""Create and edit pages: the office manages the organisation through forms that call actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org.models import Assignment, PowerItem, Staff, Unit


@pytest.fixture
def office(world: World) -> Client:
    client = Client()
    client.force_login(world.user("office"))
    return client


@pytest.mark.django_db
def test_create_a_unit_under_a_parent(world: World, office: Client) -> None:
    response = office.post(
        reverse("org:unit-create"),
        {"code": "A2", "name": "A县税务局稽查局", "kind": "branch", "parent": world.county_a.pk}
        | {"sort_order": 2},
    )
    unit = Unit.objects.get(code="A2")
    assert response["Location"] == reverse("org:unit-detail", args=[unit.pk])
    assert unit.path == f"{world.county_a.path}{unit.pk}/"
    assert AuditRecord.objects.filter(action="org.unit.create", actor=world.user("office")).exists()


@pytest.mark.django_db
def test_moving_a_unit_below_itself_is_shown_on_the_field(world: World, office: Client) -> None:
    response = office.post(
        reverse("org:unit-edit", args=[world.county_a.pk]),
        {"code": "A", "name": "A县税务局", "kind": "bureau", "parent": world.dept_a1.pk}
        | {"sort_order": 0, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["单位不能设在自身或其下级单位之下。"]
    world.county_a.refresh_from_db()
    assert world.county_a.parent == world.city


@pytest.mark.django_db
def test_the_edit_form_starts_from_the_record(world: World, office: Client) -> None:
    page = office.get(reverse("org:post-edit", args=[world.post_a2.pk]))
    assert page.context["form"].initial["name"] == "减免税审核岗"
    assert "is_active" in page.context["form"].fields
    assert "is_active" not in office.get(reverse("org:post-create")).context["form"].fields


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_writes_nothing(world: World, office: Client) -> None:
    response = office.post(
        reverse("org:staff-edit", args=[world.staff_a.pk]),
        {"staff_no": "S-A", "name": "张三", "unit": world.dept_a1.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="org.staff.update").exists()


@pytest.mark.django_db
def test_create_staff_and_assign_them_to_a_post(world: World, office: Client) -> None:
    office.post(
        reverse("org:staff-create"),
        {"staff_no": "S-C", "name": "王五", "gender": "F", "unit": world.dept_a1.pk},
    )
    person = Staff.objects.get(staff_no="S-C")
    form = office.get(reverse("org:assignment-create"), {"staff": person.pk})
    assert form.context["form"].initial["staff"] == str(person.pk)

    response = office.post(
        reverse("org:assignment-create"),
        {"staff": person.pk, "post": world.post_a2.pk, "kind": "primary", "start": "2024-03-01"},
    )
    assert response["Location"] == reverse("org:staff-detail", args=[person.pk])
    assignment = Assignment.objects.get(staff=person)
    overlap = office.post(
        reverse("org:assignment-create"),
        {"staff": person.pk, "post": world.post_a1.pk, "kind": "primary", "start": "2025-01-01"},
    )
    assert "该干部在此期间已有主岗任职。" in overlap.context["form"].errors["start"]

    office.post(
        reverse("org:assignment-edit", args=[assignment.pk]),
        {"staff": person.pk, "post": world.post_a2.pk, "kind": "primary"}
        | {"start": "2024-03-01", "end": "2024-12-31"},
    )
    assignment.refresh_from_db()
    assert str(assignment.end) == "2024-12-31"


@pytest.mark.django_db
def test_a_power_item_with_its_legal_bases(world: World, office: Client) -> None:
    office.post(
        reverse("org:power-create"),
        {
            "code": "JM-001",
            "name": "减免税审批",
            "category": "relief",
            "power_type": "decide",
            "unit": world.dept_a1.pk,
            "post": world.post_a2.pk,
            "time_limit_days": 20,
            "is_public": "on",
            "legal_bases": "中华人民共和国税收征收管理法 | 第三十三条\n税收减免管理办法",
        },
    )
    item = PowerItem.objects.get(code="JM-001")
    assert [(b.law, b.article) for b in item.legal_bases.all()] == [
        ("中华人民共和国税收征收管理法", "第三十三条"),
        ("税收减免管理办法", ""),
    ]
    edit = office.get(reverse("org:power-edit", args=[item.pk]))
    assert edit.context["form"].initial["legal_bases"] == (
        "中华人民共和国税收征收管理法 | 第三十三条\n税收减免管理办法"
    )
    detail = office.get(reverse("org:power-detail", args=[item.pk])).content.decode()
    assert "20 个工作日" in detail


@pytest.mark.django_db
def test_an_owner_post_outside_the_unit_is_refused(world: World, office: Client) -> None:
    response = office.post(
        reverse("org:power-create"),
        {
            "code": "X-1",
            "name": "纳税评估",
            "category": "administration",
            "power_type": "execute",
            "unit": world.dept_a1.pk,
            "post": world.post_b1.pk,
        },
    )
    assert response.context["form"].errors["post"] == ["责任岗位不属于权力所属单位。"]
    assert not PowerItem.objects.exists()

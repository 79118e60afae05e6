"""The read pages: unit tree, post search and filters, staff tenure, the power list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Assignment


def as_(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


@pytest.mark.django_db
def test_the_unit_tree_is_indented_from_the_top_the_user_sees(world: World) -> None:
    office = as_(world, "office").get(reverse("org:unit-list"))
    head = as_(world, "head").get(reverse("org:unit-list"))
    assert [(u.code, level) for u, level in office.context["rows"]] == [
        ("C", 0),
        ("A", 1),
        ("A1", 2),
        ("B", 1),
        ("B1", 2),
    ]
    assert [(u.code, level) for u, level in head.context["rows"]] == [("A", 0), ("A1", 1)]


@pytest.mark.django_db
def test_a_unit_shows_its_sub_units_posts_staff_and_breadcrumbs(world: World) -> None:
    page = as_(world, "office").get(reverse("org:unit-detail", args=[world.dept_a1.pk]))
    html = page.content.decode()
    assert [u.code for u in page.context["ancestors"]] == ["C", "A"]
    assert {p.code for p in page.context["posts"]} == {"PA1", "PA2"}
    assert [s.name for s in page.context["staff"]] == ["张三"]
    assert "示例市税务局" in html  # breadcrumb to the top
    assert "没有下级单位" in html


@pytest.mark.django_db
def test_posts_are_searched_and_filtered(world: World) -> None:
    actions.post_update(by=None, post=world.post_a2, is_high_risk=True, term_limit_years=5)
    client = as_(world, "office")

    def codes(**params: Any) -> set[str]:
        page = client.get(reverse("org:post-list"), params)
        return {p.code for p in page.context["page"].object_list}

    assert codes(q="减免税") == {"PA2"}
    assert codes(q="B县") == {"PB1"}
    assert codes(unit=world.county_a.pk) == {"PA1", "PA2"}  # the whole subtree
    assert codes(power_type="execute") == {"PA1", "PB1"}
    assert codes(high_risk="on") == {"PA2"}
    assert codes(unit=world.county_b.pk, power_type="decide") == set()


@pytest.mark.django_db
def test_the_post_filter_answers_htmx_with_the_rows_only(world: World) -> None:
    response = as_(world, "office").get(
        reverse("org:post-list"), {"q": "纳税评估"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('<div id="post-rows">')
    assert "纳税评估岗" in html
    assert "税源管理员" not in html
    assert "HX-Request" in response["Vary"]

    back = as_(world, "office").get(
        reverse("org:post-list"),
        {"q": "纳税评估"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in back.content.decode()  # going back restores the whole page


@pytest.mark.django_db
def test_lists_are_paginated(world: World) -> None:
    for i in range(30):
        actions.post_create(
            by=None, code=f"P{i:02}", name=f"岗位{i}", unit=world.dept_b1, power_type="execute"
        )
    client = as_(world, "office")
    first = client.get(reverse("org:post-list"))
    second = client.get(reverse("org:post-list"), {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 8
    assert "第 1–25 条，共 33 条" in first.content.decode()
    assert "page=2" in first.content.decode()


@pytest.mark.django_db
def test_a_post_shows_holders_with_tenure_and_the_term_limit(world: World) -> None:
    actions.post_update(by=None, post=world.post_a1, is_high_risk=True, term_limit_years=5)
    page = as_(world, "head").get(reverse("org:post-detail", args=[world.post_a1.pk]))
    html = page.content.decode()
    [holder] = page.context["holders"]
    today = timezone.localdate()
    assert holder.days == (today - dt.date(2015, 3, 1)).days + 1
    assert holder.over_limit  # since 2015, with a five-year limit
    assert "超过任期上限" in html
    assert "高风险岗位" in html
    assert "执行" in html  # the power type in Chinese


@pytest.mark.django_db
def test_a_staff_member_shows_the_assignment_history(world: World) -> None:
    Assignment.objects.filter(staff=world.staff_a).update(end=dt.date(2020, 2, 29))
    actions.assignment_create(
        by=None, staff=world.staff_a, post=world.post_a2, start=dt.date(2020, 3, 1)
    )
    page = as_(world, "staff").get(reverse("org:staff-detail", args=[world.staff_a.pk]))
    history = page.context["history"]
    assert [t.assignment.post.code for t in history] == ["PA2", "PA1"]
    assert history[1].days == (dt.date(2020, 2, 29) - dt.date(2015, 3, 1)).days + 1
    assert [t.assignment.post.code for t in page.context["current"]] == ["PA2"]
    assert "在岗" in page.content.decode()


@pytest.mark.django_db
def test_the_staff_list_shows_current_posts_and_searches(world: World) -> None:
    client = as_(world, "office")
    page = client.get(reverse("org:staff-list"))
    assert "税源管理员" in page.content.decode()
    found = client.get(reverse("org:staff-list"), {"q": "李"})
    assert [s.staff_no for s in found.context["page"].object_list] == ["S-B"]


@pytest.mark.django_db
def test_the_power_list_searches_name_code_and_law(world: World) -> None:
    actions.power_item_create(
        by=None,
        code="JM-001",
        name="减免税审批",
        category="relief",
        power_type="decide",
        unit=world.dept_a1,
        post=world.post_a2,
        legal_bases=[("中华人民共和国税收征收管理法", "第三十三条")],
    )
    actions.power_item_create(
        by=None,
        code="CF-001",
        name="税务行政处罚",
        category="penalty",
        power_type="decide",
        unit=world.dept_b1,
        legal_bases=[("中华人民共和国行政处罚法", "")],
        is_public=False,
    )
    client = as_(world, "office")

    def codes(**params: Any) -> list[str]:
        page = client.get(reverse("org:power-list"), params)
        return [i.code for i in page.context["page"].object_list]

    assert codes() == ["CF-001", "JM-001"]
    assert codes(q="征收管理法") == ["JM-001"]
    assert codes(q="CF-") == ["CF-001"]
    assert codes(category="relief") == ["JM-001"]
    listed = client.get(reverse("org:power-list")).content.decode()
    assert "中华人民共和国税收征收管理法第三十三条" in listed
    assert "减免税" in listed  # the category in Chinese

    # an unpublished item of county B is hidden from a head of county A
    head = as_(world, "head").get(reverse("org:power-list"))
    assert [i.code for i in head.context["page"].object_list] == ["JM-001"]


@pytest.mark.django_db
def test_empty_lists_say_so(world: World) -> None:
    html = as_(world, "office").get(reverse("org:power-list")).content.decode()
    assert "没有符合条件的权力事项" in html

"""Who may open and change what, at the HTTP level: every role against own, same-unit and
other-unit objects of the small organisation in ``sunlight.core.testing``.

    county A ── dept A1: post PA1 (held by staff_a = the ``staff`` login), post PA2
    county B ── dept B1: post PB1 (held by staff_b)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import PASSWORD, World
from sunlight.org import actions
from sunlight.org.models import Assignment, Duty, DutyStatus, Post, PowerItem, Unit

ROLES = ["staff", "head", "leader", "office", "auditor", "admin"]
HTMX = {"HX-Request": "true"}


def client_for(role: str) -> Client:
    client = Client()
    assert client.login(username=role, password=PASSWORD)
    return client


def visible(world: World) -> dict[str, dict[str, set[str]]]:
    """What each role must see, by natural key: the expected scope of every list."""
    everything = {
        "units": {"C", "A", "A1", "B", "B1"},
        "posts": {"PA1", "PA2", "PB1"},
        "staff": {"S-A", "S-B"},
    }
    return {
        "staff": {"units": {"A1"}, "posts": {"PA1"}, "staff": {"S-A"}},
        "head": {"units": {"A", "A1"}, "posts": {"PA1", "PA2"}, "staff": {"S-A"}},
        "leader": {"units": {"B", "B1"}, "posts": {"PB1"}, "staff": {"S-B"}},
        "office": everything,
        "auditor": everything,
        "admin": everything,
    }


# Lists contain exactly the scoped objects ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_lists_show_exactly_the_scope(world: World, role: str) -> None:
    client = client_for(role)
    expected = visible(world)[role]

    units = client.get(reverse("org:unit-list"))
    posts = client.get(reverse("org:post-list"))
    staff = client.get(reverse("org:staff-list"))

    assert {unit.code for unit, _level in units.context["rows"]} == expected["units"]
    assert {p.code for p in posts.context["page"].object_list} == expected["posts"]
    fragment = client.get(reverse("org:post-list"), headers=HTMX)
    assert {p.code for p in fragment.context["page"].object_list} == expected["posts"]
    assert {s.staff_no for s in staff.context["page"].object_list} == expected["staff"]


# Detail pages: 200 inside the scope, 404 outside ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_detail_pages_follow_the_scope(world: World, role: str) -> None:
    client = client_for(role)
    expected = visible(world)[role]
    for unit in Unit.objects.all():
        status = client.get(reverse("org:unit-detail", args=[unit.pk])).status_code
        assert status == (200 if unit.code in expected["units"] else 404), (role, unit.code)
    for post in Post.objects.all():
        status = client.get(reverse("org:post-detail", args=[post.pk])).status_code
        assert status == (200 if post.code in expected["posts"] else 404), (role, post.code)
        partial = client.get(reverse("org:duty-list", args=[post.pk]), headers=HTMX).status_code
        assert partial == status, (role, post.code)
    for person in (world.staff_a, world.staff_b):
        status = client.get(reverse("org:staff-detail", args=[person.pk])).status_code
        assert status == (200 if person.staff_no in expected["staff"] else 404), role


@pytest.mark.django_db
def test_pages_require_login(world: World) -> None:
    client = Client()
    for url in [
        reverse("home"),
        reverse("org:unit-list"),
        reverse("org:post-detail", args=[world.post_a1.pk]),
        reverse("org:duty-list", args=[world.post_a1.pk]),
        reverse("org:review-queue"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Writes: drafting duties -----------------------------------------------------------------------

# own post (PA1, held by staff_a) and another unit's post (PB1)
DRAFT_PA1 = {"staff": 200, "head": 200, "leader": 404, "office": 200, "auditor": 403, "admin": 200}
DRAFT_PB1 = {"staff": 404, "head": 404, "leader": 403, "office": 200, "auditor": 403, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_drafting_a_duty(world: World, role: str) -> None:
    client = client_for(role)
    for post, expected in ((world.post_a1, DRAFT_PA1[role]), (world.post_b1, DRAFT_PB1[role])):
        url = reverse("org:duty-create", args=[post.pk])
        response = client.post(url, {"text": "负责辖区内纳税人户籍管理"}, headers=HTMX)
        assert response.status_code == expected, (role, post.code)
        assert Duty.objects.filter(post=post).exists() == (expected == 200)


def _duty_at(world: World, post: Post, status: str) -> Duty:
    duty = actions.duty_draft(by=None, post=post, text="审核减免税申请资料")
    if status != DutyStatus.DRAFT:
        duty = actions.duty_submit(by=None, duty=duty)
    while duty.status != status:
        duty = actions.duty_approve(by=None, duty=duty)
    return duty


# a duty of PA1 waiting at each stage → who may approve it
APPROVE: dict[str, dict[str, int]] = {
    DutyStatus.HEAD_REVIEW: {
        "staff": 403,
        "head": 200,
        "leader": 404,
        "office": 403,
        "auditor": 403,
        "admin": 403,
    },
    DutyStatus.PERSONNEL_REVIEW: {
        "staff": 403,
        "head": 403,
        "leader": 404,
        "office": 200,
        "auditor": 403,
        "admin": 200,
    },
}


@pytest.mark.parametrize("stage", list(APPROVE))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_approving_and_returning(world: World, role: str, stage: str) -> None:
    client = client_for(role)
    expected = APPROVE[stage][role]

    to_approve = _duty_at(world, world.post_a1, stage)
    to_return = _duty_at(world, world.post_a2, stage)
    approve = client.post(reverse("org:duty-approve", args=[to_approve.pk]), headers=HTMX)
    refuse = client.post(
        reverse("org:duty-return", args=[to_return.pk]), {"comment": "请细化"}, headers=HTMX
    )

    assert approve.status_code == expected
    # staff_a holds PA1 only: PA2 is outside their scope altogether
    assert refuse.status_code == (404 if role == "staff" else expected)
    to_approve.refresh_from_db()
    assert (to_approve.status != stage) == (expected == 200)


@pytest.mark.django_db
def test_a_leader_approves_in_their_own_subtree(world: World) -> None:
    duty = _duty_at(world, world.post_b1, DutyStatus.LEADER_REVIEW)
    response = client_for("leader").post(reverse("org:duty-approve", args=[duty.pk]), headers=HTMX)
    assert response.status_code == 200
    duty.refresh_from_db()
    assert duty.status == DutyStatus.PERSONNEL_REVIEW


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_editing_and_submitting_a_draft(world: World, role: str) -> None:
    client = client_for(role)
    duty = _duty_at(world, world.post_a1, DutyStatus.DRAFT)
    expected = DRAFT_PA1[role]

    form = client.get(reverse("org:duty-edit", args=[duty.pk]), headers=HTMX)
    edit = client.post(reverse("org:duty-edit", args=[duty.pk]), {"text": "新的职责"}, headers=HTMX)
    submit = client.post(reverse("org:duty-submit", args=[duty.pk]), headers=HTMX)

    assert (form.status_code, edit.status_code, submit.status_code) == (expected,) * 3
    duty.refresh_from_db()
    assert (duty.status == DutyStatus.HEAD_REVIEW) == (expected == 200)


# Writes: the organisation itself ---------------------------------------------------------------

MANAGE = {"staff": 403, "head": 403, "leader": 403, "office": 302, "auditor": 403, "admin": 302}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_creating_units_posts_and_staff(world: World, role: str) -> None:
    client = client_for(role)
    expected = MANAGE[role]
    page_status = 200 if expected == 302 else 403

    for name in ("unit-create", "post-create", "staff-create", "assignment-create", "power-create"):
        assert client.get(reverse(f"org:{name}")).status_code == page_status, name

    unit = client.post(
        reverse("org:unit-create"),
        {
            "code": "A2",
            "name": "A县税务局稽查科",
            "kind": "department",
            "parent": world.county_a.pk,
            "sort_order": 0,
        },
    )
    post = client.post(
        reverse("org:post-create"),
        {"code": "PA3", "name": "稽查岗", "unit": world.dept_a1.pk, "power_type": "execute"},
    )
    assert (unit.status_code, post.status_code) == (expected, expected)
    assert Unit.objects.filter(code="A2").exists() == (expected == 302)
    assert Post.objects.filter(code="PA3").exists() == (expected == 302)


EDIT_PA1 = {"staff": 403, "head": 403, "leader": 404, "office": 302, "auditor": 403, "admin": 302}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_editing_a_post(world: World, role: str) -> None:
    response = client_for(role).post(
        reverse("org:post-edit", args=[world.post_a1.pk]),
        {"code": "PA1", "name": "税源管理岗", "unit": world.dept_a1.pk, "power_type": "execute"},
    )
    assert response.status_code == EDIT_PA1[role]
    world.post_a1.refresh_from_db()
    assert (world.post_a1.name == "税源管理岗") == (EDIT_PA1[role] == 302)


# The power list, the edit pages and the review queue -------------------------------------------


def _power_items(world: World) -> dict[str, PowerItem]:
    def item(code: str, unit: Unit, post: Post | None = None, public: bool = False) -> PowerItem:
        return actions.power_item_create(
            by=None,
            code=code,
            name=f"权力{code}",
            category="relief",
            power_type="decide",
            unit=unit,
            post=post,
            is_public=public,
        )

    return {
        "QO": item("QO", world.dept_a1, world.post_a1),  # owned by staff_a's post
        "QS": item("QS", world.dept_a1),  # staff_a's unit, no post
        "QX": item("QX", world.dept_b1),  # county B
        "QP": item("QP", world.dept_b1, public=True),  # published: everyone sees it
    }


POWERS_SEEN = {
    "staff": {"QO", "QP"},
    "head": {"QO", "QS", "QP"},
    "leader": {"QX", "QP"},
    "office": {"QO", "QS", "QX", "QP"},
    "auditor": {"QO", "QS", "QX", "QP"},
    "admin": {"QO", "QS", "QX", "QP"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_the_power_list_and_its_pages_follow_the_scope(world: World, role: str) -> None:
    items = _power_items(world)
    client = client_for(role)

    listed = client.get(reverse("org:power-list")).context["page"].object_list

    assert {item.code for item in listed} == POWERS_SEEN[role]
    for code, item in items.items():
        status = client.get(reverse("org:power-detail", args=[item.pk])).status_code
        assert status == (200 if code in POWERS_SEEN[role] else 404), (role, code)


# Edit pages of a county A record and a county B record: 200 may edit, 403 sees but may not,
# 404 does not see.
EDIT_A_B = {
    "staff": (403, 404),
    "head": (403, 404),
    "leader": (404, 403),
    "office": (200, 200),
    "auditor": (403, 403),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_edit_pages_follow_role_and_scope(world: World, role: str) -> None:
    items = _power_items(world)
    pairs = {
        "unit-edit": (world.dept_a1, world.dept_b1),
        "staff-edit": (world.staff_a, world.staff_b),
        "assignment-edit": (
            Assignment.objects.get(staff=world.staff_a),
            Assignment.objects.get(staff=world.staff_b),
        ),
        "power-edit": (items["QO"], items["QX"]),
    }
    client = client_for(role)
    audit_rows = AuditRecord.objects.count()
    for name, objs in pairs.items():
        got = tuple(client.get(reverse(f"org:{name}", args=[obj.pk])).status_code for obj in objs)
        assert got == EDIT_A_B[role], name
        if role in ("office", "admin"):
            continue
        posted = tuple(
            client.post(reverse(f"org:{name}", args=[obj.pk]), {"name": "改"}).status_code
            for obj in objs
        )
        assert posted == EDIT_A_B[role], name
    assert AuditRecord.objects.count() == audit_rows


QUEUE = {
    "staff": set(),
    "head": {"PA1 head_review"},
    "leader": {"PB1 leader_review"},
    "office": {"PA1 personnel_review", "PB1 personnel_review"},
    "auditor": set(),
    "admin": {"PA1 personnel_review", "PB1 personnel_review"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_the_review_queue_holds_what_the_role_decides(world: World, role: str) -> None:
    for post in (world.post_a1, world.post_b1):
        for stage in (
            DutyStatus.HEAD_REVIEW,
            DutyStatus.LEADER_REVIEW,
            DutyStatus.PERSONNEL_REVIEW,
        ):
            _duty_at(world, post, stage)

    duties = client_for(role).get(reverse("org:review-queue")).context["duties"]

    assert {f"{d.post.code} {d.status}" for d in duties} == QUEUE[role]


# No N+1 on the lists ---------------------------------------------------------------------------


def _grow(world: World, n: int) -> None:
    for i in range(n):
        post = actions.post_create(
            by=None, code=f"X{i}", name=f"岗位{i}", unit=world.dept_a1, power_type="execute"
        )
        person = actions.staff_create(
            by=None, staff_no=f"X{i}", name=f"干部{i}", unit=world.dept_a1
        )
        actions.assignment_create(by=None, staff=person, post=post, start=dt.date(2020, 1, 1))
        actions.power_item_create(
            by=None,
            code=f"Q{i}",
            name=f"权力{i}",
            category="relief",
            power_type="decide",
            unit=world.dept_a1,
            post=post,
            legal_bases=[("中华人民共和国税收征收管理法", f"第{i + 1}条")],
        )
        actions.duty_submit(by=None, duty=actions.duty_draft(by=None, post=post, text="职责"))


# The most any role needs (staff: each scoped query asks for their current posts again).
QUERY_LIMITS = {
    "home": 12,
    "org:unit-list": 5,
    "org:post-list": 8,
    "org:staff-list": 7,
    "org:power-list": 8,
    "org:review-queue": 6,
}


@pytest.mark.parametrize("role", ["staff", "head", "office"])
@pytest.mark.parametrize("name", list(QUERY_LIMITS))
@pytest.mark.django_db
def test_list_query_counts_do_not_grow_with_rows(
    world: World, role: str, name: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(role)
    _grow(world, 12)
    client.get(reverse(name))  # warm the session and content-type caches
    with django_assert_max_num_queries(QUERY_LIMITS[name]):
        response = client.get(reverse(name))
    assert response.status_code == 200

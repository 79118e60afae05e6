"""The duty workflow on a post's page, through htmx and through plain form posts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Duty, DutyReview, DutyStatus

HTMX = {"HX-Request": "true"}


def as_(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


@pytest.mark.django_db
def test_staff_draft_a_duty_and_get_the_fragment_back(world: World) -> None:
    response = as_(world, "staff").post(
        reverse("org:duty-create", args=[world.post_a1.pk]),
        {"text": "负责辖区内纳税人户籍管理", "power_type": "execute"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div class="card mb-3" id="duties">')  # a fragment, no layout
    assert "<html" not in html
    assert "负责辖区内纳税人户籍管理" in html
    assert "职责已起草" in html
    duty = Duty.objects.get(post=world.post_a1)
    assert (duty.seq, duty.status, duty.drafted_by) == (1, DutyStatus.DRAFT, world.staff_a)
    assert AuditRecord.objects.filter(action="org.duty.draft", actor=world.user("staff")).exists()


@pytest.mark.django_db
def test_a_plain_form_post_redirects_back_to_the_post(world: World) -> None:
    client = as_(world, "staff")
    url = reverse("org:duty-create", args=[world.post_a1.pk])
    response = client.post(url, {"text": "按时完成纳税评估"})
    assert response.status_code == 302
    assert response["Location"] == reverse("org:post-detail", args=[world.post_a1.pk])
    assert "职责已起草" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_empty_duty_is_refused_with_a_message(world: World) -> None:
    response = as_(world, "staff").post(
        reverse("org:duty-create", args=[world.post_a1.pk]), {"text": "  "}, headers=HTMX
    )
    assert response.status_code == 200
    assert 'class="alert alert-danger' in response.content.decode()
    assert not Duty.objects.exists()


@pytest.mark.django_db
def test_edit_then_submit_a_draft(world: World) -> None:
    duty = actions.duty_draft(by=world.user("staff"), post=world.post_a1, text="初稿")
    client = as_(world, "staff")

    form = client.get(reverse("org:duty-edit", args=[duty.pk]), headers=HTMX)
    assert form.content.decode().startswith(f'<tr id="duty-{duty.pk}"')
    assert "初稿" in form.content.decode()
    full_page = client.get(reverse("org:duty-edit", args=[duty.pk]))
    assert "<html" in full_page.content.decode()

    client.post(reverse("org:duty-edit", args=[duty.pk]), {"text": "修改稿"}, headers=HTMX)
    response = client.post(reverse("org:duty-submit", args=[duty.pk]), headers=HTMX)

    duty.refresh_from_db()
    assert (duty.text, duty.status) == ("修改稿", DutyStatus.HEAD_REVIEW)
    assert "待单位负责人审核" in response.content.decode()
    assert "职责已提交审核" in response.content.decode()


@pytest.mark.django_db
def test_a_submitted_duty_can_no_longer_be_edited(world: World) -> None:
    duty = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a1, text="已提交")
    )
    client = as_(world, "staff")
    assert client.get(reverse("org:duty-edit", args=[duty.pk]), headers=HTMX).status_code == 403
    response = client.post(reverse("org:duty-edit", args=[duty.pk]), {"text": "改"}, headers=HTMX)
    assert response.status_code == 200
    assert "不能进行此操作" in response.content.decode()
    duty.refresh_from_db()
    assert duty.text == "已提交"


@pytest.mark.django_db
def test_the_ladder_head_leader_office_with_the_trail(world: World) -> None:
    duty = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_b1, text="开展纳税评估")
    )
    # B is the leader's county; a head of county A cannot see it at all.
    assert as_(world, "head").post(reverse("org:duty-approve", args=[duty.pk])).status_code == 404
    Duty.objects.filter(pk=duty.pk).update(status=DutyStatus.LEADER_REVIEW)

    as_(world, "leader").post(
        reverse("org:duty-approve", args=[duty.pk]), {"comment": "同意"}, headers=HTMX
    )
    response = as_(world, "office").post(reverse("org:duty-approve", args=[duty.pk]), headers=HTMX)

    duty.refresh_from_db()
    assert duty.status == DutyStatus.CONFIRMED
    html = response.content.decode()
    assert "已确认" in html
    assert "待分管领导审核 · <strong>同意</strong>：同意" in html
    assert list(DutyReview.objects.filter(duty=duty).values_list("decision", flat=True)) == [
        "submit",
        "approve",
        "approve",
    ]


@pytest.mark.django_db
def test_returning_needs_a_reason(world: World) -> None:
    duty = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a1, text="职责")
    )
    client = as_(world, "head")
    url = reverse("org:duty-return", args=[duty.pk])

    refused = client.post(url, {"comment": ""}, headers=HTMX)
    duty.refresh_from_db()
    assert duty.status == DutyStatus.HEAD_REVIEW
    assert "请说明需要修改的内容" in refused.content.decode()

    returned = client.post(url, {"comment": "表述过于笼统，请细化"}, headers=HTMX)
    duty.refresh_from_db()
    assert duty.status == DutyStatus.RETURNED
    assert "表述过于笼统，请细化" in returned.content.decode()
    assert "已退回修改" in returned.content.decode()


@pytest.mark.django_db
def test_the_buttons_follow_access(world: World) -> None:
    waiting = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a1, text="待审")
    )
    url = reverse("org:post-detail", args=[world.post_a1.pk])
    approve = f'hx-post="{reverse("org:duty-approve", args=[waiting.pk])}"'
    draft = f'hx-post="{reverse("org:duty-create", args=[world.post_a1.pk])}"'

    head = as_(world, "head").get(url).content.decode()
    staff = as_(world, "staff").get(url).content.decode()
    auditor = as_(world, "auditor").get(url).content.decode()

    assert (approve in head, draft in head) == (True, True)
    assert (approve in staff, draft in staff) == (False, True)
    assert (approve in auditor, draft in auditor) == (False, False)


@pytest.mark.django_db
def test_the_review_queue_lists_and_decides_in_place(world: World) -> None:
    mine = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a2, text="审核减免税申请")
    )
    actions.duty_submit(by=None, duty=actions.duty_draft(by=None, post=world.post_b1, text="外县"))
    client = as_(world, "head")

    queue = client.get(reverse("org:review-queue"))
    assert [d.pk for d in queue.context["duties"]] == [mine.pk]

    response = client.post(
        reverse("org:duty-approve", args=[mine.pk]), {"from": "queue"}, headers=HTMX
    )
    assert response.content.decode().startswith('<div class="card" id="review-queue">')
    assert response.context["duties"] == []
    # Approved once, it now waits for the leader: the head may no longer decide it.
    again = client.post(reverse("org:duty-approve", args=[mine.pk]), {"from": "queue"})
    assert again.status_code == 403

    other = actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a1, text="税源监控")
    )
    plain = client.post(reverse("org:duty-approve", args=[other.pk]), {"from": "queue"})
    assert plain["Location"] == reverse("org:review-queue")


@pytest.mark.django_db
def test_goals_are_set_top_down(world: World) -> None:
    head = as_(world, "head")
    response = head.post(
        reverse("org:goal-create", args=[world.dept_a1.pk]),
        {"year": 2026, "title": "税收收入完成率100%", "target": "100%", "post": world.post_a1.pk},
    )
    assert response["Location"] == reverse("org:post-detail", args=[world.post_a1.pk])
    assert "税收收入完成率100%" in head.get(response["Location"]).content.decode()

    staff = as_(world, "staff").post(
        reverse("org:goal-create", args=[world.dept_a1.pk]), {"year": 2026, "title": "自定目标"}
    )
    assert staff.status_code == 403
    bad = as_(world, "staff").post(reverse("org:goal-create", args=[world.dept_a1.pk]), {})
    assert bad.status_code == 403

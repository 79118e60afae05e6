"""The pages: queue, board, warning with its step forms, person, notifications, statistics and
the case timeline with its warnings pinned; the same access rules as the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sunlight.core.models import Role, User
from sunlight.core.testing import PASSWORD, World
from sunlight.warnings.models import Accountability, Status, Warning
from sunlight.warnings.tests.kit import client_for, raised


def client_for_user(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def steps_offered(html: str) -> set[str]:
    return set(re.findall(r'class="sl-step" data-step="([\w-]+)"', html))


def test_the_queue_lists_and_filters_warnings(world: World) -> None:
    raised(world, "C1")
    raised(world, "C2", rule="late", officer="S-B", post="PB1", unit="B1")
    office = client_for(world, "office")

    page = office.get("/warnings/")
    late = office.get("/warnings/?rule=late", headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert page.content.decode().count("data-warning=") == 2
    assert late.content.decode().count("data-warning=") == 1
    assert "<html" not in late.content.decode()  # the partial, for htmx


def test_each_user_is_offered_only_the_steps_they_may_take(world: World) -> None:
    warning = raised(world)
    url = f"/warnings/{warning.pk}/"

    offered = {
        role: steps_offered(client_for(world, role).get(url).content.decode())
        for role in ("staff", "head", "office", "auditor")
    }

    assert offered == {
        "staff": {"respond"},
        "head": {"decide", "reassign"},
        "office": {"decide", "reassign", "supervise"},
        "auditor": set(),
    }
    assert client_for(world, "leader").get(url).status_code == 404


def test_a_response_with_a_file_is_given_through_the_page(world: World) -> None:
    warning = raised(world)
    staff = client_for(world, "staff")
    upload = SimpleUploadedFile("情况说明.pdf", b"%PDF-1.4 test", "application/pdf")

    answer = staff.post(
        f"/warnings/{warning.pk}/respond/",
        {"explanation": "已按规定办理", "attachments": [upload]},
    )

    assert answer.status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.RESPONDED
    page = client_for(world, "head").get(f"/warnings/{warning.pk}/").content.decode()
    assert "已按规定办理" in page
    link = re.search(r'href="(/warnings/files/\d+/)"', page)
    assert link is not None
    assert client_for(world, "head").get(link.group(1)).getvalue() == b"%PDF-1.4 test"
    assert client_for(world, "leader").get(link.group(1)).status_code == 404


def test_wrong_users_are_refused_on_the_page_too(world: World) -> None:
    warning = raised(world)
    data = {"outcome": "unfounded", "note": "x"}

    assert (
        client_for(world, "auditor").post(f"/warnings/{warning.pk}/decide/", data).status_code
        == 403
    )
    assert (
        client_for(world, "staff").post(f"/warnings/{warning.pk}/decide/", data).status_code == 403
    )
    assert (
        client_for(world, "leader").post(f"/warnings/{warning.pk}/decide/", data).status_code == 404
    )
    assert Warning.objects.get().status == Status.ASSIGNED


def test_an_invalid_step_is_a_message_not_a_crash(world: World) -> None:
    warning = raised(world)
    head = client_for(world, "head")

    answer = head.post(f"/warnings/{warning.pk}/decide/", {"outcome": "unfounded"}, follow=True)

    assert answer.status_code == 200
    assert "alert-danger" in answer.content.decode()
    assert Warning.objects.get().status == Status.ASSIGNED


def test_the_board_shows_what_is_open_and_late(world: World) -> None:
    raised(world)

    page = client_for(world, "office").get("/warnings/board/").content.decode()

    assert 'data-status="assigned">1<' in page


def test_the_person_page_shows_their_warnings(world: World) -> None:
    raised(world)

    page = client_for(world, "head").get(f"/warnings/people/{world.staff_a.pk}/")

    assert page.status_code == 200
    assert 'id="sl-total">1<' in page.content.decode()
    assert (
        client_for(world, "leader").get(f"/warnings/people/{world.staff_a.pk}/").status_code == 404
    )


def test_notifications_page_unread_count_and_mark_read(world: World) -> None:
    raised(world)
    head = client_for(world, "head")

    assert ">1</span>" in head.get("/warnings/notifications/unread/").content.decode()
    assert "data-notification=" in head.get("/warnings/notifications/").content.decode()
    head.post("/warnings/notifications/read/")
    assert ">0</span>" in head.get("/warnings/notifications/unread/").content.decode()


def test_the_statistics_page(world: World) -> None:
    raised(world)

    page = client_for(world, "office").get("/warnings/statistics/").content.decode()

    assert 'data-stat="total">1<' in page
    assert 'id="sl-chart-data"' in page
    assert "echarts.min.js" in page


def test_the_case_timeline_pins_the_warning_on_its_evidence(world: World) -> None:
    warning = raised(world)
    case = warning.cases.get()

    page = client_for(world, "office").get(f"/monitoring/cases/{case.pk}/").content.decode()

    assert 'id="sl-case-warnings"' in page
    assert page.count("sl-pin") == 3  # each of the three evidence events
    assert f'href="/warnings/{warning.pk}/"' in page


def test_the_explanation_follows_the_language(world: World) -> None:
    warning = raised(world)
    staff = client_for(world, "staff")

    chinese = staff.get(f"/warnings/{warning.pk}/").content.decode()
    staff.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = staff.get(f"/warnings/{warning.pk}/").content.decode()

    assert "同一人既受理又批准" in chinese
    assert "The same officer accepted and approved" in english
    assert "Awaiting response" in english


def test_staff_of_another_unit_neither_see_nor_act(world: World) -> None:
    warning = raised(world)
    other = User.objects.create_user("lisi", password=PASSWORD, role=Role.STAFF)
    other.staff = world.staff_b
    other.save(update_fields=["staff"])
    client = client_for_user(other)

    assert client.get(f"/warnings/{warning.pk}/").status_code == 404
    assert client.get(f"/api/v1/warnings/{warning.pk}/").status_code == 404
    respond = client.post(f"/api/v1/warnings/{warning.pk}/respond/", {"explanation": "x"})
    assert respond.status_code == 404
    assert client.get("/api/v1/warnings/").json()["count"] == 0


@pytest.mark.parametrize("url", ["/warnings/", "/warnings/board/", "/warnings/statistics/"])
def test_page_query_counts_do_not_grow_with_rows(
    world: World, url: str, django_assert_max_num_queries: Any
) -> None:
    raised(world, "C1")
    office = client_for(world, "office")
    office.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        office.get(url)
    for n in range(2, 8):
        raised(world, f"C{n}", rule=f"rule-{n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert office.get(url).status_code == 200


def test_accountability_and_appeal_through_the_pages(world: World) -> None:
    warning = raised(world)
    head, office = client_for(world, "head"), client_for(world, "office")
    staff, admin = client_for(world, "staff"), client_for(world, "admin")
    head.post(f"/warnings/{warning.pk}/decide/", {"outcome": "violation", "note": "违规"})
    url = f"/warnings/{warning.pk}/"
    assert "accountability" in steps_offered(office.get(url).content.decode())

    office.post(f"{url}accountability/", {"measure": "admonition", "reason": "情节较重"})
    record = Accountability.objects.get()
    assert "appeal" in steps_offered(staff.get(url).content.decode())
    staff.post(f"/warnings/accountability/{record.pk}/appeal/", {"text": "请求复核"})
    assert "appeal-decision" not in steps_offered(office.get(url).content.decode())  # decided it
    assert "appeal-decision" in steps_offered(admin.get(url).content.decode())
    admin.post(
        f"/warnings/accountability/{record.pk}/appeal-decision/",
        {"appeal_outcome": "upheld", "note": "维持"},
    )

    record.refresh_from_db()
    assert (record.measure, record.appeal_text, record.appeal_outcome) == (
        "admonition", "请求复核", "upheld",
    )  # fmt: skip
    person = head.get(f"/warnings/people/{world.staff_a.pk}/").content.decode()
    assert 'id="sl-records"' in person

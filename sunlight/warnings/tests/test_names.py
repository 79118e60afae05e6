"""The pages name people, posts and verifiers (``张三（S-A）``), not codes, falling back to the
finding's own words when a record could not be linked; in Chinese and in English."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sunlight.core.testing import World
from sunlight.org.models import Staff
from sunlight.warnings import actions
from sunlight.warnings.tests.kit import BEIJING, client_for, raised

OLD = dt.datetime(2026, 3, 2, 10, tzinfo=BEIJING)  # overdue by now: on the board


def named_head(world: World) -> None:
    """The head logs in as a staff member, 王五 (S-H)."""
    head = world.user("head")
    head.staff = Staff.objects.create(staff_no="S-H", name="王五", unit=world.county_a)
    head.save(update_fields=["staff"])


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def cell(html: str, element_id: str, end: str = "</") -> str:
    """The text of the element with ``element_id``, up to ``end`` (its first closing tag)."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?){end}', html, re.S)
    assert found is not None, element_id
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_detail_page_names_the_person_post_and_verifier(world: World) -> None:
    named_head(world)
    warning = raised(world)
    url = f"/warnings/{warning.pk}/"
    office = client_for(world, "office")

    chinese = office.get(url).content.decode()
    english_page = english(office).get(url).content.decode()

    assert "张三（S-A）" in chinese
    assert cell(chinese, "sl-post") == "税源管理员（A县税务局征管科）"
    assert cell(chinese, "sl-verifier") == "王五（S-H）"
    assert "张三 (S-A)" in english_page
    assert cell(english_page, "sl-post") == "税源管理员 (A县税务局征管科)"
    assert cell(english_page, "sl-verifier") == "王五 (S-H)"
    # The history names who took a step the same way.
    actions.warning_decide(by=world.user("head"), warning=warning, outcome="unfounded", note="x")
    assert "王五 (S-H)" in cell(office.get(url).content.decode(), "sl-history", 'id="sl-steps"')


def test_unlinked_records_show_the_findings_own_words(world: World) -> None:
    warning = raised(world, officer="S-X", post="P-X", unit="A1")
    assert (warning.staff, warning.post) == (None, None)

    page = client_for(world, "office").get(f"/warnings/{warning.pk}/").content.decode()
    rows = client_for(world, "office").get("/warnings/").content.decode()

    assert cell(page, "sl-person") == "S-X"
    assert cell(page, "sl-post") == "P-X"
    assert "S-X" in rows
    assert "P-X" in rows


def test_queue_rows_name_the_person_and_post(world: World) -> None:
    raised(world)
    office = client_for(world, "office")

    chinese = office.get("/warnings/").content.decode()
    english_rows = english(office).get("/warnings/").content.decode()

    assert "张三（S-A）" in chinese
    assert "税源管理员" in chinese
    assert "张三 (S-A)" in english_rows


def test_the_board_names_the_person_and_whom_an_order_went_to(world: World) -> None:
    named_head(world)
    raised(world, now=OLD)
    actions.warnings_sweep(now=dt.datetime(2026, 3, 10, 8, tzinfo=BEIJING))
    office = client_for(world, "office")

    board = office.get("/warnings/board/").content.decode()

    assert "张三（S-A）" in board  # the overdue table
    assert "王五（S-H）" in cell(board, "sl-orders", "</table>")
    assert "王五 (S-H)" in english(office).get("/warnings/board/").content.decode()


def test_the_person_page_names_the_person(world: World) -> None:
    raised(world)
    head = client_for(world, "head")
    url = f"/warnings/people/{world.staff_a.pk}/"

    assert cell(head.get(url).content.decode(), "sl-person") == "张三（S-A）"
    assert cell(english(head).get(url).content.decode(), "sl-person") == "张三 (S-A)"


def test_names_cost_no_query_per_row(world: World, django_assert_max_num_queries: Any) -> None:
    named_head(world)
    raised(world, "C1", now=OLD)
    office = client_for(world, "office")
    urls = ["/warnings/", "/warnings/board/", f"/warnings/people/{world.staff_a.pk}/"]
    actions.warnings_sweep(now=dt.datetime(2026, 3, 10, 8, tzinfo=BEIJING))
    counts = {}
    for url in urls:
        office.get(url)  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as few:
            office.get(url)
        counts[url] = len(few.captured_queries)
    for n in range(2, 7):
        raised(world, f"C{n}", rule=f"rule-{n}", now=OLD)
    actions.warnings_sweep(now=dt.datetime(2026, 3, 10, 8, tzinfo=BEIJING))

    for url in urls:
        with django_assert_max_num_queries(counts[url], info=url):
            assert office.get(url).status_code == 200

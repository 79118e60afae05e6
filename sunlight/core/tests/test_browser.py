"""End to end in real Chromium: a unit head logs in, reads a post's duties in Chinese and
approves one with the htmx button; the status changes in place, without a page load."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from sunlight.core.testing import PASSWORD, build_world
from sunlight.org import actions
from sunlight.org.models import Duty, DutyStatus

CHROMIUM = os.environ.get("SUNLIGHT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)) and not os.environ.get("CI"):
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium); required when CI is set",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """No base URL: the tests go to ``live_server.url``. Defined here because pytest-playwright's
    own fallback is a session fixture on a plugin instance, which pytest deprecates."""
    return None


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A bureau's browsers ask for Chinese; Django honours the Accept-Language they send.
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 900}}


def test_a_head_approves_a_duty_in_place(live_server: Any, page: Any) -> None:
    world = build_world()
    post = world.post_a1
    waiting = actions.duty_submit(
        by=None,
        duty=actions.duty_draft(
            by=None, post=post, text="负责辖区内纳税人户籍管理和税源监控", power_type="execute"
        ),
    )
    actions.duty_draft(by=None, post=post, text="按时完成纳税评估任务，发现问题及时移交稽查")
    outside: list[str] = []

    def note_outside(request: Any) -> None:
        if not request.url.startswith(("data:", live_server.url)):
            outside.append(request.url)

    page.on("request", note_outside)

    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "head")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/org/posts/{post.pk}/")
    duties = page.locator("#duties")
    assert "负责辖区内纳税人户籍管理和税源监控" in duties.inner_text()
    row = page.locator(f"#duty-{waiting.pk}")
    assert row.locator("[data-status]").inner_text() == "待单位负责人审核"
    assert "草稿" in duties.inner_text()

    # A marker on the window survives an htmx swap but not a page load.
    page.evaluate("window.__noReload = true")
    row.locator("button[data-action=approve]").click()
    status = page.locator(f"#duty-{waiting.pk} [data-status]")
    status.wait_for(state="attached")
    page.wait_for_function(
        f"document.querySelector('#duty-{waiting.pk} [data-status]').dataset.status"
        " === 'leader_review'"
    )
    assert status.inner_text() == "待分管领导审核"
    assert page.evaluate("window.__noReload") is True
    assert "已同意该职责" in page.locator("#duties").inner_text()
    assert "同意" in page.locator(f"#duty-{waiting.pk} .sl-trail").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "post-duties-approved.png"), full_page=True)

    assert Duty.objects.get(pk=waiting.pk).status == DutyStatus.LEADER_REVIEW
    assert outside == []


def test_the_main_pages_in_both_languages(live_server: Any, page: Any) -> None:
    world = build_world()
    actions.power_item_create(
        by=None,
        code="JM-001",
        name="减免税审批",
        category="relief",
        power_type="decide",
        unit=world.dept_a1,
        post=world.post_a2,
        time_limit_days=20,
        legal_bases=[("中华人民共和国税收征收管理法", "第三十三条")],
    )
    actions.duty_submit(
        by=None, duty=actions.duty_draft(by=None, post=world.post_a2, text="审核减免税申请资料")
    )
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=str(ARTIFACTS / "login-zh.png"))
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    tour = {
        "home": "/",
        "units": "/org/units/",
        "posts": "/org/posts/",
        "staff": f"/org/staff/{world.staff_a.pk}/",
        "powers": "/org/powers/",
        "reviews": "/org/reviews/",
    }
    for name, path in tour.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        page.screenshot(path=str(ARTIFACTS / f"{name}-zh.png"), full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(live_server.url + tour["powers"])
    assert "Power list" in page.inner_text("h2")
    assert "Tax relief" in page.inner_text("table")
    page.screenshot(path=str(ARTIFACTS / "powers-en.png"), full_page=True)

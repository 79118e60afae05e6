"""The register's pages at the HTTP level: who opens what, in both languages, and the office's
forms."""

from __future__ import annotations

import pytest
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.risks.models import ControlMeasure, Level
from sunlight.risks.tests.kit import Register, build_register, client_for
from sunlight.risks.tests.test_queries import SEES

ROLES = sorted(SEES)
# New strings reach the .po files after this change; the page's language and strings already
# translated (the unit column, the menu) show it is served in that language.
LANGUAGES = {
    "zh-hans": ('lang="zh-hans"', "单位", "首页"),
    "en": ('lang="en"', "Unit", "Risk register", "Risk level"),
}
RULE_NAMES = {"zh-hans": "审核与批准不得为同一人", "en": "Review and approval by different people"}


@pytest.fixture
def register(world: World) -> Register:
    return build_register(world)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("role", ROLES)
def test_the_register_lists_exactly_the_scope(
    world: World, register: Register, role: str, language: str
) -> None:
    page = client_for(world, role, language).get("/risks/")

    assert page.status_code == 200
    html = page.content.decode()
    for text in LANGUAGES[language]:
        assert text in html
    shown = {code for code in ("RP-A1", "RP-A2", "RP-B1") if f'data-point="{code}"' in html}
    assert shown == SEES[role]


def test_the_register_filters(world: World, register: Register) -> None:
    client = client_for(world, "office")

    html = client.get("/risks/", {"level": Level.LOW}).content.decode()
    fragment = client.get("/risks/", {"q": "裁量"}, headers={"HX-Request": "true"})

    assert 'data-point="RP-A2"' in html
    assert 'data-point="RP-A1"' not in html
    assert 'data-point="RP-B1"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_point_shows_its_measures_rules_and_warnings(
    world: World, register: Register, language: str
) -> None:
    page = client_for(world, "staff", language).get(f"/risks/points/{register.a1.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "对不符合条件的申请予以减免" in html
    assert f'href="/monitoring/rules/{register.rules.pk}/"' in html
    assert 'data-rule="SOD-01"' in html
    assert RULE_NAMES[language] in html  # the rule's name, from the version in force
    assert f'href="/risks/points/{register.a1.pk}/edit/"' not in html  # staff do not edit


@pytest.mark.parametrize(("role", "status"), [("staff", 404), ("head", 404), ("leader", 200)])
def test_a_point_outside_the_scope_is_not_found(
    world: World, register: Register, role: str, status: int
) -> None:
    assert client_for(world, role).get(f"/risks/points/{register.b1.pk}/").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(register: Register) -> None:
    for url in ("/risks/", f"/risks/points/{register.a1.pk}/"):
        page = Client().get(url)
        assert page.status_code == 302
        assert "/login/" in page["Location"]


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_the_office_and_admins_get_the_forms(
    world: World, register: Register, role: str
) -> None:
    client = client_for(world, "office" if role == "office" else role)
    pk = register.a1.pk if role in ("staff", "head", "auditor") else register.b1.pk
    measure = register.a1_manual.pk if pk == register.a1.pk else register.b1_checked.pk
    rows = AuditRecord.objects.count()

    for url in (
        "/risks/points/new/",
        f"/risks/points/{pk}/edit/",
        f"/risks/points/{pk}/measures/new/",
        f"/risks/measures/{measure}/edit/",
        f"/risks/measures/{measure}/rule/",
    ):
        assert client.get(url).status_code == 403, url
    for url in (f"/risks/measures/{measure}/rule/unlink/", f"/risks/measures/{measure}/remove/"):
        assert client.post(url).status_code == 403, url
    assert AuditRecord.objects.count() == rows


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_office_edits_a_point_and_the_level_follows(
    world: World, register: Register, language: str
) -> None:
    client = client_for(world, "office", language)
    url = f"/risks/points/{register.a2.pk}/edit/"
    form = client.get(url)
    data = {
        "code": "RP-A2", "name": "超期办理", "item": register.item.pk, "unit": world.dept_a1.pk,
        "post": world.post_a2.pk, "step": "承办", "manifestation": "拖延办理", "cause": "",
        "likelihood": "3", "impact": "3", "published": "on",
    }  # fmt: skip

    saved = client.post(url, data)

    assert form.status_code == 200
    assert saved.status_code == 302
    register.a2.refresh_from_db()
    assert (register.a2.level, register.a2.step, register.a2.published) == ("high", "承办", True)


def test_an_invalid_post_is_shown_on_the_form(world: World, register: Register) -> None:
    data = {
        "code": "RP-A2", "name": "超期办理", "item": register.item.pk, "unit": world.dept_a1.pk,
        "post": world.post_b1.pk, "manifestation": "拖延办理", "likelihood": "1", "impact": "2",
    }  # fmt: skip

    page = client_for(world, "office").post(f"/risks/points/{register.a2.pk}/edit/", data)

    assert page.status_code == 200
    assert "invalid-feedback" in page.content.decode()
    register.a2.refresh_from_db()
    assert register.a2.post == world.post_a2


def test_the_office_adds_a_measure_and_links_it_to_a_rule(world: World, register: Register) -> None:
    client = client_for(world, "admin")

    added = client.post(
        f"/risks/points/{register.a2.pk}/measures/new/",
        {"text": "受理后 6 个工作日内办结", "kind": "technology", "post": world.post_a2.pk},
    )
    measure = ControlMeasure.objects.get(risk_point=register.a2)
    form = client.get(f"/risks/measures/{measure.pk}/rule/")
    wrong = client.post(f"/risks/measures/{measure.pk}/rule/", {"rule": f"{register.rules.pk}:XX"})
    linked = client.post(
        f"/risks/measures/{measure.pk}/rule/", {"rule": f"{register.rules.pk}:TL-01"}
    )

    assert added.status_code == 302
    assert form.status_code == 200
    assert "TL-01" in form.content.decode()
    assert wrong.status_code == 200  # not a choice: shown on the form
    assert linked.status_code == 302
    measure.refresh_from_db()
    assert (measure.rule_set, measure.rule) == (register.rules, "TL-01")


def test_the_office_unlinks_and_removes_measures(world: World, register: Register) -> None:
    client = client_for(world, "office")

    client.post(f"/risks/measures/{register.a1_checked.pk}/rule/unlink/")
    client.post(f"/risks/measures/{register.a1_manual.pk}/remove/")

    register.a1_checked.refresh_from_db()
    assert register.a1_checked.rule == ""
    assert list(ControlMeasure.objects.filter(risk_point=register.a1)) == [register.a1_checked]


def test_the_office_creates_a_point(world: World, register: Register) -> None:
    data = {
        "code": "RP-NEW", "name": "违规核定税额", "item": register.item.pk,
        "unit": world.county_a.pk, "post": world.post_a1.pk, "manifestation": "随意核定",
        "likelihood": "2", "impact": "2",
    }  # fmt: skip

    page = client_for(world, "office").post("/risks/points/new/", data)

    assert page.status_code == 302
    assert page["Location"].startswith("/risks/points/")


def test_the_rule_set_page_shows_the_points_each_rule_checks(
    world: World, register: Register
) -> None:
    office = client_for(world, "office").get(f"/monitoring/rules/{register.rules.pk}/")
    leader = client_for(world, "leader").get(f"/monitoring/rules/{register.rules.pk}/")

    html = office.content.decode()
    assert 'data-rule="SOD-01"' in html
    assert 'data-rule="TL-01"' in html
    assert f'href="/risks/points/{register.a1.pk}/"' in html
    assert f'href="/risks/points/{register.b1.pk}/"' in html
    # Only the points in the reader's scope.
    assert f'href="/risks/points/{register.a1.pk}/"' not in leader.content.decode()


def test_the_menu_links_the_register(world: World) -> None:
    assert 'href="/risks/"' in client_for(world, "staff").get("/").content.decode()

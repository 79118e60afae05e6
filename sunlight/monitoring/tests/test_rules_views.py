"""Rule pages and the rules API: everyone reads, the office writes, errors shown inline."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.actions import rules as rule_actions
from sunlight.monitoring.models import CheckRun, RuleSet, RuleSwitch
from sunlight.monitoring.tests.rules_kit import RULES, rule_set

pytestmark = pytest.mark.django_db


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["staff", "head", "leader", "office", "auditor", "admin"])
def test_every_role_reads_the_rule_sets(world: World, role: str) -> None:
    rules = rule_set(world)
    client = client_for(world, role)
    listing = client.get("/monitoring/rules/")
    assert listing.status_code == 200
    assert "测试规则" in listing.content.decode()
    detail = client.get(f"/monitoring/rules/{rules.pk}/")
    assert detail.status_code == 200
    assert "SOD-01" in detail.content.decode()
    editable = "/edit/" in detail.content.decode()
    assert editable == (role in ("office", "admin"))
    decisions = client.get("/monitoring/decisions/").status_code
    assert decisions == (200 if role in ("office", "auditor", "admin") else 403)
    assert client.get("/monitoring/reference/").status_code == 200
    assert client.get("/monitoring/checks/").status_code == 200


@pytest.mark.parametrize("role", ["staff", "head", "auditor"])
def test_other_roles_cannot_edit_pages(world: World, role: str) -> None:
    rules = rule_set(world)
    client = client_for(world, role)
    assert client.get(f"/monitoring/rules/{rules.pk}/edit/").status_code == 403
    assert client.post(f"/monitoring/rules/{rules.pk}/edit/", {"text": RULES}).status_code == 403
    assert client.post("/monitoring/rules/check/", {"text": RULES}).status_code == 403
    assert client.post(f"/monitoring/rules/{rules.pk}/active/").status_code == 403
    period = {"start": "2026-01-01", "end": "2026-02-01"}
    assert client.post("/monitoring/checks/", period).status_code == 403


def test_the_editor_shows_the_problem_inline_and_saves_a_good_text(world: World) -> None:
    rules = rule_set(world)
    office = client_for(world, "office")
    bad = RULES.replace("limit: 6", "limit: six")
    checked = office.post("/monitoring/rules/check/", {"text": bad}, HTTP_HX_REQUEST="true")
    html = checked.content.decode()
    assert 'data-rule="TL-01"' in html
    assert 'data-field="limit"' in html
    assert "<html" not in html  # a fragment for htmx
    ok = office.post("/monitoring/rules/check/", {"text": RULES}).content.decode()
    assert "SOD-01, TL-01, TH-01" in ok

    refused = office.post(f"/monitoring/rules/{rules.pk}/edit/", {"text": bad})
    assert refused.status_code == 200
    assert "TL-01" in refused.content.decode()
    assert rules.versions.count() == 1

    good = RULES.replace("limit: 6", "limit: 7")
    saved = office.post(f"/monitoring/rules/{rules.pk}/edit/", {"text": good, "comment": "7"})
    assert saved.status_code == 302
    assert rules.versions.count() == 2
    diff = office.get(f"/monitoring/rules/{rules.pk}/v2/").content.decode()
    assert "-    limit: 6" in diff
    assert "+    limit: 7" in diff
    export = office.get(f"/monitoring/rules/{rules.pk}/v1/yaml/")
    assert export["Content-Type"].startswith("application/x-yaml")
    assert export.content.decode() == RULES


def test_a_new_rule_set_and_an_imported_file_through_the_pages(world: World) -> None:
    office = client_for(world, "office")
    created = office.post("/monitoring/rules/new/", {"name": "甲", "text": RULES})
    assert created.status_code == 302
    upload = io.BytesIO(RULES.replace("limit: 6", "limit: 9").encode())
    upload.name = "rules.yaml"
    office.post("/monitoring/rules/import/", {"file": upload})
    assert RuleSet.objects.get(name="测试规则").versions.count() == 1


def test_switches_and_reference_tables_through_the_pages(world: World) -> None:
    rules = rule_set(world)
    office = client_for(world, "office")
    office.post(f"/monitoring/rules/{rules.pk}/switches/", {"unit": "A", "rule_id": "SOD-01"})
    switch = RuleSwitch.objects.get()
    assert (switch.unit, switch.rule_id) == (world.county_a, "SOD-01")
    assert (
        client_for(world, "head").post(f"/monitoring/rules/switches/{switch.pk}/on/").status_code
        == 403
    )
    office.post(f"/monitoring/rules/switches/{switch.pk}/on/")
    assert not RuleSwitch.objects.exists()

    table = io.BytesIO("officer,party,relation\nS-A,P1,配偶\n".encode())
    table.name = "relations.csv"
    office.post("/monitoring/reference/", {"name": "relations", "file": table})
    page = client_for(world, "auditor").get("/monitoring/reference/").content.decode()
    assert "relations" in page


def test_a_re_check_is_queued_from_the_page(world: World) -> None:
    rule_set(world)
    office = client_for(world, "office")
    office.post("/monitoring/checks/", {"start": "2026-01-01", "end": "2026-02-01"})
    run = CheckRun.objects.get()
    assert (run.status, run.requested_by) == ("queued", world.user("office"))


def test_the_api_creates_refuses_and_lists_versions(world: World) -> None:
    office = client_for(world, "office")
    bad = office.post(
        "/api/v1/rule-sets/", {"name": "x", "text": RULES.replace("first: 审核", "first: 1")},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    problem = bad.json()["problem"]
    assert (problem["rule"], problem["field"]) == ("SOD-01", "first")
    assert problem["message_zh"]
    assert problem["message_en"]

    made = office.post("/api/v1/rule-sets/", {"name": "x", "text": RULES},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    office.post(f"/api/v1/rule-sets/{pk}/versions/", {"text": RULES + "\n# 2\n"},
                content_type="application/json")  # fmt: skip
    versions = client_for(world, "auditor").get(f"/api/v1/rule-sets/{pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert (
        client_for(world, "staff").get(f"/api/v1/rule-sets/{pk}/export/?version=1").content
        == RULES.encode()
    )
    check = office.post("/api/v1/rule-sets/validate/", {"text": "rules: 3"},
                        content_type="application/json").json()  # fmt: skip
    assert (check["valid"], check["problem"]["field"]) == (False, "rules")


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_the_api_refuses_writes_by_other_roles(world: World, role: str) -> None:
    rules = rule_set(world)
    client = client_for(world, role)
    json = "application/json"
    assert client.post("/api/v1/rule-sets/", {"name": "y", "text": RULES},
                       content_type=json).status_code == 403  # fmt: skip
    assert client.post(f"/api/v1/rule-sets/{rules.pk}/versions/", {"text": RULES},
                       content_type=json).status_code == 403  # fmt: skip
    assert client.post("/api/v1/rule-switches/", {"rule_set": rules.pk, "unit": "A"},
                       content_type=json).status_code == 403  # fmt: skip
    assert client.post("/api/v1/check-runs/", {"start": "2026-01-01T00:00:00+08:00",
                       "end": "2026-02-01T00:00:00+08:00"},
                       content_type=json).status_code == 403  # fmt: skip
    switch = rule_actions.rule_switch_off(by=world.user("office"), rule_set=rules,
                                          unit=world.city)  # fmt: skip
    assert client.delete(f"/api/v1/rule-switches/{switch.pk}/").status_code == 403

"""Preventive control: POST /api/v1/decisions answers allow or deny before a step is taken."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.models import Decision
from sunlight.monitoring.tests.rules_kit import event, push, rule_set

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions/"


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client


def ask(world: World, role: str = "office", **body: Any) -> Any:
    return client_for(world, role).post(URL, body, content_type="application/json")


def _reviewed_by_a(world: World) -> None:
    rule_set(world)
    push(
        world,
        event("C1", "受理", "2026-03-02T09:00:00+08:00", who="S-B"),
        event("C1", "审核", "2026-03-02T10:00:00+08:00", who="S-A"),
    )


def test_the_officer_who_reviewed_may_not_approve(world: World) -> None:
    _reviewed_by_a(world)
    answer = ask(world, case="C1", activity="批准", actor="S-A",
                 time="2026-03-02T11:00:00+08:00")  # fmt: skip
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["decision"] == "deny"
    [violation] = body["violations"]
    assert (violation["rule"], violation["severity"]) == ("SOD-01", "high")
    assert "张三" in violation["message_zh"] or "S-A" in violation["message_zh"]
    assert violation["message_en"]

    decision = Decision.objects.get()
    assert decision.case is not None
    assert (decision.outcome, decision.case.external_id, decision.actor) == ("deny", "C1", "S-A")
    assert AuditRecord.objects.filter(action="monitoring.decision", object_id=str(decision.pk))


def test_another_officer_may_approve(world: World) -> None:
    _reviewed_by_a(world)
    answer = ask(world, case="C1", activity="批准", actor="S-B",
                 time="2026-03-02T11:00:00+08:00")  # fmt: skip
    assert answer.json()["decision"] == "allow"
    assert answer.json()["violations"] == []


def test_the_data_of_the_intended_step_counts(world: World) -> None:
    _reviewed_by_a(world)
    large = ask(world, case="C1", activity="批准", actor="S-B",
                time="2026-03-02T11:00:00+08:00", data={"amount": 600000})  # fmt: skip
    assert [v["rule"] for v in large.json()["violations"]] == ["TH-01"]
    assert Decision.objects.get().data == {"amount": 600000}
    small = ask(world, case="C1", activity="批准", actor="S-B",
                time="2026-03-02T11:00:00+08:00", data={"amount": 1000})  # fmt: skip
    assert small.json()["decision"] == "allow"


def test_an_officer_named_as_the_source_names_them_is_resolved(world: World) -> None:
    _reviewed_by_a(world)
    answer = ask(world, case="C1", activity="批准", actor="张三",
                 time="2026-03-02T11:00:00+08:00")  # fmt: skip
    assert answer.json()["decision"] == "deny"


def test_a_breach_the_case_already_has_is_not_blamed_on_the_next_step(world: World) -> None:
    _reviewed_by_a(world)
    push(world, event("C1", "批准", "2026-03-02T11:00:00+08:00", who="S-A"))
    answer = ask(world, case="C1", activity="办结", actor="S-B",
                 time="2026-03-02T12:00:00+08:00")  # fmt: skip
    assert answer.json()["decision"] == "allow"


def test_a_late_closing_is_denied_and_a_new_case_is_allowed(world: World) -> None:
    _reviewed_by_a(world)
    late = ask(world, case="C1", activity="办结", actor="S-B", time="2026-03-20T12:00:00+08:00")
    assert late.json()["decision"] == "deny"
    assert [v["rule"] for v in late.json()["violations"]] == ["TL-01"]
    fresh = ask(world, case="NEW", activity="受理", actor="S-A")
    assert fresh.json()["decision"] == "allow"
    assert Decision.objects.get(case_ref="NEW").case is None


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_roles_that_push_may_ask(world: World, role: str) -> None:
    rule_set(world)
    answer = ask(world, role, case="C1", activity="批准", actor="S-A")
    assert answer.status_code == 403
    assert not Decision.objects.exists()


def test_a_bad_request_names_the_field(world: World) -> None:
    rule_set(world)
    answer = ask(world, case="C1", activity="批准")
    assert answer.status_code == 400
    assert "actor" in answer.json()
    # A time without an offset is Beijing time, as in the logs.
    naive = ask(world, case="C1", activity="批准", actor="S-A", time="2026-03-02T11:00:00")
    assert naive.status_code == 200
    assert Decision.objects.get().time.isoformat() == "2026-03-02T03:00:00+00:00"


def test_decisions_are_listed_for_the_office_only(world: World) -> None:
    _reviewed_by_a(world)
    ask(world, case="C1", activity="批准", actor="S-A")
    assert len(client_for(world, "auditor").get(URL).json()["results"]) == 1
    assert client_for(world, "staff").get(URL).json()["results"] == []
    page = client_for(world, "office").get("/monitoring/decisions/").content.decode()
    assert "SOD-01" in page

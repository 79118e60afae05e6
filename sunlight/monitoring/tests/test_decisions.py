"""Preventive control: POST /api/v1/decisions answers allow or deny before a step is taken."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.actions import decisions
from sunlight.monitoring.models import Decision, RuleSet
from sunlight.monitoring.tests.rules_kit import SPLITTING, event, push, rule_set

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


# --- cross-case rules -----------------------------------------------------------------------


def _accepted_for(world: World, party: str = "P1") -> None:
    """Party P1's relief application of 450,000 accepted in another case on April 1."""
    rule_set(world, SPLITTING, name="拆分")
    push(world, event("J1", "受理", "2026-04-01T09:00:00+08:00", who="S-B", party=party,
                      amount=450000))  # fmt: skip


def _accept(world: World, time: str, party: str = "P1", case: str = "J2") -> Any:
    return ask(world, case=case, activity="受理", actor="S-A", time=time,
               data={"party": party, "amount": 450000})  # fmt: skip


def test_an_application_that_splits_with_an_earlier_one_is_denied(world: World) -> None:
    _accepted_for(world)
    answer = _accept(world, "2026-04-11T09:00:00+08:00")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["decision"] == "deny"
    [violation] = body["violations"]
    assert violation["rule"] == "SPLIT-01"
    assert "J1" in violation["message_zh"]
    assert "J2" in violation["message_zh"]
    decision = Decision.objects.get()
    assert decision.case is None  # the new case is not stored yet
    assert decision.rule_versions == {str(RuleSet.objects.get().pk): 1}


def test_the_window_is_inclusive_and_an_older_application_does_not_count(world: World) -> None:
    _accepted_for(world)
    assert _accept(world, "2026-05-01T23:00:00+08:00").json()["decision"] == "deny"  # 30 days
    assert _accept(world, "2026-05-11T09:00:00+08:00").json()["decision"] == "allow"  # 40 days


def test_another_partys_application_is_allowed(world: World) -> None:
    _accepted_for(world)
    assert _accept(world, "2026-04-11T09:00:00+08:00", party="P2").json()["decision"] == "allow"


def test_a_split_the_history_already_had_is_not_blamed_on_the_next_step(world: World) -> None:
    _accepted_for(world)
    push(world, event("J2", "受理", "2026-04-05T09:00:00+08:00", party="P1", amount=450000))
    # The same case again: one amount per case, the split is J1 and J2's, found after the fact.
    assert _accept(world, "2026-04-11T09:00:00+08:00").json()["decision"] == "allow"
    small = ask(world, case="J3", activity="受理", actor="S-A", time="2026-04-11T09:00:00+08:00",
                data={"party": "P1", "amount": 100000})  # fmt: skip
    assert small.json()["decision"] == "allow"


def test_the_per_case_and_cross_case_rules_are_judged_together(world: World) -> None:
    _reviewed_by_a(world)
    _accepted_for(world)
    answer = ask(world, case="C1", activity="批准", actor="S-A", time="2026-04-11T09:00:00+08:00")
    assert [v["rule"] for v in answer.json()["violations"]] == ["SOD-01"]
    assert _accept(world, "2026-04-11T09:00:00+08:00").json()["decision"] == "deny"


def test_when_more_events_match_than_are_read_the_latest_count(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _accepted_for(world)
    push(world, event("J0", "受理", "2026-03-20T09:00:00+08:00", who="S-B", party="P1",
                      amount=100000))  # fmt: skip
    monkeypatch.setattr(decisions, "RELATED_LIMIT", 1)
    assert _accept(world, "2026-04-11T09:00:00+08:00").json()["decision"] == "deny"
    assert "only the latest 1 related events" in caplog.text


FAMILIARITY = """\
name: 关系
rules:
  - id: CF-06
    template: familiarity
    name: 同一检查人员频繁办理同一纳税人案件
    activities: [调查]
    party: 纳税人
    max_cases: 2
    window_days: 180
"""


def _investigated_twice_by_a(world: World) -> None:
    rule_set(world, FAMILIARITY, name="关系")
    push(
        world,
        event("F1", "调查", "2026-01-05T09:00:00+08:00", who="S-A", 纳税人="T1"),
        event("F2", "调查", "2026-03-05T09:00:00+08:00", who="S-A", 纳税人="T1"),
        event("F9", "调查", "2026-03-06T09:00:00+08:00", who="S-B", 纳税人="T2"),
    )


def test_an_officer_too_familiar_with_a_party_may_not_investigate_again(world: World) -> None:
    _investigated_twice_by_a(world)
    # Named as the source names them: resolved to S-A, whose stored events are under S-A.
    answer = ask(world, case="F3", activity="调查", actor="张三",
                 time="2026-04-01T09:00:00+08:00", data={"纳税人": "T1"})  # fmt: skip
    assert [v["rule"] for v in answer.json()["violations"]] == ["CF-06"]
    other = ask(world, case="F3", activity="调查", actor="S-B",
                time="2026-04-01T09:00:00+08:00", data={"纳税人": "T1"})  # fmt: skip
    assert other.json()["decision"] == "allow"
    later = ask(world, case="F3", activity="调查", actor="S-A",
                time="2026-07-10T09:00:00+08:00", data={"纳税人": "T1"})  # fmt: skip
    assert later.json()["decision"] == "allow"  # F1 is more than 180 days back

"""End to end through the REST API: a business system pushes events that break a rule in force,
the worker turns them into a warning, and the warning is walked through every state of its
lifecycle by the right users, while every wrong user is refused at every step. The preventive
decision API answers the same rule the same way before the step is taken.

Refusals: a user who may see the warning but not take the step gets 403; a user outside its
scope (staff and the head of another county) does not find it at all, 404, as the pages do.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.models import Role, User
from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.tests.rules_kit import rule_set
from sunlight.org.models import Assignment, Staff
from sunlight.warnings.models import Notification, Warning

pytestmark = pytest.mark.django_db
SYSTEM = "zhengguan-system"  # the account the tax collection system pushes with


def _user(world: World, name: str, role: str, *, staff: Staff | None = None) -> User:
    user = User.objects.create_user(name, password=PASSWORD, role=role, staff=staff)
    if name == "head_b":
        user.scope_units.add(world.county_b)
    return user


def _people(world: World) -> dict[str, Client]:
    """Logged-in clients: the world's roles and a few more."""
    _user(world, "staff_b", Role.STAFF, staff=world.staff_b)  # staff of county B
    _user(world, "head_b", Role.HEAD)  # the head of county B
    _user(world, "office2", Role.OFFICE)  # a second member of the office
    clients: dict[str, Client] = {}
    for name in ("staff", "head", "office", "auditor", "staff_b", "head_b", "office2"):
        clients[name] = Client()
        assert clients[name].login(username=name, password=PASSWORD)
    return clients


def _system(world: World) -> Client:
    """A business system authenticates with HTTP basic authentication on every request."""
    _user(world, SYSTEM, Role.OFFICE)
    token = base64.b64encode(f"{SYSTEM}:{PASSWORD}".encode()).decode()
    return Client(headers={"authorization": f"Basic {token}"})


def _event(case: str, activity: str, time: str, who: str, **data: Any) -> dict[str, Any]:
    post, unit = ("PA1", "A1") if who == "S-A" else ("PB1", "B1")
    return {
        "case": case, "activity": activity, "time": f"2026-03-{time}+08:00", "resource": who,
        "post": post, "unit": unit, "process": "减免税审批", "data": data,
    }  # fmt: skip


def _post(client: Client, path: str, data: dict[str, Any] | list[Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type="application/json")


def _work() -> None:
    """One round of the worker, as ``make run`` runs it (``--once``: stop when idle)."""
    call_command("monitoring_worker", "--once")


def _refused(
    clients: dict[str, Client], path: str, data: dict[str, Any], expected: dict[str, int]
) -> None:
    """Each wrong user is refused with the status expected, and the warning stays as it was."""
    before = _state()
    answers = {name: _post(clients[name], path, data).status_code for name in expected}
    assert answers == expected, path
    assert _state() == before, path


def _state() -> tuple[Any, ...]:
    warning = Warning.objects.get()
    return (
        warning.status, warning.outcome, warning.transitions.count(),
        warning.accountabilities.count(), AuditRecord.objects.count(),
    )  # fmt: skip


def test_pushed_events_become_a_warning_walked_to_closure_by_the_right_users(
    world: World,
) -> None:
    rule_set(world)  # SOD-01: 审核与批准不得为同一人, TL-01, TH-01
    system, people = _system(world), _people(world)

    # The tax system pushes a case in which S-A reviews and then approves; one item is broken.
    case = [
        _event("ZG-001", "受理", "02T09:00:00", "S-B"),
        _event("ZG-001", "审核", "02T10:00:00", "S-A"),
        _event("ZG-001", "批准", "02T11:00:00", "S-A", amount=30000),
        _event("ZG-001", "办结", "03T09:00:00", "S-B"),
    ]
    broken = {"case": "ZG-001", "activity": "批准"}  # no time
    pushed = _post(system, "/api/v1/events/", {"source_system": "zg", "events": [*case, broken]})
    assert pushed.status_code == 201, pushed.content
    body = pushed.json()
    assert (body["stored"], body["duplicates"], body["errors"]) == (4, 0, 1)
    assert body["results"][4] == {
        "index": 4, "status": "error", "field": "time", "message": body["results"][4]["message"],
    }  # fmt: skip
    again = _post(system, "/api/v1/events/", {"source_system": "zg", "events": case}).json()
    assert (again["stored"], again["duplicates"]) == (0, 4)  # idempotent by the natural key
    # People push nothing: that is for the business systems' accounts.
    assert _post(people["head"], "/api/v1/events/", case).status_code == 403

    _work()

    # GET the warnings: the person, the verifier, the office and the auditor see it; the other
    # county's people do not.
    counts = {
        name: client.get("/api/v1/warnings/?rule=SOD-01").json()["count"]
        for name, client in people.items()
    }
    assert counts == {
        "staff": 1, "head": 1, "office": 1, "auditor": 1, "staff_b": 0, "head_b": 0, "office2": 1,
    }  # fmt: skip
    [listed] = people["head"].get("/api/v1/warnings/?rule=SOD-01").json()["results"]
    assert Warning.objects.count() == 1  # nothing else in the pushed case breaks a rule
    url = f"/api/v1/warnings/{listed['id']}"
    warning = people["staff"].get(f"{url}/").json()
    assert (warning["cases"], warning["staff"], warning["post"], warning["unit"]) == (
        ["ZG-001"], "S-A", "PA1", "A1",
    )  # fmt: skip
    assert (warning["stage"], warning["severity"], warning["rule_set"]) == (
        "during",
        "high",
        "测试规则",
    )
    assert [(e["activity"], e["staff"]) for e in warning["evidence"]] == [
        ("审核", "S-A"), ("批准", "S-A"),
    ]  # fmt: skip
    # The runner assigned it at once to the head of the person's unit.
    assert (warning["status"], warning["verifier"]) == ("assigned", "head")
    assert [(s["step"], s["by"]) for s in warning["history"]] == [("raise", None), ("assign", None)]

    outsiders = {"staff_b": 404, "head_b": 404}
    # Assigning again is refused to everyone who may not assign; the head (who may) is told
    # the warning is no longer new.
    _refused(people, f"{url}/assign/", {}, {"staff": 403, "auditor": 403, **outsiders})
    assert _post(people["head"], f"{url}/assign/").status_code == 400

    # assigned → responded: only the person answers, with a file.
    data: dict[str, Any] = {"explanation": "受理量大，误用了审批权限"}
    _refused(
        people, f"{url}/respond/", data,
        {"head": 403, "office": 403, "auditor": 403, **outsiders},
    )  # fmt: skip
    upload = SimpleUploadedFile("情况说明.txt", "当日审批岗请假".encode(), "text/plain")
    answer = people["staff"].post(f"{url}/respond/", {**data, "files": [upload]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "responded"

    # The office presses the verifier with a supervision order (督办单); nobody else may.
    data = {"note": "请尽快核实", "days": 2}
    _refused(
        people, f"{url}/supervise/", data,
        {"staff": 403, "head": 403, "auditor": 403, **outsiders},
    )  # fmt: skip
    answer = _post(people["office"], f"{url}/supervise/", data)
    assert answer.status_code == 201, answer.content
    assert (answer.json()["issued_to"], answer.json()["step_status"]) == ("head", "responded")

    # responded → rectifying: the verifier decides; the person cannot judge their own case.
    data = {"outcome": "violation", "note": "审核与批准由同一人完成", "rectify_days": 5}
    _refused(people, f"{url}/decide/", data, {"staff": 403, "auditor": 403, **outsiders})
    answer = _post(people["head"], f"{url}/decide/", data)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["outcome"]) == ("rectifying", "violation")
    [order] = answer.json()["supervision_orders"]
    assert order["resolved_at"] is not None  # the step it pressed for is done

    # rectifying → rectified: the person reports the rectification.
    data = {"report": "已调整审批权限，审核与批准分设两岗"}
    _refused(people, f"{url}/rectify/", data, {"auditor": 403, **outsiders})
    answer = _post(people["staff"], f"{url}/rectify/", data)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "rectified"

    # Accountability for the violation: the office only.
    data = {"measure": "written_review", "reason": "违反岗位分离规定"}
    _refused(
        people, f"{url}/accountability/", data,
        {"staff": 403, "head": 403, "auditor": 403, **outsiders},
    )  # fmt: skip
    answer = _post(people["office"], f"{url}/accountability/", data)
    assert answer.status_code == 201, answer.content
    record = f"/api/v1/accountabilities/{answer.json()['id']}"

    # The person appeals; nobody else may appeal for them.
    data = {"text": "系统权限配置所致，情节轻微"}
    _refused(
        people, f"{record}/appeal/", data,
        {"head": 403, "office": 403, "auditor": 403, **outsiders},
    )  # fmt: skip
    answer = _post(people["staff"], f"{record}/appeal/", data)
    assert answer.status_code == 200, answer.content

    # The ruling: by the office, but not by the member who decided the measure.
    data = {"appeal_outcome": "changed", "final_measure": "education", "note": "从轻处理"}
    _refused(
        people, f"{record}/appeal-decision/", data,
        {"staff": 403, "head": 403, "office": 403, "auditor": 403, **outsiders},
    )  # fmt: skip
    answer = _post(people["office2"], f"{record}/appeal-decision/", data)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["appeal_outcome"], answer.json()["final_measure"]) == (
        "changed", "education",
    )  # fmt: skip

    # rectified → closed: by the verifier, never the person.
    _refused(people, f"{url}/close/", {}, {"staff": 403, "auditor": 403, **outsiders})
    answer = _post(people["head"], f"{url}/close/", {"note": "整改到位"})
    assert answer.status_code == 200, answer.content

    final = people["auditor"].get(f"{url}/").json()
    assert (final["status"], final["outcome"]) == ("closed", "violation")
    assert [(s["step"], s["by"]) for s in final["history"]] == [
        ("raise", None), ("assign", None), ("respond", "staff"), ("supervise", "office"),
        ("decide", "head"),
        ("rectify", "staff"), ("accountability", "office"), ("appeal", "staff"),
        ("appeal_decide", "office2"), ("close", "head"),
    ]  # fmt: skip
    assert final["history"][2]["attachments"][0]["name"] == "情况说明.txt"
    kinds = Notification.objects.filter(user=world.user("staff")).order_by("pk")
    assert list(kinds.values_list("kind", flat=True)) == [
        "respond", "decided", "accountability", "appeal_decided", "closed",
    ]  # fmt: skip
    audited = AuditRecord.objects.filter(action__startswith="warnings.")
    assert list(audited.order_by("pk").values_list("action", flat=True)) == [
        "warnings.warning.raise", "warnings.warning.assign", "warnings.warning.respond",
        "warnings.supervision.issue", "warnings.warning.decide", "warnings.warning.rectify",
        "warnings.accountability.decide", "warnings.accountability.appeal",
        "warnings.accountability.appeal_decide", "warnings.warning.close",
    ]  # fmt: skip


def test_a_head_cannot_verify_a_warning_about_themselves(world: World) -> None:
    """The head of county A also holds a post: their own warning goes to the office."""
    rule_set(world)
    head_staff = Staff.objects.create(staff_no="S-H", name="王五", unit=world.dept_a1)
    Assignment.objects.create(staff=head_staff, post=world.post_a2, start=dt.date(2020, 1, 1))
    head = world.user("head")
    head.staff = head_staff
    head.save(update_fields=["staff"])
    system, people = _system(world), _people(world)
    events = [
        {**_event("ZG-002", "审核", "04T10:00:00", "S-A"), "resource": "S-H", "post": "PA2"},
        {**_event("ZG-002", "批准", "04T11:00:00", "S-A"), "resource": "S-H", "post": "PA2"},
    ]
    assert _post(system, "/api/v1/events/", events).json()["stored"] == 2
    _work()

    [warning] = people["head"].get("/api/v1/warnings/?rule=SOD-01").json()["results"]
    assert (warning["staff"], warning["verifier"], warning["verifier_is_office"]) == (
        "S-H", None, True,
    )  # fmt: skip
    url = f"/api/v1/warnings/{warning['id']}"
    data = {"outcome": "unfounded", "note": "本人认为无问题"}
    _refused(people, f"{url}/decide/", data, {"head": 403, "staff": 404, "head_b": 404})
    answer = _post(people["office"], f"{url}/decide/", {**data, "note": "核实属实"})
    assert answer.status_code == 200, answer.content


def test_the_decision_api_answers_as_the_monitor_raises(world: World) -> None:
    """Before the step: deny exactly when the monitor would raise the rule after it."""
    rule_set(world)
    system, people = _system(world), _people(world)
    reviewed = [_event(c, "受理", "09T09:00:00", "S-B") for c in ("ZG-010", "ZG-011")] + [
        _event(c, "审核", "09T10:00:00", "S-A") for c in ("ZG-010", "ZG-011")
    ]
    assert _post(system, "/api/v1/events/", reviewed).json()["stored"] == 4

    def ask(client: Client, case: str, actor: str, **data: Any) -> Any:
        # Described as the system will push the step: who, in which post and unit, when.
        step = _event(case, "批准", "09T11:00:00", actor, **data)
        intent = {"actor": actor, **{k: step[k] for k in ("case", "activity", "time", "post",
                                                          "unit", "process", "data")}}  # fmt: skip
        return _post(client, "/api/v1/decisions/", intent)

    denied = ask(system, "ZG-010", "S-A", amount=30000)
    allowed = ask(system, "ZG-011", "S-B", amount=30000)
    assert denied.status_code == allowed.status_code == 200, denied.content
    assert (denied.json()["decision"], allowed.json()["decision"]) == ("deny", "allow")
    [violation] = denied.json()["violations"]
    assert allowed.json()["violations"] == []
    # People and auditors do not ask: the business systems do.
    assert ask(people["staff"], "ZG-010", "S-A").status_code == 403
    assert ask(people["auditor"], "ZG-010", "S-A").status_code == 403

    # The system commits both steps anyway; the monitor raises for the denied one only, with
    # the same rule, severity and explanation.
    steps = [
        _event("ZG-010", "批准", "09T11:00:00", "S-A", amount=30000),
        _event("ZG-011", "批准", "09T11:00:00", "S-B", amount=30000),
    ]
    assert _post(system, "/api/v1/events/", steps).json()["stored"] == 2
    _work()
    [raised] = people["office"].get("/api/v1/warnings/?rule=SOD-01").json()["results"]
    assert (raised["cases"], raised["rule"], raised["severity"]) == (
        ["ZG-010"], violation["rule"], violation["severity"],
    )  # fmt: skip
    assert raised["explanation_zh"] == violation["message_zh"]
    listed = people["office"].get("/api/v1/decisions/").json()["results"]
    assert sorted((d["case_ref"], d["decision"]) for d in listed) == [
        ("ZG-010", "deny"), ("ZG-011", "allow"),
    ]  # fmt: skip

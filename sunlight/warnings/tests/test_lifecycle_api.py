"""A warning walked through every state through the API by the right users, and refused to the
wrong ones (staff of another unit, the auditor, the person judging themselves …)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.warnings.models import Attachment, Notification, Status, Warning
from sunlight.warnings.tests.kit import client_for, raised

API = "/api/v1/warnings"


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type="application/json")


def test_a_warning_is_walked_through_every_state_by_the_right_users(world: World) -> None:
    warning = raised(world, assign=False)
    staff, head = client_for(world, "staff"), client_for(world, "head")
    office, admin = client_for(world, "office"), client_for(world, "admin")
    url = f"{API}/{warning.pk}"
    assert staff.get(f"{url}/").json()["status"] == "new"

    # new → assigned: the head of the person's unit assigns (Sunlight chooses the verifier).
    assert post(staff, f"{url}/assign/").status_code == 403  # the person cannot pick a judge
    answer = post(head, f"{url}/assign/", {"note": "请说明"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["verifier"]) == ("assigned", "head")

    # assigned → responded: only the person, with files.
    assert post(head, f"{url}/respond/", {"explanation": "代答"}).status_code == 403
    upload = SimpleUploadedFile("说明.txt", "受理后由系统自动批准".encode(), "text/plain")
    answer = staff.post(f"{url}/respond/", {"explanation": "系统自动批准", "files": [upload]})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "responded"
    assert body["history"][-1]["attachments"][0]["name"] == "说明.txt"
    assert Attachment.objects.get().file.read() == "受理后由系统自动批准".encode()

    # responded → rectifying: the verifier decides; the person cannot judge their own case.
    decision = {"outcome": "violation", "note": "违反岗位分离", "rectify_days": 5}
    assert post(staff, f"{url}/decide/", decision).status_code == 403
    answer = post(head, f"{url}/decide/", decision)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["outcome"]) == ("rectifying", "violation")
    assert answer.json()["rectify_due"] is not None

    # rectifying → rectified: the person reports.
    answer = post(staff, f"{url}/rectify/", {"report": "已调整审批权限"})
    assert answer.json()["status"] == "rectified"

    # A violation is not closed before accountability is decided, and only the office decides it.
    refused = post(head, f"{url}/close/")
    assert refused.status_code == 400
    assert list(refused.json()) == ["status"]
    assert Warning.objects.get().status == Status.RECTIFIED
    assert (
        post(head, f"{url}/accountability/", {"measure": "education", "reason": "x"}).status_code
        == 403
    )
    answer = post(
        office, f"{url}/accountability/", {"measure": "written_review", "reason": "违反规定"}
    )
    assert answer.status_code == 201, answer.content
    record = answer.json()
    assert (record["measure"], record["decided_by"], record["staff"]) == (
        "written_review", "office", "S-A",
    )  # fmt: skip

    # rectified → closed: by the verifier, not the person.
    assert post(staff, f"{url}/close/").status_code == 403
    answer = post(head, f"{url}/close/", {"note": "整改到位"})
    assert answer.json()["status"] == "closed"
    assert answer.json()["closed_at"] is not None

    # The person appeals, once; someone other than who decided the measure rules on it.
    acc = f"/api/v1/accountabilities/{record['id']}"
    assert post(head, f"{acc}/appeal/", {"text": "x"}).status_code == 403
    assert post(staff, f"{acc}/appeal/", {"text": "情节轻微"}).status_code == 200
    assert post(staff, f"{acc}/appeal/", {"text": "再申诉"}).status_code == 400
    ruling = {"appeal_outcome": "changed", "final_measure": "education", "note": "从轻"}
    assert post(office, f"{acc}/appeal-decision/", ruling).status_code == 403
    answer = post(admin, f"{acc}/appeal-decision/", ruling)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["appeal_outcome"], answer.json()["final_measure"]) == (
        "changed", "education",
    )  # fmt: skip

    history = [step["step"] for step in staff.get(f"{url}/").json()["history"]]
    assert history == [
        "raise", "assign", "respond", "decide", "rectify", "accountability", "close", "appeal",
        "appeal_decide",
    ]  # fmt: skip
    audited = set(
        AuditRecord.objects.filter(action__startswith="warnings.").values_list("action", flat=True)
    )
    assert {
        "warnings.warning.raise", "warnings.warning.assign", "warnings.warning.respond",
        "warnings.warning.decide", "warnings.warning.rectify", "warnings.warning.close",
        "warnings.accountability.decide", "warnings.accountability.appeal",
        "warnings.accountability.appeal_decide",
    } <= audited  # fmt: skip
    kinds = list(
        Notification.objects.filter(user=world.user("staff"))
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["respond", "decided", "accountability", "closed", "appeal_decided"]


def test_an_unfounded_warning_closes_at_the_decision(world: World) -> None:
    warning = raised(world)
    head = client_for(world, "head")

    answer = post(head, f"{API}/{warning.pk}/decide/", {"outcome": "unfounded", "note": "有授权"})

    assert answer.json()["status"] == "closed"
    assert answer.json()["due_date"] is None
    # Nothing to hold anyone accountable for.
    office = client_for(world, "office")
    refused = post(
        office, f"{API}/{warning.pk}/accountability/", {"measure": "education", "reason": "x"}
    )
    assert refused.status_code == 400


def test_outsiders_and_the_auditor_are_refused(world: World) -> None:
    warning = raised(world)
    url = f"{API}/{warning.pk}"
    leader, auditor = client_for(world, "leader"), client_for(world, "auditor")

    # The leader of county B does not even find county A's warning.
    assert leader.get(f"{url}/").status_code == 404
    assert post(leader, f"{url}/decide/", {"outcome": "unfounded", "note": "x"}).status_code == 404
    # The auditor reads everything and writes nothing.
    assert auditor.get(f"{url}/").status_code == 200
    for step, data in [
        ("decide", {"outcome": "unfounded", "note": "x"}),
        ("supervise", {}),
        ("close", {}),
        ("accountability", {"measure": "education", "reason": "x"}),
    ]:
        assert post(auditor, f"{url}/{step}/", data).status_code == 403, step
    assert Warning.objects.get().status == Status.ASSIGNED


def test_a_step_out_of_turn_is_a_clear_400(world: World) -> None:
    warning = raised(world)
    staff = client_for(world, "staff")

    answer = post(staff, f"{API}/{warning.pk}/rectify/", {"report": "x"})

    assert answer.status_code == 400
    assert list(answer.json()) == ["status"]
    assert Warning.objects.get().status == Status.ASSIGNED


def test_a_warning_of_a_unit_without_head_is_verified_by_the_office(world: World) -> None:
    warning = raised(world, officer="S-B", post="PB1", unit="B1")
    head, office = client_for(world, "head"), client_for(world, "office")
    assert warning.verifier_is_office

    assert (
        post(head, f"{API}/{warning.pk}/decide/", {"outcome": "justified", "note": "x"}).status_code
        == 404
    )
    answer = post(office, f"{API}/{warning.pk}/decide/", {"outcome": "justified", "note": "属实"})

    assert answer.json()["status"] == "rectifying"


def test_the_office_issues_a_supervision_order_and_a_head_may_not(world: World) -> None:
    warning = raised(world)
    head, office = client_for(world, "head"), client_for(world, "office")

    assert post(head, f"{API}/{warning.pk}/supervise/", {}).status_code == 403
    answer = post(office, f"{API}/{warning.pk}/supervise/", {"note": "限期办理", "days": 2})

    assert answer.status_code == 201, answer.content
    assert (answer.json()["issued_to"], answer.json()["step_status"]) == ("head", "assigned")
    # The same missed deadline gets one order.
    assert post(office, f"{API}/{warning.pk}/supervise/", {}).status_code == 400


def test_lists_filter_by_status_stage_rule_unit_and_month(world: World) -> None:
    raised(world, "C1")
    raised(world, "C2", rule="late", officer="S-B", post="PB1", unit="B1")
    office = client_for(world, "office")

    def ids(query: str) -> int:
        count: int = office.get(f"{API}/?{query}").json()["count"]
        return count

    assert ids("") == 2
    assert ids("rule=late") == 1
    assert ids("unit=A") == 1  # county A and the units below it
    assert ids("unit=C") == 2
    assert ids("stage=after&status=assigned") == 2
    assert ids("month=2026-03") == 2
    assert ids("month=2026-04") == 0
    assert ids("staff=S-B") == 1
    stats = office.get(f"{API}/statistics/").json()
    assert (stats["total"], stats["by_rule"], stats["by_stage"]) == (
        2, {"four_eyes": 1, "late": 1}, {"after": 2},
    )  # fmt: skip
    assert stats["by_month"] == {"2026-03": 2}


def test_notifications_are_listed_and_marked_read(world: World) -> None:
    raised(world)
    head = client_for(world, "head")

    listed = head.get("/api/v1/notifications/").json()
    assert [n["kind"] for n in listed["results"]] == ["assigned"]
    assert post(head, "/api/v1/notifications/read/", {}).json() == {"marked": 1}
    assert head.get("/api/v1/notifications/").json()["results"][0]["read_at"] is not None


def test_the_response_deadline_counts_working_days(world: World) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    warning = raised(world, now=dt.datetime(2026, 9, 30, 10, tzinfo=beijing))

    # 5 working days after 09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert warning.due_date == dt.date(2026, 10, 13)

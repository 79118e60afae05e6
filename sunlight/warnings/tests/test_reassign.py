"""Reassigning a warning's verifier: by the office or a head of its unit, to someone who may
verify it, before the decision; history, audit, notifications and a fresh decision deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from sunlight.audit.models import AuditRecord
from sunlight.core.models import Role, User
from sunlight.core.testing import PASSWORD, World
from sunlight.org.models import Unit
from sunlight.warnings import actions
from sunlight.warnings.models import Notification, Status, Step, Warning
from sunlight.warnings.tests.kit import BEIJING, client_for, raised


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def head_of(unit: Unit, name: str) -> User:
    head = User.objects.create_user(name, password=PASSWORD, role=Role.HEAD)
    head.scope_units.add(unit)
    return head


def kinds(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data, content_type="application/json")


def test_the_office_gives_a_warning_to_another_head_over_its_unit(world: World) -> None:
    warning = raised(world)
    old, new, office = world.user("head"), head_of(world.city, "city_head"), world.user("office")
    moment = at(dt.date(2026, 3, 3))

    actions.warning_reassign(by=office, warning=warning, verifier=new, reason="回避", now=moment)

    warning.refresh_from_db()
    assert (warning.verifier, warning.verifier_is_office, warning.status) == (
        new, False, Status.ASSIGNED,
    )  # fmt: skip
    step = warning.transitions.get(step=Step.REASSIGN)
    assert (step.by, step.note, step.from_status, step.to_status, step.at) == (
        office, "回避", Status.ASSIGNED, Status.ASSIGNED, moment,
    )  # fmt: skip
    record = AuditRecord.objects.get(action="warnings.warning.reassign")
    assert (record.actor, record.object_id) == (office, str(warning.pk))
    before, after = record.before or {}, record.after or {}
    assert (before.get("verifier"), after.get("verifier")) == (old.pk, new.pk)
    assert after.get("note") == "回避"
    assert kinds(new) == ["assigned"]
    assert kinds(old) == ["assigned", "reassigned"]
    # The old head no longer decides it; the new one does.
    with pytest.raises(PermissionDenied):
        actions.warning_decide(by=old, warning=warning, outcome="unfounded", note="x")
    actions.warning_decide(by=new, warning=warning, outcome="unfounded", note="无问题")


def test_a_head_of_the_unit_hands_a_warning_to_the_office(world: World) -> None:
    warning = raised(world)
    head, office = world.user("head"), world.user("office")

    actions.warning_reassign(by=head, warning=warning, verifier=office, reason="涉及本人")

    warning.refresh_from_db()
    assert (warning.verifier, warning.verifier_is_office) == (office, True)
    assert kinds(office) == ["assigned"]
    assert kinds(head)[-1] == "reassigned"
    # From the office as a whole back to a head: every office user is told it left them.
    admin = world.user("admin")
    actions.warning_reassign(by=admin, warning=warning, verifier=head, reason="退回科室")
    assert kinds(office) == ["assigned", "reassigned"]
    assert kinds(head)[-1] == "assigned"


@pytest.mark.parametrize("who", ["staff", "leader", "auditor", "head_b"])
def test_others_may_not_reassign(world: World, who: str) -> None:
    warning = raised(world)
    by = head_of(world.county_b, "head_b") if who == "head_b" else world.user(who)

    with pytest.raises(PermissionDenied):
        actions.warning_reassign(by=by, warning=warning, verifier=world.user("office"), reason="x")

    assert not warning.transitions.filter(step=Step.REASSIGN).exists()


def test_nothing_is_reassigned_after_the_decision(world: World) -> None:
    warning = raised(world)
    head = world.user("head")
    actions.warning_decide(by=head, warning=warning, outcome="justified", note="属实")

    with pytest.raises(ValidationError) as refused:
        actions.warning_reassign(
            by=world.user("office"), warning=warning, verifier=world.user("office"), reason="x"
        )

    assert list(refused.value.message_dict) == ["status"]
    assert Warning.objects.get().verifier == head


def test_the_new_verifier_must_be_one_who_may_verify_it(world: World) -> None:
    warning = raised(world)
    office = world.user("office")
    inactive = head_of(world.county_a, "retired")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    person = world.user("staff")
    refused = [
        person,  # the person cannot judge themselves
        world.user("leader"),  # a leader is not a verifier
        head_of(world.county_b, "head_b"),  # a head, but not over this unit
        inactive,
        world.user("head"),  # the verifier already
        None,  # no such user
    ]

    for verifier in refused:
        with pytest.raises(ValidationError) as error:
            actions.warning_reassign(by=office, warning=warning, verifier=verifier, reason="x")
        assert list(error.value.message_dict) == ["verifier"], verifier

    with pytest.raises(ValidationError) as error:
        actions.warning_reassign(by=office, warning=warning, verifier=office, reason=" ")
    assert list(error.value.message_dict) == ["reason"]


def test_a_leaders_own_warning_stays_with_the_office(world: World) -> None:
    staff, leader = world.user("staff"), world.user("leader")
    staff.staff = None
    staff.save(update_fields=["staff"])
    leader.staff = world.staff_a
    leader.save(update_fields=["staff"])
    warning = raised(world)
    assert warning.verifier_is_office  # choose_verifier sent it to the office

    with pytest.raises(ValidationError) as error:
        actions.warning_reassign(
            by=world.user("office"), warning=warning, verifier=world.user("head"), reason="x"
        )

    assert list(error.value.message_dict) == ["verifier"]


def test_the_decision_deadline_restarts_from_the_reassignment(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 9, 24)))
    actions.warning_respond(
        by=world.user("staff"), warning=warning, explanation="已说明", now=at(dt.date(2026, 9, 24))
    )
    warning.refresh_from_db()
    # 5 working days after 09-24: 09-28, 09-29, 09-30 (09-25 is Mid-Autumn), 10-08, 10-09.
    assert warning.due_date == dt.date(2026, 10, 9)

    actions.warning_reassign(
        by=world.user("office"), warning=warning, verifier=head_of(world.city, "city_head"),
        reason="回避", now=at(dt.date(2026, 9, 30)),
    )  # fmt: skip

    warning.refresh_from_db()
    # 5 working days after 09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert warning.due_date == dt.date(2026, 10, 13)
    assert warning.transitions.get(step=Step.REASSIGN).due_date == dt.date(2026, 10, 13)


def test_the_persons_response_deadline_stays_when_the_verifier_changes(world: World) -> None:
    warning = raised(world, now=at(dt.date(2026, 3, 2)))
    assert warning.due_date == dt.date(2026, 3, 9)

    actions.warning_reassign(
        by=world.user("office"), warning=warning, verifier=world.user("office"), reason="x",
        now=at(dt.date(2026, 3, 5)),
    )  # fmt: skip

    warning.refresh_from_db()
    assert warning.due_date == dt.date(2026, 3, 9)


def test_reassign_through_the_api(world: World) -> None:
    warning = raised(world)
    url = f"/api/v1/warnings/{warning.pk}/reassign/"
    new = head_of(world.city, "city_head")
    staff, head = client_for(world, "staff"), client_for(world, "head")

    assert post(staff, url, {"verifier": new.pk, "reason": "x"}).status_code == 403
    bad = post(head, url, {"verifier": world.user("leader").pk, "reason": "x"})
    assert (bad.status_code, list(bad.json())) == (400, ["verifier"])
    missing = post(head, url, {"verifier": 999999, "reason": "x"})
    assert (missing.status_code, list(missing.json())) == (400, ["verifier"])
    no_reason = post(head, url, {"verifier": new.pk})
    assert (no_reason.status_code, list(no_reason.json())) == (400, ["reason"])

    answer = post(head, url, {"verifier": new.pk, "reason": "回避"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["verifier"], body["verifier_is_office"]) == ("city_head", False)
    assert body["history"][-1]["step"] == "reassign"
    assert body["history"][-1]["note"] == "回避"


def test_reassign_on_the_page(world: World) -> None:
    warning = raised(world)
    new = head_of(world.city, "city_head")
    url = f"/warnings/{warning.pk}/"
    head, staff = client_for(world, "head"), client_for(world, "staff")
    page = head.get(url).content.decode()
    assert 'data-step="reassign"' in page
    assert f'<option value="{new.pk}">' in page
    assert f'<option value="{world.user("head").pk}">' not in page  # the verifier already
    assert 'data-step="reassign"' not in staff.get(url).content.decode()

    assert staff.post(f"{url}reassign/", {"verifier": new.pk, "reason": "x"}).status_code == 403
    answer = head.post(f"{url}reassign/", {"verifier": new.pk, "reason": "回避"})

    assert answer.status_code == 302
    warning.refresh_from_db()
    assert warning.verifier == new
    history = head.get(url).content.decode()
    assert 'data-step="reassign"' in history  # the step in the history

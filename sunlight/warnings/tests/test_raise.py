"""Raising warnings from findings: stored once, traced to person, post, unit, cases, evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from controls.events import Stage
from sunlight.audit.models import AuditRecord
from sunlight.core.models import Role, User
from sunlight.core.testing import World
from sunlight.monitoring.models import Case
from sunlight.org.models import Assignment, Staff
from sunlight.warnings import actions
from sunlight.warnings.models import Status, Step, Warning
from sunlight.warnings.tests.kit import BEIJING, finding, push_case


def test_a_finding_becomes_one_assigned_warning_with_its_evidence(world: World) -> None:
    events = push_case(world, "C1")

    result = actions.raise_warnings([finding(events)], rule_set="demo")

    assert (result.new, result.known) == (1, 0)
    warning = Warning.objects.get()
    assert (warning.rule, warning.rule_set, warning.stage, warning.severity) == (
        "four_eyes", "demo", "after", "high",
    )  # fmt: skip
    assert (warning.staff, warning.post, warning.unit) == (
        world.staff_a, world.post_a1, world.dept_a1,
    )  # fmt: skip
    assert [c.external_id for c in warning.cases.all()] == ["C1"]
    assert sorted(e.pk for e in warning.evidence.all()) == sorted(e.pk for e in events)
    assert warning.explanation_zh == "同一人既受理又批准"
    assert warning.unresolved == {}
    assert warning.status == Status.ASSIGNED
    assert warning.verifier == world.user("head")
    assert list(warning.transitions.values_list("step", flat=True)) == [Step.RAISE, Step.ASSIGN]
    actions_audited = AuditRecord.objects.filter(
        object_type="warnings.warning", object_id=str(warning.pk)
    ).values_list("action", flat=True)
    assert sorted(actions_audited) == ["warnings.warning.assign", "warnings.warning.raise"]


def test_the_same_finding_raised_twice_is_stored_once(world: World) -> None:
    events = push_case(world, "C1")
    first = actions.raise_warnings([finding(events), finding(events)])

    again = actions.raise_warnings([finding(events), finding(events, key="second step")])

    assert (first.new, first.known) == (1, 0)
    assert (again.new, again.known) == (1, 1)
    assert Warning.objects.count() == 2


def test_a_finding_stored_meanwhile_by_another_runner_counts_as_known(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = push_case(world, "C1")
    actions.raise_warnings([finding(events)])
    # As if the other runner committed between our look-up and our insert.
    monkeypatch.setattr(actions, "_existing_ids", lambda ids: set())

    result = actions.raise_warnings([finding(events)])

    assert (result.new, result.known) == (0, 1)
    assert Warning.objects.count() == 1


def test_an_unknown_officer_is_traced_to_who_held_the_post_that_day(world: World) -> None:
    before = Staff.objects.create(staff_no="S-C", name="王五", unit=world.dept_a1)
    after = Staff.objects.create(staff_no="S-D", name="赵六", unit=world.dept_a1)
    Assignment.objects.create(staff=before, post=world.post_a2, start=dt.date(2020, 1, 1),
                              end=dt.date(2025, 12, 31))  # fmt: skip
    Assignment.objects.create(staff=after, post=world.post_a2, start=dt.date(2026, 1, 1))
    old = push_case(world, "C1", officer="临时工号9", post="PA2", day=dt.date(2025, 6, 2))
    new = push_case(world, "C2", officer="临时工号9", post="PA2", day=dt.date(2026, 3, 2))

    actions.raise_warnings([finding(old), finding(new)])

    by_case = {w.cases.get().external_id: w for w in Warning.objects.all()}
    assert (by_case["C1"].staff, by_case["C2"].staff) == (before, after)
    assert by_case["C1"].post == world.post_a2
    assert by_case["C1"].source_resource == "临时工号9"
    assert by_case["C1"].unresolved == {}


def test_without_a_named_officer_or_post_the_evidence_officer_is_responsible(
    world: World,
) -> None:
    events = push_case(world, "C1")

    actions.raise_warnings([finding(events, resource="", post="", unit="")])

    warning = Warning.objects.get()
    assert (warning.staff, warning.post, warning.unit) == (
        world.staff_a, world.post_a1, world.dept_a1,
    )  # fmt: skip


def test_what_cannot_be_resolved_is_recorded_and_the_warning_kept(world: World) -> None:
    events = push_case(world, "C1", officer="路人", post="无此岗", unit="无此单位")
    ghost = finding(events, resource="路人", post="无此岗", unit="无此单位")
    lost = finding(events, rule="late", events=(), cases=("C1", "NO-SUCH-CASE"))

    actions.raise_warnings([ghost, lost])

    warning = Warning.objects.get(rule="four_eyes")
    assert (warning.staff, warning.post, warning.unit) == (None, None, None)
    assert warning.unresolved == {"staff": "路人", "post": "无此岗", "unit": "无此单位"}
    # Nobody to route it to: the office verifies.
    assert (warning.verifier, warning.verifier_is_office) == (None, True)
    late = Warning.objects.get(rule="late")
    assert [c.external_id for c in late.cases.all()] == ["C1"]
    assert late.unresolved["cases"] == ["NO-SUCH-CASE"]


def test_missing_evidence_rows_are_listed(world: World) -> None:
    events = push_case(world, "C1")
    broken = finding(events)
    gone = [*broken.events[:1], broken.events[1].__class__(
        case="C1", activity="x", time=broken.time, index=10**9,
    )]  # fmt: skip

    actions.raise_warnings([finding(events, events=tuple(gone))])

    warning = Warning.objects.get()
    assert warning.unresolved == {"events": [10**9]}
    assert warning.evidence.count() == 1


def test_a_case_number_in_two_systems_is_taken_from_the_evidence(world: World) -> None:
    events = push_case(world, "C1")
    Case.objects.create(source_system="other", external_id="C1")

    actions.raise_warnings([finding(events), finding(events, rule="late", events=())])

    assert Warning.objects.get(rule="four_eyes").cases.get() == events[0].case
    late = Warning.objects.get(rule="late")
    assert late.cases.count() == 0
    assert late.unresolved["cases"] == ["C1"]


def test_a_leaders_own_warning_goes_to_the_office(world: World) -> None:
    staff = world.user("staff")
    staff.staff = None
    staff.save(update_fields=["staff"])
    leader = world.user("leader")
    leader.staff = world.staff_a
    leader.save(update_fields=["staff"])
    events = push_case(world, "C1")

    actions.raise_warnings([finding(events)])

    assert Warning.objects.get().verifier_is_office


def test_a_finding_without_assignment_stays_new(world: World) -> None:
    events = push_case(world, "C1")

    actions.raise_warnings([finding(events, stage=Stage.BEFORE)], assign=False)

    warning = Warning.objects.get()
    assert (warning.status, warning.stage, warning.verifier) == (Status.NEW, "before", None)
    assert warning.found_at == dt.datetime(2026, 3, 2, 11, tzinfo=BEIJING)


def test_the_closest_head_verifies_and_a_head_above_covers_units_without_one(
    world: World,
) -> None:
    city_head = User.objects.create_user("cityhead", role=Role.HEAD)
    city_head.scope_units.add(world.city)
    a = push_case(world, "C1")
    b = push_case(world, "C2", officer="S-B", post="PB1", unit="B1")

    actions.raise_warnings([finding(a), finding(b)])

    verifiers = {w.cases.get().external_id: w.verifier for w in Warning.objects.all()}
    assert verifiers == {"C1": world.user("head"), "C2": city_head}


def test_a_verifier_may_be_named_but_only_one_who_can_verify(world: World) -> None:
    events = push_case(world, "C1")
    actions.raise_warnings([finding(events)], assign=False)
    warning = Warning.objects.get()

    with pytest.raises(ValidationError):
        actions.warning_assign(
            by=world.user("head"), warning=warning, verifier=world.user("leader")
        )
    with pytest.raises(PermissionDenied):
        actions.warning_assign(by=world.user("staff"), warning=warning)
    actions.warning_assign(by=world.user("head"), warning=warning, verifier=world.user("office"))

    warning.refresh_from_db()
    assert (warning.status, warning.verifier_is_office) == (Status.ASSIGNED, True)
    with pytest.raises(ValidationError):
        actions.warning_assign(by=world.user("office"), warning=warning)  # not new any more

"""Duties: drafted by the post holder (or their head), approved head → leader → personnel."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Duty, DutyReview, DutyStatus, Post, ReviewDecision

TEXT = "负责辖区纳税人户籍管理，按月开展税源巡查并形成巡查记录。"


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def at_status(post: Post, status: str) -> Duty:
    """A duty of ``post`` walked by the system to ``status`` along the real ladder."""
    duty = actions.duty_draft(by=None, post=post, text=TEXT)
    if status == DutyStatus.DRAFT:
        return duty
    actions.duty_submit(by=None, duty=duty)
    if status == DutyStatus.RETURNED:
        return actions.duty_return(by=None, duty=duty, comment="表述不清")
    for stage in [DutyStatus.HEAD_REVIEW, DutyStatus.LEADER_REVIEW, DutyStatus.PERSONNEL_REVIEW]:
        if duty.status == status:
            return duty
        assert duty.status == stage
        actions.duty_approve(by=None, duty=duty)
    assert duty.status == status
    return duty


def test_holder_drafts_with_next_number(world: World) -> None:
    staff = world.user("staff")
    first = actions.duty_draft(by=staff, post=world.post_a1, text=TEXT, power_type="execute")
    second = actions.duty_draft(by=staff, post=world.post_a1, text="负责纳税评估。")
    assert (first.seq, second.seq) == (1, 2)
    assert first.status == DutyStatus.DRAFT
    assert first.drafted_by == world.staff_a
    record = last_audit()
    assert record.action == "org.duty.draft"
    assert record.after["seq"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("role", "post", "allowed"),
    [
        ("staff", "post_a1", True),  # holds it
        ("staff", "post_a2", False),  # same unit, not held
        ("staff", "post_b1", False),
        ("head", "post_a2", True),  # in the head's subtree
        ("head", "post_b1", False),
        ("leader", "post_b1", False),  # leaders approve, they do not draft
        ("office", "post_b1", True),
        ("admin", "post_a1", True),
        ("auditor", "post_a1", False),
    ],
)
def test_who_drafts(world: World, role: str, post: str, allowed: bool) -> None:
    target = getattr(world, post)
    if allowed:
        assert actions.duty_draft(by=world.user(role), post=target, text=TEXT).pk
    else:
        with pytest.raises(PermissionDenied):
            actions.duty_draft(by=world.user(role), post=target, text=TEXT)
        assert not Duty.objects.exists()


def test_empty_text_names_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.duty_draft(by=world.user("staff"), post=world.post_a1, text="")
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.duty_draft(by=world.user("staff"), post=world.post_a1, text=TEXT, power_type="x")
    assert "power_type" in exc.value.message_dict


def test_full_ladder(world: World) -> None:
    """Each step by the right person; each writes one review and one audit row."""
    world.user("leader").scope_units.add(world.county_a)
    duty = actions.duty_draft(by=world.user("staff"), post=world.post_a1, text=TEXT)
    count = AuditRecord.objects.count()
    actions.duty_submit(by=world.user("staff"), duty=duty, comment="请审核")
    assert duty.status == DutyStatus.HEAD_REVIEW
    actions.duty_approve(by=world.user("head"), duty=duty)
    assert duty.status == DutyStatus.LEADER_REVIEW
    actions.duty_approve(by=world.user("leader"), duty=duty, comment="同意")
    assert duty.status == DutyStatus.PERSONNEL_REVIEW
    actions.duty_approve(by=world.user("admin"), duty=duty)
    duty.refresh_from_db()
    assert duty.status == DutyStatus.CONFIRMED
    reviews = list(duty.reviews.values_list("stage", "decision", "by__username", "comment"))
    assert reviews == [
        (DutyStatus.DRAFT, ReviewDecision.SUBMIT, "staff", "请审核"),
        (DutyStatus.HEAD_REVIEW, ReviewDecision.APPROVE, "head", ""),
        (DutyStatus.LEADER_REVIEW, ReviewDecision.APPROVE, "leader", "同意"),
        (DutyStatus.PERSONNEL_REVIEW, ReviewDecision.APPROVE, "admin", ""),
    ]
    records = list(AuditRecord.objects.order_by("id"))[count:]
    assert [r.action for r in records] == ["org.duty.submit"] + ["org.duty.approve"] * 3
    assert [r.actor_name for r in records] == ["staff", "head", "leader", "admin"]
    assert records[2].after["comment"] == "同意"  # type: ignore[index]
    assert records[-1].after["status"] == DutyStatus.CONFIRMED  # type: ignore[index]


@pytest.mark.parametrize("role", ["office", "admin"])
def test_the_head_step_is_the_heads(world: World, role: str) -> None:
    """Managers take the personnel step, not the head's: the ladder cannot be skipped."""
    duty = at_status(world.post_a1, DutyStatus.HEAD_REVIEW)
    with pytest.raises(PermissionDenied):
        actions.duty_approve(by=world.user(role), duty=duty)


@pytest.mark.parametrize(
    ("status", "role", "post", "allowed"),
    [
        (DutyStatus.HEAD_REVIEW, "head", "post_a1", True),
        (DutyStatus.HEAD_REVIEW, "head", "post_b1", False),  # other county
        (DutyStatus.HEAD_REVIEW, "leader", "post_b1", False),  # not the leader's stage
        (DutyStatus.HEAD_REVIEW, "staff", "post_a1", False),
        (DutyStatus.LEADER_REVIEW, "leader", "post_b1", True),
        (DutyStatus.LEADER_REVIEW, "leader", "post_a1", False),
        (DutyStatus.LEADER_REVIEW, "head", "post_a1", False),
        (DutyStatus.PERSONNEL_REVIEW, "office", "post_a1", True),
        (DutyStatus.PERSONNEL_REVIEW, "admin", "post_b1", True),
        (DutyStatus.PERSONNEL_REVIEW, "leader", "post_b1", False),
        (DutyStatus.PERSONNEL_REVIEW, "auditor", "post_b1", False),
    ],
)
def test_who_reviews_each_stage(
    world: World, status: str, role: str, post: str, allowed: bool
) -> None:
    duty = at_status(getattr(world, post), status)
    user = world.user(role)
    for verb in ("approve", "return"):
        duty.refresh_from_db()
        if duty.status != status:  # an allowed approve moved it on: walk a fresh one
            duty = at_status(getattr(world, post), status)
        act = actions.duty_approve if verb == "approve" else actions.duty_return
        if allowed:
            act(by=user, duty=duty, comment="意见")
            assert duty.status != status
        else:
            with pytest.raises(PermissionDenied):
                act(by=user, duty=duty, comment="意见")
            duty.refresh_from_db()
            assert duty.status == status


def test_return_requires_a_comment(world: World) -> None:
    duty = at_status(world.post_a1, DutyStatus.HEAD_REVIEW)
    with pytest.raises(ValidationError) as exc:
        actions.duty_return(by=world.user("head"), duty=duty, comment="  ")
    assert "comment" in exc.value.message_dict
    assert duty.reviews.count() == 1


def test_returned_duty_is_revised_and_resubmitted(world: World) -> None:
    duty = at_status(world.post_a1, DutyStatus.HEAD_REVIEW)
    actions.duty_return(by=world.user("head"), duty=duty, comment="请写明巡查频次")
    assert duty.status == DutyStatus.RETURNED
    review = DutyReview.objects.filter(duty=duty).last()
    assert review is not None
    assert (review.stage, review.decision, review.comment) == (
        DutyStatus.HEAD_REVIEW,
        ReviewDecision.RETURN,
        "请写明巡查频次",
    )
    assert last_audit().action == "org.duty.return"

    actions.duty_update(by=world.user("staff"), duty=duty, text=TEXT + "每月至少一次。")
    assert last_audit().action == "org.duty.update"
    actions.duty_submit(by=world.user("staff"), duty=duty)
    duty.refresh_from_db()
    assert duty.status == DutyStatus.HEAD_REVIEW
    assert duty.text.endswith("每月至少一次。")


@pytest.mark.parametrize(
    "status", [DutyStatus.HEAD_REVIEW, DutyStatus.PERSONNEL_REVIEW, DutyStatus.CONFIRMED]
)
def test_only_draft_or_returned_can_change(world: World, status: str) -> None:
    duty = at_status(world.post_a1, status)
    with pytest.raises(ValidationError) as exc:
        actions.duty_update(by=world.user("staff"), duty=duty, text="改")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.duty_submit(by=world.user("staff"), duty=duty)
    assert "status" in exc.value.message_dict
    duty.refresh_from_db()
    assert (duty.status, duty.text) == (status, TEXT)


@pytest.mark.parametrize("status", [DutyStatus.DRAFT, DutyStatus.RETURNED, DutyStatus.CONFIRMED])
def test_only_review_stages_can_be_decided(world: World, status: str) -> None:
    duty = at_status(world.post_a1, status)
    count = DutyReview.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.duty_approve(by=world.user("office"), duty=duty)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.duty_return(by=world.user("office"), duty=duty, comment="x")
    assert DutyReview.objects.count() == count


def test_update_without_change_writes_nothing(world: World) -> None:
    duty = at_status(world.post_a1, DutyStatus.DRAFT)
    count = AuditRecord.objects.count()
    actions.duty_update(by=world.user("staff"), duty=duty, text=TEXT, power_type="")
    actions.duty_update(by=world.user("staff"), duty=duty)
    assert AuditRecord.objects.count() == count


def test_others_cannot_edit_or_submit(world: World) -> None:
    duty = at_status(world.post_a2, DutyStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        actions.duty_update(by=world.user("staff"), duty=duty, text="改")
    with pytest.raises(PermissionDenied):
        actions.duty_submit(by=world.user("leader"), duty=duty)
    actions.duty_submit(by=world.user("head"), duty=duty)
    assert duty.status == DutyStatus.HEAD_REVIEW

"""The only writers of the organisation: units, posts, staff, assignments, the power list,
duties (drafted bottom-up, approved level by level) and goals (set top-down).

Every function runs in one transaction, checks permission through ``sunlight.core.access``,
validates with ``full_clean()`` and writes exactly one audit row. ``by=None`` is reserved for
system jobs (the demo loader) and is audited as "system". An ``*_update`` that changes nothing
writes nothing, so re-importing the same spreadsheet leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import User
from sunlight.org.models import (
    Assignment,
    AssignmentKind,
    Duty,
    DutyReview,
    DutyStatus,
    Goal,
    LegalBasis,
    Post,
    PowerItem,
    ReviewDecision,
    Staff,
    Unit,
)

M = TypeVar("M", bound=models.Model)

UNIT_FIELDS = frozenset({"code", "name", "kind", "parent", "sort_order", "is_active"})
POST_FIELDS = frozenset(
    {"code", "name", "unit", "power_type", "description", "is_high_risk", "term_limit_years"}
    | {"is_active"}
)
STAFF_FIELDS = frozenset(
    {"staff_no", "name", "unit", "gender", "rank", "phone", "email", "is_active"}
)
ASSIGNMENT_FIELDS = frozenset({"staff", "post", "start", "end", "kind"})
POWER_ITEM_FIELDS = frozenset(
    {"code", "name", "category", "power_type", "unit", "post", "description"}
    | {"time_limit_days", "is_public"}
)
GOAL_FIELDS = frozenset({"unit", "year", "title", "target", "post", "parent"})

# The approval ladder of a duty: each review stage hands over to the next one when approved.
NEXT_STAGE = {
    DutyStatus.HEAD_REVIEW: DutyStatus.LEADER_REVIEW,
    DutyStatus.LEADER_REVIEW: DutyStatus.PERSONNEL_REVIEW,
    DutyStatus.PERSONNEL_REVIEW: DutyStatus.CONFIRMED,
}
EDITABLE_DUTY = frozenset({DutyStatus.DRAFT, DutyStatus.RETURNED})


# --- shared helpers ---------------------------------------------------------------------------


def _require(by: User | None, allowed: Callable[[User], bool]) -> None:
    """System jobs (``by=None``) pass; every person goes through the access choke point."""
    if by is not None:
        access.require(allowed(by))


def _field(instance: models.Model, name: str) -> models.Field[Any, Any]:
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise TypeError(f"{type(instance).__name__} has no field {name!r}") from exc
    assert isinstance(field, models.Field)
    return field


def _stored_form(field: models.Field[Any, Any], value: Any) -> Any:
    """``value`` as the database would hold it (a related object by its id)."""
    if isinstance(field, models.ForeignKey):
        return value.pk if isinstance(value, models.Model) else value
    try:
        # Spreadsheets hand over "3" for 3 or "" for None: compare what would be stored.
        return field.to_python(value)
    except ValidationError as exc:
        raise ValidationError({field.name: exc.messages}) from exc


def apply_changes(
    instance: models.Model, fields: dict[str, Any], allowed: frozenset[str]
) -> list[str]:
    """Set the fields that differ; return their names (empty: nothing to write)."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
    changed = []
    for name, value in fields.items():
        field = _field(instance, name)
        stored = _stored_form(field, value)
        if getattr(instance, field.attname) == stored:
            continue
        if isinstance(value, models.Model):
            setattr(instance, name, value)
        else:
            setattr(instance, field.attname, stored)
        changed.append(name)
    return changed


@contextmanager
def restored_on_error(instance: models.Model) -> Iterator[None]:
    """A refused update leaves the caller's object as the database has it, not half-changed."""
    try:
        yield
    except BaseException:
        if instance.pk is not None:
            instance.refresh_from_db()
        raise


def _update(
    *, by: User | None, instance: M, fields: dict[str, Any], allowed: frozenset[str], action: str
) -> M:
    """The common shape of a plain ``*_update``: diff, validate, save what changed, audit."""
    before = snapshot(instance)
    changed = apply_changes(instance, fields, allowed)
    if not changed:
        return instance
    instance.full_clean()
    instance.save(update_fields=changed)
    audit_record(by=by, action=action, obj=instance, before=before, after=snapshot(instance))
    return instance


def _create(*, by: User | None, instance: M, action: str) -> M:
    instance.full_clean()
    instance.save()
    audit_record(by=by, action=action, obj=instance, before=None, after=snapshot(instance))
    return instance


# --- units --------------------------------------------------------------------------------------


def _stored_path(pk: int | None) -> str:
    # Paths are re-read, never taken from the caller's objects: a move earlier in the same
    # import may have re-pathed them in the database since they were loaded.
    return Unit.objects.values_list("path", flat=True).get(pk=pk) if pk else ""


def _unit_path(unit: Unit) -> str:
    return f"{_stored_path(unit.parent_id) or '/'}{unit.pk}/"


def unit_create(
    *,
    by: User | None,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    sort_order: int = 0,
) -> Unit:
    _require(by, access.manages_org)
    with transaction.atomic():
        unit = Unit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order)
        unit.full_clean()
        unit.save()
        # The path holds the unit's own id, so it can only be written once the row exists.
        unit.path = _unit_path(unit)
        unit.save(update_fields=["path"])
        audit_record(by=by, action="org.unit.create", obj=unit, before=None, after=snapshot(unit))
    return unit


def _refuse_cycle(unit: Unit) -> None:
    if unit.parent_id is not None and _stored_path(unit.parent_id).startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be placed under itself or below it.")})


def _repath_subtree(unit: Unit, old_path: str) -> None:
    """Move every descendant's path prefix along with the unit (one UPDATE, not a walk)."""
    Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
        path=Concat(Value(unit.path), Substr("path", len(old_path) + 1))
    )


def unit_update(*, by: User | None, unit: Unit, **fields: Any) -> Unit:
    _require(by, access.manages_org)
    with restored_on_error(unit), transaction.atomic():
        unit.path = old_path = _stored_path(unit.pk)
        before = snapshot(unit)
        changed = apply_changes(unit, fields, UNIT_FIELDS)
        if not changed:
            return unit
        _refuse_cycle(unit)
        unit.full_clean()
        if "parent" in changed:
            unit.path = _unit_path(unit)
            changed.append("path")
        unit.save(update_fields=changed)
        if unit.path != old_path:
            _repath_subtree(unit, old_path)
        audit_record(by=by, action="org.unit.update", obj=unit, before=before, after=snapshot(unit))
    return unit


# --- posts and staff ----------------------------------------------------------------------------


def post_create(
    *,
    by: User | None,
    code: str,
    name: str,
    unit: Unit,
    power_type: str,
    description: str = "",
    is_high_risk: bool = False,
    term_limit_years: int | None = None,
) -> Post:
    _require(by, access.manages_org)
    post = Post(
        code=code,
        name=name,
        unit=unit,
        power_type=power_type,
        description=description,
        is_high_risk=is_high_risk,
        term_limit_years=term_limit_years,
    )
    with transaction.atomic():
        return _create(by=by, instance=post, action="org.post.create")


def post_update(*, by: User | None, post: Post, **fields: Any) -> Post:
    _require(by, access.manages_org)
    with restored_on_error(post), transaction.atomic():
        return _update(
            by=by, instance=post, fields=fields, allowed=POST_FIELDS, action="org.post.update"
        )


def staff_create(
    *,
    by: User | None,
    staff_no: str,
    name: str,
    unit: Unit,
    gender: str = "",
    rank: str = "",
    phone: str = "",
    email: str = "",
) -> Staff:
    _require(by, access.manages_org)
    staff = Staff(
        staff_no=staff_no, name=name, unit=unit, gender=gender, rank=rank, phone=phone, email=email
    )
    with transaction.atomic():
        return _create(by=by, instance=staff, action="org.staff.create")


def staff_update(*, by: User | None, staff: Staff, **fields: Any) -> Staff:
    _require(by, access.manages_org)
    with restored_on_error(staff), transaction.atomic():
        return _update(
            by=by, instance=staff, fields=fields, allowed=STAFF_FIELDS, action="org.staff.update"
        )


# --- assignments --------------------------------------------------------------------------------


def _check_assignment(assignment: Assignment) -> None:
    """Dates in order, and one primary post at a time: acting posts may overlap, primaries not."""
    if assignment.end is not None and assignment.start and assignment.end < assignment.start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if assignment.kind != AssignmentKind.PRIMARY:
        return
    overlapping = Assignment.objects.filter(
        staff_id=assignment.staff_id, kind=AssignmentKind.PRIMARY
    ).exclude(pk=assignment.pk)
    overlapping = overlapping.filter(Q(end__isnull=True) | Q(end__gte=assignment.start))
    if assignment.end is not None:
        overlapping = overlapping.filter(start__lte=assignment.end)
    if overlapping.exists():
        raise ValidationError(
            {"start": _("This staff member already holds a primary post in this period.")}
        )


def _validate_assignment(assignment: Assignment) -> None:
    # Fields first, so the date checks compare real dates and name the field at fault before
    # the database constraint's anonymous message would; then what full_clean() does besides.
    assignment.clean_fields()
    _check_assignment(assignment)
    assignment.clean()
    assignment.validate_unique()
    assignment.validate_constraints()


def assignment_create(
    *,
    by: User | None,
    staff: Staff,
    post: Post,
    start: Any,
    end: Any = None,
    kind: str = AssignmentKind.PRIMARY,
) -> Assignment:
    _require(by, access.manages_org)
    with transaction.atomic():
        assignment = Assignment(staff=staff, post=post, start=start, end=end, kind=kind)
        _validate_assignment(assignment)
        assignment.save()
        audit_record(
            by=by,
            action="org.assignment.create",
            obj=assignment,
            before=None,
            after=snapshot(assignment),
        )
    return assignment


def assignment_update(*, by: User | None, assignment: Assignment, **fields: Any) -> Assignment:
    _require(by, access.manages_org)
    with restored_on_error(assignment), transaction.atomic():
        before = snapshot(assignment)
        changed = apply_changes(assignment, fields, ASSIGNMENT_FIELDS)
        if not changed:
            return assignment
        _validate_assignment(assignment)
        assignment.save(update_fields=changed)
        audit_record(
            by=by,
            action="org.assignment.update",
            obj=assignment,
            before=before,
            after=snapshot(assignment),
        )
    return assignment


# --- the power list -----------------------------------------------------------------------------


def _power_item_snapshot(item: PowerItem) -> dict[str, Any]:
    data = snapshot(item)
    data["legal_bases"] = [[b.law, b.article] for b in item.legal_bases.all()]
    return data


def _check_owner_post(item: PowerItem) -> None:
    """The owner post must sit in the owning unit or below it, or the list would mislead."""
    if item.post is not None and not item.post.unit.path.startswith(item.unit.path):
        raise ValidationError({"post": _("The owner post does not belong to the owning unit.")})


def _set_legal_bases(item: PowerItem, bases: Iterable[tuple[str, str]]) -> bool:
    """Make the item's bases exactly ``bases``; say whether anything changed."""
    wanted = list(dict.fromkeys((law.strip(), article.strip()) for law, article in bases))
    current = [(b.law, b.article) for b in item.legal_bases.all()]
    if current == wanted:
        return False
    item.legal_bases.exclude(
        pk__in=[b.pk for b in item.legal_bases.all() if (b.law, b.article) in wanted]
    ).delete()
    kept = set(item.legal_bases.values_list("law", "article"))
    for law, article in wanted:
        if (law, article) in kept:
            continue
        basis = LegalBasis(power_item=item, law=law, article=article)
        try:
            basis.full_clean()
        except ValidationError as exc:
            raise ValidationError({"legal_bases": exc.messages}) from exc
        basis.save()
    return True


def power_item_create(
    *,
    by: User | None,
    code: str,
    name: str,
    category: str,
    power_type: str,
    unit: Unit,
    post: Post | None = None,
    description: str = "",
    time_limit_days: int | None = None,
    is_public: bool = True,
    legal_bases: Iterable[tuple[str, str]] = (),
) -> PowerItem:
    _require(by, access.manages_org)
    with transaction.atomic():
        item = PowerItem(
            code=code,
            name=name,
            category=category,
            power_type=power_type,
            unit=unit,
            post=post,
            description=description,
            time_limit_days=time_limit_days,
            is_public=is_public,
        )
        item.full_clean()
        _check_owner_post(item)
        item.save()
        _set_legal_bases(item, legal_bases)
        audit_record(
            by=by,
            action="org.power_item.create",
            obj=item,
            before=None,
            after=_power_item_snapshot(item),
        )
    return item


def power_item_update(
    *,
    by: User | None,
    power_item: PowerItem,
    legal_bases: Iterable[tuple[str, str]] | None = None,
    **fields: Any,
) -> PowerItem:
    _require(by, access.manages_org)
    with restored_on_error(power_item), transaction.atomic():
        before = _power_item_snapshot(power_item)
        changed = apply_changes(power_item, fields, POWER_ITEM_FIELDS)
        if changed:
            power_item.full_clean()
            _check_owner_post(power_item)
            power_item.save(update_fields=changed)
        bases_changed = legal_bases is not None and _set_legal_bases(power_item, legal_bases)
        if not changed and not bases_changed:
            return power_item
        audit_record(
            by=by,
            action="org.power_item.update",
            obj=power_item,
            before=before,
            after=_power_item_snapshot(power_item),
        )
    return power_item


# --- duties -------------------------------------------------------------------------------------


def _duty_snapshot(duty: Duty, comment: str | None = None) -> dict[str, Any]:
    data = snapshot(duty, ["post", "seq", "text", "power_type", "status", "drafted_by"])
    if comment is not None:
        data["comment"] = comment
    return data


def _require_status(duty: Duty, allowed: Iterable[str]) -> None:
    if duty.status not in allowed:
        message = _("This is not possible while the duty is %(status)s.")
        raise ValidationError({"status": message % {"status": duty.get_status_display()}})


def duty_draft(*, by: User | None, post: Post, text: str, power_type: str = "") -> Duty:
    _require(by, lambda user: access.can_draft_duty(user, post))
    with transaction.atomic():
        # Lock the post so two drafts at once cannot both take the same number.
        Post.objects.select_for_update().filter(pk=post.pk).exists()
        last = Duty.objects.filter(post=post).aggregate(last=Max("seq"))["last"]
        duty = Duty(
            post=post,
            seq=(last or 0) + 1,
            text=text,
            power_type=power_type,
            status=DutyStatus.DRAFT,
            drafted_by=by.staff if by is not None else None,
        )
        duty.full_clean()
        duty.save()
        audit_record(
            by=by, action="org.duty.draft", obj=duty, before=None, after=_duty_snapshot(duty)
        )
    return duty


def duty_update(
    *, by: User | None, duty: Duty, text: str | None = None, power_type: str | None = None
) -> Duty:
    _require(by, lambda user: access.can_draft_duty(user, duty.post))
    _require_status(duty, EDITABLE_DUTY)
    fields = {k: v for k, v in {"text": text, "power_type": power_type}.items() if v is not None}
    with restored_on_error(duty), transaction.atomic():
        before = _duty_snapshot(duty)
        changed = apply_changes(duty, fields, frozenset({"text", "power_type"}))
        if not changed:
            return duty
        duty.full_clean()
        duty.save(update_fields=[*changed, "updated_at"])
        audit_record(
            by=by, action="org.duty.update", obj=duty, before=before, after=_duty_snapshot(duty)
        )
    return duty


def _move(*, by: User | None, duty: Duty, to: str, decision: str, comment: str, verb: str) -> Duty:
    """One step of the approval trail: the review row, the new status and the audit row."""
    with transaction.atomic():
        before = _duty_snapshot(duty)
        DutyReview.objects.create(
            duty=duty,
            stage=duty.status,
            decision=decision,
            comment=comment,
            by=by,
            at=timezone.now(),
        )
        duty.status = to
        duty.save(update_fields=["status", "updated_at"])
        audit_record(
            by=by,
            action=f"org.duty.{verb}",
            obj=duty,
            before=before,
            after=_duty_snapshot(duty, comment),
        )
    return duty


def duty_submit(*, by: User | None, duty: Duty, comment: str = "") -> Duty:
    _require(by, lambda user: access.can_draft_duty(user, duty.post))
    _require_status(duty, EDITABLE_DUTY)
    return _move(
        by=by,
        duty=duty,
        to=DutyStatus.HEAD_REVIEW,
        decision=ReviewDecision.SUBMIT,
        comment=comment,
        verb="submit",
    )


def duty_approve(*, by: User | None, duty: Duty, comment: str = "") -> Duty:
    _require_status(duty, NEXT_STAGE)
    _require(by, lambda user: access.can_review_duty(user, duty.status, duty.post))
    return _move(
        by=by,
        duty=duty,
        to=NEXT_STAGE[DutyStatus(duty.status)],
        decision=ReviewDecision.APPROVE,
        comment=comment,
        verb="approve",
    )


def duty_return(*, by: User | None, duty: Duty, comment: str) -> Duty:
    _require_status(duty, NEXT_STAGE)
    _require(by, lambda user: access.can_review_duty(user, duty.status, duty.post))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be revised.")})
    return _move(
        by=by,
        duty=duty,
        to=DutyStatus.RETURNED,
        decision=ReviewDecision.RETURN,
        comment=comment.strip(),
        verb="return",
    )


# --- goals --------------------------------------------------------------------------------------


def _check_goal(goal: Goal) -> None:
    """Goals flow top-down: a post goal belongs to its unit, a sub-goal to a goal above it."""
    if goal.post is not None and not goal.post.unit.path.startswith(goal.unit.path):
        raise ValidationError({"post": _("The post does not belong to this unit.")})
    parent = goal.parent
    if parent is None:
        return
    if parent.pk == goal.pk or parent.year != goal.year:
        raise ValidationError({"parent": _("The parent goal must be another goal of the year.")})
    if not goal.unit.path.startswith(parent.unit.path):
        raise ValidationError({"parent": _("The parent goal belongs to a unit not above this.")})


def goal_set(
    *,
    by: User | None,
    unit: Unit,
    year: int,
    title: str,
    target: str = "",
    post: Post | None = None,
    parent: Goal | None = None,
) -> Goal:
    _require(by, lambda user: access.can_set_goal(user, unit))
    with transaction.atomic():
        goal = Goal(
            unit=unit, year=year, title=title, target=target, post=post, parent=parent, set_by=by
        )
        # ``set_by`` is the caller, not input, and empty for system jobs.
        goal.full_clean(exclude=["set_by"])
        _check_goal(goal)
        goal.save()
        audit_record(by=by, action="org.goal.set", obj=goal, before=None, after=snapshot(goal))
    return goal


def goal_update(*, by: User | None, goal: Goal, **fields: Any) -> Goal:
    _require(by, lambda user: access.can_set_goal(user, goal.unit))
    with restored_on_error(goal), transaction.atomic():
        before = snapshot(goal)
        changed = apply_changes(goal, fields, GOAL_FIELDS)
        if not changed:
            return goal
        # Moving a goal to another unit needs the right over the new unit as well.
        _require(by, lambda user: access.can_set_goal(user, goal.unit))
        goal.full_clean(exclude=["set_by"])
        _check_goal(goal)
        goal.save(update_fields=changed)
        audit_record(by=by, action="org.goal.update", obj=goal, before=before, after=snapshot(goal))
    return goal

"""The only writers of warnings: raising them from findings, and every step of their lifecycle.

Each function runs in one transaction, checks who may act through ``policy`` (refused →
``PermissionDenied``, 403), refuses a step the warning's status does not allow
(``ValidationError`` on ``status``, 400), leaves a ``Transition`` row and one audit record, and
sends its notifications (e-mail after commit). ``by=None`` is the system: the rule runner and
the scheduled sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from controls.events import Finding
from sunlight.audit.actions import audit_record, snapshot
from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.monitoring.models import Case, TraceEvent
from sunlight.org.models import Assignment, AssignmentKind, Post, Staff, Unit
from sunlight.risks.queries import RuleLinks
from sunlight.warnings import deadlines, policy
from sunlight.warnings.models import (
    OPEN_STATUSES,
    Accountability,
    AppealOutcome,
    Attachment,
    Measure,
    Notification,
    NotificationKind,
    Outcome,
    Reminder,
    Status,
    Step,
    SupervisionOrder,
    Transition,
    Warning,
)

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# SQLite allows 999 parameters in one statement on old builds: look ids up in chunks.
_CHUNK = 500


# --- raising warnings from findings ---------------------------------------------------------


@dataclass(frozen=True)
class RaiseResult:
    """Distinct findings given: ``new`` stored now, ``known`` stored before (by ``Finding.id``)."""

    new: int
    known: int
    warning_ids: tuple[int, ...] = ()


def raise_warnings(
    findings: Iterable[Finding],
    *,
    rule_set: str = "",
    now: dt.datetime | None = None,
    assign: bool = True,
) -> RaiseResult:
    """Store each finding as a warning, once: a finding raised again is counted as known.

    Safe when two runners raise the same finding at once: the unique ``finding_id`` decides, and
    the loser counts it as known. With ``assign`` (the default) each new warning goes straight
    to its verifier (``choose_verifier``), so it reaches a person at once.
    """
    moment = now or timezone.now()
    distinct: dict[str, Finding] = {}
    for finding in findings:
        distinct.setdefault(finding.id, finding)
    stored = _existing_ids(list(distinct))
    fresh = [f for fid, f in distinct.items() if fid not in stored]
    lookup = _Lookup.load(fresh)
    # The register's measures backed by these rules, once for the batch: each warning is traced
    # to the risk point whose control the rule checks.
    links = RuleLinks.load(rule_set, {f.rule for f in fresh})
    heads = active_heads() if assign and fresh else []
    accounts: dict[int, User | None] = {}
    new_ids: list[int] = []
    for finding in fresh:
        try:
            with transaction.atomic():
                warning = _create_warning(
                    finding, lookup, links=links, rule_set=rule_set, now=moment
                )
                if assign:
                    _assign(
                        by=None,
                        warning=warning,
                        verifier=choose_verifier(warning, heads, accounts),
                        now=moment,
                        accounts=accounts,
                    )
        except IntegrityError:
            if Warning.objects.filter(finding_id=finding.id).exists():
                continue  # another runner stored the same finding first
            raise  # any other broken constraint is a bug to see, not a known finding
        new_ids.append(warning.pk)
    return RaiseResult(
        new=len(new_ids), known=len(distinct) - len(new_ids), warning_ids=tuple(new_ids)
    )


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _existing_ids(finding_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(finding_ids):
        found.update(
            Warning.objects.filter(finding_id__in=chunk).values_list("finding_id", flat=True)
        )
    return found


@dataclass
class _Lookup:
    """The organisation records and stored events a batch of findings names, loaded at once."""

    staff: dict[str, Staff] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    events: dict[int, TraceEvent] = field(default_factory=dict)

    @classmethod
    def load(cls, findings: list[Finding]) -> _Lookup:
        lookup = cls()
        staff_nos = sorted({f.resource for f in findings if f.resource})
        post_codes = sorted({f.post for f in findings if f.post})
        unit_codes = sorted({f.unit for f in findings if f.unit})
        event_ids = sorted({e.index for f in findings for e in f.events})
        for chunk in _chunks(staff_nos):
            for person in Staff.objects.filter(staff_no__in=chunk).select_related("unit"):
                lookup.staff[person.staff_no] = person
        for chunk in _chunks(post_codes):
            for post in Post.objects.filter(code__in=chunk).select_related("unit"):
                lookup.posts[post.code] = post
        for chunk in _chunks(unit_codes):
            lookup.units.update({u.code: u for u in Unit.objects.filter(code__in=chunk)})
        events = TraceEvent.objects.select_related("case", "staff__unit", "post__unit", "unit")
        for chunk in _chunks(event_ids):
            lookup.events.update({e.pk: e for e in events.filter(pk__in=chunk)})
        return lookup


@dataclass
class _Responsible:
    staff: Staff | None
    post: Post | None
    unit: Unit | None


def _post_holder(post: Post, day: dt.date) -> Staff | None:
    """Who held ``post`` on ``day``: the primary holder first, then the latest to start."""
    held = (
        Assignment.objects.filter(post=post, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("staff__unit")
    )
    ranked = sorted(held, key=lambda a: (a.kind != AssignmentKind.PRIMARY, -a.start.toordinal()))
    return ranked[0].staff if ranked else None


def _only_post(staff: Staff, day: dt.date) -> Post | None:
    """The post ``staff`` held on ``day``, when that is unambiguous (one primary post)."""
    held = list(
        Assignment.objects.filter(staff=staff, start__lte=day, kind=AssignmentKind.PRIMARY)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("post__unit")
    )
    return held[0].post if len(held) == 1 else None


def _actor_event(finding: Finding, events: list[TraceEvent]) -> TraceEvent | None:
    """The evidence event done by the finding's officer, else the last one done by anyone."""
    named = [e for e in events if e.source_resource == finding.resource and e.staff_id]
    if named:
        return named[-1]
    acted = [e for e in events if e.staff_id]
    return acted[-1] if acted else None


def resolve_responsible(
    finding: Finding, events: list[TraceEvent], lookup: _Lookup | None = None
) -> _Responsible:
    """Person, post and unit of a finding, each by the first rule that gives an answer.

    Person: the staff number the finding names; else whoever held the named post on the day of
    the finding; else the officer of the evidence. Post: the code named; else the evidence
    event's post; else the person's one primary post that day. Unit: the code named; else the
    evidence event's unit; else the post's unit; else the person's.
    """
    lookup = lookup or _Lookup.load([finding])
    day = deadlines.local_day(finding.time)
    post = lookup.posts.get(finding.post)
    staff = lookup.staff.get(finding.resource)
    if staff is None and post is not None:
        staff = _post_holder(post, day)
    actor = _actor_event(finding, events)
    if staff is None and actor is not None:
        staff = actor.staff
    if post is None and actor is not None and (staff is None or actor.staff_id == staff.pk):
        post = actor.post
    if post is None and staff is not None:
        post = _only_post(staff, day)
    unit = lookup.units.get(finding.unit)
    if unit is None and actor is not None:
        unit = actor.unit
    if unit is None:
        unit = post.unit if post is not None else (staff.unit if staff is not None else None)
    return _Responsible(staff, post, unit)


def _cases_of(finding: Finding, events: list[TraceEvent], unresolved: dict[str, Any]) -> list[Case]:
    """The finding's cases: through its evidence first, then by case number alone."""
    wanted = list(dict.fromkeys(finding.cases))
    found = {e.case.external_id: e.case for e in events if e.case.external_id in wanted}
    missing = [c for c in wanted if c not in found]
    systems = {e.case.source_system for e in events}
    for external_id in missing:
        matches = list(Case.objects.filter(external_id=external_id))
        if systems:
            matches = [c for c in matches if c.source_system in systems] or matches
        if len(matches) == 1:
            found[external_id] = matches[0]
        else:
            # No case, or the number exists in several systems and nothing says which.
            unresolved.setdefault("cases", []).append(external_id)
    return [found[c] for c in wanted if c in found]


def _unresolved(finding: Finding, who: _Responsible, missing_events: list[int]) -> dict[str, Any]:
    unresolved: dict[str, Any] = {}
    if who.staff is None:
        unresolved["staff"] = finding.resource
    if who.post is None:
        unresolved["post"] = finding.post
    if who.unit is None:
        unresolved["unit"] = finding.unit
    if missing_events:
        unresolved["events"] = missing_events
    return unresolved


def _create_warning(
    finding: Finding, lookup: _Lookup, *, links: RuleLinks, rule_set: str, now: dt.datetime
) -> Warning:
    events = [lookup.events[e.index] for e in finding.events if e.index in lookup.events]
    missing = [e.index for e in finding.events if e.index not in lookup.events]
    who = resolve_responsible(finding, events, lookup)
    measure = links.measure_for(finding.rule, post=who.post, unit=who.unit)
    unresolved = _unresolved(finding, who, missing)
    cases = _cases_of(finding, events, unresolved)
    warning = Warning.objects.create(
        finding_id=finding.id,
        rule=finding.rule[:100],
        template=finding.template[:64],
        rule_set=rule_set[:100],
        stage=finding.stage.value,
        severity=finding.severity.value,
        staff=who.staff,
        post=who.post,
        unit=who.unit,
        risk_point=measure.risk_point if measure is not None else None,
        control_measure=measure,
        source_resource=finding.resource[:100],
        source_post=finding.post[:100],
        source_unit=finding.unit[:100],
        unresolved=unresolved,
        explanation_zh=finding.message_zh,
        explanation_en=finding.message_en,
        details=finding.as_dict()["details"],
        found_at=finding.time,
        raised_at=now,
        status=Status.NEW,
        due_date=deadlines.due_after(deadlines.local_day(now), deadlines.ASSIGN_DAYS),
    )
    # Straight into the link tables: the warning is new, so there is nothing to compare with.
    Warning.cases.through.objects.bulk_create(
        [Warning.cases.through(warning=warning, case=case) for case in cases]
    )
    Warning.evidence.through.objects.bulk_create(
        [Warning.evidence.through(warning=warning, traceevent=event) for event in events]
    )
    Transition.objects.create(
        warning=warning,
        step=Step.RAISE,
        to_status=Status.NEW,
        at=now,
        due_date=warning.due_date,
    )
    after = {
        **snapshot(warning),
        "cases": [c.pk for c in cases],
        "evidence": [e.pk for e in events],
    }
    audit_record(by=None, action="warnings.warning.raise", obj=warning, after=after)
    return warning


# --- routing: who verifies ------------------------------------------------------------------


def _account(staff_id: int | None, memo: dict[int, User | None] | None = None) -> User | None:
    """The login of a staff member, if they have one; ``memo`` remembers answers in a batch."""
    if staff_id is None:
        return None
    if memo is not None and staff_id in memo:
        return memo[staff_id]
    found = User.objects.filter(staff_id=staff_id, is_active=True).first()
    if memo is not None:
        memo[staff_id] = found
    return found


def active_heads() -> list[User]:
    return list(User.objects.filter(role=Role.HEAD, is_active=True).prefetch_related("scope_units"))


def choose_verifier(
    warning: Warning,
    heads: list[User] | None = None,
    accounts: dict[int, User | None] | None = None,
) -> User | None:
    """The head closest above the warning's unit; ``None`` means the office.

    Leaders' own warnings go to the office, and so does a warning whose unit has no head (or
    whose only head is the person concerned). ``heads`` (``active_heads()``) and ``accounts``
    may be loaded once for a batch.
    """
    person = _account(warning.staff_id, accounts)
    if person is not None and person.role in policy.OFFICE_CASES:
        return None
    unit = policy.warning_unit(warning)
    if unit is None or not unit.path:
        return None
    best: tuple[int, int, User] | None = None
    for head in active_heads() if heads is None else heads:
        if person is not None and head.pk == person.pk:
            continue
        depth = max((len(u.path) for u in head.scope_units.all() if _covers(u, unit)), default=0)
        if depth and (best is None or (depth, -head.pk) > best[:2]):
            best = (depth, -head.pk, head)
    return best[2] if best else None


def _covers(scope: Unit, unit: Unit) -> bool:
    return bool(scope.path) and unit.path.startswith(scope.path)


def _office_users() -> list[User]:
    return list(User.objects.filter(role=Role.OFFICE, is_active=True))


def _verifiers(warning: Warning) -> list[User]:
    """Who is told a step awaits the verifier."""
    if warning.verifier is not None and not warning.verifier_is_office:
        return [warning.verifier]
    return _office_users()


# --- notifications --------------------------------------------------------------------------


def _notify(users: Iterable[User | None], kind: str, warning: Warning, now: dt.datetime) -> None:
    """In-app notifications, and e-mail after commit when an SMTP server is configured."""
    recipients = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    Notification.objects.bulk_create(
        [Notification(user=u, warning=warning, kind=kind, created_at=now) for u in recipients]
    )
    if settings.EMAIL_HOST:
        addresses = [a for a in (_email_of(u) for u in recipients) if a]
        if addresses:
            transaction.on_commit(lambda: _send_email(addresses, kind, warning.pk))


def _email_of(user: User) -> str:
    if user.email:
        return user.email
    return user.staff.email if user.staff is not None else ""


def _send_email(addresses: list[str], kind: str, warning_id: int) -> None:
    warning = Warning.objects.filter(pk=warning_id).first()
    if warning is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(NotificationKind(kind).label)
        link = reverse("warnings:detail", args=[warning.pk])
        body = f"{subject}\n\n{warning.rule}: {warning.explanation}\n\n{link}\n"
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    except OSError:
        # The in-app notification stands; a mail server being down must not fail the step.
        log.exception("could not e-mail notification %s for warning %s", kind, warning_id)


def notifications_mark_read(
    *, by: User, ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark the user's own notifications read (all of them when ``ids`` is None)."""
    access.require(access.is_active(by))
    unread = Notification.objects.filter(user=by, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    with transaction.atomic():
        count = unread.update(read_at=now or timezone.now())
        if count:
            audit_record(by=by, action="warnings.notification.read", after={"count": count})
    return count


# --- lifecycle --------------------------------------------------------------------------------


def _require_status(warning: Warning, allowed: Iterable[str]) -> None:
    if warning.status not in allowed:
        message = _("This is not possible while the warning is %(status)s.")
        raise ValidationError({"status": message % {"status": warning.get_status_display()}})


def _require_text(name: str, text: str) -> str:
    if not text.strip():
        raise ValidationError({name: _("This field is required.")})
    return text.strip()


def _lock(warning: Warning) -> None:
    """Re-read the warning under a row lock, so two steps at once cannot both pass the status
    check and a step never writes back fields another one changed (the sweep's flags)."""
    warning.refresh_from_db(from_queryset=Warning.objects.select_for_update())


def _move(
    *,
    by: User | None,
    warning: Warning,
    step: str,
    to: str,
    now: dt.datetime,
    note: str = "",
    outcome: str = "",
    due: dt.date | None = None,
    changes: dict[str, Any] | None = None,
) -> Transition:
    """Take a step: ``changes`` (other fields the step sets) are applied after the snapshot, so
    the audit record's ``before`` is the warning as it was."""
    before = snapshot(warning)
    for name, value in (changes or {}).items():
        setattr(warning, name, value)
    leaving = warning.status
    warning.status = to
    warning.due_date = due if to != Status.CLOSED else None
    if to == Status.CLOSED:
        warning.closed_at = now
    warning.save()
    if leaving != to:
        # The step an order pressed for is done.
        SupervisionOrder.objects.filter(
            warning=warning, step_status=leaving, resolved_at__isnull=True
        ).update(resolved_at=now)
    transition = Transition.objects.create(
        warning=warning,
        step=step,
        from_status=leaving,
        to_status=to,
        by=by,
        at=now,
        note=note,
        outcome=outcome,
        due_date=warning.due_date,
    )
    audit_record(
        by=by,
        action=f"warnings.warning.{step}",
        obj=warning,
        before=before,
        after={**snapshot(warning), "note": note},
    )
    return transition


def _attach(
    warning: Warning,
    transition: Transition,
    files: Sequence[UploadedFile],
    by: User | None,
    now: dt.datetime,
) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("At most %d files.") % MAX_ATTACHMENTS})
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            message = _("%(name)s is larger than %(mb)d MB.")
            raise ValidationError(
                {"files": message % {"name": upload.name, "mb": MAX_ATTACHMENT_BYTES >> 20}}
            )
        Attachment.objects.create(
            warning=warning,
            transition=transition,
            file=upload,
            name=(upload.name or "file")[:255],
            size_bytes=upload.size or 0,
            uploaded_by=by,
            uploaded_at=now,
        )


def _assign(
    *,
    by: User | None,
    warning: Warning,
    verifier: User | None,
    now: dt.datetime,
    note: str = "",
    accounts: dict[int, User | None] | None = None,
) -> Warning:
    due = deadlines.due_after(deadlines.local_day(now), deadlines.RESPOND_DAYS)
    _move(
        by=by, warning=warning, step=Step.ASSIGN, to=Status.ASSIGNED, now=now, note=note, due=due,
        changes={
            "verifier": verifier,
            "verifier_is_office": verifier is None or verifier.role in access.MANAGERS,
        },
    )  # fmt: skip
    _notify(_verifiers(warning), NotificationKind.ASSIGNED, warning, now)
    _notify([_account(warning.staff_id, accounts)], NotificationKind.RESPOND, warning, now)
    return warning


def warning_assign(
    *,
    by: User | None,
    warning: Warning,
    verifier: User | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Warning:
    """New → assigned: to ``verifier`` (a head over the unit, or the office), or to the one
    ``choose_verifier`` finds when none is given. ``by=None`` is the system."""
    if by is not None:
        access.require(policy.may_assign(by, warning))
    if verifier is not None and not policy.may_verify_unit(verifier, warning):
        raise ValidationError({"verifier": _("This user cannot verify this warning.")})
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, [Status.NEW])
        chosen = verifier if verifier is not None else choose_verifier(warning)
        return _assign(
            by=by, warning=warning, verifier=chosen, now=now or timezone.now(), note=note
        )


def warning_respond(
    *,
    by: User,
    warning: Warning,
    explanation: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Warning:
    """The person's explanation (反馈), with files; the verifier then has to decide."""
    access.require(policy.may_respond(by, warning))
    text = _require_text("explanation", explanation)
    moment = now or timezone.now()
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, [Status.ASSIGNED])
        due = deadlines.due_after(deadlines.local_day(moment), deadlines.DECIDE_DAYS)
        step = _move(
            by=by, warning=warning, step=Step.RESPOND, to=Status.RESPONDED, now=moment,
            note=text, due=due,
        )  # fmt: skip
        _attach(warning, step, files, by, moment)
        _notify(_verifiers(warning), NotificationKind.RESPONDED, warning, moment)
    return warning


def warning_decide(
    *,
    by: User,
    warning: Warning,
    outcome: str,
    note: str,
    rectify_days: int | None = None,
    now: dt.datetime | None = None,
) -> Warning:
    """The verification decision. Unfounded closes the warning; justified or violation opens
    a rectification due in ``rectify_days`` working days. The verifier may decide without a
    response when the person has not answered."""
    access.require(policy.is_verifier(by, warning))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose unfounded, justified or violation.")})
    text = _require_text("note", note)
    days = deadlines.RECTIFY_DAYS if rectify_days is None else rectify_days
    if not 1 <= days <= 250:
        raise ValidationError({"rectify_days": _("Give between 1 and 250 working days.")})
    moment = now or timezone.now()
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, [Status.ASSIGNED, Status.RESPONDED])
        if outcome == Outcome.UNFOUNDED:
            to, due = Status.CLOSED, None
        else:
            to, due = Status.RECTIFYING, deadlines.due_after(deadlines.local_day(moment), days)
        _move(
            by=by, warning=warning, step=Step.DECIDE, to=to, now=moment, note=text,
            outcome=outcome, due=due, changes={"outcome": outcome, "rectify_due": due},
        )  # fmt: skip
        _notify([_account(warning.staff_id)], NotificationKind.DECIDED, warning, moment)
    return warning


def warning_rectify(
    *,
    by: User,
    warning: Warning,
    report: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Warning:
    """The rectification is reported done (by the person, or the verifier for them)."""
    access.require(policy.may_rectify(by, warning))
    text = _require_text("report", report)
    moment = now or timezone.now()
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, [Status.RECTIFYING])
        due = deadlines.due_after(deadlines.local_day(moment), deadlines.CLOSE_DAYS)
        step = _move(
            by=by, warning=warning, step=Step.RECTIFY, to=Status.RECTIFIED, now=moment,
            note=text, due=due,
        )  # fmt: skip
        _attach(warning, step, files, by, moment)
        _notify(_verifiers(warning), NotificationKind.RECTIFIED, warning, moment)
    return warning


def warning_close(
    *, by: User, warning: Warning, note: str = "", now: dt.datetime | None = None
) -> Warning:
    """The verifier confirms the rectification. A violation closes only once accountability
    has been decided."""
    access.require(policy.is_verifier(by, warning))
    moment = now or timezone.now()
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, [Status.RECTIFIED])
        if warning.outcome == Outcome.VIOLATION and not warning.accountabilities.exists():
            raise ValidationError(
                {"status": _("Decide the accountability for this violation before closing.")}
            )
        _move(by=by, warning=warning, step=Step.CLOSE, to=Status.CLOSED, now=moment, note=note)
        _notify([_account(warning.staff_id)], NotificationKind.CLOSED, warning, moment)
    return warning


def _same_verifier(warning: Warning, verifier: User) -> bool:
    """Would ``verifier`` leave the warning where it is? The office verifies as one."""
    if warning.verifier_is_office:
        return verifier.role in access.MANAGERS
    return verifier.pk == warning.verifier_id


def warning_reassign(
    *,
    by: User,
    warning: Warning,
    verifier: User | None,
    reason: str,
    now: dt.datetime | None = None,
) -> Warning:
    """Give an open, undecided warning to another verifier: a head over its unit, or the
    office (``policy.may_verify_unit``, the rules ``choose_verifier`` follows).

    A decision already awaited (responded) gets its full time again from the reassignment: the
    new verifier is not held to days the old one let pass. While the person's response is
    awaited (assigned) the deadline is the person's, and it stays."""
    access.require(policy.may_reassign(by, warning))
    text = _require_text("reason", reason)
    if verifier is None or not policy.may_verify_unit(verifier, warning):
        raise ValidationError({"verifier": _("This user cannot verify this warning.")})
    moment = now or timezone.now()
    with transaction.atomic():
        _lock(warning)
        _require_status(warning, policy.REASSIGNABLE)
        if _same_verifier(warning, verifier):
            raise ValidationError({"verifier": _("This user verifies this warning already.")})
        before = _verifiers(warning)
        due = warning.due_date
        if warning.status == Status.RESPONDED:
            due = deadlines.due_after(deadlines.local_day(moment), deadlines.DECIDE_DAYS)
        _move(
            by=by, warning=warning, step=Step.REASSIGN, to=warning.status, now=moment, note=text,
            due=due,
            changes={"verifier": verifier, "verifier_is_office": verifier.role in access.MANAGERS},
        )  # fmt: skip
        after = _verifiers(warning)
        _notify(after, NotificationKind.ASSIGNED, warning, moment)
        staying = {u.pk for u in after}
        left = [u for u in before if u.pk not in staying]
        _notify(left, NotificationKind.REASSIGNED, warning, moment)
    return warning


# --- supervision orders (督办单) -----------------------------------------------------------------


def _supervisor(warning: Warning) -> User | None:
    """The unit head an order goes to; ``None`` sends it to the office."""
    if warning.verifier is not None and warning.verifier.role == Role.HEAD:
        return warning.verifier
    return choose_verifier(warning)


def _issue_order(
    *, by: User | None, warning: Warning, now: dt.datetime, note: str, days: int
) -> SupervisionOrder:
    head = _supervisor(warning)
    order = SupervisionOrder.objects.create(
        warning=warning,
        step_status=warning.status,
        missed_due=warning.due_date or deadlines.local_day(now),
        issued_to=head,
        to_office=head is None,
        issued_by=by,
        issued_at=now,
        due_date=deadlines.due_after(deadlines.local_day(now), days),
        note=note,
    )
    if deadlines.is_overdue(warning.due_date, deadlines.local_day(now)):
        warning.was_overdue = True
        warning.save(update_fields=["was_overdue"])
    Transition.objects.create(
        warning=warning,
        step=Step.SUPERVISE,
        from_status=warning.status,
        to_status=warning.status,
        by=by,
        at=now,
        note=note,
        due_date=order.due_date,
    )
    audit_record(
        by=by,
        action="warnings.supervision.issue",
        obj=order,
        after=snapshot(order),
    )
    _notify([head] if head else _office_users(), NotificationKind.SUPERVISION, warning, now)
    return order


def supervision_order_issue(
    *,
    by: User,
    warning: Warning,
    note: str = "",
    days: int = deadlines.SUPERVISION_DAYS,
    now: dt.datetime | None = None,
) -> SupervisionOrder:
    """The office orders an open warning's current step finished within ``days`` working days."""
    access.require(policy.may_supervise(by))
    if not 1 <= days <= 60:
        raise ValidationError({"days": _("Give between 1 and 60 working days.")})
    moment = now or timezone.now()
    try:
        with transaction.atomic():
            _lock(warning)
            _require_status(warning, OPEN_STATUSES)
            return _issue_order(by=by, warning=warning, now=moment, note=note, days=days)
    except IntegrityError:
        raise ValidationError(
            {"status": _("A supervision order for this step and deadline exists already.")}
        ) from None


@dataclass(frozen=True)
class SweepResult:
    orders: int
    checked: int
    reminders: int = 0


def warnings_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Issue a supervision order for every open warning whose current step is past its
    deadline (once per missed deadline), and remind whoever must act of a step due soon (once
    per step and deadline). Safe to run often and from several workers."""
    moment = now or timezone.now()
    today = deadlines.local_day(moment)
    late = Warning.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today).select_related(
        "verifier", "staff__unit", "post__unit", "unit"
    )
    orders = checked = 0
    for warning in late.order_by("pk").iterator(chunk_size=200):
        checked += 1
        if SupervisionOrder.objects.filter(
            warning=warning, step_status=warning.status, missed_due=warning.due_date or today
        ).exists():
            continue
        try:
            with transaction.atomic():
                note = _("The step was due on %(due)s.") % {"due": warning.due_date}
                _issue_order(
                    by=None, warning=warning, now=moment, note=note,
                    days=deadlines.SUPERVISION_DAYS,
                )  # fmt: skip
        except IntegrityError:
            continue  # another sweep issued it
        orders += 1
    return SweepResult(orders=orders, checked=checked, reminders=_send_reminders(moment))


# --- reminders ----------------------------------------------------------------------------------


def _actors(warning: Warning) -> list[User]:
    """Who must take the warning's current step: the head (or the office) assigns, the person
    responds and reports the rectification, the verifier decides and closes. A person without
    a login cannot act, so the verifier, who may decide or report for them, is reminded."""
    if warning.status == Status.NEW:
        head = choose_verifier(warning)
        return [head] if head is not None else _office_users()
    if warning.status in (Status.ASSIGNED, Status.RECTIFYING):
        person = _account(warning.staff_id)
        if person is not None:
            return [person]
    return _verifiers(warning)


def _remind(warning: Warning, now: dt.datetime) -> bool:
    """Remind of the warning's current step once; ``False`` when the step was taken meanwhile
    or another sweep reminded of it first."""
    today = deadlines.local_day(now)
    with transaction.atomic():
        _lock(warning)
        due = warning.due_date
        if warning.status not in OPEN_STATUSES or due is None:
            return False
        if not today <= due <= deadlines.remind_until(today):
            return False
        if Reminder.objects.filter(
            warning=warning, step_status=warning.status, due_date=due
        ).exists():
            return False
        reminder = Reminder.objects.create(
            warning=warning, step_status=warning.status, due_date=due, sent_at=now
        )
        actors = _actors(warning)
        _notify(actors, NotificationKind.REMINDER, warning, now)
        audit_record(
            by=None,
            action="warnings.reminder.send",
            obj=reminder,
            after={**snapshot(reminder), "to": [u.pk for u in actors]},
        )
    return True


def _send_reminders(now: dt.datetime) -> int:
    """Remind of every open step due within ``deadlines.REMIND_DAYS`` working days."""
    today = deadlines.local_day(now)
    reminded = Reminder.objects.filter(
        warning=OuterRef("pk"), step_status=OuterRef("status"), due_date=OuterRef("due_date")
    )
    due_soon = (
        Warning.objects.filter(
            status__in=OPEN_STATUSES,
            due_date__gte=today,
            due_date__lte=deadlines.remind_until(today),
        )
        .exclude(Exists(reminded))
        .select_related("verifier", "staff__unit", "post__unit", "unit")
    )
    sent = 0
    for warning in due_soon.order_by("pk").iterator(chunk_size=200):
        try:
            sent += _remind(warning, now)
        except IntegrityError:
            continue  # another sweep reminded of it
    return sent


# --- accountability (责任追究) -------------------------------------------------------------------


def accountability_decide(
    *, by: User, warning: Warning, measure: str, reason: str, now: dt.datetime | None = None
) -> Accountability:
    """Record the measure taken against the person for a violation."""
    access.require(policy.may_hold_accountable(by))
    if measure not in Measure.values:
        raise ValidationError({"measure": _("Choose a measure from the list.")})
    text = _require_text("reason", reason)
    if warning.outcome != Outcome.VIOLATION:
        raise ValidationError({"status": _("Only a warning decided as a violation is pursued.")})
    moment = now or timezone.now()
    with transaction.atomic():
        record = Accountability.objects.create(
            warning=warning,
            staff=warning.staff,
            measure=measure,
            reason=text,
            decided_by=by,
            decided_at=moment,
        )
        _history(
            by, warning, Step.ACCOUNTABILITY, moment, f"{record.get_measure_display()}: {text}"
        )
        audit_record(
            by=by, action="warnings.accountability.decide", obj=record, after=snapshot(record)
        )
        _notify([_account(warning.staff_id)], NotificationKind.ACCOUNTABILITY, warning, moment)
    return record


def _history(by: User, warning: Warning, step: str, at: dt.datetime, note: str) -> None:
    Transition.objects.create(
        warning=warning,
        step=step,
        from_status=warning.status,
        to_status=warning.status,
        by=by,
        at=at,
        note=note,
        due_date=warning.due_date,
    )


def accountability_appeal(
    *, by: User, record: Accountability, text: str, now: dt.datetime | None = None
) -> Accountability:
    """The person appeals the measure, once."""
    access.require(policy.may_appeal(by, record))
    body = _require_text("text", text)
    moment = now or timezone.now()
    with transaction.atomic():
        record = Accountability.objects.select_for_update().get(pk=record.pk)
        if record.appealed_at is not None:
            raise ValidationError({"text": _("This measure has been appealed already.")})
        before = snapshot(record)
        record.appeal_text, record.appealed_at = body, moment
        record.save(update_fields=["appeal_text", "appealed_at"])
        _history(by, record.warning, Step.APPEAL, moment, body)
        audit_record(
            by=by, action="warnings.accountability.appeal", obj=record, before=before,
            after=snapshot(record),
        )  # fmt: skip
        _notify(_office_users(), NotificationKind.APPEAL, record.warning, moment)
    return record


def accountability_appeal_decide(
    *,
    by: User,
    record: Accountability,
    outcome: str,
    note: str,
    final_measure: str = "",
    now: dt.datetime | None = None,
) -> Accountability:
    """The appeal's outcome: upheld, changed (to ``final_measure``) or revoked."""
    access.require(policy.may_decide_appeal(by, record))
    if outcome not in AppealOutcome.values:
        raise ValidationError({"outcome": _("Choose upheld, changed or revoked.")})
    if outcome == AppealOutcome.CHANGED and final_measure not in Measure.values:
        raise ValidationError({"final_measure": _("Choose the measure that replaces it.")})
    text = _require_text("note", note)
    moment = now or timezone.now()
    with transaction.atomic():
        record = Accountability.objects.select_for_update().get(pk=record.pk)
        if record.appealed_at is None or record.appeal_outcome:
            raise ValidationError({"outcome": _("There is no appeal awaiting a decision.")})
        before = snapshot(record)
        record.appeal_outcome, record.appeal_note = outcome, text
        record.final_measure = final_measure if outcome == AppealOutcome.CHANGED else ""
        record.appeal_decided_by, record.appeal_decided_at = by, moment
        record.save()
        label = AppealOutcome(outcome).label
        _history(by, record.warning, Step.APPEAL_DECIDE, moment, f"{label}: {text}")
        audit_record(
            by=by, action="warnings.accountability.appeal_decide", obj=record, before=before,
            after=snapshot(record),
        )  # fmt: skip
        _notify(
            [_account(record.staff_id)], NotificationKind.APPEAL_DECIDED, record.warning, moment
        )
    return record

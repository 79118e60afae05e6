"""Build (or bring up to date) the demo bureau through the org actions, as the system.

Everything is keyed by natural keys (unit and post codes, staff numbers, (post, seq) for duties,
(staff, post, start) for assignments, usernames), so a second run finds every record in place,
each ``*_update`` sees no change and writes nothing. Dates are fixed, not relative to today, so
the bureau is the same whenever it is loaded; only the goals follow the current year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sunlight.core import actions as accounts
from sunlight.core.models import Role, User
from sunlight.org import actions
from sunlight.org.demo import data
from sunlight.org.demo.data import PostSpec, PowerSpec, UnitSpec
from sunlight.org.models import (
    Assignment,
    AssignmentKind,
    Duty,
    DutyStatus,
    Gender,
    Goal,
    Post,
    PowerItem,
    Staff,
    Unit,
    UnitKind,
)

DEMO_PASSWORD = "sunlight-demo"  # noqa: S105  (published in the README: demo logins only)
SEED = 20_100_101
HISTORY_START = dt.date(2014, 1, 1)
# Where a duty's approval stops, by its running number modulo the length: mostly confirmed.
STATUS_CYCLE = (
    DutyStatus.DRAFT,
    DutyStatus.HEAD_REVIEW,
    DutyStatus.LEADER_REVIEW,
    DutyStatus.PERSONNEL_REVIEW,
    DutyStatus.RETURNED,
    *[DutyStatus.CONFIRMED] * 20,
)
FORMER_STAFF = 12
DEMO_USERNAMES = ("staff", "head", "leader", "office", "auditor", "admin")


# What a role without units in scope sees (see ``sunlight.core.access``).
_SCOPE_IN_WORDS = {
    Role.STAFF: gettext_lazy("own posts and records"),
    Role.OFFICE: gettext_lazy("everything"),
    Role.AUDITOR: gettext_lazy("everything, read-only"),
    Role.ADMIN: gettext_lazy("everything"),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    staff: str  # "name (unit post)" or ""
    scope: str  # the units in scope, or what the role sees in words


@dataclass
class Bureau:
    """One bureau of the demo (the city or a county) and the posts it holds, by local key."""

    code: str
    name: str
    is_city: bool
    units: dict[str, Unit]  # local key ("" is the bureau, "FJ1-SY1" a team) → unit
    posts: dict[str, tuple[Post, PostSpec]]  # "FJ1-SY1/SYGL" → post


@dataclass
class Seat:
    """A person in the demo: where they sit today, and where they sat before."""

    staff: Staff
    post: Post | None


# --- units and posts ----------------------------------------------------------------------------


def _upsert_unit(existing: dict[str, Unit], **fields: object) -> Unit:
    code = str(fields["code"])
    unit = existing.get(code)
    if unit is None:
        return actions.unit_create(by=None, **fields)  # type: ignore[arg-type]
    return actions.unit_update(
        by=None, unit=unit, **{k: v for k, v in fields.items() if k != "code"}
    )


def _walk(specs: tuple[UnitSpec, ...], prefix: str = "") -> Iterator[tuple[str, UnitSpec]]:
    for spec in specs:
        key = f"{prefix}-{spec.key}" if prefix else spec.key
        yield key, spec
        yield from _walk(spec.children, key)


def _load_bureau(
    existing: dict[str, Unit], code: str, name: str, parent: Unit | None, tree: tuple[UnitSpec, ...]
) -> dict[str, Unit]:
    units = {"": _upsert_unit(existing, code=code, name=name, kind=UnitKind.BUREAU, parent=parent)}
    for order, (key, spec) in enumerate(_walk(tree), start=1):
        parent_key = key.rpartition("-")[0]
        units[key] = _upsert_unit(
            existing,
            code=f"{code}-{key}",
            name=spec.name if spec.own_name else f"{name}{spec.name}",
            kind=spec.kind,
            parent=units[parent_key],
            sort_order=order,
        )
    return units


def _load_posts(
    units: dict[str, Unit], specs: dict[str, tuple[PostSpec, ...]]
) -> dict[str, tuple[Post, PostSpec]]:
    existing = {p.code: p for p in Post.objects.all()}
    posts = {}
    for unit_key, post_specs in specs.items():
        unit = units[unit_key]
        for spec in post_specs:
            fields = {
                "name": spec.name,
                "unit": unit,
                "power_type": spec.power_type,
                "description": spec.description,
                "is_high_risk": spec.high_risk,
                "term_limit_years": spec.term_limit_years,
            }
            code = f"{unit.code}-{spec.key}"
            post = existing.get(code)
            if post is None:
                post = actions.post_create(by=None, code=code, **fields)  # type: ignore[arg-type]
            else:
                actions.post_update(by=None, post=post, **fields)
            posts[f"{unit_key}/{spec.key}"] = (post, spec)
    return posts


def _load_structure() -> list[Bureau]:
    existing = {u.code: u for u in Unit.objects.all()}
    city_units = _load_bureau(existing, data.CITY_CODE, data.CITY_NAME, None, data.CITY_TREE)
    bureaus = [
        Bureau(
            data.CITY_CODE,
            data.CITY_NAME,
            True,
            city_units,
            _load_posts(city_units, data.CITY_POSTS),
        )
    ]
    for code, name in data.COUNTIES:
        units = _load_bureau(existing, code, name, city_units[""], data.COUNTY_TREE)
        bureaus.append(Bureau(code, name, False, units, _load_posts(units, data.COUNTY_POSTS)))
    return bureaus


# --- duties -------------------------------------------------------------------------------------


def _walk_duty(duty: Duty, target: str, number: int) -> None:
    """Take a new duty along the real approval ladder to where the demo wants it to wait."""
    if target == DutyStatus.DRAFT:
        return
    actions.duty_submit(by=None, duty=duty, comment=data.SUBMIT_COMMENT)
    if target == DutyStatus.RETURNED:
        comment = data.RETURN_COMMENTS[number % len(data.RETURN_COMMENTS)]
        actions.duty_return(by=None, duty=duty, comment=comment)
        return
    while duty.status != target:
        actions.duty_approve(by=None, duty=duty)


def _load_duties(bureaus: list[Bureau]) -> None:
    existing = {(d.post_id, d.seq): d for d in Duty.objects.all()}
    number = 0
    for bureau in bureaus:
        for post, spec in bureau.posts.values():
            for seq, text in enumerate(spec.duties, start=1):
                number += 1
                duty = existing.get((post.pk, seq))
                if duty is None:
                    duty = actions.duty_draft(
                        by=None, post=post, text=text, power_type=spec.power_type
                    )
                    _walk_duty(duty, STATUS_CYCLE[number % len(STATUS_CYCLE)], number)
                elif duty.status in actions.EDITABLE_DUTY:
                    actions.duty_update(by=None, duty=duty, text=text)


# --- people -------------------------------------------------------------------------------------


def _month(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A random first-of-month between ``first`` and ``last``."""
    months = (last.year - first.year) * 12 + last.month - first.month
    index = first.year * 12 + first.month - 1 + rng.randint(0, max(months, 0))
    return dt.date(index // 12, index % 12 + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


class People:
    """Draws names, careers and ranks from one seeded generator, in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.count = 0

    def name(self) -> tuple[str, str]:
        while True:
            gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
            pool = data.GIVEN_MALE if gender == Gender.MALE else data.GIVEN_FEMALE
            given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice([1, 2, 2])))
            name = self.rng.choice(data.SURNAMES) + given
            if name not in self.names:
                self.names.add(name)
                return name, gender

    def career(
        self, current: Post | None, others: list[Post]
    ) -> list[tuple[Post, dt.date, dt.date | None]]:
        """Earlier primary posts back to back, then the last one (open unless the person left)."""
        rng = self.rng
        if current is None:  # someone who has left: the last post ended years ago
            start = _month(rng, dt.date(2015, 1, 1), dt.date(2019, 12, 1))
            last: tuple[Post, dt.date, dt.date | None] = (
                rng.choice(others),
                start,
                _add_months(start, rng.randint(24, 60)) - dt.timedelta(days=1),
            )
        elif current.is_high_risk and rng.random() < 0.2:
            # In a high-risk post for over five years: the case the rotation plan must catch.
            last = (current, _month(rng, dt.date(2014, 6, 1), dt.date(2020, 6, 1)), None)
        else:
            last = (current, _month(rng, dt.date(2020, 1, 1), dt.date(2025, 9, 1)), None)
        history = [last]
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            following, following_start = history[0][0], history[0][1]
            start = _add_months(following_start, -rng.randint(18, 60))
            if start < HISTORY_START:
                break
            earlier = rng.choice([p for p in others if p.pk != following.pk])
            history.insert(0, (earlier, start, following_start - dt.timedelta(days=1)))
        return history


def _upsert_staff(
    existing: dict[str, Staff], staff_no: str, is_active: bool, **fields: object
) -> Staff:
    staff = existing.get(staff_no)
    if staff is None:
        # Created as the person was hired; one who has since left is then marked so.
        staff = actions.staff_create(by=None, staff_no=staff_no, **fields)  # type: ignore[arg-type]
    return actions.staff_update(by=None, staff=staff, is_active=is_active, **fields)


def _upsert_assignment(
    existing: dict[tuple[int, int, dt.date], Assignment],
    staff: Staff,
    post: Post,
    start: dt.date,
    end: dt.date | None,
    kind: str,
) -> None:
    assignment = existing.get((staff.pk, post.pk, start))
    if assignment is None:
        actions.assignment_create(by=None, staff=staff, post=post, start=start, end=end, kind=kind)
    else:
        actions.assignment_update(by=None, assignment=assignment, end=end, kind=kind)


def _rank(bureau: Bureau, spec: PostSpec, rng: random.Random) -> str:
    leaders = data.CITY_LEADER_RANKS if bureau.is_city else data.COUNTY_LEADER_RANKS
    return leaders.get(spec.key) or rng.choice(data.RANKS)


def _load_staff(bureaus: list[Bureau], rng: random.Random) -> dict[str, list[Staff]]:
    """Staff and their assignments; returns today's holders by post code."""
    people = People(rng)
    existing = {s.staff_no: s for s in Staff.objects.all()}
    assignments = {(a.staff_id, a.post_id, a.start): a for a in Assignment.objects.all()}
    holders: dict[str, list[Staff]] = {}
    seats: list[tuple[Bureau, Post | None, PostSpec | None]] = [
        (bureau, post, spec)
        for bureau in bureaus
        for post, spec in bureau.posts.values()
        for _ in range(spec.holders)
    ]
    seats += [(bureaus[1 + n % (len(bureaus) - 1)], None, None) for n in range(FORMER_STAFF)]
    for number, (bureau, post, spec) in enumerate(seats, start=1):
        name, gender = people.name()
        local_posts = [p for p, _ in bureau.posts.values()]
        career = people.career(post, local_posts)
        last_post = career[-1][0]
        staff = _upsert_staff(
            existing,
            f"S{number:04d}",
            name=name,
            gender=gender,
            unit=last_post.unit,
            rank=_rank(bureau, spec, rng) if spec else rng.choice(data.RANKS),
            phone=f"139{rng.randint(0, 99_999_999):08d}",
            is_active=post is not None,
        )
        for held, start, end in career:
            _upsert_assignment(assignments, staff, held, start, end, AssignmentKind.PRIMARY)
        if post is not None and number % 11 == 0:
            _act(assignments, staff, post, local_posts, rng)
        if post is not None:
            holders.setdefault(post.code, []).append(staff)
    return holders


def _act(
    assignments: dict[tuple[int, int, dt.date], Assignment],
    staff: Staff,
    post: Post,
    local_posts: list[Post],
    rng: random.Random,
) -> None:
    """A few months acting in a second post (代理) alongside the primary one, as when a
    branch head is away."""
    acting = rng.choice([p for p in local_posts if p.pk != post.pk])
    start = _month(rng, dt.date(2023, 1, 1), dt.date(2025, 6, 1))
    end = _add_months(start, rng.randint(2, 6)) - dt.timedelta(days=1)
    _upsert_assignment(assignments, staff, acting, start, end, AssignmentKind.ACTING)


# --- power list and goals -----------------------------------------------------------------------


def _load_powers(bureaus: list[Bureau]) -> None:
    existing = {p.code: p for p in PowerItem.objects.all()}
    for bureau in bureaus:
        specs: tuple[PowerSpec, ...] = data.CITY_POWERS if bureau.is_city else data.COUNTY_POWERS
        for spec in specs:
            post = bureau.posts[f"{spec.unit}/{spec.post}"][0] if spec.post else None
            fields = {
                "name": spec.name,
                "category": spec.category,
                "power_type": spec.power_type,
                "unit": bureau.units[spec.unit],
                "post": post,
                "description": spec.description,
                "time_limit_days": spec.time_limit_days,
                "is_public": spec.is_public,
            }
            code = f"QL-{bureau.code}-{spec.key}"
            item = existing.get(code)
            if item is None:
                actions.power_item_create(
                    by=None,
                    code=code,
                    legal_bases=spec.bases,
                    **fields,  # type: ignore[arg-type]
                )
            else:
                actions.power_item_update(
                    by=None, power_item=item, legal_bases=spec.bases, **fields
                )


def _upsert_goal(
    existing: dict[tuple[int, int, int | None, str], Goal],
    unit: Unit,
    year: int,
    title: str,
    target: str,
    post: Post | None = None,
    parent: Goal | None = None,
) -> Goal:
    goal = existing.get((year, unit.pk, post.pk if post else None, title))
    if goal is None:
        return actions.goal_set(
            by=None, unit=unit, year=year, title=title, target=target, post=post, parent=parent
        )
    return actions.goal_update(by=None, goal=goal, target=target, parent=parent)


def _load_goals(bureaus: list[Bureau], year: int) -> None:
    existing = {(g.year, g.unit_id, g.post_id, g.title): g for g in Goal.objects.all()}
    for bureau in bureaus:
        for spec in data.BUREAU_GOALS:
            goal = _upsert_goal(existing, bureau.units[""], year, spec.title, spec.target)
            if bureau.is_city:
                continue  # the city's goals are broken down by the counties' own
            for unit_key, post_key, title, target in spec.posts:
                post = bureau.posts[f"{unit_key}/{post_key}"][0]
                _upsert_goal(existing, post.unit, year, title, target, post, goal)


# --- accounts -----------------------------------------------------------------------------------


def _upsert_account(username: str, role: str, staff: Staff | None, scope: list[Unit]) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        return accounts.account_create(
            by=None,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            staff=staff,
            scope_units=scope,
        )
    return accounts.account_update(
        by=None, user=user, role=role, staff=staff, scope_units=scope, is_active=True
    )


def _load_accounts(bureaus: list[Bureau], holders: dict[str, list[Staff]]) -> list[DemoAccount]:
    city, county = bureaus[0], bureaus[1]

    def holder(bureau: Bureau, key: str) -> tuple[Staff, Post]:
        post = bureau.posts[key][0]
        return holders[post.code][0], post

    plan: list[tuple[str, str, tuple[Staff, Post] | None, list[Unit]]] = [
        ("staff", Role.STAFF, holder(county, "ZG/ZGYW"), []),
        ("head", Role.HEAD, holder(county, "/JZ"), [county.units[""]]),
        (
            "leader",
            Role.LEADER,
            holder(city, "/FJZ"),
            [city.units["ZGK"], city.units["NFK"], city.units["JCJ"]],
        ),
        ("office", Role.OFFICE, holder(city, "JCS/NKJD"), []),
        ("auditor", Role.AUDITOR, holder(city, "DCK/DCNS"), []),
        ("admin", Role.ADMIN, None, []),
    ]
    result = []
    for username, role, held, scope in plan:
        _upsert_account(username, role, held[0] if held else None, scope)
        result.append(_account(username, role, held, scope))
    return result


def _account(
    username: str, role: str, held: tuple[Staff, Post] | None, scope: list[Unit]
) -> DemoAccount:
    return DemoAccount(
        username=username,
        role=str(Role(role).label),
        staff=f"{held[0].name}（{held[1].unit.name} {held[1].name}）" if held else "",
        scope="、".join(u.name for u in sorted(scope, key=lambda u: (u.sort_order, u.code)))
        or str(_SCOPE_IN_WORDS[Role(role)]),
    )


def _held_today(user: User) -> tuple[Staff, Post] | None:
    if user.staff is None:
        return None
    current = (
        user.staff.assignments.filter(kind=AssignmentKind.PRIMARY, end__isnull=True)
        .select_related("post__unit")
        .order_by("-start")
        .first()
    )
    return (user.staff, current.post) if current else None


def accounts_in_place() -> list[DemoAccount]:
    """The demo logins that still open with the demo password, so that a later ``make run``
    can print them again; a login whose password was changed is left out."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("staff")
        .prefetch_related("scope_units")
    }
    return [
        _account(name, user.role, _held_today(user), list(user.scope_units.all()))
        for name in DEMO_USERNAMES
        if (user := users.get(name)) and check_password(DEMO_PASSWORD, user.password)
    ]


def load_demo() -> list[DemoAccount]:
    """Create or refresh the demo bureau; return its logins (password ``DEMO_PASSWORD``)."""
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    # One transaction: all or nothing, and SQLite writes the whole bureau in one commit.
    with transaction.atomic():
        bureaus = _load_structure()
        _load_duties(bureaus)
        holders = _load_staff(bureaus, rng)
        _load_powers(bureaus)
        _load_goals(bureaus, timezone.localdate().year)
        return _load_accounts(bureaus, holders)

"""Who may read and write what through the API: every role × own / same-unit / other-unit records.

The world (``sunlight.core.testing``) plus, for each resource, one record of the staff user's own
(``own``), one of their unit that is not theirs (``same``) and one of county B (``other``):

    units        own A1        same A          other B1
    posts        own PA1       same PA2        other PB1
    staff        own S-A       same S-A2       other S-B
    assignments  own S-A@PA1   same S-A2@PA2   other S-B@PB1
    duties       own PA1-1     same PA2-1      other PB1-1
    power items  own QO (unpublished, owned by PA1)  same QS (unpublished, A1)  other QX
                 (unpublished, B1), and QP (published, B1) which everyone sees
    goals        own GO (post PA1)  same GS (unit A1)  other GX (unit B1)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Assignment, Duty, Goal, Post, PowerItem, Staff, Unit

ROLES = ["staff", "head", "leader", "office", "auditor", "admin"]
TARGETS = ["own", "same", "other"]
EVERYONE_ELSE = {"office", "auditor", "admin"}


@pytest.fixture
def org(world: World) -> dict[str, dict[str, Any]]:
    office = world.user("office")
    staff_a2 = actions.staff_create(by=office, staff_no="S-A2", name="王五", unit=world.dept_a1)
    same_assignment = actions.assignment_create(
        by=office, staff=staff_a2, post=world.post_a2, start=dt.date(2020, 1, 1)
    )
    duties = {
        name: actions.duty_draft(by=office, post=post, text=f"{post.code} 的职责")
        for name, post in {
            "own": world.post_a1,
            "same": world.post_a2,
            "other": world.post_b1,
        }.items()
    }

    def power(code: str, unit: Unit, post: Post | None = None, public: bool = False) -> PowerItem:
        return actions.power_item_create(
            by=office,
            code=code,
            name=f"权力{code}",
            category="relief",
            power_type="decide",
            unit=unit,
            post=post,
            is_public=public,
        )

    powers = {
        "own": power("QO", world.dept_a1, world.post_a1),
        "same": power("QS", world.dept_a1),
        "other": power("QX", world.dept_b1),
    }
    power("QP", world.dept_b1, public=True)
    goals = {
        "own": actions.goal_set(
            by=office, unit=world.dept_a1, post=world.post_a1, year=2026, title="GO"
        ),
        "same": actions.goal_set(by=office, unit=world.dept_a1, year=2026, title="GS"),
        "other": actions.goal_set(by=office, unit=world.dept_b1, year=2026, title="GX"),
    }
    return {
        "units": {"own": world.dept_a1, "same": world.county_a, "other": world.dept_b1},
        "posts": {"own": world.post_a1, "same": world.post_a2, "other": world.post_b1},
        "staff": {"own": world.staff_a, "same": staff_a2, "other": world.staff_b},
        "assignments": {
            "own": Assignment.objects.get(staff=world.staff_a),
            "same": same_assignment,
            "other": Assignment.objects.get(staff=world.staff_b),
        },
        "duties": duties,
        "power-items": powers,
        "goals": goals,
    }


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    client.force_login(world.user(role))
    return client


def label(resource: str, obj: Any) -> str:
    """A record's natural key, as the tables below name it."""
    if isinstance(obj, Assignment):
        return f"{obj.staff.staff_no}@{obj.post.code}"
    if isinstance(obj, Duty):
        return f"{obj.post.code}-{obj.seq}"
    if isinstance(obj, Staff):
        return obj.staff_no
    if isinstance(obj, Goal):
        return obj.title
    return str(obj.code)


def row_label(resource: str, row: dict[str, Any]) -> str:
    if resource == "assignments":
        return f"{row['staff']}@{row['post']}"
    if resource == "duties":
        return f"{row['post']}-{row['seq']}"
    if resource == "staff":
        return str(row["staff_no"])
    if resource == "goals":
        return str(row["title"])
    return str(row["code"])


ALL = {
    "units": {"C", "A", "A1", "B", "B1"},
    "posts": {"PA1", "PA2", "PB1"},
    "staff": {"S-A", "S-A2", "S-B"},
    "assignments": {"S-A@PA1", "S-A2@PA2", "S-B@PB1"},
    "duties": {"PA1-1", "PA2-1", "PB1-1"},
    "power-items": {"QO", "QS", "QX", "QP"},
    "goals": {"GO", "GS", "GX"},
}

# What each role lists (and may retrieve); office, auditor and admin see everything.
VISIBLE: dict[str, dict[str, set[str]]] = {
    "units": {"staff": {"A1"}, "head": {"A", "A1"}, "leader": {"B", "B1"}},
    "posts": {"staff": {"PA1"}, "head": {"PA1", "PA2"}, "leader": {"PB1"}},
    "staff": {"staff": {"S-A"}, "head": {"S-A", "S-A2"}, "leader": {"S-B"}},
    "assignments": {
        "staff": {"S-A@PA1"},
        "head": {"S-A@PA1", "S-A2@PA2"},
        "leader": {"S-B@PB1"},
    },
    "duties": {"staff": {"PA1-1"}, "head": {"PA1-1", "PA2-1"}, "leader": {"PB1-1"}},
    "power-items": {"staff": {"QO", "QP"}, "head": {"QO", "QS", "QP"}, "leader": {"QX", "QP"}},
    "goals": {"staff": {"GO", "GS"}, "head": {"GO", "GS"}, "leader": {"GX"}},
}


def visible(resource: str, role: str) -> set[str]:
    return ALL[resource] if role in EVERYONE_ELSE else VISIBLE[resource][role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", list(ALL))
def test_lists_and_lookups_follow_the_scope(
    world: World, org: dict[str, Any], resource: str, role: str
) -> None:
    client = client_for(world, role)

    response = client.get(f"/api/v1/{resource}/", {"limit": 100})

    assert response.status_code == 200
    assert {row_label(resource, row) for row in response.json()["results"]} == visible(
        resource, role
    )
    for obj in org[resource].values():
        expected = 200 if label(resource, obj) in visible(resource, role) else 404
        assert client.get(f"/api/v1/{resource}/{obj.pk}/").status_code == expected, obj


# PATCH own / same / other: 200 allowed, 403 seen but not allowed, 404 not seen. Each row of a
# table is one test: the role's answers for its own, a same-unit and an other-unit record.
MANAGED_UPDATE = {
    "staff": "403 404 404",
    "head": "403 403 404",
    "leader": "404 404 403",
    "office": "200 200 200",
    "auditor": "403 403 403",
    "admin": "200 200 200",
}
UPDATE = {
    "units": MANAGED_UPDATE,
    "posts": MANAGED_UPDATE,
    "staff": MANAGED_UPDATE,
    "assignments": MANAGED_UPDATE,
    "power-items": MANAGED_UPDATE,
    "duties": {**MANAGED_UPDATE, "staff": "200 404 404", "head": "200 200 404"},
    "goals": {
        **MANAGED_UPDATE,
        "staff": "403 403 404",
        "head": "200 200 404",
        "leader": "404 404 200",
    },
}
PATCHES: dict[str, dict[str, Any]] = {
    "units": {"name": "改名后的单位"},
    "posts": {"name": "改名后的岗位"},
    "staff": {"phone": "0571-12345678"},
    "assignments": {"end": "2030-12-31"},
    "duties": {"text": "修改后的职责"},
    "power-items": {"name": "改名后的权力"},
    "goals": {"title": "修改后的目标"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", list(UPDATE))
def test_updates_follow_role_and_scope(
    world: World, org: dict[str, Any], resource: str, role: str
) -> None:
    client = client_for(world, role)
    statuses = []
    for target in TARGETS:
        audit_rows = AuditRecord.objects.count()

        response = client.patch(
            f"/api/v1/{resource}/{org[resource][target].pk}/", PATCHES[resource], format="json"
        )

        statuses.append(str(response.status_code))
        written = AuditRecord.objects.count() - audit_rows
        assert written == (1 if response.status_code == 200 else 0), target
        if response.status_code == 200:
            field, value = next(iter(PATCHES[resource].items()))
            assert str(response.json()[field]) == value
    assert " ".join(statuses) == UPDATE[resource][role]


# POST against own / same / other targets: 201 created, 403 refused, 400 when the record it
# refers to is outside the caller's scope (reported like a record that does not exist).
MANAGED_CREATE = {
    "staff": "403 403 403",
    "head": "403 403 403",
    "leader": "403 403 403",
    "office": "201 201 201",
    "auditor": "403 403 403",
    "admin": "201 201 201",
}
CREATE = {
    "units": MANAGED_CREATE,
    "posts": MANAGED_CREATE,
    "staff": MANAGED_CREATE,
    "assignments": MANAGED_CREATE,
    "power-items": MANAGED_CREATE,
    "duties": {
        **MANAGED_CREATE,
        "staff": "201 400 400",
        "head": "201 201 400",
        "leader": "400 400 403",
    },
    "goals": {
        **MANAGED_CREATE,
        "staff": "403 400 400",
        "head": "201 201 400",
        "leader": "400 400 201",
    },
}
UNIT_OF = {"own": "A1", "same": "A", "other": "B1"}
POST_OF = {"own": "PA1", "same": "PA2", "other": "PB1"}
STAFF_OF = {"own": "S-A", "same": "S-A2", "other": "S-B"}


def payload(resource: str, target: str) -> dict[str, Any]:
    """A new record of ``resource`` referring to the ``target`` unit, post or person."""
    unit, post, new = UNIT_OF[target], POST_OF[target], f"NEW-{target}"
    bodies: dict[str, dict[str, Any]] = {
        "units": {"code": new, "name": "新单位", "kind": "team", "parent": unit},
        "posts": {"code": new, "name": "新岗位", "unit": unit, "power_type": "execute"},
        "staff": {"staff_no": new, "name": "赵六", "unit": unit, "gender": "F"},
        "assignments": {
            "staff": STAFF_OF[target],
            "post": post,
            "start": "2024-01-01",
            "kind": "acting",
        },
        "duties": {"post": post, "text": "新的职责", "power_type": "execute"},
        "power-items": {
            "code": new,
            "name": "新权力",
            "category": "penalty",
            "power_type": "decide",
            "unit": unit,
            "legal_bases": [{"law": "《税收征收管理法》", "article": "第六十条"}],
        },
        "goals": {"year": 2026, "unit": unit, "title": new, "target": "完成"},
    }
    return bodies[resource]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", list(CREATE))
def test_creates_follow_role_and_scope(
    world: World, org: dict[str, Any], resource: str, role: str
) -> None:
    client = client_for(world, role)
    statuses = []
    for target in TARGETS:
        audit_rows = AuditRecord.objects.count()

        response = client.post(f"/api/v1/{resource}/", payload(resource, target), format="json")

        statuses.append(str(response.status_code))
        written = AuditRecord.objects.count() - audit_rows
        assert written == (1 if response.status_code == 201 else 0), target
        if response.status_code == 400:
            assert set(response.json()) <= {"unit", "post", "staff", "parent"}, response.json()
    assert " ".join(statuses) == CREATE[resource][role]


WRITES = [
    ("post", "/api/v1/units/", lambda o: payload("units", "own")),
    ("post", "/api/v1/posts/", lambda o: payload("posts", "own")),
    ("post", "/api/v1/staff/", lambda o: payload("staff", "own")),
    ("post", "/api/v1/assignments/", lambda o: payload("assignments", "same")),
    ("post", "/api/v1/duties/", lambda o: payload("duties", "own")),
    ("post", "/api/v1/power-items/", lambda o: payload("power-items", "own")),
    ("post", "/api/v1/goals/", lambda o: payload("goals", "own")),
    *[("patch", f"{resource}:own", lambda o, r=resource: PATCHES[r]) for resource in PATCHES],
    ("post", "duties:submit", lambda o: {"comment": "请审核"}),
]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_every_api_write_is_audited_with_the_request_id(
    world: World, org: dict[str, Any], method: str, url: str, body: Any
) -> None:
    if ":" in url:
        resource, what = url.split(":")
        obj = org[resource]["own"]
        url = f"/api/v1/{resource}/{obj.pk}/" + ("" if what == "own" else f"{what}/")

    response = getattr(client_for(world, "admin"), method)(
        url, body(org), format="json", HTTP_X_REQUEST_ID="req-4711"
    )

    assert response.status_code in (200, 201), response.content
    assert response["X-Request-ID"] == "req-4711"
    record = AuditRecord.objects.get(request_id="req-4711")
    assert record.actor == world.user("admin")
    assert record.action.startswith("org.")


# Decisions on a duty waiting at each stage: PA1 (own, county A) and PB1 (other, county B).
# 200 decided, 403 seen but not this role's step, 404 not seen.
DECIDE = {
    "head_review": {
        "staff": "403 404",
        "head": "200 404",
        "leader": "404 403",
        "office": "403 403",
        "auditor": "403 403",
        "admin": "403 403",
    },
    "leader_review": {
        "staff": "403 404",
        "head": "403 404",
        "leader": "404 200",
        "office": "403 403",
        "auditor": "403 403",
        "admin": "403 403",
    },
    "personnel_review": {
        "staff": "403 404",
        "head": "403 404",
        "leader": "404 403",
        "office": "200 200",
        "auditor": "403 403",
        "admin": "200 200",
    },
}


def _waiting_at(post: Post, stage: str) -> Duty:
    duty = actions.duty_submit(by=None, duty=actions.duty_draft(by=None, post=post, text="职责"))
    while duty.status != stage:
        duty = actions.duty_approve(by=None, duty=duty)
    return duty


@pytest.mark.parametrize("step", ["approve", "return"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("stage", list(DECIDE))
def test_duty_decisions_follow_role_stage_and_scope(
    world: World, stage: str, role: str, step: str
) -> None:
    client = client_for(world, role)
    statuses = []
    for post in (world.post_a1, world.post_b1):
        duty = _waiting_at(post, stage)
        audit_rows = AuditRecord.objects.count()

        response = client.post(
            f"/api/v1/duties/{duty.pk}/{step}/", {"comment": "请细化"}, format="json"
        )

        statuses.append(str(response.status_code))
        duty.refresh_from_db()
        decided = response.status_code == 200
        assert (duty.status != stage) == decided
        assert AuditRecord.objects.count() - audit_rows == (1 if decided else 0)
    assert " ".join(statuses) == DECIDE[stage][role]

"""The demo bureau: big enough to show every screen, the same on every run, scoped logins.

Loading it takes seconds, so it is loaded (twice) once for the module inside a transaction that
is rolled back afterwards; the tests read what was recorded then.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sunlight.audit.models import AuditRecord
from sunlight.audit.queries import verify_chain
from sunlight.core import access
from sunlight.core.models import Role, User
from sunlight.core.testing import World
from sunlight.org import queries
from sunlight.org.demo import DEMO_PASSWORD, load_demo
from sunlight.org.models import (
    Assignment,
    AssignmentKind,
    Duty,
    DutyReview,
    DutyStatus,
    Goal,
    LegalBasis,
    Post,
    PowerCategory,
    PowerItem,
    PowerType,
    Staff,
    Unit,
    UnitKind,
)
from sunlight.org.spreadsheets.export import export_workbook
from sunlight.org.spreadsheets.importer import import_workbook

# The module-scoped load runs before the function-scoped settings of sunlight/conftest.py, so
# it sets the fast hasher itself.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = (Unit, Post, Duty, DutyReview, Staff, Assignment, PowerItem, LegalBasis, Goal, User)


def natural_keys() -> dict[str, set[Any]]:
    return {
        "units": set(Unit.objects.values_list("code", "parent__code", "path", "name")),
        "posts": set(Post.objects.values_list("code", "unit__code", "is_high_risk")),
        "duties": set(Duty.objects.values_list("post__code", "seq", "status", "text")),
        "staff": set(Staff.objects.values_list("staff_no", "name", "unit__code", "is_active")),
        "assignments": set(
            Assignment.objects.values_list("staff__staff_no", "post__code", "start", "end", "kind")
        ),
        "power_items": set(PowerItem.objects.values_list("code", "legal_bases__article")),
        "goals": set(Goal.objects.values_list("year", "unit__code", "post__code", "title")),
        "users": set(User.objects.values_list("username", "role", "staff__staff_no")),
    }


@dataclass
class Demo:
    counts: list[dict[str, int]] = field(default_factory=list)
    keys: list[dict[str, set[Any]]] = field(default_factory=list)
    audit_rows: list[int] = field(default_factory=list)
    dumps: list[str] = field(default_factory=list)
    chain_ok: bool = False
    output: str = ""
    output_again: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    round_trips: dict[str, dict[str, Any]] = field(default_factory=dict)


def full_dump() -> str:
    """Every row of every table, primary keys and timestamps included."""
    out = StringIO()
    call_command("dumpdata", "--all", "--indent=0", stdout=out)
    return out.getvalue()


def record_run(demo: Demo) -> None:
    demo.counts.append({m.__name__: m.objects.count() for m in MODELS})
    demo.keys.append(natural_keys())
    demo.audit_rows.append(AuditRecord.objects.count())
    demo.dumps.append(full_dump())


def record_facts(demo: Demo) -> None:
    today = timezone.localdate()
    five_years_ago = today.replace(year=today.year - 5)
    high_risk_open = Assignment.objects.filter(post__is_high_risk=True, end__isnull=True)
    primaries = Counter(
        Assignment.objects.filter(kind=AssignmentKind.PRIMARY).values_list("staff_id", flat=True)
    )
    city = Unit.objects.get(parent__isnull=True)
    demo.facts = {
        "roots": Unit.objects.filter(parent__isnull=True).count(),
        "counties": Unit.objects.filter(parent=city, kind=UnitKind.BUREAU)
        .exclude(name__endswith="稽查局")
        .count(),
        "kinds": Counter(Unit.objects.values_list("kind", flat=True)),
        "county_kinds": {
            county.code: set(
                Unit.objects.filter(path__startswith=county.path)
                .exclude(pk=county.pk)
                .values_list("kind", flat=True)
            )
            for county in Unit.objects.filter(parent=city, kind=UnitKind.BUREAU).exclude(
                name__endswith="稽查局"
            )
        },
        "power_types": Counter(Post.objects.values_list("power_type", flat=True)),
        "high_risk_with_limit": Post.objects.filter(
            is_high_risk=True, term_limit_years__isnull=False
        ).count(),
        "statuses": Counter(Duty.objects.values_list("status", flat=True)),
        "returned_comments": list(
            DutyReview.objects.filter(decision="return").values_list("comment", flat=True)
        ),
        "confirmed_reviews": Counter(
            DutyReview.objects.filter(duty__status=DutyStatus.CONFIRMED).values_list(
                "duty_id", flat=True
            )
        ),
        "overdue": high_risk_open.filter(start__lt=five_years_ago).count(),
        "acting": Assignment.objects.filter(kind=AssignmentKind.ACTING).count(),
        "rotated": sum(1 for n in primaries.values() if n >= 2),
        "earliest": Assignment.objects.order_by("start").values_list("start", flat=True).first(),
        "unassigned_active": Staff.objects.filter(is_active=True, assignments__isnull=True).count(),
        "categories": set(PowerItem.objects.values_list("category", flat=True)),
        "bases": set(LegalBasis.objects.values_list("law", "article")),
        "non_public": PowerItem.objects.filter(is_public=False).count(),
        "unit_goals": Goal.objects.filter(year=today.year, post__isnull=True).count(),
        "post_goals": Goal.objects.filter(
            year=today.year, post__isnull=False, parent__isnull=False
        ).count(),
        "staff_names": list(Staff.objects.values_list("name", flat=True)),
    }


def record_round_trips(demo: Demo) -> None:
    """The whole bureau exported to xlsx by the office and imported back, in both languages."""
    office = User.objects.get(username="office")
    for lang in ("zh", "en"):
        audit_rows = AuditRecord.objects.count()
        report = import_workbook(io.BytesIO(export_workbook(office, lang)), by=office)
        demo.round_trips[lang] = {
            "errors": [str(e) for e in report.errors],
            "changed": report.changed,
            "unchanged": {key: c.unchanged for key, c in report.counts.items()},
            "audit_rows": AuditRecord.objects.count() - audit_rows,
        }


def record_users(demo: Demo) -> None:
    for user in User.objects.select_related("staff__unit"):
        demo.users[user.username] = {
            "role": user.role,
            "password_ok": user.check_password(DEMO_PASSWORD),
            "staff_unit": user.staff.unit.code if user.staff else None,
            "staff_unit_kind": user.staff.unit.kind if user.staff else None,
            "holds_posts": bool(access.current_post_ids(user)),
            "scope": sorted(u.code for u in user.scope_units.all()),
            "units_seen": set(queries.units_for(user).values_list("code", flat=True)),
            "all_units": set(Unit.objects.values_list("code", flat=True)),
        }


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Demo:
    """Everything the tests check, read before the load is rolled back."""
    result = Demo()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("loaddemo", "--no-traces", stdout=out)
        result.output = out.getvalue()
        record_run(result)
        load_demo()
        record_run(result)
        result.chain_ok = verify_chain().ok
        again = StringIO()
        call_command("loaddemo", "--if-empty", stdout=again)
        result.output_again = again.getvalue()
        record_facts(result)
        record_users(result)
        record_round_trips(result)
        transaction.set_rollback(True)
    return result


# --- idempotent and deterministic ---------------------------------------------------------------


def test_second_run_changes_nothing(demo: Demo) -> None:
    assert demo.counts[0] == demo.counts[1]
    assert demo.keys[0] == demo.keys[1]


def test_second_run_leaves_an_identical_full_dump(demo: Demo) -> None:
    assert len(demo.dumps[0]) > 100_000
    assert demo.dumps[0] == demo.dumps[1]


def test_second_run_writes_no_audit_rows(demo: Demo) -> None:
    """Had any random draw differed, the second run would have updated (and audited) it."""
    assert demo.audit_rows[0] > 0
    assert demo.audit_rows[1] == demo.audit_rows[0]


def test_the_demo_leaves_a_valid_audit_trail(demo: Demo) -> None:
    assert demo.chain_ok
    assert demo.audit_rows[0] >= demo.counts[0]["Duty"] + demo.counts[0]["Staff"]


# --- big enough and realistic -------------------------------------------------------------------


def test_minimum_sizes(demo: Demo) -> None:
    counts = demo.counts[0]
    assert counts["Post"] >= 60
    assert counts["Duty"] >= 300
    assert counts["Staff"] >= 200
    assert counts["PowerItem"] >= 40
    assert counts["User"] == 6


def test_unit_tree(demo: Demo) -> None:
    facts = demo.facts
    assert facts["roots"] == 1
    assert facts["counties"] >= 3
    for kind in UnitKind.values:
        assert facts["kinds"][kind] >= 1
    # Each county bureau has its own sections (股/室), branches (分局) and their teams.
    for kinds in facts["county_kinds"].values():
        assert {UnitKind.DEPARTMENT, UnitKind.BRANCH, UnitKind.TEAM} <= kinds


def test_posts_span_the_three_powers_and_high_risk(demo: Demo) -> None:
    for power_type in PowerType.values:
        assert demo.facts["power_types"][power_type] >= 10
    assert demo.facts["high_risk_with_limit"] >= 10


def test_duties_wait_at_every_stage(demo: Demo) -> None:
    statuses = demo.facts["statuses"]
    assert statuses[DutyStatus.CONFIRMED] > sum(statuses.values()) / 2
    for status in DutyStatus.values:
        assert statuses[status] >= 3
    assert demo.facts["returned_comments"]
    assert all(comment for comment in demo.facts["returned_comments"])
    # A confirmed duty went through submit and three approvals.
    assert set(demo.facts["confirmed_reviews"].values()) == {4}


def test_assignment_histories(demo: Demo) -> None:
    facts = demo.facts
    assert facts["overdue"] >= 5  # in a high-risk post for more than five years
    assert facts["acting"] >= 5
    assert facts["rotated"] >= 50
    assert facts["earliest"] <= dt.date(2016, 12, 31)
    assert facts["unassigned_active"] == 0
    assert len(set(facts["staff_names"])) == len(facts["staff_names"])


def test_power_list_categories_and_laws(demo: Demo) -> None:
    assert demo.facts["categories"] == set(PowerCategory.values)
    bases = demo.facts["bases"]
    law = "《中华人民共和国税收征收管理法》"
    for article in ("第三十三条", "第六十二条", "第六十三条", "第六十四条"):
        assert (law, article) in bases
    assert ("《中华人民共和国行政处罚法》", "第三十三条") in bases
    assert ("《中华人民共和国行政许可法》", "第四十二条") in bases
    assert any(law == "《中华人民共和国发票管理办法》" for law, _ in bases)
    assert demo.facts["non_public"] >= 5


def test_goals_for_this_year(demo: Demo) -> None:
    assert demo.facts["unit_goals"] >= 5
    assert demo.facts["post_goals"] >= 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_whole_bureau_round_trips_through_xlsx(demo: Demo, lang: str) -> None:
    trip = demo.round_trips[lang]
    assert trip["errors"] == []
    assert (trip["changed"], trip["audit_rows"]) == (0, 0)
    counts = demo.counts[0]
    assert trip["unchanged"] == {
        "units": counts["Unit"],
        "posts": counts["Post"],
        "staff": counts["Staff"],
        "assignments": counts["Assignment"],
        "duties": counts["Duty"],
        "power_items": counts["PowerItem"],
    }


# --- the logins ---------------------------------------------------------------------------------


def test_one_login_per_role_with_the_demo_password(demo: Demo) -> None:
    assert {name: u["role"] for name, u in demo.users.items()} == {r.value: r.value for r in Role}
    assert all(u["password_ok"] for u in demo.users.values())


def test_staff_login_is_a_county_officer_holding_a_post(demo: Demo) -> None:
    staff = demo.users["staff"]
    assert staff["staff_unit_kind"] == UnitKind.DEPARTMENT
    assert staff["staff_unit"].startswith("SL0")  # a county, not the city
    assert staff["holds_posts"]
    assert staff["scope"] == []


def test_head_heads_a_county_and_sees_its_subtree(demo: Demo) -> None:
    head = demo.users["head"]
    assert head["scope"] == [head["staff_unit"]]
    county = head["staff_unit"]
    assert head["units_seen"] == {c for c in head["all_units"] if c.startswith(f"{county}")}


def test_leader_oversees_several_city_units(demo: Demo) -> None:
    leader = demo.users["leader"]
    assert len(leader["scope"]) >= 2
    assert leader["staff_unit"] == "SL"
    seen = leader["units_seen"]
    assert all(code in seen for code in leader["scope"])
    assert not any(code.startswith("SL01") for code in seen)


@pytest.mark.parametrize("username", ["office", "auditor"])
def test_office_and_auditor_see_everything(demo: Demo, username: str) -> None:
    user = demo.users[username]
    assert user["staff_unit"] in {"SL-JCS", "SL-DCK"}
    assert user["units_seen"] == user["all_units"]
    assert user["scope"] == []


def test_admin_has_no_staff_record(demo: Demo) -> None:
    assert demo.users["admin"]["staff_unit"] is None
    assert demo.users["admin"]["units_seen"] == demo.users["admin"]["all_units"]


def test_command_prints_the_logins(demo: Demo) -> None:
    for username in ("staff", "head", "leader", "office", "auditor", "admin"):
        assert f"  {username} " in demo.output
    assert DEMO_PASSWORD in demo.output
    # In the bureau's language, as `make run` prints it.
    assert "演示账号" in demo.output
    assert "范围: 本人岗位和记录" in demo.output


# --- first-run setup ----------------------------------------------------------------------------


def test_if_empty_leaves_an_existing_organisation_alone(world: World) -> None:
    units = Unit.objects.count()
    out = StringIO()
    call_command("loaddemo", "--if-empty", stdout=out)
    assert Unit.objects.count() == units
    assert out.getvalue().strip() == "组织机构已有数据，未加载演示数据。"


def test_a_later_run_prints_the_same_logins_again(demo: Demo) -> None:
    def logins(output: str) -> list[str]:
        return [line for line in output.splitlines() if line.startswith("  ")]

    assert "未加载演示数据" in demo.output_again
    assert len(logins(demo.output)) == 6
    assert logins(demo.output_again) == logins(demo.output)


def test_a_later_run_prints_only_logins_that_still_have_the_demo_password(world: World) -> None:
    head = world.user("head")
    head.set_password(DEMO_PASSWORD)
    head.save(update_fields=["password"])
    out = StringIO()

    call_command("loaddemo", "--if-empty", stdout=out)

    assert [line.split()[0] for line in out.getvalue().splitlines()[2:]] == ["head"]
    assert "  head     单位负责人; 范围: A县税务局" in out.getvalue()

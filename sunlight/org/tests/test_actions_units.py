"""Units: creation sets the materialised path, moves re-path the subtree, cycles are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import Unit, UnitKind


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def test_create_sets_path_and_audits(world: World) -> None:
    office = world.user("office")

    unit = actions.unit_create(
        by=office, code="A2", name="A县税务局第一分局", kind=UnitKind.BRANCH, parent=world.county_a
    )

    unit.refresh_from_db()
    assert unit.path == f"{world.county_a.path}{unit.pk}/"
    record = last_audit()
    assert record.action == "org.unit.create"
    assert record.actor == office
    assert record.object_id == str(unit.pk)
    assert record.before is None
    assert record.after is not None
    assert record.after["code"] == "A2"


def test_create_root_unit(world: World) -> None:
    unit = actions.unit_create(by=world.user("admin"), code="X", name="X", kind=UnitKind.BUREAU)
    assert unit.path == f"/{unit.pk}/"


def test_system_job_is_audited_as_system(world: World) -> None:
    actions.unit_create(by=None, code="S1", name="S", kind=UnitKind.TEAM, parent=world.dept_a1)
    record = last_audit()
    assert record.actor is None
    assert record.actor_name == "system"


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_managers_create_units(world: World, role: str) -> None:
    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        actions.unit_create(by=world.user(role), code="N", name="N", kind=UnitKind.TEAM)
    assert not Unit.objects.filter(code="N").exists()
    assert AuditRecord.objects.count() == before


def test_inactive_manager_is_refused(world: World) -> None:
    office = world.user("office")
    office.is_active = False
    with pytest.raises(PermissionDenied):
        actions.unit_create(by=office, code="N", name="N", kind=UnitKind.TEAM)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"code": "A", "name": "dup", "kind": UnitKind.TEAM}, "code"),
        ({"code": "N", "name": "", "kind": UnitKind.TEAM}, "name"),
        ({"code": "N", "name": "N", "kind": "planet"}, "kind"),
    ],
)
def test_invalid_data_names_the_field(world: World, fields: dict[str, str], bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.unit_create(by=world.user("office"), **fields)  # type: ignore[arg-type]
    assert bad in exc.value.message_dict


def test_moving_a_unit_repaths_its_subtree(world: World) -> None:
    team = actions.unit_create(
        by=None, code="T", name="T", kind=UnitKind.TEAM, parent=world.dept_a1
    )

    actions.unit_update(by=world.user("office"), unit=world.dept_a1, parent=world.county_b)

    world.dept_a1.refresh_from_db()
    team.refresh_from_db()
    assert world.dept_a1.path == f"{world.county_b.path}{world.dept_a1.pk}/"
    assert team.path == f"{world.dept_a1.path}{team.pk}/"
    record = last_audit()
    assert record.action == "org.unit.update"
    assert record.before is not None
    assert record.after is not None
    assert record.before["parent"] == world.county_a.pk
    assert record.after["parent"] == world.county_b.pk


def test_moving_a_unit_leaves_other_units_alone(world: World) -> None:
    dept_b1_path = world.dept_b1.path
    actions.unit_update(by=world.user("office"), unit=world.dept_a1, parent=world.county_b)
    world.dept_b1.refresh_from_db()
    assert world.dept_b1.path == dept_b1_path


@pytest.mark.parametrize("target", ["county_a", "dept_a1"])
def test_cycles_are_refused(world: World, target: str) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.unit_update(
            by=world.user("office"), unit=world.county_a, parent=getattr(world, target)
        )
    assert "parent" in exc.value.message_dict
    world.dept_a1.refresh_from_db()
    assert world.dept_a1.path.startswith(world.county_a.path)


def test_update_renames(world: World) -> None:
    actions.unit_update(by=world.user("admin"), unit=world.dept_a1, name="A县税务局征收管理股")
    world.dept_a1.refresh_from_db()
    assert world.dept_a1.name == "A县税务局征收管理股"
    assert last_audit().after["name"] == "A县税务局征收管理股"  # type: ignore[index]


def test_update_without_change_writes_nothing(world: World) -> None:
    before = AuditRecord.objects.count()
    # The same values a spreadsheet re-import would send, some of them as text.
    unit = actions.unit_update(
        by=world.user("office"),
        unit=world.dept_a1,
        name=world.dept_a1.name,
        parent=world.county_a,
        sort_order="0",
    )
    assert AuditRecord.objects.count() == before
    assert unit.path == world.dept_a1.path


def test_update_refuses_unknown_fields(world: World) -> None:
    with pytest.raises(TypeError):
        actions.unit_update(by=world.user("office"), unit=world.dept_a1, path="/1/")


def test_update_refuses_non_managers(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.unit_update(by=world.user("head"), unit=world.dept_a1, name="x")
    world.dept_a1.refresh_from_db()
    assert world.dept_a1.name == "A县税务局征管科"


def test_update_names_bad_field(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.unit_update(by=world.user("office"), unit=world.dept_a1, sort_order="many")
    assert "sort_order" in exc.value.message_dict


def test_moves_with_stale_objects_keep_paths_right(world: World) -> None:
    """An importer holding objects loaded before an earlier move must not corrupt paths."""
    office = world.user("office")
    stale_dept = Unit.objects.get(pk=world.dept_a1.pk)
    team = actions.unit_create(by=None, code="T", name="T", kind=UnitKind.TEAM, parent=stale_dept)
    actions.unit_update(by=office, unit=world.county_a, parent=world.county_b)

    # ``stale_dept`` still holds its old path; moving ``team`` under it must use the real one.
    other = actions.unit_create(
        by=None, code="T2", name="T2", kind=UnitKind.TEAM, parent=world.city
    )
    actions.unit_update(by=office, unit=other, parent=stale_dept)
    actions.unit_update(by=office, unit=stale_dept, name="改名")

    for unit in Unit.objects.all():
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected, unit.code
    team.refresh_from_db()
    assert team.path.startswith(world.county_b.path)

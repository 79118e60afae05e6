"""The power list: items with their legal bases, owned by a unit and optionally a post."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import LegalBasis, PowerCategory, PowerItem, PowerType

TAX_LAW = "《中华人民共和国税收征收管理法》"


def last_audit() -> AuditRecord:
    record = AuditRecord.objects.order_by("-id").first()
    assert record is not None
    return record


def make_item(world: World, **overrides: Any) -> PowerItem:
    data: dict[str, Any] = {
        "code": "QL-001",
        "name": "减免税核准",
        "category": PowerCategory.RELIEF,
        "power_type": PowerType.DECIDE,
        "unit": world.county_a,
        "post": world.post_a2,
        "time_limit_days": 20,
        "legal_bases": [(TAX_LAW, "第三十三条")],
    }
    return actions.power_item_create(by=world.user("office"), **{**data, **overrides})


def test_create_with_legal_bases(world: World) -> None:
    item = make_item(world)
    assert list(item.legal_bases.values_list("law", "article")) == [(TAX_LAW, "第三十三条")]
    record = last_audit()
    assert record.action == "org.power_item.create"
    assert record.after["legal_bases"] == [[TAX_LAW, "第三十三条"]]  # type: ignore[index]
    assert AuditRecord.objects.filter(object_type="org.poweritem").count() == 1


def test_post_outside_the_owning_unit_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        make_item(world, post=world.post_b1)
    assert "post" in exc.value.message_dict
    assert not PowerItem.objects.exists()


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"category": "magic"}, "category"),
        ({"power_type": ""}, "power_type"),
        ({"legal_bases": [("", "第一条")]}, "legal_bases"),
    ],
)
def test_invalid(world: World, fields: dict[str, Any], bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make_item(world, **fields)
    assert bad in exc.value.message_dict
    assert not PowerItem.objects.exists()
    assert not LegalBasis.objects.exists()


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_refused(world: World, role: str) -> None:
    item = make_item(world)
    with pytest.raises(PermissionDenied):
        actions.power_item_create(
            by=world.user(role),
            code="QL-002",
            name="x",
            category=PowerCategory.PENALTY,
            power_type=PowerType.DECIDE,
            unit=world.county_a,
        )
    with pytest.raises(PermissionDenied):
        actions.power_item_update(by=world.user(role), power_item=item, is_public=False)


def test_update_replaces_legal_bases(world: World) -> None:
    item = make_item(world, legal_bases=[(TAX_LAW, "第三十三条"), ("《行政许可法》", "第四十二条")])
    actions.power_item_update(
        by=world.user("admin"),
        power_item=item,
        legal_bases=[(TAX_LAW, "第三十三条"), (TAX_LAW, "第三十一条")],
    )
    assert list(item.legal_bases.values_list("article", flat=True)) == ["第三十三条", "第三十一条"]
    record = last_audit()
    assert record.action == "org.power_item.update"
    assert len(record.before["legal_bases"]) == 2  # type: ignore[index]
    assert record.after["legal_bases"][1] == [TAX_LAW, "第三十一条"]  # type: ignore[index]


def test_update_fields(world: World) -> None:
    item = make_item(world)
    actions.power_item_update(by=world.user("office"), power_item=item, time_limit_days=10)
    item.refresh_from_db()
    assert item.time_limit_days == 10
    assert last_audit().after["time_limit_days"] == 10  # type: ignore[index]


def test_update_without_change_writes_nothing(world: World) -> None:
    item = make_item(world)
    count = AuditRecord.objects.count()
    actions.power_item_update(
        by=world.user("office"),
        power_item=item,
        name="减免税核准",
        time_limit_days="20",
        legal_bases=[(TAX_LAW, " 第三十三条 ")],
    )
    assert AuditRecord.objects.count() == count


def test_update_refuses_moving_owner_away(world: World) -> None:
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        actions.power_item_update(by=world.user("office"), power_item=item, unit=world.county_b)
    assert "post" in exc.value.message_dict

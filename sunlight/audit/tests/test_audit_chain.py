"""The audit trail is a hash chain: actions append to it, and any edit in the database shows."""

from __future__ import annotations

import itertools
from io import StringIO
from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from sunlight.audit.models import AuditRecord
from sunlight.audit.queries import ChainCheck, verify_chain
from sunlight.core.testing import World
from sunlight.org import actions
from sunlight.org.models import PowerType, UnitKind


def some_actions(world: World) -> list[AuditRecord]:
    office = world.user("office")
    unit = actions.unit_create(
        by=office, code="A2", name="A县税务局第一分局", kind=UnitKind.BRANCH, parent=world.county_a
    )
    post = actions.post_create(
        by=office, code="PA9", name="税源管理岗", unit=unit, power_type=PowerType.EXECUTE
    )
    actions.post_update(by=office, post=post, is_high_risk=True)
    duty = actions.duty_draft(by=None, post=post, text="负责户籍管理。")
    actions.duty_submit(by=office, duty=duty)
    return list(AuditRecord.objects.order_by("id"))


def run_verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_actions_append_a_linked_chain(world: World) -> None:
    rows = some_actions(world)
    assert len(rows) == 5
    assert rows[0].prev_digest == ""
    for previous, row in itertools.pairwise(rows):
        assert row.prev_digest == previous.digest
    assert verify_chain() == ChainCheck(ok=True, checked=5)
    assert "5" in run_verify()


def test_empty_trail_verifies(db: Any) -> None:
    assert verify_chain().ok
    assert "0" in run_verify()


@pytest.mark.parametrize("index", [0, 2, 4])
def test_editing_after_breaks_the_chain_at_that_row(world: World, index: int) -> None:
    rows = some_actions(world)
    target = rows[index]
    AuditRecord.objects.filter(pk=target.pk).update(after={"name": "篡改"})

    check = verify_chain()
    assert not check.ok
    assert (check.first_bad_id, check.checked) == (target.pk, index)
    with pytest.raises(CommandError, match=str(target.pk)):
        run_verify()


def test_deleting_a_row_breaks_the_chain_at_the_next(world: World) -> None:
    rows = some_actions(world)
    AuditRecord.objects.filter(pk=rows[1].pk).delete()
    assert verify_chain().first_bad_id == rows[2].pk


def test_command_exits_with_status_one(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """Run as from a shell (not ``call_command``), where a broken chain must exit 1."""
    rows = some_actions(world)
    AuditRecord.objects.filter(pk=rows[3].pk).update(actor_name="someone-else")
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exc.value.code == 1
    assert str(rows[3].pk) in capsys.readouterr().err

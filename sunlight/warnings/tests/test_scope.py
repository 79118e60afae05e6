"""Who sees which warnings: staff their own, heads and leaders their subtree, the office all."""

from __future__ import annotations

import datetime as dt

import pytest

from sunlight.core.testing import World
from sunlight.warnings import actions, queries
from sunlight.warnings.models import Warning
from sunlight.warnings.tests.kit import BEIJING, raised


@pytest.fixture
def two(world: World) -> tuple[Warning, Warning]:
    a = raised(world, "C1")
    b = raised(world, "C2", officer="S-B", post="PB1", unit="B1")
    return a, b


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("staff", {"a"}),
        ("head", {"a"}),
        ("leader", {"b"}),
        ("office", {"a", "b"}),
        ("auditor", {"a", "b"}),
        ("admin", {"a", "b"}),
    ],
)
def test_each_role_sees_its_scope(
    world: World, two: tuple[Warning, Warning], role: str, sees: set[str]
) -> None:
    names = {two[0].pk: "a", two[1].pk: "b"}

    visible = {names[w.pk] for w in queries.warnings_for(world.user(role))}

    assert visible == sees


def test_a_verifier_outside_the_subtree_sees_what_they_were_given(world: World) -> None:
    warning = raised(world, "C1", officer="S-B", post="PB1", unit="B1", assign=False)
    warning.verifier = world.user("head")
    warning.save(update_fields=["verifier"])

    assert list(queries.warnings_for(world.user("head"))) == [warning]


def test_an_inactive_user_sees_nothing(world: World, two: tuple[Warning, Warning]) -> None:
    office = world.user("office")
    office.is_active = False
    office.save(update_fields=["is_active"])

    assert not queries.warnings_for(office).exists()


def test_statistics_count_timeliness_in_working_days(world: World) -> None:
    def at(day: int, month: int = 9) -> dt.datetime:
        return dt.datetime(2026, month, day, 10, tzinfo=BEIJING)

    fast = raised(world, "C1", now=at(28))
    slow = raised(world, "C2", now=at(28))
    raised(world, "C3", now=at(28))  # still open
    head = world.user("head")
    actions.warning_decide(by=head, warning=fast, outcome="unfounded", note="x", now=at(29))
    actions.warnings_sweep(now=at(14, 10))  # slow and the open one are late by now
    actions.warning_decide(by=head, warning=slow, outcome="unfounded", note="x", now=at(15, 10))

    stats = queries.statistics(Warning.objects.all())

    assert (stats.total, stats.closed, stats.closed_in_time) == (3, 2, 1)
    assert stats.in_time_share == 0.5
    # 09-28 → 09-29 is 1 working day; 09-28 → 10-15 is 09-29, 09-30, 10-08..10-15 (7) = 9.
    assert stats.mean_workdays_to_close == 5.0
    assert stats.by_outcome == {"unfounded": 2}

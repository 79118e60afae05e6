"""Two runners raising the same findings at the same moment store each warning once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from sunlight.core.testing import build_world
from sunlight.warnings import actions
from sunlight.warnings.models import Warning
from sunlight.warnings.tests.kit import finding, push_case


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_runners_store_each_finding_once() -> None:
    world = build_world()
    events = push_case(world, "C1")
    findings = [finding(events, key=str(n)) for n in range(20)]
    start = threading.Barrier(2)
    results: list[actions.RaiseResult] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(actions.raise_warnings(findings))
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Warning.objects.count() == 20
    assert sum(r.new for r in results) == 20
    assert sum(r.known for r in results) == 20

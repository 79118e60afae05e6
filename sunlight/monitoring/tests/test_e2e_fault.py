"""A real kill: the ``monitoring_worker`` process importing a real log of 52,217 events (BPIC 2015,
municipality 1) gets SIGKILL midway; a second worker resumes the job, and not one event is lost
or stored twice.

The worker runs as a separate process on a database of the test's own (a SQLite file, or a
fresh PostgreSQL database next to the one ``DATABASE_URL`` names), as ``make run`` runs it. The
test watches the database through a connection of its own and kills the worker once a quarter
of the file is committed, at a moment it finds the worker inside the next batch's transaction.
``sunlight/monitoring/tests/test_fault.py`` covers the same ground in-process.
"""

from __future__ import annotations

import csv
import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

BASE_DIR = Path(django_settings.BASE_DIR)
LOG = BASE_DIR.parent / "shared" / "data" / "eventlogs" / "bpic15_1_municipality_eventdataR.csv.gz"
BATCH = "1000"
JOB_FIELDS = ("status", "records_done", "records_total", "stored", "duplicates", "errors",
              "attempts", "lease_owner")  # fmt: skip
JOB_SQL = f"SELECT {', '.join(JOB_FIELDS)} FROM monitoring_importjob WHERE id = %s"  # noqa: S608
CREATE_JOB = f"""
from django.core.files import File
from sunlight.core.testing import build_world
from sunlight.monitoring import actions
world = build_world()
with open({str(LOG)!r}, "rb") as log:
    job = actions.import_job_create(
        by=world.user("office"), upload=File(log, name="bpic15_1.csv.gz"), source_system="bpic15"
    )
print(job.pk, job.status)
"""

if not LOG.exists():
    pytest.skip(f"the public logs are not at {LOG.parent}", allow_module_level=True)

pytestmark = pytest.mark.slow


@dataclass
class Database:
    """The test's own database, reached by the worker processes and, directly, by the test."""

    url: str
    env: dict[str, str]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603  (our own manage.py, fixed arguments)
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def manage(self, *args: str) -> str:
        """Run a management command to its end; its output."""
        process = self.start(*args)
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        return output

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as db:
                return list(db.execute(sql.replace("%s", "?"), params))
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            cursor = db.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def job(self, job_id: int) -> dict[str, Any]:
        [row] = self.rows(JOB_SQL, job_id)
        return dict(zip(JOB_FIELDS, row, strict=True))

    def writing(self) -> bool:
        """Is a worker inside a transaction that writes (a batch being stored)?"""
        if self.url.startswith("sqlite"):
            # The write lock is held from a batch's BEGIN IMMEDIATE to its COMMIT.
            probe = sqlite3.connect(
                self.url.removeprefix("sqlite:///"), timeout=0, isolation_level=None
            )
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()
        # A transaction that began before its current statement, or waits between statements.
        [(busy,)] = self.rows(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            " AND (state = 'idle in transaction' OR xact_start < query_start)"
        )
        return bool(busy)

    def events(self) -> tuple[int, ...]:
        """Events, distinct rows of the file, distinct keys, first and last row."""
        [row] = self.rows(
            "SELECT COUNT(*), COUNT(DISTINCT position), COUNT(DISTINCT key), MIN(position),"
            " MAX(position) FROM monitoring_traceevent"
        )
        return tuple(row)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    given = os.environ.get("DATABASE_URL", "")
    env = {**os.environ, "SUNLIGHT_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if not given.startswith("postgres"):
        url = f"sqlite:///{tmp_path / 'sunlight.sqlite3'}"
        yield _migrated(Database(url, {**env, "DATABASE_URL": url}))
        return
    import psycopg

    server, name = given.rsplit("/", 1)
    name = f"{name}_fault_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        yield _migrated(Database(url, {**env, "DATABASE_URL": url}))
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated(database: Database) -> Database:
    database.manage("migrate", "--noinput", "-v", "0")
    return database


def _rows_in_log() -> int:
    with gzip.open(LOG, "rt", encoding="utf-8", newline="") as text:
        return sum(1 for _ in csv.reader(text)) - 1


def test_a_worker_killed_midway_loses_and_duplicates_nothing(database: Database) -> None:
    rows = _rows_in_log()
    assert rows == 52217
    job_id, status = database.manage("shell", "-c", CREATE_JOB).split()[-2:]
    assert status == "queued"
    job = int(job_id)

    worker = database.start("monitoring_worker", "--batch-size", BATCH, "--tick-every", "0")
    try:
        # A quarter of the file committed, and the worker inside the next batch's transaction.
        seen = _wait_for(
            database, job, lambda j: j["records_done"] >= rows // 4 and database.writing()
        )
        # A file this size is read in a reader process beside the worker (with, started by
        # the standard library for it, a tracker of the queue's semaphores).
        readers = _children(worker.pid)
        assert readers
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    # The reader sees its consumer gone and ends too: a killed worker leaves no process behind.
    _wait_gone(readers)

    # Killed: the job is left running under the dead worker's lease, at a committed checkpoint
    # that matches the events stored (the checkpoint and the events commit together).
    killed = database.job(job)
    assert killed["status"] == "running"
    assert seen["records_done"] <= killed["records_done"] < rows
    assert killed["records_done"] % int(BATCH) == 0
    done_at_kill = killed["records_done"]
    assert database.events() == (done_at_kill, done_at_kill, done_at_kill, 2, done_at_kill + 1)
    assert (killed["stored"], killed["duplicates"], killed["errors"]) == (done_at_kill, 0, 0)

    # While the lease holds, another worker leaves the job alone.
    database.manage("monitoring_worker", "--once", "--tick-every", "0")
    assert database.job(job) == killed

    # The lease runs out (two minutes; moved to the past here instead of waited for) and the
    # next worker resumes from the checkpoint.
    database.rows(
        "UPDATE monitoring_importjob SET lease_until = %s WHERE id = %s",
        "2000-01-01 00:00:00",
        job,
    )
    resumed = database.manage(
        "monitoring_worker", "--once", "--batch-size", BATCH, "--tick-every", "0"
    )
    assert f"import {job}: finished" in resumed

    final = database.job(job)
    assert (final["status"], final["attempts"], final["lease_owner"]) == ("done", 2, "")
    assert (final["records_done"], final["stored"], final["duplicates"], final["errors"]) == (
        rows, rows, 0, 0,
    )  # fmt: skip
    # Every data row of the file (rows 2 … 52,218) stored exactly once.
    assert database.events() == (rows, rows, rows, 2, rows + 1)


def _wait_for(database: Database, job: int, condition: Any, limit: float = 60) -> dict[str, Any]:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        state = database.job(job)
        assert state["status"] in ("queued", "running"), f"the import ended first: {state}"
        if condition(state):
            return state
        time.sleep(0.01)
    raise AssertionError(f"timed out: {database.job(job)}")


def _children(pid: int) -> list[int]:
    found = subprocess.run(  # noqa: S603
        ["/usr/bin/pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(line) for line in found.stdout.split()]


def _wait_gone(pids: list[int], limit: float = 10) -> None:
    end = time.monotonic() + limit
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < end, f"still running: {pids}"
        time.sleep(0.05)

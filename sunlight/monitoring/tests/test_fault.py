"""A killed import resumes where it stopped: 0 events lost, 0 duplicated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone

from sunlight.core.testing import World
from sunlight.monitoring import actions
from sunlight.monitoring.models import ImportJob, JobStatus, TraceEvent
from sunlight.monitoring.tests.logs import csv_text, upload

CASES = 1000  # 4,000 rows
BAD = (10, 2500, 3999)


class Killed(BaseException):
    """Like SIGKILL: not an ``Exception``, so nothing in the worker gets to clean up."""


def _kill_after(batches: int) -> Callable[[ImportJob], None]:
    seen: list[int] = []

    def hook(job: ImportJob) -> None:
        seen.append(job.records_done)
        if len(seen) == batches:
            raise Killed

    return hook


def _expire_lease(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


def test_a_killed_import_resumes_with_nothing_lost_or_duplicated(world: World) -> None:
    text = csv_text(CASES, bad_rows=BAD)
    job = actions.import_job_create(by=world.user("office"), upload=upload("big.csv", text))
    with pytest.raises(Killed):
        actions.import_job_run(job.pk, batch_size=500, after_batch=_kill_after(3))

    job.refresh_from_db()
    assert (job.status, job.records_done, TraceEvent.objects.count()) == (
        JobStatus.RUNNING, 1500, 1499,
    )  # fmt: skip
    # Its lease still holds: another worker must not take the job yet.
    assert actions.import_job_claim_next(owner="other") is None

    _expire_lease(job)
    call_command("monitoring_worker", "--once", "--batch-size", "500")

    job.refresh_from_db()
    assert (job.status, job.records_done, job.attempts) == (JobStatus.DONE, 4000, 2)
    assert (job.stored, job.duplicates, job.errors) == (3997, 0, 3)
    assert TraceEvent.objects.count() == 3997
    positions = list(TraceEvent.objects.values_list("position", flat=True))
    assert len(positions) == len(set(positions))
    assert set(positions) == set(range(2, 4002)) - set(BAD)
    assert list(job.row_errors.values_list("position", flat=True)) == list(BAD)


def test_a_crash_mid_batch_rolls_the_batch_back_and_the_retry_completes(world: World) -> None:
    job = actions.import_job_create(by=world.user("office"), upload=upload("b.csv", csv_text(300)))

    def fail_once(job: ImportJob) -> None:
        if job.records_done == 400:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        actions.import_job_run(job.pk, batch_size=200, after_batch=fail_once)
    job.refresh_from_db()
    # Handed back at its checkpoint (the batch before the crash is committed).
    assert (job.status, job.records_done, TraceEvent.objects.count()) == (
        JobStatus.QUEUED,
        400,
        400,
    )

    call_command("monitoring_worker", "--once")
    job.refresh_from_db()
    assert (job.status, job.stored, job.duplicates, TraceEvent.objects.count()) == (
        JobStatus.DONE, 1200, 0, 1200,
    )  # fmt: skip


def test_a_worker_whose_lease_was_taken_over_writes_nothing_more(world: World) -> None:
    job = actions.import_job_create(by=world.user("office"), upload=upload("c.csv", csv_text(100)))

    def taken_over(job: ImportJob) -> None:
        if job.records_done == 100:
            _expire_lease(job)
            assert actions.import_job_claim(job_id=job.pk, owner="second")

    assert not actions.import_job_run(job.pk, owner="first", batch_size=100, after_batch=taken_over)
    job.refresh_from_db()
    assert (job.lease_owner, job.records_done, TraceEvent.objects.count()) == ("second", 100, 100)

    assert actions.import_job_continue(job_id=job.pk, owner="second", batch_size=100)
    job.refresh_from_db()
    assert (job.status, job.stored, TraceEvent.objects.count()) == (JobStatus.DONE, 400, 400)


def test_claiming_is_refused_when_another_worker_got_there_first(world: World) -> None:
    job = actions.import_job_create(by=world.user("office"), upload=upload("d.csv", csv_text(1)))

    assert actions.import_job_claim(job_id=job.pk, owner="one")
    assert not actions.import_job_claim(job_id=job.pk, owner="two")
    assert not actions.import_job_run(job.pk, owner="two")


def test_a_job_whose_workers_keep_dying_is_given_up(world: World) -> None:
    job = actions.import_job_create(by=world.user("office"), upload=upload("e.csv", csv_text(1)))
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=actions.MAX_ATTEMPTS, lease_owner="dead",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )  # fmt: skip

    assert actions.import_job_claim_next(owner="w") is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_reimporting_the_same_file_after_a_resumed_import_stores_nothing(world: World) -> None:
    text = csv_text(200)
    first = actions.import_job_create(by=world.user("office"), upload=upload("f.csv", text))
    with pytest.raises(Killed):
        actions.import_job_run(first.pk, batch_size=300, after_batch=_kill_after(1))
    _expire_lease(first)
    call_command("monitoring_worker", "--once")
    again = actions.import_job_create(by=world.user("office"), upload=upload("f.csv", text))
    call_command("monitoring_worker", "--once")

    again.refresh_from_db()
    assert (again.stored, again.duplicates) == (0, 800)
    assert TraceEvent.objects.count() == 800

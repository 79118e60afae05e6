"""Run background work without a broker: ``manage.py monitoring_worker``.

Each round: check the cases that new events marked (pushed ones first), run the oldest claimable
import (queued, or one whose worker died: its lease ran out), run a queued re-check of a period,
and tick open cases against the clock when the tick is due (with it, overdue warnings get their
supervision orders). Sleeps briefly when there is nothing to do: a pushed event should be a
warning within a second or so. ``--once`` runs what is claimable now and stops (tests, cron).
Several workers may run at once: every claim is a conditional UPDATE, and marks, jobs and runs
carry leases.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from sunlight.monitoring import actions
from sunlight.monitoring.actions import checking
from sunlight.monitoring.models import ImportJob
from sunlight.warnings.actions import warnings_sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run imports, rule checks and the clock tick (the embedded default: no broker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run what is queued now, then stop."
        )
        parser.add_argument("--sleep", type=float, default=0.2, help="Seconds between polls.")
        parser.add_argument("--batch-size", type=int, default=actions.BATCH_SIZE)
        parser.add_argument(
            "--tick-every",
            type=float,
            default=checking.TICK_EVERY.total_seconds(),
            help="Seconds between re-checks of open cases against the clock (0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = actions.worker_name()
        every = dt.timedelta(seconds=options["tick_every"])
        next_tick = 0.0
        while True:
            busy = self.check_marked(owner)
            busy = self.run_next(owner, options["batch_size"]) or busy
            busy = self.run_check(owner) or busy
            if every and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + min(every.total_seconds(), 60.0)
                self.tick(every)
            if options["once"] and not busy:
                return
            if not busy:
                close_old_connections()
                time.sleep(options["sleep"])

    def check_marked(self, owner: str, priority: int | None = None) -> bool:
        try:
            done = checking.check_marked(owner=owner, priority=priority)
        except Exception:
            # The marks stay (their lease is released): the next round tries again.
            log.exception("rule check failed")
            time.sleep(1.0)
            return False
        if done.new:  # a quiet round (cases re-checked, nothing new) is not news
            self.stdout.write(f"checked {done.cases} case(s): {done.new} new warning(s)")
        return bool(done.cases)

    def run_next(self, owner: str, batch_size: int) -> bool:
        job_id = actions.import_job_claim_next(owner=owner)
        if job_id is None:
            return False
        self.stdout.write(f"import {job_id}: started")

        def between_batches(job: ImportJob) -> None:
            # A long import must not hold up the warnings of events pushed meanwhile.
            self.check_marked(owner, priority=checking.PUSHED)

        try:
            actions.import_job_continue(
                job_id=job_id, owner=owner, batch_size=batch_size, after_batch=between_batches
            )
        except Exception:
            # The job went back to the queue at its checkpoint; keep serving the others.
            log.exception("import %s: crashed", job_id)
            return True
        self.stdout.write(f"import {job_id}: finished")
        return True

    def run_check(self, owner: str) -> bool:
        run = checking.check_run_claim_next(owner=owner)
        if run is None:
            return False
        try:
            checking.check_run_execute(run, owner=owner)
        except Exception:
            log.exception("re-check %s: failed", run.pk)
            return True
        self.stdout.write(f"re-check {run.pk}: {run.findings} finding(s) in {run.cases} case(s)")
        return True

    def tick(self, every: dt.timedelta) -> None:
        try:
            checking.tick_if_due(every=every)
        except Exception:
            log.exception("clock tick failed")
        try:
            # Missed handling deadlines become supervision orders (督办单) without a cron job.
            swept = warnings_sweep()
        except Exception:
            log.exception("warnings sweep failed")
            return
        if swept.orders:
            self.stdout.write(f"supervision: {swept.orders} order(s) issued")

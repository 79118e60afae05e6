"""Run imports off the request thread without a broker: ``manage.py monitoring_worker``.

Loops: claim the oldest queued job (or one whose worker died: its lease ran out), run it to the
end, repeat; sleeps when there is nothing to do. ``--once`` runs what is claimable now and
stops (tests, cron). Several workers may run at once: claiming is a conditional UPDATE.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from sunlight.monitoring import actions

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run queued imports (the embedded default: no broker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run what is queued now, then stop."
        )
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch-size", type=int, default=actions.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        owner = actions.worker_name()
        while True:
            ran = self.run_next(owner, options["batch_size"])
            if options["once"] and not ran:
                return
            if not ran:
                close_old_connections()
                time.sleep(options["sleep"])

    def run_next(self, owner: str, batch_size: int) -> bool:
        job_id = actions.import_job_claim_next(owner=owner)
        if job_id is None:
            return False
        self.stdout.write(f"import {job_id}: started")
        try:
            actions.import_job_continue(job_id=job_id, owner=owner, batch_size=batch_size)
        except Exception:
            # The job went back to the queue at its checkpoint; keep serving the others.
            log.exception("import %s: crashed", job_id)
            return True
        self.stdout.write(f"import {job_id}: finished")
        return True

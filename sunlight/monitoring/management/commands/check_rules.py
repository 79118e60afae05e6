"""Re-check a period against the rule sets in force: ``manage.py check_rules --from --to``.

Every case with an event in [from, to) is judged on its trace, with the cross-case rules
(splitting, familiarity, concentration, first offence) that incremental checks leave out.
Findings already raised are known to the warnings app and not raised twice, so a period can be
re-checked any number of times (after a new rule set version, say). Dates without a time are
midnight, Beijing time; ``--to`` is exclusive.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunlight.monitoring import actions
from sunlight.monitoring.actions import checking

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _moment(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date or time: {text!r} (use 2026-01-01 or ISO 8601)") from None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


class Command(BaseCommand):
    help = "Re-check the events of a period against the rule sets in force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="Start (inclusive).")
        parser.add_argument("--to", dest="end", required=True, help="End (exclusive).")
        parser.add_argument(
            "--close-open",
            action="store_true",
            help="Judge cases still open at the end as ended (a closed historical period).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _moment(options["start"]), _moment(options["end"])
        if end <= start:
            raise CommandError("--to must come after --from")
        run = checking.check_run_request(
            by=None, start=start, end=end, close_open=options["close_open"]
        )
        owner = actions.worker_name()
        claimed = checking.check_run_claim_next(owner=owner)
        # Older queued runs go first; run until this one is done.
        while claimed is not None:
            checking.check_run_execute(claimed, owner=owner)
            self.stdout.write(
                f"re-check {claimed.pk} {claimed.start:%Y-%m-%d}..{claimed.end:%Y-%m-%d}: "
                f"{claimed.cases} case(s), {claimed.events} event(s), "
                f"{claimed.findings} finding(s)"
            )
            if claimed.pk == run.pk:
                return
            claimed = checking.check_run_claim_next(owner=owner)
        raise CommandError(f"re-check {run.pk} is being run by another worker")

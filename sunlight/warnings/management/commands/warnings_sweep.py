"""Issue supervision orders for warnings whose current step is overdue, and remind whoever must
act of a step due soon: ``manage.py warnings_sweep``. Meant for a scheduler (cron, or the
monitoring worker's loop); running it twice issues and reminds nothing twice. ``--now`` (ISO
8601) judges as of another moment, for catching up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sunlight.warnings import actions


class Command(BaseCommand):
    help = "Issue supervision orders (督办单) for overdue warning steps; remind of steps due soon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Judge as of this moment (ISO 8601; default: now).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["now"]) if options.get("now") else None
        result = actions.warnings_sweep(now=now)
        self.stdout.write(
            f"overdue warnings checked: {result.checked}; orders issued: {result.orders}; "
            f"reminders sent: {result.reminders}"
        )


def _moment(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now: not a date or time: {text!r}") from None
    return value if value.tzinfo else timezone.make_aware(value)

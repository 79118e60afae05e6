"""``manage.py loaddemo [--if-empty] [--no-traces]``: create or refresh the demo bureau
(示例市税务局), then its year of business traces, the demo rule set and the warnings it raises
(``sunlight.monitoring.demo``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from sunlight.org.demo import DEMO_PASSWORD, DemoAccount, accounts_in_place, load_demo
from sunlight.org.models import Unit


class Command(BaseCommand):
    help = "Load the demo bureau; running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the organisation already has units (first-run setup).",
        )
        parser.add_argument(
            "--no-traces",
            action="store_true",
            help="Load the organisation only: no traces, rule set or warnings.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write(_("The organisation is not empty: demo data not loaded."))
            self.print_accounts(accounts_in_place())
            return
        started = time.monotonic()
        accounts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo bureau loaded in %(seconds).1f s.")
                % {"seconds": time.monotonic() - started}
            )
        )
        self.print_accounts(accounts)
        # The risk register sits on the organisation; its rules are linked with the rule set.
        from sunlight.risks.demo.actions import demo_register_load

        demo_register_load(rule_set=None)
        if not options["no_traces"]:
            # The monitoring demo (traces, rule set, warnings) builds on the organisation.
            from sunlight.monitoring.demo.command import load_traces

            load_traces(self)

    def print_accounts(self, accounts: list[DemoAccount]) -> None:
        if not accounts:
            return
        self.stdout.write(
            _("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        scope = _("scope")  # outside the f-string, where makemessages finds it
        for account in accounts:
            who = f" — {account.staff}" if account.staff else ""
            self.stdout.write(
                f"  {account.username:<8} {account.role}{who}; {scope}: {account.scope}"
            )

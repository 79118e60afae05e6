"""The monitoring part of ``manage.py loaddemo``: load the traces and report what happened."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sunlight.monitoring.demo.actions import demo_load
from sunlight.warnings.models import Status


def load_traces(command: BaseCommand) -> None:
    started = time.monotonic()
    loaded = demo_load()
    traces = loaded.traces
    command.stdout.write(
        command.style.SUCCESS(
            _(
                "Demo traces: %(cases)d cases, %(events)d events (%(stored)d stored, "
                "%(duplicates)d already there) in %(seconds).1f s."
            )
            % {
                "cases": traces.cases,
                "events": traces.events,
                "stored": traces.stored,
                "duplicates": traces.duplicates,
                "seconds": time.monotonic() - started,
            }
        )
    )
    for kind, values in sorted(traces.unknowns.items()):
        command.stdout.write(
            command.style.WARNING(_("Unmatched %(kind)s: %(values)s"))
            % {"kind": kind, "values": ", ".join(values)}
        )
    if loaded.rules is None:
        command.stdout.write(_("No rule set installed (the office's demo account is missing)."))
        return
    if loaded.check is not None:
        command.stdout.write(
            _("Rule set %(name)s checked: %(findings)d findings, %(new)d new warnings.")
            % {
                "name": loaded.rules.rule_set.name,
                "findings": loaded.check.findings,
                "new": loaded.check.new,
            }
        )
    statuses = ", ".join(
        f"{Status(status).label} {count}" for status, count in sorted(loaded.statuses.items())
    )
    command.stdout.write(_("Warnings by status: %(statuses)s") % {"statuses": statuses})

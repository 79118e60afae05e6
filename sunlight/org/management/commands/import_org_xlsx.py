"""Import an organisation workbook from the command line, exactly as the import page does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sunlight.core import access
from sunlight.core.models import User
from sunlight.org.spreadsheets.importer import import_workbook


class Command(BaseCommand):
    help = (
        "Import units, posts, staff, assignments, duties and power items from an xlsx workbook "
        "(the template's layout). Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx file")
        parser.add_argument(
            "--user",
            required=True,
            help="username the changes are made and audited as (office or administrator)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the whole file, write nothing"
        )
        parser.add_argument(
            "--lang", choices=["zh-hans", "en"], default="zh-hans", help="language of messages"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None or not access.manages_org(user):
            raise CommandError(f"{options['user']}: no active user who may import")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with translation.override(options["lang"]):
            with path.open("rb") as source:
                report = import_workbook(source, by=user, dry_run=options["dry_run"])
            for error in report.errors:
                self.stderr.write(str(error))
            if not report.ok:
                raise CommandError(f"{len(report.errors)} error(s); nothing was written")
            for sheet, counts in report.sheets():
                self.stdout.write(
                    f"{sheet.title()}: created {counts.created}, updated {counts.updated}, "
                    f"unchanged {counts.unchanged}"
                )
        if report.dry_run:
            self.stdout.write("dry run: nothing was written")

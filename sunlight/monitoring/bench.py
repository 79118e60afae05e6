"""Import speed: ``python -m sunlight.monitoring.bench [--events N]``.

Generates a CSV log of N events (default 1,000,000), imports it through the real job function
into a fresh database (SQLite under a temporary directory, or ``DATABASE_URL``'s server, where
it creates and drops its own database), and prints events/s. On PostgreSQL it also times a raw
``COPY`` of the same stored rows into a table of the same shape, for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path


def generate(path: Path, events: int) -> None:
    rng = random.Random(7)  # noqa: S311  (a benchmark log, not a secret)
    start = dt.datetime(2026, 1, 5, 9, 0)  # noqa: DTZ001  (read as Beijing time, as exports are)
    steps = ("受理", "审核", "批准", "办结")
    with path.open("w", encoding="utf-8") as out:
        out.write("case,activity,time,resource,post,unit,process,amount\n")
        for n in range(events):
            case, step = divmod(n, 4)
            when = start + dt.timedelta(minutes=case * 7 + step * 90)
            out.write(
                f"C{case:07d},{steps[step]},{when:%Y-%m-%d %H:%M:%S},S{rng.randrange(300):04d},"
                f"P{rng.randrange(40):02d},U{rng.randrange(12):02d},减免税审批,"
                f"{rng.randrange(10**6)}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
    os.environ.setdefault("SUNLIGHT_VAR_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.settings")
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = (
            os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/sunlight_bench"
        )
        _recreate_pg_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    run(work, args.events)


def _recreate_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(work: Path, events: int) -> None:
    from django.core.files.uploadedfile import UploadedFile
    from django.core.management import call_command
    from django.db import connection

    from sunlight.core.models import Role, User
    from sunlight.monitoring import actions
    from sunlight.monitoring.models import TraceEvent

    call_command("migrate", verbosity=0)
    office = User.objects.create_user("bench", role=Role.OFFICE)
    log = work / "bench.csv"
    generate(log, events)
    with log.open("rb") as handle:
        job = actions.import_job_create(by=office, upload=UploadedFile(handle, name="bench.csv"))
    began = time.perf_counter()
    actions.import_job_run(job.pk)
    took = time.perf_counter() - began
    job.refresh_from_db()
    assert job.stored == events, (job.stored, job.errors, job.failure)
    vendor = connection.vendor
    print(f"{vendor}: imported {events:,} events in {took:.1f} s = {events / took:,.0f} events/s")
    if vendor == "postgresql":
        copy_took = _raw_copy(TraceEvent._meta.db_table)
        print(
            f"postgresql: raw COPY of the same rows {copy_took:.1f} s = "
            f"{events / copy_took:,.0f} events/s; import/COPY speed = {copy_took / took:.2f}"
        )


def _raw_copy(table: str) -> float:
    """Time a COPY of the stored rows (as CSV text, out of the database first) into a table of
    the same columns, indexes and unique key, without foreign keys."""
    import io

    from django.db import connection

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} TO STDOUT") as copy:
            for chunk in copy:
                buffer.write(chunk)
        cursor.execute(f"CREATE TABLE bench_copy (LIKE {table} INCLUDING ALL)")
        buffer.seek(0)
        began = time.perf_counter()
        with raw.copy("COPY bench_copy FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - began


if __name__ == "__main__":
    main()

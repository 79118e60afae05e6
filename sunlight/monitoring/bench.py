"""Import speed: ``python -m sunlight.monitoring.bench [--events N] [--pg-url URL]``.

Imports the bureau log of ``controls.bench.generate`` (a CSV of N events, default 1,000,000,
written once under ``var/bench/``) through the real job function (``actions.import_job_run``)
into a fresh database with the log's officers, posts and units in the catalogue: SQLite under a
temporary directory, and PostgreSQL at ``--pg-url`` (or ``DATABASE_URL``) when a server answers
there, in a database ``sunlight_bench`` it creates and drops. Each database runs in a child
process of its own (Django's settings are per process). On PostgreSQL it also times a raw
``COPY`` of the same stored rows into a table of the same columns, indexes and unique key, in
the same run, for the comparison the targets are set in.

Targets (issue 4): SQLite ≥ 50,000 events/s; PostgreSQL ≥ 1/3 of the raw COPY's speed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_TARGET = 50_000
COPY_SHARE_TARGET = 1 / 3
_RESULT = "RESULT "


def log_path(events: int) -> Path:
    name = "import-1m.csv" if events == 1_000_000 else f"import-{events}.csv"
    return BENCH_DIR / name


def ensure_log(path: Path, events: int) -> None:
    """Write the bureau log once; a half-written file never takes its place."""
    if path.exists():
        return
    from controls.bench.generate import write_log

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.csv")
    print(f"generating {path} ({events:,} events) …", file=sys.stderr)
    write_log(partial, events)
    partial.replace(path)


# --- the parent: one child per database, one table --------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sunlight.monitoring.bench")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.log, args.events, args.pg_url)
    log = log_path(args.events)
    ensure_log(log, args.events)
    rows = []
    for vendor in ("sqlite", "postgresql"):
        if args.only and vendor != args.only:
            continue
        if vendor == "postgresql" and not _reachable(args.pg_url):
            print(f"postgresql: no server at {args.pg_url or '(no URL)'}: skipped", file=sys.stderr)
            continue
        rows.append(_run_child(vendor, log, args.events, args.pg_url))
    print(table(rows))
    return 0


def _reachable(url: str) -> bool:
    if not url.startswith(("postgres://", "postgresql://")):
        return False
    import psycopg

    try:
        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _run_child(vendor: str, log: Path, events: int, pg_url: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "sunlight.monitoring.bench", "--child", vendor,
               "--log", str(log), "--events", str(events), "--pg-url", pg_url]  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    sys.stderr.write(done.stderr)
    found = [line for line in done.stdout.splitlines() if line.startswith(_RESULT)]
    if done.returncode or not found:
        raise SystemExit(f"{vendor}: the import bench failed:\n{done.stdout}")
    result: dict[str, Any] = json.loads(found[-1][len(_RESULT) :])
    return result


HEADER = ("database", "events", "seconds", "events/s", "CPU s", "reader CPU s", "COPY events/s",
          "ratio", "target", "met")  # fmt: skip


def table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table, one row per database. ratio = import speed / raw COPY speed, where the
    COPY goes into a table like the event table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        events, seconds = row["events"], row["seconds"]
        cells = [
            row["vendor"],
            f"{events:,}",
            f"{seconds:.1f}",
            f"{events / seconds:,.0f}",
            f"{row['cpu_seconds']:.1f}",
            f"{row.get('reader_cpu_seconds', 0):.1f}",
            *_against(events, seconds, row.get("copy_seconds")),
            row["target"],
            "yes" if row["met"] else "NO",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _against(events: int, seconds: float, copy_seconds: float | None) -> tuple[str, str]:
    if not copy_seconds:
        return "—", "—"
    return f"{events / copy_seconds:,.0f}", f"{copy_seconds / seconds:.2f}"


# --- the child: one database ------------------------------------------------------------------


def _child(vendor: str, log: Path, events: int, pg_url: str) -> int:
    work = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
    os.environ["SUNLIGHT_VAR_DIR"] = str(work)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.settings")
    if vendor == "postgresql":
        os.environ["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/sunlight_bench"
        _recreate_pg_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    try:
        result = run(log, events)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(work, ignore_errors=True)
        if vendor == "postgresql":
            _drop_pg_database(os.environ["DATABASE_URL"])
    print(_RESULT + json.dumps(result), flush=True)
    return 0


def _recreate_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(log: Path, events: int) -> dict[str, Any]:
    """Import ``log`` into the configured (empty) database; the figures as a dict."""
    from django.core.files.uploadedfile import UploadedFile
    from django.core.management import call_command
    from django.db import connection

    from sunlight.core.models import Role, User
    from sunlight.monitoring import actions
    from sunlight.monitoring.models import TraceEvent

    call_command("migrate", verbosity=0)
    _seed_catalogue()
    office = User.objects.create_user("bench", role=Role.OFFICE)
    with log.open("rb") as handle:
        job = actions.import_job_create(by=office, upload=UploadedFile(handle, name=log.name))
    began, cpu, reader_cpu = time.perf_counter(), time.process_time(), _children_cpu()
    _profiled(actions.import_job_run, job.pk)
    took, cpu_took = time.perf_counter() - began, time.process_time() - cpu
    reader_took = _children_cpu() - reader_cpu
    job.refresh_from_db()
    if job.stored != events or TraceEvent.objects.count() != events:
        raise SystemExit(f"stored {job.stored} of {events}: {job.failure or job.unknowns}")
    vendor = connection.vendor
    result: dict[str, Any] = {
        "vendor": vendor, "events": events, "seconds": took, "cpu_seconds": cpu_took,
        "reader_cpu_seconds": reader_took,
    }  # fmt: skip
    speed = events / took
    if vendor == "postgresql":
        copy_seconds = _raw_copy(TraceEvent._meta.db_table)
        result["copy_seconds"] = copy_seconds
        result["target"] = "≥ 1/3 of COPY"
        result["met"] = copy_seconds / took >= COPY_SHARE_TARGET
    else:
        result["target"] = f"≥ {SQLITE_TARGET:,}/s"
        result["met"] = speed >= SQLITE_TARGET
    print(f"{vendor}: {events:,} events in {took:.1f} s = {speed:,.0f} events/s "
          f"(CPU {cpu_took:.1f} s, reader process CPU {reader_took:.1f} s)",
          file=sys.stderr)  # fmt: skip
    return result


def _children_cpu() -> float:
    """CPU seconds of this process's ended children: the import's reader process."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _profiled(function: Any, *args: Any) -> None:
    """Call ``function``; with ``SUNLIGHT_BENCH_PROFILE=path`` set, under cProfile (the main
    thread only), its statistics written to ``path`` for ``pstats``."""
    target = os.environ.get("SUNLIGHT_BENCH_PROFILE")
    if not target:
        function(*args)
        return
    import cProfile

    # This thread's CPU, not the reader's; with ``SUNLIGHT_BENCH_WALL=1`` wall time (the
    # waits show).
    wall = os.environ.get("SUNLIGHT_BENCH_WALL")
    profile = cProfile.Profile(time.perf_counter if wall else time.thread_time)
    profile.runcall(function, *args)
    profile.dump_stats(target)


def _seed_catalogue() -> None:
    """The bureau log's units, posts and officers, so the mapping step finds them by code and
    name as it would in a bureau whose catalogue is loaded (the processes stay unmatched)."""
    from controls.bench.generate import staff_csv
    from sunlight.org.models import Post, PowerType, Staff, Unit, UnitKind

    roster = list(csv.DictReader(io.StringIO(staff_csv())))
    units: dict[str, Unit] = {}
    posts: dict[tuple[str, str], Post] = {}
    for row in roster:
        if row["unit"] not in units:
            number = len(units) + 1
            units[row["unit"]] = unit = Unit.objects.create(
                code=f"BU{number:02d}", name=row["unit"], kind=UnitKind.DEPARTMENT
            )
            Unit.objects.filter(pk=unit.pk).update(path=f"/{unit.pk}/")
        unit = units[row["unit"]]
        if (row["unit"], row["post"]) not in posts:
            posts[row["unit"], row["post"]] = Post.objects.create(
                code=f"BP{len(posts) + 1:03d}",
                name=row["post"],
                unit=unit,
                power_type=PowerType.EXECUTE,
            )
        Staff.objects.create(staff_no=row["staff"], name=row["name"], unit=unit)


def _raw_copy(table: str) -> float:
    """Time a COPY of the stored rows (as text, out of the database first) into a table like
    the event table: the same columns, indexes and unique key (and, like it, no foreign-key
    constraints)."""
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
        # In autocommit: the COPY returns after its commit.
        with raw.copy("COPY bench_copy FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - began
        cursor.execute("DROP TABLE bench_copy")
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())

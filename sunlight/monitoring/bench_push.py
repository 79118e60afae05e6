"""Pushed event → warning visible, with a real worker process: the issue's latency benchmark.

    python -m sunlight.monitoring.bench_push [--samples 30] [--database-url URL]

Without ``--database-url`` a fresh SQLite file in a temporary folder is used; give a scratch
PostgreSQL database to measure there (it is migrated and filled with a small organisation; do not
point it at a database you keep). The benchmark starts ``manage.py monitoring_worker`` as the
embedded default runs it, pushes one breaching case at a time (``actions.events_push``, the code
under ``POST /api/v1/events``), and times from the push until the warning can be read. Prints
one JSON line: samples, median, p90 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0
RULES = """\
name: 延迟基准
rules:
  - id: SOD-01
    template: separation_of_duties
    name: 审核与批准不得为同一人
    first: 审核
    second: 批准
"""


def _items(case: str) -> list[dict[str, Any]]:
    when = "2026-03-02T{}:00:00+08:00"
    return [
        {"case": case, "activity": "审核", "time": when.format(10), "resource": "S-A"},
        {"case": case, "activity": "批准", "time": when.format(11), "resource": "S-A"},
    ]


def measure(samples: int) -> dict[str, Any]:
    """Run in a process whose ``DATABASE_URL`` names the scratch database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.settings")
    django.setup()
    from django.core.management import call_command

    from sunlight.core.models import User
    from sunlight.core.testing import build_world
    from sunlight.monitoring import actions
    from sunlight.monitoring.actions import rules as rule_actions
    from sunlight.monitoring.models import RuleSet
    from sunlight.warnings.models import Warning

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="office").exists():
        build_world()
    office = User.objects.get(username="office")
    if not RuleSet.objects.filter(name="延迟基准").exists():
        rule_actions.rule_set_create(by=office, name="延迟基准", text=RULES)
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py, no shell
        [sys.executable, str(ROOT / "manage.py"), "monitoring_worker", "--tick-every", "0"],
        stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    timings: list[float] = []
    try:
        time.sleep(3.0)  # the worker's start-up is not the latency being measured
        for _ in range(samples):
            case = f"LAT-{time.time_ns()}"
            started = time.perf_counter()
            actions.events_push(by=office, items=_items(case))
            while not Warning.objects.filter(cases__external_id=case).exists():
                if time.perf_counter() - started > TIMEOUT:
                    raise RuntimeError(f"no warning {TIMEOUT:.0f} s after the push")
                time.sleep(0.005)
            timings.append((time.perf_counter() - started) * 1000)
            time.sleep(0.25)  # pushes arrive at random moments of the worker's poll
    finally:
        worker.terminate()
        worker.wait()
    timings.sort()
    return {
        "benchmark": "push_to_warning",
        "samples": len(timings),
        "median_ms": round(statistics.median(timings)),
        "p90_ms": round(timings[max(int(len(timings) * 0.9) - 1, 0)]),
        "max_ms": round(timings[-1]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        print(json.dumps(measure(args.samples)))


if __name__ == "__main__":
    main()

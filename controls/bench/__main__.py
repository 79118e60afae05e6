"""Run every benchmark module that exists, in one process, and print one table.

python -m controls.bench            # full run (generates var/bench/generated-1m.xes.gz once)
python -m controls.bench --quick    # a short run, for a check that everything still works
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from controls.bench.common import BenchRow
from controls.bench.generate import write_log

MODULES = ("read", "declare", "replay", "monitor")
GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"
HEADER = ("task", "dataset", "events", "seconds", "events/s", "reference events/s", "ratio",
          "identical")  # fmt: skip


def ensure_generated(path: Path = GENERATED, n_events: int = 1_000_000) -> None:
    """Write the shared generated log once; a half-written file never takes its place."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.xes.gz")
    print(f"generating {path} ({n_events} events) …", file=sys.stderr)
    write_log(partial, n_events)
    partial.replace(path)


def run_all(quick: bool, only: Sequence[str] = MODULES) -> list[BenchRow]:
    rows: list[BenchRow] = []
    for name in only:
        module_name = f"controls.bench.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            print(f"{name}: no benchmark module yet, skipped", file=sys.stderr)
            continue
        start = time.perf_counter()
        rows.extend(module.run(quick))
        print(f"{name}: done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return rows


def _cells(row: BenchRow) -> tuple[str, ...]:
    reference = f"{row.events / row.reference_seconds:,.0f}" if row.reference_seconds else "—"
    ratio = f"{row.ratio:.1f}×" if row.ratio is not None else "—"
    identical = {True: "yes", False: "NO", None: "—"}[row.identical]
    return (
        row.task,
        row.dataset,
        f"{row.events:,}",
        f"{row.seconds:.3f}",
        f"{row.events_per_second:,.0f}",
        reference,
        ratio,
        identical,
    )


def table(rows: Sequence[BenchRow]) -> str:
    """A Markdown table of the rows, with each row's note below the table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    notes = [f"- {row.task} ({row.dataset}): {row.note}" for row in rows if row.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m controls.bench")
    parser.add_argument("--quick", action="store_true", help="short runs on small inputs")
    parser.add_argument("--only", nargs="+", choices=MODULES, default=list(MODULES))
    args = parser.parse_args(argv)
    if not args.quick:
        ensure_generated()
    print(table(run_all(args.quick, args.only)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

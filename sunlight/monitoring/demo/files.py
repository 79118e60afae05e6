"""The demo traces as files, for the rules engine's command line and for a manual import:

    events.jsonl          every event, in time order
    relations.csv         officers related to taxpayers (the recusal rule's table)
    discretion_bands.csv  the penalty bands (a copy of ``data/discretion_bands.csv``)
    rules.yaml            the demo rule set (a copy of ``data/rules.yaml``)

then ``python -m controls check --rules rules.yaml --log events.jsonl
--reference relations=relations.csv --reference discretion_bands=discretion_bands.csv
--now 2026-09-30T18:00:00+08:00`` gives the findings the platform raises as warnings.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterable
from pathlib import Path

from controls.io.writers import write_jsonl
from sunlight.monitoring.demo.generator import DemoTraces

DATA_DIR = Path(__file__).resolve().parent / "data"
RULES_FILE = DATA_DIR / "rules.yaml"
BANDS_FILE = DATA_DIR / "discretion_bands.csv"
RELATIONS_FILE = DATA_DIR / "relations.csv"
RELATION_COLUMNS = ("officer", "party", "relation")


def relations_csv(relations: Iterable[tuple[str, str, str]]) -> str:
    """The recusal table as CSV text (header ``officer,party,relation``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RELATION_COLUMNS)
    writer.writerows(relations)
    return out.getvalue()


def write_demo_files(traces: DemoTraces, directory: Path) -> dict[str, Path]:
    """Write the four files into ``directory``; returns them by name."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "events": directory / "events.jsonl",
        "relations": directory / "relations.csv",
        "discretion_bands": directory / "discretion_bands.csv",
        "rules": directory / "rules.yaml",
    }
    write_jsonl(traces.events(), paths["events"])
    paths["relations"].write_text(relations_csv(traces.relations), encoding="utf-8")
    shutil.copyfile(BANDS_FILE, paths["discretion_bands"])
    shutil.copyfile(RULES_FILE, paths["rules"])
    return paths

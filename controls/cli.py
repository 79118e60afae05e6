"""``python -m controls``: check an event log against a rule file, or validate a rule file.

Bad input (a rule file, a log, a column mapping, a reference table, a time) ends the run with
one line on stderr naming the file and what is wrong, and exit code 2: never a traceback, since
the people running this edit rule files, not code.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import unicodedata
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from controls.events import Finding
from controls.io import FORMATS, LogError, load_columns, parse_columns, read_log, read_reference
from controls.monitor import Compliance, check, summarize
from controls.rules import RuleError, RuleSet, load_rules
from controls.rules.base import template_names

BUREAU_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
CSV_FIELDS = (
    "id", "rule", "template", "stage", "severity", "cases", "time",
    "resource", "post", "unit", "message_zh", "message_en",
)  # fmt: skip


class UsageError(Exception):
    """A command-line value that cannot be used (one line, no traceback)."""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args, out)
        return _check(args, out)
    except (RuleError, LogError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m controls", description="Sunlight controls: check event logs against rules."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="check an event log against a rule file")
    run.add_argument("--rules", required=True, help="the rule file (YAML)")
    run.add_argument("--log", required=True, help="the event log (XES, CSV or JSON lines)")
    run.add_argument("--log-format", choices=FORMATS, help="default: from the file name")
    run.add_argument(
        "--columns", help="CSV columns: field=column,... or a .json/.yaml file of field: column"
    )
    run.add_argument(
        "--reference", action="append", default=[], metavar="NAME=FILE.csv",
        help="a reference table for the rules that consult one (repeatable)",
    )  # fmt: skip
    run.add_argument(
        "--now", help="judge open cases at this ISO-8601 time (no offset: Asia/Shanghai)"
    )
    run.add_argument("--format", choices=("table", "json", "csv"), default="table")
    run.add_argument(
        "--summary", action="store_true",
        help="print the compliance degrees by rule, case, post and unit instead of the findings",
    )  # fmt: skip
    check_rules = commands.add_parser("validate", help="validate a rule file")
    check_rules.add_argument("--rules", required=True, help="the rule file (YAML)")
    return parser


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    ruleset = load_rules(args.rules)
    used = sorted({spec.template for spec in ruleset.specs})
    print(
        f"{args.rules}: OK — {len(ruleset.specs)} rules ({len(ruleset.enabled)} enabled); "
        f"templates used: {', '.join(used) or '-'}; available: {', '.join(template_names())}",
        file=out,
    )
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    ruleset = load_rules(args.rules)
    now = _now(args.now) if args.now else None
    reference = dict(_reference(item) for item in args.reference)
    columns = _columns(args.columns) if args.columns else None
    try:
        events = read_log(args.log, format=args.log_format, columns=columns)
        findings = check(events, ruleset, now=now, reference=reference)
        if args.summary:
            # The log is read a second time rather than held: reading stays constant-memory.
            again = read_log(args.log, format=args.log_format, columns=columns)
            _write_summary(args.format, summarize(findings, again, ruleset), out)
            return 0
    except OSError as exc:
        raise UsageError(f"{args.log}: cannot read: {exc.strerror}") from None
    _write(args.format, findings, ruleset, out)
    return 0


def _now(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO-8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BUREAU_TZ)


def _reference(item: str) -> tuple[str, Any]:
    name, sep, path = item.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise UsageError(f"--reference {item!r} is not of the form NAME=FILE.csv")
    return name.strip(), read_reference(path.strip(), name=name.strip())


def _columns(text: str) -> dict[str, str]:
    if Path(text).suffix.lower() in (".json", ".yaml", ".yml"):
        return load_columns(text)
    try:
        return parse_columns(text)
    except ValueError as exc:
        raise UsageError(f"--columns: {exc}") from None


def _write(kind: str, findings: list[Finding], ruleset: RuleSet, out: TextIO) -> None:
    if kind == "json":
        json.dump([f.as_dict() for f in findings], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif kind == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for finding in findings:
            row = finding.as_dict()
            row["cases"] = " ".join(finding.cases)
            writer.writerow([row[name] for name in CSV_FIELDS])
    else:
        _table(findings, ruleset, out)


SUMMARY_FIELDS = ("by", "key", "checked", "breached", "degree")
# Each dimension of the summary and its heading in the table.
DIMENSIONS = (
    ("by_rule", "规则 rule"),
    ("by_case", "案件 case"),
    ("by_post", "岗位 post"),
    ("by_unit", "部门 unit"),
)


def _write_summary(kind: str, compliance: Compliance, out: TextIO) -> None:
    degrees = compliance.as_dict()
    if kind == "json":
        json.dump(degrees, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    rows = [
        (name, key, str(d["checked"]), str(d["breached"]), f"{d['degree']:.4f}")
        for name, _ in DIMENSIONS
        for key, d in degrees[name].items()
    ]
    if kind == "csv":
        writer = csv.writer(out)
        writer.writerow(SUMMARY_FIELDS)
        writer.writerows(rows)
        return
    for name, heading in DIMENSIONS:
        block = [(r[1], r[2], r[3], f"{float(r[4]):.1%}") for r in rows if r[0] == name]
        head = (heading, "检查 checked", "违规 breached", "合规度 degree")
        widths = [max(_width(r[i]) for r in [head, *block]) for i in range(4)]
        for row in [head, *block]:
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
            print("  ".join(cells).rstrip(), file=out)
        print(file=out)
    print("合规度 = 未违规案件数 / 检查案件数 (degree = cases without a breach / cases checked); "
          "预警不计为违规 (a warning is not a breach)", file=out)  # fmt: skip


def _table(findings: list[Finding], ruleset: RuleSet, out: TextIO) -> None:
    head = ("规则 rule", "阶段 stage", "级别 severity", "案件 case", "责任人 person", "说明")
    rows = [
        (f.rule, f.stage.value, f.severity.value, " ".join(f.cases), _person(f), f.message_zh)
        for f in findings
    ]
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(5)]
    for row in [head, *rows]:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:5])]
        print("  ".join([*cells, row[5]]).rstrip(), file=out)
    title = ruleset.name or ruleset.source
    print(f"\n{len(findings)} 条发现 findings — {title} {ruleset.version}".rstrip(), file=out)


def _person(finding: Finding) -> str:
    if finding.resource and finding.post:
        return f"{finding.resource}（{finding.post}）"
    return finding.resource or finding.post or finding.unit or "-"


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

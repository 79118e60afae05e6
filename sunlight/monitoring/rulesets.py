"""The rule sets in force, ready for the engine: validated text, reference tables, unit switches.

Reads only. ``in_force()`` is what the runner and the decision endpoint run: for each active rule
set the newest version that still loads (a version is validated on save, but a later change of
the engine could refuse an old text; the one before it then stays in force), the newest version
of every reference table, and the units each rule is switched off for. It is cached and rebuilt
when a version, a table or a switch changes (a few cheap queries tell).

Cross-case templates (splitting, familiarity, concentration, first offence) need other cases'
events in their window; a single case's trace cannot judge them. They run in the batch
re-check of a period (``actions.checking.check_period``), not per case, and in the decision
endpoint over the stored events of their window (``only_cross_case``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Count, Max
from django.utils import translation
from django.utils.translation import gettext as _

from controls.events import Finding
from controls.io import LogError
from controls.io.reference import ReferenceTable, read_reference
from controls.monitor import Monitor
from controls.rules.base import RuleError
from controls.rules.catalog import RuleSet as EngineRuleSet
from controls.rules.catalog import parse_rules

# The platform's one working-day calendar: the official table, the bureau's entries winning.
from sunlight.core.workdays import calendar as calendar
from sunlight.monitoring.models import (
    ReferenceTableVersion,
    RuleSet,
    RuleSetVersion,
    RuleSwitch,
)
from sunlight.org.models import Unit

log = logging.getLogger(__name__)

CROSS_CASE = frozenset({"splitting", "familiarity", "concentration", "first_offence"})
CACHE_SECONDS = 60.0


# --- validation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleProblem:
    """Why a rule text is refused: the rule, the field, both languages, and the line if known."""

    rule: str
    field: str
    reason_en: str
    reason_zh: str
    line: int | None = None

    def message(self) -> str:
        """The problem in the user's language, naming the rule and the field."""
        reason = self.reason_zh if _chinese() else self.reason_en
        if self.rule and self.field:
            return _("Rule %(rule)s, field %(field)s: %(reason)s") % {
                "rule": self.rule, "field": self.field, "reason": reason,
            }  # fmt: skip
        if self.rule:
            return _("Rule %(rule)s: %(reason)s") % {"rule": self.rule, "reason": reason}
        if self.field:
            return _("Field %(field)s: %(reason)s") % {"field": self.field, "reason": reason}
        return reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "field": self.field, "line": self.line,
            "message": self.message(), "message_zh": self.reason_zh, "message_en": self.reason_en,
        }  # fmt: skip


class RuleTextError(ValueError):
    def __init__(self, problem: RuleProblem) -> None:
        self.problem = problem
        super().__init__(problem.message())


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def parse_text(text: str, source: str = "") -> EngineRuleSet:
    """The engine's rule set from a YAML text; ``RuleTextError`` names rule, field and line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise RuleTextError(
            RuleProblem(
                "", "",
                f"not valid YAML (line {line}, column {column})",
                f"不是有效的 YAML（第 {line} 行第 {column} 列）",
                line,
            )
        ) from None  # fmt: skip
    try:
        return parse_rules(data, source)
    except RuleError as exc:
        raise RuleTextError(_problem(exc, text)) from None


def validate(text: str, reference: Mapping[str, ReferenceTable] | None = None) -> EngineRuleSet:
    """Parse and bind the rules as a run would: a rule that needs a reference table missing (or
    lacking a column) is refused now rather than when the first event arrives."""
    rules = parse_text(text)
    tables = reference if reference is not None else current_reference()
    try:
        Monitor(rules, calendar=calendar(), reference=tables)
    except RuleError as exc:
        raise RuleTextError(_problem(exc, text)) from None
    except LogError as exc:
        rule = _rule_of_table(rules, exc)
        raise RuleTextError(
            RuleProblem(rule, "table", str(exc), exc.message_zh, _line_of(text, rule, "table"))
        ) from None
    return rules


def _problem(exc: RuleError, text: str) -> RuleProblem:
    line = _line_of(text, exc.rule, exc.field)
    return RuleProblem(exc.rule, exc.field, exc.reason_en, exc.reason_zh, line)


def _rule_of_table(rules: EngineRuleSet, exc: LogError) -> str:
    for spec in rules.enabled:
        if spec.params.get("table") and str(spec.params["table"]) in exc.path:
            return spec.id
    return ""


_RULE_START = re.compile(r"^\s*-\s")


def _line_of(text: str, rule: str, field: str = "") -> int | None:
    """The line of the rule's field (or of its ``id`` when the field is not written there), to
    point the editor at it."""
    if not rule or rule.startswith("#"):
        return None
    start = re.compile(r"^\s*-?\s*id:\s*['\"]?" + re.escape(rule) + r"['\"]?\s*(#.*)?$")
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if start.match(line):
            return _field_line(lines, number, field.split(".")[0].split("[")[0]) or number
    return None


def _field_line(lines: list[str], rule_line: int, field: str) -> int | None:
    if not field:
        return None
    pattern = re.compile(r"^\s*" + re.escape(field) + r"\s*:")
    for number in range(rule_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if _RULE_START.match(line) and re.match(r"^\s*-\s*id:", line):
            return None  # the next rule begins
        if pattern.match(line):
            return number
    return None


# --- reference tables -----------------------------------------------------------------------


def read_table_upload(name: str, content: bytes, original_name: str) -> ReferenceTable:
    """Read an uploaded CSV as the engine reads reference files (encoding detection, header
    checks); ``LogError`` names the row and column of a problem."""
    suffix = Path(original_name).suffix or ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}{suffix}"
        path.write_bytes(content)
        try:
            table = read_reference(path, name)
        except LogError as exc:
            # Name the uploaded file, not the temporary path.
            raise LogError(
                original_name or name, exc.position, exc.field, exc.message,
                where=exc.where, message_zh=exc._message_zh,
            ) from None  # fmt: skip
    return dataclasses.replace(table, path=original_name or name)


def table_text(table: ReferenceTable) -> str:
    """The table as canonical UTF-8 CSV (header first), the form it is stored in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([row.get(c, "") for c in table.columns] for row in table.rows)
    return out.getvalue()


def table_of(version: ReferenceTableVersion, name: str) -> ReferenceTable:
    rows = list(csv.reader(io.StringIO(version.content)))
    columns = tuple(rows[0]) if rows else ()
    return ReferenceTable(
        name=name,
        path=f"{name} v{version.number}",
        columns=columns,
        rows=tuple(dict(zip(columns, row, strict=False)) for row in rows[1:]),
    )


def current_reference() -> dict[str, ReferenceTable]:
    """The newest version of every reference table, by name."""
    newest = ReferenceTableVersion.objects.filter(
        pk__in=ReferenceTableVersion.objects.values("table").annotate(m=Max("id")).values("m")
    ).select_related("table")
    return {v.table.name: table_of(v, v.table.name) for v in newest}


# --- the rule sets in force -----------------------------------------------------------------


@dataclass(frozen=True)
class ActiveRuleSet:
    """One rule set in force: the version, its engine rules, and where its rules are off."""

    rule_set: RuleSet
    version: RuleSetVersion
    rules: EngineRuleSet
    per_case: EngineRuleSet  # the same without cross-case templates
    off: Mapping[str, tuple[str, ...]]  # rule id ("" = every rule) → unit paths switched off

    def switched_off(self, rule: str, unit_path: str | None) -> bool:
        if not unit_path:
            return False
        paths = (*self.off.get("", ()), *self.off.get(rule, ()))
        return any(unit_path.startswith(p) for p in paths)


@dataclass(frozen=True)
class InForce:
    sets: tuple[ActiveRuleSet, ...]
    reference: Mapping[str, ReferenceTable]
    unit_paths: Mapping[str, str]  # unit code → path

    def keep(self, active: ActiveRuleSet, findings: Iterable[Finding]) -> list[Finding]:
        """The findings not switched off for the unit they are laid at."""
        return [f for f in findings if not active.switched_off(f.rule, self.unit_paths.get(f.unit))]

    def versions(self) -> dict[str, int]:
        return {str(a.rule_set.pk): a.version.number for a in self.sets}


_lock = threading.Lock()
_cache: dict[str, Any] = {"signature": None, "at": 0.0, "value": None}


def _signature() -> tuple[Any, ...]:
    versions = tuple(
        RuleSetVersion.objects.filter(rule_set__active=True)
        .values("rule_set")
        .annotate(m=Max("id"))
        .order_by("rule_set")
        .values_list("rule_set", "m")
    )
    tables = tuple(
        ReferenceTableVersion.objects.values("table")
        .annotate(m=Max("id"))
        .order_by("table")
        .values_list("table", "m")
    )
    switches = tuple(RuleSwitch.objects.aggregate(n=Count("id"), m=Max("id")).values())
    return versions, tables, switches


def in_force() -> InForce:
    """The rule sets in force now (cached; rebuilt when anything they depend on changed)."""
    signature = _signature()
    with _lock:
        fresh = time.monotonic() - _cache["at"] < CACHE_SECONDS
        if _cache["signature"] == signature and fresh and _cache["value"] is not None:
            value: InForce = _cache["value"]
            return value
    value = _build()
    with _lock:
        _cache.update({"signature": signature, "at": time.monotonic(), "value": value})
    return value


def forget() -> None:
    """Drop the cache (tests that change rules within one cache period)."""
    with _lock:
        _cache.update({"signature": None, "at": 0.0, "value": None})


def _build() -> InForce:
    reference = current_reference()
    off: dict[int, dict[str, list[str]]] = {}
    for switch in RuleSwitch.objects.select_related("unit"):
        off.setdefault(switch.rule_set_id, {}).setdefault(switch.rule_id, []).append(
            switch.unit.path
        )
    sets = []
    for rule_set in RuleSet.objects.filter(active=True).order_by("pk"):
        loaded = _newest_loadable(rule_set)
        if loaded is None:
            continue
        version, rules = loaded
        sets.append(
            ActiveRuleSet(
                rule_set=rule_set,
                version=version,
                rules=rules,
                per_case=without_cross_case(rules),
                off={k: tuple(v) for k, v in off.get(rule_set.pk, {}).items()},
            )
        )
    paths = dict(Unit.objects.values_list("code", "path"))
    return InForce(tuple(sets), reference, paths)


def _newest_loadable(rule_set: RuleSet) -> tuple[RuleSetVersion, EngineRuleSet] | None:
    for version in rule_set.versions.order_by("-number"):
        try:
            return version, parse_text(version.text, f"{rule_set.name} v{version.number}")
        except RuleTextError as exc:
            log.error("rule set %s v%s no longer loads: %s", rule_set.pk, version.number, exc)
    return None


def without_cross_case(rules: EngineRuleSet) -> EngineRuleSet:
    return dataclasses.replace(
        rules, specs=tuple(s for s in rules.specs if s.template not in CROSS_CASE)
    )


def only_cross_case(rules: EngineRuleSet) -> EngineRuleSet:
    """The cross-case rules alone (what ``without_cross_case`` leaves out)."""
    return dataclasses.replace(
        rules, specs=tuple(s for s in rules.specs if s.template in CROSS_CASE)
    )


def monitor(rules: EngineRuleSet, force: InForce) -> Monitor:
    return Monitor(rules, calendar=calendar(), reference=force.reference)

"""Template 4: the discretion band (自由裁量基准).

The value decided at a step (a penalty, usually) must lie in the band that a reference table
gives for the case's violation and circumstance (情节). Each bound is inclusive or exclusive as
the table says. A decision whose (violation, circumstance) is not in the table is itself a
finding: nobody may decide outside the benchmark. A decision without a value (an exemption,
say) has nothing to measure and is passed over; a value that is not a number is a finding.

The table (CSV, loaded with ``--reference discretion_bands=FILE.csv``)::

    violation,circumstance,min,max,min_inclusive,max_inclusive
    逾期申报,一般,500,2000,false,true

.. code-block:: yaml

    - id: CF-03
      template: discretion_band
      name: 罚款须在自由裁量基准幅度内
      activity: 决定
      value: penalty               # data field of the decided value (default: penalty)
      violation: violation         # data fields naming the violation and circumstance
      circumstance: circumstance
      table: discretion_bands      # reference table name (default: discretion_bands)
      when: decision == "处罚"      # optional condition on the decision event
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from controls.events import Event, Finding
from controls.rules import messages as m
from controls.rules.base import (
    NO_FINDINGS,
    Params,
    Rule,
    RuleContext,
    RuleError,
    RuleSpec,
    register,
)

BAND_COLUMNS = ("violation", "circumstance", "min", "max", "min_inclusive", "max_inclusive")
_TRUE = frozenset({"true", "yes", "y", "1", "是", "含"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "不含"})


def as_number(value: Any) -> float | None:
    """A number from an event field: numbers as they are, texts such as ``"1,200.50"`` parsed.

    None when the field is absent or empty; a text that is not a number gives NaN so that the
    caller can tell "no value" from "a bad value".
    """
    kind = type(value)
    if kind is float or kind is int:  # nearly always: the fast way out
        return float(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        return float(Decimal(text))
    except InvalidOperation:
        return float("nan")


@dataclass(frozen=True, slots=True)
class Band:
    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool

    def miss(self, value: float) -> float | None:
        """How far ``value`` is outside the band (0 on an excluded bound); None when inside."""
        if value < self.low or (value == self.low and not self.low_inclusive):
            return self.low - value
        if value > self.high or (value == self.high and not self.high_inclusive):
            return value - self.high
        return None

    def zh(self) -> str:
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{m.amount(self.low)}, {m.amount(self.high)}{right}"


BandTable = dict[tuple[str, str], Band]


def table_rows(rule: Rule, table: Any, name: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The rows of a reference table with their row numbers (the header is row 1)."""
    rows: Iterable[Any] = getattr(table, "rows", table)
    # A table read from a file knows its rows' numbers (blank rows skipped); a plain list is
    # numbered from 2.
    numbers: Iterable[int] = getattr(table, "numbers", ()) or itertools.count(2)
    numbered: list[tuple[int, Mapping[str, Any]]] = []
    for number, row in zip(numbers, rows, strict=False):
        if not isinstance(row, Mapping):
            raise RuleError(rule.id, "table", f"reference table {name!r} has no rows",
                            f"参考表 {name!r} 没有数据行")  # fmt: skip
        numbered.append((number, row))
    return numbered


def reference_table(rule: Rule, context: RuleContext, name: str) -> Any:
    table = context.reference.get(name)
    if table is None:
        raise RuleError(
            rule.id, "table",
            f"needs the reference table {name!r} (--reference {name}=FILE.csv)",
            f"需要参考表 {name!r}（--reference {name}=文件.csv）",
        )  # fmt: skip
    return table


def cell(rule: Rule, table: Any, name: str, row: tuple[int, Mapping[str, Any]], col: str) -> str:
    """A non-empty cell, or an error naming the table, row and column."""
    number, values = row
    text = str(values.get(col) or "").strip()
    if not text:
        raise _bad_cell(rule, table, name, number, col, "is empty", "为空")
    return text


def _bad_cell(rule: Rule, table: Any, name: str, row: int, col: str, en: str, zh: str) -> RuleError:
    source = str(getattr(table, "path", "") or name)
    return RuleError(rule.id, f"{name} row {row} column {col}", en, zh, source)


def load_bands(rule: Rule, context: RuleContext, name: str) -> BandTable:
    """The bands of the reference table ``name``, keyed by (violation, circumstance)."""
    table = reference_table(rule, context, name)
    bands: BandTable = {}
    for row in table_rows(rule, table, name):
        key = (
            cell(rule, table, name, row, "violation"),
            cell(rule, table, name, row, "circumstance"),
        )
        if key in bands:
            what = f"{key[0]}/{key[1]}"
            raise _bad_cell(
                rule, table, name, row[0], "circumstance", f"repeats {what}", f"与前行重复：{what}"
            )
        low, high = (_bound(rule, table, name, row, col) for col in ("min", "max"))
        if low > high:
            raise _bad_cell(rule, table, name, row[0], "max", "is below min", "小于 min")
        bands[key] = Band(
            low,
            high,
            _flag(rule, table, name, row, "min_inclusive"),
            _flag(rule, table, name, row, "max_inclusive"),
        )
    return bands


def _bound(
    rule: Rule, table: Any, name: str, row: tuple[int, Mapping[str, Any]], col: str
) -> float:
    value = as_number(cell(rule, table, name, row, col))
    if value is None or value != value:
        raise _bad_cell(rule, table, name, row[0], col, "is not a number", "不是数字")
    return value


def _flag(rule: Rule, table: Any, name: str, row: tuple[int, Mapping[str, Any]], col: str) -> bool:
    text = cell(rule, table, name, row, col).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad_cell(rule, table, name, row[0], col, "must be true or false", "须为 true 或 false")


@register
class DiscretionBand(Rule):
    """The decided value must lie in the band for the case's violation and circumstance."""

    template = "discretion_band"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activity = params.text("activity")
        self.value = params.text("value", "penalty")
        self.violation = params.text("violation", "violation")
        self.circumstance = params.text("circumstance", "circumstance")
        self.table_name = params.text("table", "discretion_bands")
        self.when = params.condition("when", None)
        self._bands: BandTable = {}

    def bind(self, context: RuleContext) -> None:
        super().bind(context)
        self._bands = load_bands(self, context, self.table_name)

    def watches(self) -> frozenset[str] | None:
        return frozenset({self.activity})

    def feed(self, event: Event) -> Sequence[Finding]:
        if self.when is not None and not self.when.test(event):
            return NO_FINDINGS
        raw = event.data.get(self.value)
        value = as_number(raw)
        if value is None:
            return NO_FINDINGS
        violation = str(event.data.get(self.violation) or "").strip()
        circumstance = str(event.data.get(self.circumstance) or "").strip()
        band = self._bands.get((violation, circumstance))
        if value != value:
            return (self._not_a_number(event, raw),)
        if band is None:
            return (self._unknown(event, value, violation, circumstance),)
        miss = band.miss(value)
        if miss is None:
            return NO_FINDINGS
        return (self._outside(event, value, violation, circumstance, band, miss),)

    def _make(self, event: Event, zh: str, en: str, details: dict[str, Any]) -> Finding:
        return self.finding(
            cases=(event.case,),
            time=event.time,
            events=(event,),
            responsible=event,
            key=f"{event.time.isoformat()}|{event.activity}",
            message_zh=f"案件 {event.case}：{m.step_zh(event)}{zh}，违反{m.rule_zh(self.spec)}；"
            f"办理人 {m.person_zh(event)}。",
            message_en=f"Case {event.case}: {m.step_en(event)} {en}, breaking "
            f"{m.rule_en(self.spec)}; decided by {m.person_en(event)}.",
            details=details,
        )

    def _outside(
        self, event: Event, value: float, violation: str, circumstance: str, band: Band, miss: float
    ) -> Finding:
        side_zh, side_en = ("低于下限", "below") if value <= band.low else ("高于上限", "above")
        if miss == 0:
            how_zh = f"恰为不含的{'下' if value <= band.low else '上'}限"
            how_en = f"exactly on the excluded {'minimum' if value <= band.low else 'maximum'}"
        else:
            how_zh, how_en = f"{side_zh} {m.amount(miss)}", f"{m.amount(miss)} {side_en} the band"
        return self._make(
            event,
            f"{self.value} {m.amount(value)} 不在「{violation}/{circumstance}」的裁量幅度 "
            f"{band.zh()} 内（{how_zh}）",
            f"{self.value} {m.amount(value)} is outside the band {band.zh()} for "
            f"{violation}/{circumstance} ({how_en})",
            {"value": value, "low": band.low, "high": band.high, "miss": miss},
        )

    def _unknown(self, event: Event, value: float, violation: str, circumstance: str) -> Finding:
        return self._make(
            event,
            f"{self.value} {m.amount(value)} 所依据的「{violation or '（空）'}/"
            f"{circumstance or '（空）'}」不在自由裁量基准表中",
            f"decided {self.value} {m.amount(value)} for {violation or '(empty)'}/"
            f"{circumstance or '(empty)'}, which the discretion benchmark does not list",
            {"value": value, "violation": violation, "circumstance": circumstance},
        )

    def _not_a_number(self, event: Event, raw: Any) -> Finding:
        return self._make(
            event,
            f"{self.value} 的值 {raw!r} 不是数字，无法核对裁量幅度",
            f"{self.value} is {raw!r}, not a number, so the band cannot be checked",
            {"value": str(raw)},
        )

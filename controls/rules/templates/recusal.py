"""Template 9: recusal (回避) against reference data.

An officer must not act in a case of a party to whom a reference table relates them (spouse,
close relative, former employer …). The table (CSV, ``--reference relations=FILE.csv``)::

    officer,party,relation
    S306,91320100000000001X,配偶

One finding per officer and case, at the officer's first step in it. When the party is recorded
only on some events (often the first), the case remembers it; steps done before the party is
known are judged as soon as it is.

.. code-block:: yaml

    - id: CF-05
      template: recusal
      name: 办案人员与当事人有利害关系应当回避
      activities: [调查, 审理, 决定]   # optional: every step when left out
      party: party                      # data field of the party (default: party)
      table: relations                  # reference table name (default: relations)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from controls.events import Event, Finding
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleContext, RuleSpec, register
from controls.rules.templates.discretion import cell, reference_table, table_rows


@register
class Recusal(Rule):
    """The officer of a step is related to the case's party by the reference table."""

    template = "recusal"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        activities = params.texts("activities", ())
        self.activities = frozenset(activities) if activities else None
        self.party = params.text("party", "party")
        self.table_name = params.text("table", "relations")
        self._relations: dict[tuple[str, str], str] = {}
        self._officers: set[str] = set()
        # Per open case: its party once known, else the steps waiting for it.
        self._party: dict[str, str] = {}
        self._waiting: dict[str, list[Event]] = {}

    def bind(self, context: RuleContext) -> None:
        super().bind(context)
        table = reference_table(self, context, self.table_name)
        for row in table_rows(self, table, self.table_name):
            officer = self._cell(table, row, "officer")
            party = self._cell(table, row, "party")
            relation = str(row[1].get("relation") or "").strip() or "利害关系"
            self._relations[(officer, party)] = relation
            self._officers.add(officer)

    def _cell(self, table: Any, row: tuple[int, Any], column: str) -> str:
        return cell(self, table, self.table_name, row, column)

    def watches(self) -> frozenset[str] | None:
        return self.activities

    def feed(self, event: Event) -> Sequence[Finding]:
        case = event.case
        party = self._party.get(case)
        if party is None:
            named = str(event.data.get(self.party) or "").strip()
            if not named:
                if event.resource in self._officers:
                    self._waiting.setdefault(case, []).append(event)
                return NO_FINDINGS
            party = self._party[case] = named
            waiting = self._waiting.pop(case, None)
            if waiting is not None:
                return tuple(f for e in (*waiting, event) if (f := self._judge(e, party)))
        if event.resource not in self._officers:  # most steps: nobody in the table
            return NO_FINDINGS
        found = self._judge(event, party)
        return (found,) if found else NO_FINDINGS

    def _judge(self, event: Event, party: str) -> Finding | None:
        relation = self._relations.get((event.resource, party))
        if relation is None:
            return None
        return self.finding(
            cases=(event.case,),
            time=event.time,
            events=(event,),
            responsible=event,
            key=event.resource,
            message_zh=(
                f"案件 {event.case}：{m.person_zh(event)} 与当事人 {party} 存在{relation}关系，"
                f"应当回避，却办理了{m.step_zh(event)}，违反{m.rule_zh(self.spec)}。"
            ),
            message_en=(
                f"Case {event.case}: {m.person_en(event)} is related to party {party} "
                f"({relation}) and should have stood aside, but did {m.step_en(event)}, "
                f"breaking {m.rule_en(self.spec)}."
            ),
            details={"officer": event.resource, "party": party, "relation": relation},
        )

    def end_case(self, case: str) -> Sequence[Finding]:
        self._party.pop(case, None)
        self._waiting.pop(case, None)
        return NO_FINDINGS

"""Template 3 (threshold → required step) and template 7 (no change after a step): rules on data.

Both read the case's data as it stands at an event: the event's own data, and for keys the event
does not carry, the latest value an earlier event of the case gave. Only the keys a rule names
are remembered, so the per-case state stays small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from controls.events import EMPTY, Event, Finding
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleSpec, register


def _remember(known: dict[str, Any], event: Event, keys: frozenset[str]) -> None:
    for key in keys:
        value = event.data.get(key)
        if value is not None:
            known[key] = value


_EARLIER_KEPT = 32  # events kept per case before their data is read and they are dropped


@register
class RequiredStep(Rule):
    """When a condition holds at step A, step R must have happened before A.

    .. code-block:: yaml

        - id: TH-01
          template: required_step
          name: 50 万元以上须经集体审理
          activity: 批准
          when: amount >= 500000     # optional: without it, R is always required before A
          requires: [集体审理]         # any one of these steps
    """

    template = "required_step"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activity = params.text("activity")
        self.requires = frozenset(params.texts("requires"))
        if self.activity in self.requires:
            raise params.error(
                "requires", "cannot include activity itself", "不能包含 activity 本身"
            )
        self.when = params.condition("when", None)
        self.keys = self.when.names if self.when else frozenset()
        # Per case: whether a required step happened; its earlier events (only while it is
        # not done, and only as references: most are never needed, and reading each one's
        # data costs more than keeping it); and the latest value of each key the condition
        # reads, taken from those events when step A comes or when they grow many.
        self._done: set[str] = set()
        self._earlier: dict[str, list[Event]] = {}
        self._known: dict[str, dict[str, Any]] = {}

    def watches(self) -> frozenset[str] | None:
        # Data named by the condition may arrive with any step, so then every event is needed.
        return None if self.keys else self.requires | {self.activity}

    def feed(self, event: Event) -> Sequence[Finding]:
        # With a condition this sees every event of its cases: kept to a few look-ups.
        case = event.case
        if case in self._done:
            return NO_FINDINGS  # nothing can be found in this case any more
        activity = event.activity
        if activity in self.requires:
            self._done.add(case)
            self._earlier.pop(case, None)
            self._known.pop(case, None)
            return NO_FINDINGS
        found = NO_FINDINGS
        if activity == self.activity:
            known = self._values(case)
            if self.when is None or self.when.test(event, known):
                found = (self._breach(event, known),)
        if self.keys:
            earlier = self._earlier.get(case)
            if earlier is None:
                self._earlier[case] = [event]
            else:
                earlier.append(event)
                if len(earlier) >= _EARLIER_KEPT:
                    self._fold(case, earlier)
        return found

    def _values(self, case: str) -> Mapping[str, Any]:
        """The latest value of each key that the case's earlier events gave."""
        earlier = self._earlier.get(case)
        if earlier:
            self._fold(case, earlier)
        return self._known.get(case, EMPTY)

    def _fold(self, case: str, earlier: list[Event]) -> None:
        """Take the keys' values from ``earlier`` (oldest first: the latest wins), then drop it."""
        for event in earlier:
            if event.data:
                for key in self.keys:
                    value = event.data.get(key)
                    if value is not None:
                        known = self._known.get(case)
                        if known is None:
                            known = self._known[case] = {}
                        known[key] = value
        earlier.clear()

    def _breach(self, event: Event, known: Mapping[str, Any]) -> Finding:
        steps = "或".join(sorted(self.requires))
        steps_en = " or ".join(sorted(self.requires))
        values = {k: event.data.get(k, known.get(k)) for k in sorted(self.keys)}
        shown = "，".join(f"{k} = {v}" for k, v in values.items())
        because_zh = f"，而条件 {self.when.text} 成立（{shown}）" if self.when else ""
        because_en = f" although {self.when.text} holds ({shown})" if self.when else ""
        return self.finding(
            cases=(event.case,),
            time=event.time,
            events=(event,),
            responsible=event,
            key=f"{event.time.isoformat()}|{event.lifecycle}",
            message_zh=(
                f"案件 {event.case}：{m.step_zh(event)}前未经{steps}{because_zh}，"
                f"违反{m.rule_zh(self.spec)}；办理人 {m.person_zh(event)}。"
            ),
            message_en=(
                f"Case {event.case}: {m.step_en(event)} without a prior {steps_en}{because_en}, "
                f"breaking {m.rule_en(self.spec)}; done by {m.person_en(event)}."
            ),
            details={"requires": sorted(self.requires), "data": values},
        )

    def end_case(self, case: str) -> Sequence[Finding]:
        self._done.discard(case)
        self._earlier.pop(case, None)
        self._known.pop(case, None)
        return NO_FINDINGS


@dataclass(slots=True)
class _Locked:
    at: Event | None = None  # the step after which nothing may change (None: not yet)
    known: dict[str, Any] = field(default_factory=dict)


@register
class NoChangeAfter(Rule):
    """After step A, none of the steps X, and no change to the data fields F.

    .. code-block:: yaml

        - id: NC-01
          template: no_change_after
          name: 批准后不得变更
          after: 批准
          forbidden: [修改申请, 变更金额]   # steps that must not follow A
          fields: [amount]                  # data that must keep its value from A on

    At least one of ``forbidden`` and ``fields``. A field first given after A is a change too.
    """

    template = "no_change_after"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.after = params.text("after")
        self.forbidden = frozenset(params.texts("forbidden", ()))
        self.fields = frozenset(params.texts("fields", ()))
        if not self.forbidden and not self.fields:
            raise params.error(
                "forbidden", "give forbidden steps, fields, or both", "须填写 forbidden 或 fields"
            )
        self._cases: dict[str, _Locked] = {}

    def watches(self) -> frozenset[str] | None:
        return None if self.fields else self.forbidden | {self.after}

    def feed(self, event: Event) -> Sequence[Finding]:
        state = self._cases.get(event.case)
        if state is None:
            state = self._cases[event.case] = _Locked()
        if state.at is None:
            if self.fields:
                _remember(state.known, event, self.fields)
            if event.activity == self.after:
                state.at = event
            return NO_FINDINGS
        found: list[Finding] = []
        if event.activity in self.forbidden:
            found.append(self._step(state.at, event))
        for name in sorted(self.fields):
            value = event.data.get(name)
            if value is not None and value != state.known.get(name):
                found.append(self._change(state.at, event, name, state.known.get(name), value))
                state.known[name] = value
        return found

    def _step(self, locked: Event, event: Event) -> Finding:
        return self.finding(
            cases=(event.case,),
            time=event.time,
            events=(locked, event),
            responsible=event,
            key=f"step|{event.time.isoformat()}|{event.activity}|{event.lifecycle}",
            message_zh=(
                f"案件 {event.case}：{m.step_zh(locked)}后又发生{m.step_zh(event)}，"
                f"违反{m.rule_zh(self.spec)}；办理人 {m.person_zh(event)}。"
            ),
            message_en=(
                f"Case {event.case}: {m.step_en(event)} after {m.step_en(locked)}, breaking "
                f"{m.rule_en(self.spec)}; done by {m.person_en(event)}."
            ),
            details={"after": self.after, "step": event.activity},
        )

    def _change(self, locked: Event, event: Event, name: str, old: Any, new: Any) -> Finding:
        return self.finding(
            cases=(event.case,),
            time=event.time,
            events=(locked, event),
            responsible=event,
            key=f"field|{event.time.isoformat()}|{name}",
            message_zh=(
                f"案件 {event.case}：{m.step_zh(locked)}后，{m.step_zh(event)}将 {name} "
                f"由 {old if old is not None else '（空）'} 改为 {new}，"
                f"违反{m.rule_zh(self.spec)}；办理人 {m.person_zh(event)}。"
            ),
            message_en=(
                f"Case {event.case}: after {m.step_en(locked)}, {m.step_en(event)} changed {name} "
                f"from {old if old is not None else '(empty)'} to {new}, breaking "
                f"{m.rule_en(self.spec)}; done by {m.person_en(event)}."
            ),
            details={"after": self.after, "field": name, "old": old, "new": new},
        )

    def end_case(self, case: str) -> Sequence[Finding]:
        self._cases.pop(case, None)
        return NO_FINDINGS

"""DECLARE constraints as a rule: precedence, response, absence, exactly-once and the rest.

Each case is followed event by event; when it ends (one of the rule set's ``case_end``
activities, or the end of the log) every violated constraint gives one finding, naming the event
where the case went wrong and the person who did it (for a step that never happened there is no
such event: the finding then shows the case's last step and names nobody).

With ``stage: during`` a violation that no later step can put right (a forbidden step, a step
before its required predecessor, a broken chain or alternation, a second "exactly once") is
raised at the event that caused it; the rest are still judged when the case ends (stage after).

.. code-block:: yaml

    - id: DCL-01
      template: declare
      name: 审批前必须经过审核，且只能审批一次
      severity: high
      constraints:
        - {template: precedence, activities: [审核, 审批]}
        - {template: exactly_one, activities: [审批]}

``constraints`` is one constraint or a list of them; the DECLARE templates and their meaning are
listed in ``controls/declare.py`` (existence, absence, exactly_one, init, responded_existence,
coexistence, noncoexistence, response, precedence, succession, altresponse, altprecedence,
altsuccession, chainresponse, chainprecedence, chainsuccession, nonsuccession,
nonchainsuccession).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from controls.declare import (
    CaseEvaluator,
    Constraint,
    DeclareModel,
    DeclareModelError,
    Violation,
    parse_model,
)
from controls.events import Event, Finding, Stage
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleSpec, register

# Templates that depend on the events between two steps, or on the very first step: the rule
# must then see every event of the case, not only the constrained activities.
_NEEDS_EVERY_EVENT = frozenset(
    {"init", "chainresponse", "chainprecedence", "chainsuccession", "nonchainsuccession"}
)


@register
class Declare(Rule):
    template = "declare"
    stages = (Stage.AFTER, Stage.DURING)

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.model = _read_model(params)
        self._cases: dict[str, _Case] = {}

    def watches(self) -> frozenset[str] | None:
        constraints = self.model.constraints
        if any(c.template in _NEEDS_EVERY_EVENT for c in constraints):
            return None
        return frozenset(a for c in constraints for a in c.activities)

    def feed(self, event: Event) -> Sequence[Finding]:
        state = self._cases.get(event.case)
        if state is None:
            state = self._cases[event.case] = _Case(self.model.evaluator())
        state.evaluator.feed(event.activity)
        state.events.append(event)
        if self.spec.stage is not Stage.DURING:
            return NO_FINDINGS
        # While the case runs, report what no later step can put right.
        fresh = [v for v in state.evaluator.settled() if v.constraint not in state.reported]
        state.reported.update(v.constraint for v in fresh)
        return [self._finding(event.case, v, state.events, Stage.DURING) for v in fresh]

    def end_case(self, case: str) -> Sequence[Finding]:
        state = self._cases.pop(case, None)
        if state is None:
            return NO_FINDINGS
        left = [
            v for v in state.evaluator.result().violations if v.constraint not in state.reported
        ]
        return [self._finding(case, v, state.events, Stage.AFTER) for v in left]

    def finish(self) -> Sequence[Finding]:
        """The end of the log closes every case still open: judge each as it stands."""
        found: list[Finding] = []
        for case in list(self._cases):
            found.extend(self.end_case(case))
        return found

    def _finding(
        self, case: str, violation: Violation, events: list[Event], stage: Stage
    ) -> Finding:
        c = violation.constraint
        culprit = events[violation.position] if violation.position is not None else None
        shown = culprit or events[-1]
        where_zh = (
            f"，问题出在{m.step_zh(culprit)}，经办人 {m.person_zh(culprit)}" if culprit else ""
        )
        where_en = (
            f"; it went wrong at {m.step_en(culprit)} by {m.person_en(culprit)}" if culprit else ""
        )
        return self.finding(
            cases=(case,),
            time=shown.time,
            events=(shown,),
            responsible=culprit,
            message_zh=f"案件 {case} 违反{m.rule_zh(self.spec)}：{c.explain_zh()}{where_zh}。",
            message_en=f"Case {case} breaks {m.rule_en(self.spec)}: {c.explain_en()}{where_en}.",
            key=str(c),
            stage=stage,
            details={"constraint": c.template, "activities": list(c.activities)},
        )


class _Case:
    __slots__ = ("evaluator", "events", "reported")

    def __init__(self, evaluator: CaseEvaluator) -> None:
        self.evaluator = evaluator
        self.events: list[Event] = []
        self.reported: set[Constraint] = set()  # already raised while the case ran


def _read_model(params: Params) -> DeclareModel:
    raw: Any = params.raw("constraints")
    # One constraint may be written without the surrounding list.
    if isinstance(raw, Mapping) and "template" in raw:
        raw = [raw]
    try:
        model = parse_model(raw, source="constraints")
    except DeclareModelError as exc:
        raise params.error("constraints", str(exc), f"DECLARE 约束无法读取：{exc}") from None
    if not model.constraints:
        raise params.error("constraints", "must list at least one constraint", "至少要有一条约束")
    return model

"""Conformance to the process model: a case whose replay fitness falls below a minimum.

The model is a BPMN 2.0 or PNML file, read when the rule set is loaded. Each case is replayed on
it when it ends (one of the rule set's ``case_end`` activities, or the end of the log); a case
whose token-replay fitness is below ``min_fitness`` gives a finding that lists the steps the
model did not allow at that point (and steps the model does not know), and names the person who
did the first of them.

.. code-block:: yaml

    - id: CONF-01
      template: conformance
      name: 行政处罚须按流程图办理
      severity: medium
      processes: [行政处罚]
      model: models/penalty.bpmn      # .bpmn or .pnml; a relative path is read from the
      min_fitness: 0.9                # working directory; 1 (the default) tolerates nothing
"""

from __future__ import annotations

from collections.abc import Sequence

from controls.conformance import ModelError, Replayer, TraceReplay, read_model
from controls.events import Event, Finding, Stage
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleSpec, register


@register
class Conformance(Rule):
    template = "conformance"
    stages = (Stage.AFTER,)

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        path = params.text("model")
        self.min_fitness = params.number("min_fitness", 1.0, minimum=0.0, maximum=1.0)
        try:
            net = read_model(path)
        except ModelError as exc:
            raise params.error("model", str(exc), f"流程模型无法读取：{exc}") from None
        # One replayer per rule: cases that follow the same path share one replay.
        self._replayer = Replayer(net)
        self._cases: dict[str, list[Event]] = {}

    def feed(self, event: Event) -> Sequence[Finding]:
        self._cases.setdefault(event.case, []).append(event)
        return NO_FINDINGS

    def end_case(self, case: str) -> Sequence[Finding]:
        events = self._cases.pop(case, None)
        if not events:
            return NO_FINDINGS
        result = self._replayer.replay([e.activity for e in events])
        if result.fitness >= self.min_fitness:
            return NO_FINDINGS
        return (self._finding(case, events, result),)

    def finish(self) -> Sequence[Finding]:
        """The end of the log closes every case still open: judge each as it stands."""
        found: list[Finding] = []
        for case in list(self._cases):
            found.extend(self.end_case(case))
        return found

    def _finding(self, case: str, events: list[Event], result: TraceReplay) -> Finding:
        off = [events[d.position] for d in result.deviations]
        culprit = off[0] if off else None
        steps_zh = "、".join(m.step_zh(e) for e in off) or "无（流程未走完）"
        steps_en = ", ".join(m.step_en(e) for e in off) or "none (the process was not completed)"
        fitness = f"{result.fitness:.3f}"
        return self.finding(
            cases=(case,),
            time=events[-1].time,
            events=tuple(off) or (events[-1],),
            responsible=culprit,
            message_zh=(
                f"案件 {case} 未按{m.rule_zh(self.spec)}的流程图办理：拟合度 {fitness}，"
                f"低于 {self.min_fitness:g}；不符合流程的步骤：{steps_zh}。"
            ),
            message_en=(
                f"Case {case} departs from the process model of {m.rule_en(self.spec)}: "
                f"fitness {fitness} is below {self.min_fitness:g}; steps out of order: {steps_en}."
            ),
            key="fitness",
            details={
                "fitness": result.fitness,
                "missing_tokens": result.missing,
                "remaining_tokens": result.remaining,
                "consumed_tokens": result.consumed,
                "produced_tokens": result.produced,
                "unknown_steps": [d.activity for d in result.deviations if d.unknown],
                "left_in": [name for name, _ in result.remaining_places],
            },
        )

"""Template 1: separation of duties (four-eyes) and binding of duties.

``separation_of_duties``: two steps of one case must be done by different people (or posts, or
units, with ``by``). ``binding_of_duties``: they must be done by the same one. The finding is
raised when the second of the two steps happens, whichever comes first in the case, and names
the person who did that second step. A step whose actor is not recorded proves nothing and is
passed over.

.. code-block:: yaml

    - id: SOD-01
      template: separation_of_duties
      name: 审核与批准不得为同一人
      severity: high
      first: 审核
      second: 批准
      by: resource          # resource (default) | post | unit
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

from controls.events import Event, Finding
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleSpec, register

_BY_ZH = {"resource": "人", "post": "岗位", "unit": "单位"}
_BY_EN = {"resource": "person", "post": "post", "unit": "unit"}

# Per step (first, second), per case: the first event in which each actor did the step. Nearly
# always one actor does a step, and then that event is kept as it is (nothing to make per case);
# a dict of actor -> event (in order) only once a second actor does it.
_Side = dict[str, Event | dict[str, Event]]


class _Duties(Rule):
    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.first = params.text("first")
        self.second = params.text("second")
        self.by = params.choice("by", ("resource", "post", "unit"), "resource")
        if self.first == self.second:
            raise params.error("second", "must differ from first", "必须与 first 不同")
        self._actor = operator.attrgetter(self.by)
        self._sides: tuple[_Side, _Side] = ({}, {})

    def watches(self) -> frozenset[str] | None:
        return frozenset({self.first, self.second})

    def feed(self, event: Event) -> Sequence[Finding]:
        actor: str = self._actor(event)
        if not actor:
            return NO_FINDINGS
        case = event.case
        if event.activity == self.first:
            mine, other = self._sides
        else:
            other, mine = self._sides
        held = mine.get(case)
        if held is None:
            mine[case] = event
        elif isinstance(held, dict):
            held.setdefault(actor, event)
        elif self._actor(held) != actor:
            mine[case] = {self._actor(held): held, actor: event}
        done = other.get(case)
        if done is None:
            return NO_FINDINGS
        return self.judge(
            event, actor, done if isinstance(done, dict) else {self._actor(done): done}
        )

    def judge(self, event: Event, actor: str, other: dict[str, Event]) -> Sequence[Finding]:
        raise NotImplementedError

    def end_case(self, case: str) -> Sequence[Finding]:
        self._sides[0].pop(case, None)
        self._sides[1].pop(case, None)
        return NO_FINDINGS


@register
class SeparationOfDuties(_Duties):
    template = "separation_of_duties"

    def judge(self, event: Event, actor: str, other: dict[str, Event]) -> Sequence[Finding]:
        earlier = other.get(actor)
        if earlier is None:
            return NO_FINDINGS
        zh_by, en_by = _BY_ZH[self.by], _BY_EN[self.by]
        return (
            self.finding(
                cases=(event.case,),
                time=event.time,
                events=(earlier, event),
                responsible=event,
                key=f"{earlier.time.isoformat()}|{event.time.isoformat()}|{actor}",
                message_zh=(
                    f"案件 {event.case}：{m.step_zh(earlier)}与{m.step_zh(event)}由同一{zh_by}"
                    f"（{actor}）办理，违反{m.rule_zh(self.spec)}；"
                    f"后一环节办理人 {m.person_zh(event)}。"
                ),
                message_en=(
                    f"Case {event.case}: {m.step_en(earlier)} and {m.step_en(event)} were done by "
                    f"the same {en_by} ({actor}), breaking {m.rule_en(self.spec)}; "
                    f"second step by {m.person_en(event)}."
                ),
                details={"by": self.by, "actor": actor},
            ),
        )


@register
class BindingOfDuties(_Duties):
    template = "binding_of_duties"

    def judge(self, event: Event, actor: str, other: dict[str, Event]) -> Sequence[Finding]:
        if actor in other:
            return NO_FINDINGS
        bound = next(iter(other.values()))
        zh_by, en_by = _BY_ZH[self.by], _BY_EN[self.by]
        return (
            self.finding(
                cases=(event.case,),
                time=event.time,
                events=(bound, event),
                responsible=event,
                key=f"{event.time.isoformat()}|{actor}",
                message_zh=(
                    f"案件 {event.case}：{m.step_zh(event)}应由办理{bound.activity}的同一{zh_by}"
                    f"（{getattr(bound, self.by)}）办理，实为 {actor}，违反{m.rule_zh(self.spec)}；"
                    f"办理人 {m.person_zh(event)}。"
                ),
                message_en=(
                    f"Case {event.case}: {m.step_en(event)} must be done by the same {en_by} as "
                    f"{bound.activity} ({getattr(bound, self.by)}) but was done by {actor}, "
                    f"breaking {m.rule_en(self.spec)}; done by {m.person_en(event)}."
                ),
                details={"by": self.by, "actor": actor, "expected": getattr(bound, self.by)},
            ),
        )

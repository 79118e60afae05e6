"""Template 5: the first-offence exemption (首违不罚).

An exemption may be granted only to a party with no earlier decision on the same violation within
a look-back window before it. Every decision at ``activity`` is remembered per (party,
violation) for the length of the window, exemptions included (a first offence is still an
offence on record); an exemption finds the latest such decision of another case inside the
window. The window counts calendar dates in the bureau's time zone and is inclusive: with
``window_months: 6`` an exemption on 09-16 is refused for a prior on 03-16 and allowed for one on
03-15.

.. code-block:: yaml

    - id: CF-04
      template: first_offence
      name: 首违不罚须无同类违法前科
      activity: 决定
      exempt: decision == "首违不罚"     # which decisions are exemptions
      party: party                       # data fields (defaults shown)
      violation: violation
      window_months: 6                   # or window_days: 365
"""

from __future__ import annotations

from collections.abc import Sequence

from controls.events import Event, Finding
from controls.rules import messages as m
from controls.rules.base import NO_FINDINGS, Params, Rule, RuleSpec, register
from controls.rules.templates.crosscase import Span, Window, zone


@register
class FirstOffence(Rule):
    """An exemption with a prior of the same party and violation inside the window."""

    template = "first_offence"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activity = params.text("activity")
        exempt = params.condition("exempt")
        if exempt is None:
            raise params.error("exempt", "is required", "必须填写")
        self.exempt = exempt
        self.party = params.text("party", "party")
        self.violation = params.text("violation", "violation")
        self.span = Span.read(params)
        self.zone = zone(params)
        self._window: Window[tuple[str, str], Event] = Window(self.span)

    def watches(self) -> frozenset[str] | None:
        return frozenset({self.activity})

    def feed(self, event: Event) -> Sequence[Finding]:
        today = event.time.astimezone(self.zone).date()
        if today != self._window.today:
            self._window.advance(today)
        party = str(event.data.get(self.party) or "").strip()
        violation = str(event.data.get(self.violation) or "").strip()
        if not party or not violation:
            return NO_FINDINGS
        key = (party, violation)
        prior = self._latest_prior(key, event)
        self._window.add(key, today, event)
        if prior is None or not self.exempt.test(event):
            return NO_FINDINGS
        return (self._finding(event, prior, party, violation),)

    def _latest_prior(self, key: tuple[str, str], event: Event) -> Event | None:
        entries = self._window.get(key)
        if not entries:
            return None
        for _, earlier in reversed(entries):
            if earlier.case != event.case:
                return earlier
        return None

    def _finding(self, event: Event, prior: Event, party: str, violation: str) -> Finding:
        today = event.time.astimezone(self.zone).date()
        then = prior.time.astimezone(self.zone).date()
        first = self.span.earliest(today)
        inside = (then - first).days  # how many days the prior lies inside the window
        gap = (today - then).days
        return self.finding(
            cases=(prior.case, event.case),
            time=event.time,
            events=(prior, event),
            responsible=event,
            key=f"{event.time.isoformat()}|{event.activity}",
            message_zh=(
                f"案件 {event.case}：当事人 {party} 于 {m.day(today)} 以首违不罚免予处罚"
                f"（{violation}），但其在 {m.day(then)}（案件 {prior.case}）已有同类违法决定，"
                f"相隔 {gap} 天，处于 {self.span.zh()}回溯期内（回溯期自 {m.day(first)} 起，"
                f"前科在其后 {inside} 天），违反{m.rule_zh(self.spec)}；"
                f"决定人 {m.person_zh(event)}。"
            ),
            message_en=(
                f"Case {event.case}: party {party} was exempted as a first offence "
                f"({violation}) on {m.day(today)}, but had a decision on the same violation on "
                f"{m.day(then)} (case {prior.case}), {gap} days earlier, inside the look-back "
                f"of {self.span.en()} by {inside} days (window from {m.day(first)}), breaking "
                f"{m.rule_en(self.spec)}; decided by {m.person_en(event)}."
            ),
            details={
                "party": party,
                "violation": violation,
                "prior_case": prior.case,
                "days_before": gap,
            },
        )

"""Template 5: the first-offence exemption, with priors on both sides of the look-back."""

from __future__ import annotations

from typing import Any

import pytest

from controls.events import Event, Finding
from controls.monitor import check
from controls.rules.base import RuleError
from controls.tests.rules_kit import CALENDAR, ev, rules

RULE = {
    "id": "CF-04",
    "template": "first_offence",
    "activity": "决定",
    "exempt": 'decision == "首违不罚"',
    "window_months": 6,
}


def decision(
    case: str, when: str, kind: str = "处罚", party: str = "P1", violation: str = "逾期申报"
) -> Event:
    return ev(case, "决定", when, "S211", party=party, violation=violation, decision=kind)


def exempt(when: str, **kw: Any) -> Event:
    return decision("NOW", when, "首违不罚", **kw)


def run(log: list[Event], rule: dict[str, Any] = RULE) -> list[Finding]:
    return check(log, rules(rule), calendar=CALENDAR)


@pytest.mark.parametrize(
    ("log", "breach"),
    [
        pytest.param([exempt("2026-09-16")], False, id="no prior at all"),
        pytest.param(
            [decision("OLD", "2026-03-16"), exempt("2026-09-16")],
            True,
            id="prior exactly 6 months before: inside",
        ),
        pytest.param(
            [decision("OLD", "2026-03-15"), exempt("2026-09-16")],
            False,
            id="prior 6 months and a day before: outside",
        ),
        pytest.param(
            [decision("OLD", "2026-04-10"), exempt("2026-10-10")],
            True,
            id="exemption on the make-up Saturday, prior on the window's first day",
        ),
        pytest.param(
            [decision("OLD", "2026-04-09"), exempt("2026-10-10")],
            False,
            id="exemption on the make-up Saturday, prior one day outside",
        ),
        pytest.param(
            [decision("OLD", "2026-02-28"), exempt("2026-08-31")],
            True,
            id="08-31 minus 6 months is 02-28 (short month): inside",
        ),
        pytest.param(
            [decision("OLD", "2026-02-27"), exempt("2026-08-31")],
            False,
            id="short month: one day before 02-28 is outside",
        ),
        pytest.param(
            [decision("OLD", "2026-06-01", violation="逾期办理税务登记"), exempt("2026-09-16")],
            False,
            id="a different violation within the window",
        ),
        pytest.param(
            [decision("OLD", "2026-06-01", party="P2"), exempt("2026-09-16")],
            False,
            id="another party's prior",
        ),
        pytest.param(
            [decision("OLD", "2026-06-01", "首违不罚"), exempt("2026-09-16")],
            True,
            id="an earlier exemption is a prior too",
        ),
        pytest.param(
            [decision("OLD", "2026-06-01"), decision("NOW", "2026-09-16")],
            False,
            id="a prior but a penalty, not an exemption",
        ),
        pytest.param(
            [exempt("2026-09-16"), exempt("2026-09-17")],
            False,
            id="two decisions of the same case are not a prior",
        ),
    ],
)
def test_look_back_window(log: list[Event], breach: bool) -> None:
    found = run(log)
    assert [f.cases for f in found] == ([("OLD", "NOW")] if breach else [])


@pytest.mark.parametrize(
    ("window", "prior", "breach"),
    [
        pytest.param({"window_days": 180}, "2026-03-20", True, id="180 days: on the bound"),
        pytest.param({"window_days": 180}, "2026-03-19", False, id="181 days: outside"),
    ],
)
def test_window_in_days(window: dict[str, int], prior: str, breach: bool) -> None:
    rule = {k: v for k, v in RULE.items() if k != "window_months"} | window
    found = run([decision("OLD", prior), exempt("2026-09-16")], rule)
    assert len(found) == int(breach)


def test_message_names_party_prior_and_distance() -> None:
    (finding,) = run([decision("OLD", "2026-06-01"), exempt("2026-09-16")])
    assert finding.resource == "S211"
    assert "OLD" in finding.message_zh
    assert "相隔 107 天" in finding.message_zh
    assert "107 days earlier" in finding.message_en
    assert "CF-04" in finding.message_en


@pytest.mark.parametrize(
    "window",
    [
        pytest.param({}, id="no window"),
        pytest.param({"window_days": 9, "window_months": 1}, id="both"),
    ],
)
def test_exactly_one_window_is_required(window: dict[str, int]) -> None:
    rule = {k: v for k, v in RULE.items() if k != "window_months"} | window
    with pytest.raises(RuleError, match="window_days"):
        rules(rule)

"""The condition language: what holds on which event, and where a bad condition is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controls.rules import RuleError
from controls.rules.conditions import ConditionError, parse_condition
from controls.tests.rules_kit import ev, rules

EVENT = ev(
    "C1", "批准", "2026-03-02", "王五", post="局长", unit="一分局",
    amount=500_000, 情节="较重", urgent=True, note="", count="12",
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("amount >= 500000", True),
        ("amount > 500000", False),
        ("amount >= 500000.01", False),
        ("amount == 500000 and activity == '批准'", True),
        ('amount < 1 or post == "局长"', True),
        ("not amount < 1", True),
        ("not (amount < 1 or unit == '一分局')", False),
        ("情节 in ['较重', '严重']", True),
        ("情节 not in ['较重', '严重']", False),
        ("resource in []", False),
        ("missing >= 0", False),
        ("missing < 0", False),
        ("missing == null", True),
        ("missing != null", False),
        ("amount != null", True),
        ("urgent", True),
        ("urgent == true", True),
        ("note", False),
        ("missing", False),
        ("count > 9", True),  # a number in text is compared as a number
        ("count == 12", True),
        ("情节 > 3", False),  # text against number: no order
        ("amount >= -1", True),
        ("a and b or amount > 0", True),  # and binds tighter than or
        ("a or b or missing or amount > 0", True),  # chains of three and more
        ("a or amount > 0 or b", True),
        ("a or b or c", False),
        ("amount > 0 and urgent and 情节 == '较重' and post == '局长'", True),
        ("amount > 0 and urgent and note", False),
        ("(amount > 0) == true", True),
    ],
)
def test_condition_holds(text: str, holds: bool) -> None:
    assert parse_condition(text).test(EVENT) is holds


def test_known_data_fills_in_what_the_event_lacks() -> None:
    condition = parse_condition("amount >= 500000")
    bare = ev("C1", "批准", "2026-03-02")
    assert condition.test(bare, {"amount": 600_000}) is True
    assert condition.test(EVENT, {"amount": 1}) is True  # the event's own value wins
    assert condition.names == frozenset({"amount"})


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("amount >= ", 11),
        ("amount = 5", 8),
        ("amount >= 5 )", 13),
        ("(amount >= 5", 13),
        ("情节 in '较重'", 7),
        ("情节 in ['较重' '严重']", 13),
        ("name == 'open", 9),
        ("amount >= 5 # x", 13),
        ("amount not 5", 12),
        ("5abc > 1", 2),
        ("and x", 1),
    ],
)
def test_parse_errors_name_the_column(text: str, column: int) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert caught.value.column == column


def test_a_bad_condition_in_a_rule_names_rule_field_and_column() -> None:
    spec = {"id": "TH-09", "template": "required_step", "activity": "批准", "requires": "审核"}
    with pytest.raises(RuleError) as caught:
        rules({**spec, "when": "amount >= "})
    error = caught.value
    assert (error.rule, error.field) == ("TH-09", "when")
    assert "column 11" in error.reason_en
    assert "第 11 列" in error.reason_zh


def test_no_code_runs() -> None:
    with pytest.raises(ConditionError):
        parse_condition("__import__('os').system('true')")


MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
CONSTANTS = st.sampled_from([None, True, False, 0, 3, -2, 0.0, 2.5, 500000.0, "3", "2.5", "x", ""])
VALUES = st.one_of(
    st.none(),
    CONSTANTS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-4, 4),
    st.decimals(-4, 4, places=1),
    st.sampled_from([" 3 ", "abc", "-2", "nan"]),
)


def _literal(value: object) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return repr(value)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, constant=CONSTANTS, op=st.sampled_from(sorted(MIRROR)))
def test_a_data_name_against_a_constant_agrees_with_the_general_comparison(
    value: object, constant: object, op: str
) -> None:
    """``x >= 3`` takes a faster path than ``3 <= x``: both must always agree."""
    event = ev("C1", "批准", "2026-03-02", x=value) if value is not None else EVENT
    known = {"x": value}
    fast = parse_condition(f"x {op} {_literal(constant)}")
    general = parse_condition(f"{_literal(constant)} {MIRROR[op]} x")
    assert fast.test(event) is general.test(event)
    assert fast.test(EVENT, known) is general.test(EVENT, known)

"""DECLARE conformance: same per-trace results as the reference checker, batch = incremental."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controls.bench import reference_logs
from controls.bench.common import DATA_DIR
from controls.conformance.cases import activity_traces
from controls.declare import (
    TEMPLATES,
    UNARY,
    DeclareModelError,
    check_trace,
    check_traces,
    parse_model,
)

pm4py = pytest.importorskip("pm4py")
classic = pytest.importorskip("pm4py.algo.conformance.declare.variants.classic")

RECEIPT = DATA_DIR / "receipt_wabo_full.xes.gz"
ALPHABET = ("a", "b", "c")


def _every_constraint() -> dict[str, list[Any]]:
    """Every template over every activity and every ordered pair, an activity with itself too."""
    model: dict[str, list[Any]] = {}
    for template in TEMPLATES:
        if template in UNARY:
            model[template] = list(ALPHABET)
        else:
            model[template] = [list(p) for p in itertools.product(ALPHABET, repeat=2)]
    return model


FULL = parse_model(_every_constraint())
FULL_REFERENCE = FULL.to_pm4py()


def _reference(traces: list[list[str]]) -> list[dict[str, Any]]:
    return list(classic.apply_list(traces, FULL_REFERENCE))


EDGE_TRACES = [
    [],
    ["a"],
    ["b"],
    ["a", "a"],
    ["a", "b"],
    ["b", "a"],
    ["a", "b", "a"],
    ["b", "a", "b"],
    ["a", "a", "b"],
    ["a", "b", "b"],
    ["a", "c", "b"],
    ["c", "a", "b", "c"],
    ["a", "b", "a", "b"],
    ["b", "b", "a", "a"],
    ["c"],
]


@pytest.mark.parametrize("trace", EDGE_TRACES, ids=lambda t: "".join(t) or "empty")
def test_each_template_at_its_edges_matches_the_reference(trace: list[str]) -> None:
    assert check_trace(FULL, trace).as_pm4py() == _reference([trace])[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=9))
def test_random_traces_match_the_reference(trace: list[str]) -> None:
    assert check_trace(FULL, trace).as_pm4py() == _reference([trace])[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=9))
def test_verdict_after_each_prefix_equals_the_batch_verdict_of_that_prefix(
    trace: list[str],
) -> None:
    evaluator = FULL.evaluator()
    assert evaluator.result() == check_trace(FULL, [])
    for i, activity in enumerate(trace, start=1):
        evaluator.feed(activity)
        assert evaluator.result() == check_trace(FULL, trace[:i])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=9))
def test_a_settled_violation_stays_in_every_continuation(trace: list[str]) -> None:
    evaluator = FULL.evaluator()
    final = set(check_trace(FULL, trace).deviations)
    for activity in trace:
        evaluator.feed(activity)
        assert {v.constraint for v in evaluator.settled()} <= final


def test_settled_violations_are_those_no_later_step_can_undo() -> None:
    model = parse_model({"absence": ["c"], "response": [["a", "b"]], "precedence": [["a", "b"]]})
    evaluator = model.evaluator()
    for activity in ("b", "a", "c"):
        evaluator.feed(activity)
    assert [str(v.constraint) for v in evaluator.settled()] == ["precedence(a, b)", "absence(c)"]


def test_violations_blame_the_event_where_they_fail() -> None:
    model = parse_model(
        {"response": [["a", "b"]], "chainprecedence": [["a", "b"]], "absence": ["c"]}
    )
    result = check_trace(model, ["a", "c", "b", "a"])
    blamed = {str(v.constraint): v.position for v in result.violations}
    assert blamed == {"response(a, b)": 3, "chainprecedence(a, b)": 2, "absence(c)": 1}


def test_an_empty_model_fits_every_trace() -> None:
    result = check_trace(parse_model({}), ["a"])
    assert result.as_pm4py() == {
        "no_constr_total": 0,
        "deviations": [],
        "no_dev_total": 0,
        "dev_fitness": 1.0,
        "is_fit": True,
    }


def test_list_form_and_dict_form_give_the_same_model() -> None:
    as_list = parse_model(
        [
            {"template": "response", "activities": ["a", "b"]},
            {"template": "existence", "activities": ["a"]},
        ]
    )
    assert as_list == parse_model({"existence": ["a"], "response": [["a", "b"]]})
    assert [c.template for c in as_list.constraints] == ["existence", "response"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"respons": [["a", "b"]]}, "unknown DECLARE template 'respons'"),
        ({"response": [["a"]]}, "response takes a pair of activity names"),
        ({"existence": [["a", "b"]]}, "existence takes an activity name"),
        ({"response": "a"}, "response: expected a list of entries"),
        ([{"template": "response"}], "model.yaml[0]: expected {template"),
        ("response", "a mapping or a list"),
    ],
)
def test_a_malformed_model_names_the_entry(data: Any, message: str) -> None:
    with pytest.raises(DeclareModelError, match=r"model\.yaml") as info:
        parse_model(data, source="model.yaml")
    assert message in str(info.value)


def test_explanations_name_the_activities() -> None:
    (c,) = parse_model({"precedence": [["受理", "审批"]]}).constraints
    assert c.explain_zh() == "「审批」之前必须先有「受理」"
    assert c.explain_en() == "审批 must be preceded by 受理"


@pytest.fixture(scope="module")
def receipt() -> Any:
    if not Path(RECEIPT).exists():
        pytest.skip("shared receipt log not present")
    return pm4py.read_xes(str(RECEIPT), return_legacy_log_object=True)


def test_receipt_log_with_a_discovered_model_matches_the_reference(receipt: Any) -> None:
    reference_model = pm4py.discover_declare(receipt)
    expected = pm4py.conformance_declare(receipt, reference_model)
    traces = [[e["concept:name"] for e in trace] for trace in receipt]
    ours = check_traces(parse_model(reference_model), traces)
    assert [r.as_pm4py() for r in ours] == expected
    assert any(not r.is_fit for r in ours)  # the comparison covers deviations, not only fits


# --- both real logs: every template over their most frequent steps ----------------------------
@pytest.fixture(scope="module", params=["receipt", "bpic15"])
def real_log(request: pytest.FixtureRequest) -> Any:
    path = {"receipt": reference_logs.RECEIPT, "bpic15": reference_logs.BPIC15}[request.param]
    if not path.exists():
        pytest.skip("shared event log not present")
    return reference_logs.load(path)


def _every_template_over(activities: list[str]) -> dict[str, list[Any]]:
    return {
        t: list(activities)
        if t in UNARY
        else [list(p) for p in itertools.product(activities, repeat=2)]
        for t in TEMPLATES
    }


def test_every_template_on_a_real_log_matches_the_reference_case_by_case(real_log: Any) -> None:
    counts = Counter(e.activity for e in real_log.events)
    model = parse_model(_every_template_over([a for a, _ in counts.most_common(8)]))
    expected = pm4py.conformance_declare(real_log.legacy, model.to_pm4py())
    traces = activity_traces(real_log.events)
    ours = check_traces(model, [traces[case] for case in real_log.cases])
    assert len(ours) == len(expected) > 1000
    assert [r.as_pm4py() for r in ours] == expected
    # Every template is broken by some case and kept by another: both verdicts are compared.
    broken = Counter(c.template for r in ours for c in r.deviations)
    assert set(broken) == set(TEMPLATES)
    size = Counter(c.template for c in model.constraints)
    assert all(broken[t] < len(ours) * size[t] for t in TEMPLATES)

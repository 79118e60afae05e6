"""Token-based replay: fitness identical to the reference replayer, on real and hand-made models."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controls.bench import reference_logs
from controls.bench.common import DATA_DIR
from controls.conformance import (
    ModelError,
    PetriNet,
    Replayer,
    activity_traces,
    log_fitness,
    read_bpmn,
    read_model,
    read_pnml,
    safexml,
)
from controls.io import read_log

pm4py = pytest.importorskip("pm4py")
token_replay = pytest.importorskip("pm4py.algo.conformance.tokenreplay.variants.token_replay")
log_obj = pytest.importorskip("pm4py.objects.log.obj")

MODELS = Path(__file__).parent / "models"
PARALLEL = MODELS / "parallel.bpmn"
WEIGHTED = MODELS / "weighted.pnml"
KEYS = (
    "trace_is_fit",
    "trace_fitness",
    "missing_tokens",
    "consumed_tokens",
    "remaining_tokens",
    "produced_tokens",
)


def _reference_net(path: Path) -> Any:
    if path.suffix == ".bpmn":
        return pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path)))
    return pm4py.read_pnml(str(path))


def _reference(path: Path, traces: list[list[str]]) -> list[dict[str, Any]]:
    log = log_obj.EventLog(
        [log_obj.Trace([log_obj.Event({"concept:name": a}) for a in t]) for t in traces]
    )
    net, im, fm = _reference_net(path)
    found = token_replay.apply(log, net, im, fm, parameters={"show_progress_bar": False})
    return [
        {**{k: r[k] for k in KEYS}, "problems": [t.label for t in r["transitions_with_problems"]]}
        for r in found
    ]


def _ours(model: PetriNet, traces: list[list[str]]) -> list[dict[str, Any]]:
    """Our figures, and the steps whose transition lacked tokens (the reference's "transitions
    with problems")."""
    return [
        {**r.as_pm4py(), "problems": [d.activity for d in r.deviations if not d.unknown]}
        for r in Replayer(model).replay_all(traces)
    ]


def _mutants(traces: list[list[str]], seed: int, count: int) -> list[list[str]]:
    """Real traces with events dropped, inserted (also unknown ones) and swapped."""
    rng = random.Random(seed)
    alphabet = [*sorted({a for t in traces for a in t}), "不在模型中"]
    out = []
    for _ in range(count):
        trace = list(rng.choice(traces))
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            if op < 0.3 and trace:
                del trace[rng.randrange(len(trace))]
            elif op < 0.6:
                trace.insert(rng.randint(0, len(trace)), rng.choice(alphabet))
            elif len(trace) > 1:
                i = rng.randrange(len(trace) - 1)
                trace[i], trace[i + 1] = trace[i + 1], trace[i]
        out.append(trace)
    return out


REAL_PAIRS = [
    ("roadtraffic.pnml", "roadtraffic100traces.xes"),
    ("receipt.bpmn", "receipt_wabo_full.xes.gz"),
]


@pytest.fixture(scope="module", params=REAL_PAIRS, ids=lambda p: p[0])
def real_pair(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    model, log = (DATA_DIR / name for name in request.param)
    if not model.exists() or not log.exists():
        pytest.skip("shared model or log not present")
    return model, log


def test_real_log_fitness_and_every_trace_match_the_reference(real_pair: tuple[Path, Path]) -> None:
    model_path, log_path = real_pair
    reference_log = pm4py.read_xes(str(log_path), return_legacy_log_object=True)
    net, im, fm = _reference_net(model_path)
    expected_fitness = pm4py.fitness_token_based_replay(reference_log, net, im, fm)
    expected = pm4py.conformance_diagnostics_token_based_replay(reference_log, net, im, fm)
    expected_by_case = {
        trace.attributes["concept:name"]: {k: r[k] for k in KEYS}
        for trace, r in zip(reference_log, expected, strict=True)
    }

    traces = activity_traces(read_log(log_path))
    replayer = Replayer(read_model(str(model_path)))
    results = {case: replayer.replay(trace) for case, trace in traces.items()}

    assert {case: r.as_pm4py() for case, r in results.items()} == expected_by_case
    assert log_fitness(list(results.values())).as_pm4py() == expected_fitness


def test_damaged_real_traces_match_the_reference(real_pair: tuple[Path, Path]) -> None:
    model_path, log_path = real_pair
    traces = list(activity_traces(read_log(log_path)).values())
    damaged = _mutants(traces, seed=7, count=400)
    expected = _reference(model_path, damaged)
    assert _ours(read_model(str(model_path)), damaged) == expected
    assert sum(not r["trace_is_fit"] for r in expected) > 100  # deviations are really exercised


PARALLEL_TRACES = [
    ["立案", "调查取证", "告知当事人", "审理", "处罚决定"],
    ["立案", "告知当事人", "调查取证", "审理", "不予处罚"],
    ["立案", "调查取证", "审理", "处罚决定"],  # the notice to the party is skipped
    ["立案", "审理", "告知当事人", "调查取证", "处罚决定"],
    ["立案", "调查取证", "告知当事人", "审理", "处罚决定", "不予处罚"],
    ["调查取证", "告知当事人"],
    ["立案", "调查取证", "告知当事人", "审理", "处罚决定", "处罚决定"],
    ["立案", "补正材料", "调查取证", "告知当事人", "审理", "处罚决定"],
    [],
]


def test_parallel_gateway_model_matches_the_reference() -> None:
    assert _ours(read_bpmn(PARALLEL), PARALLEL_TRACES) == _reference(PARALLEL, PARALLEL_TRACES)


def test_both_interleavings_of_a_parallel_block_fit() -> None:
    replayer = Replayer(read_bpmn(PARALLEL))
    assert replayer.replay(PARALLEL_TRACES[0]).is_fit
    assert replayer.replay(PARALLEL_TRACES[1]).is_fit


def test_a_skipped_branch_names_the_event_and_the_tokens_left() -> None:
    result = Replayer(read_bpmn(PARALLEL)).replay(PARALLEL_TRACES[2])
    assert not result.is_fit
    assert [(d.position, d.activity, d.missing) for d in result.deviations] == [(2, "审理", 1)]
    assert result.remaining_places == (("ent_t_notify", 1),)


def test_an_activity_unknown_to_the_model_is_reported_but_costs_no_tokens() -> None:
    result = Replayer(read_bpmn(PARALLEL)).replay(PARALLEL_TRACES[7])
    assert result.is_fit
    assert [(d.position, d.activity, d.unknown) for d in result.deviations] == [
        (1, "补正材料", True)
    ]


WEIGHTED_ALPHABET = ("申请", "会签", "审批", "其他")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WEIGHTED_ALPHABET), max_size=6), min_size=1, max_size=5))
def test_weighted_arcs_and_invisible_skips_match_the_reference(traces: list[list[str]]) -> None:
    assert _ours(read_pnml(WEIGHTED), traces) == _reference(WEIGHTED, traces)


def test_log_fitness_of_no_traces_is_zero() -> None:
    assert log_fitness([]).log_fitness == 0.0


# --- malformed model files --------------------------------------------------------------------
BPMN_HEAD = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
BPMN_TAIL = "</process></definitions>"
START_END = (
    '<startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "doctype.bpmn",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]>'
            + BPMN_HEAD
            + START_END
            + BPMN_TAIL,
            "DOCTYPE and entity declarations are not allowed",
        ),
        ("broken.bpmn", BPMN_HEAD + "<task id='t'", "not well-formed XML"),
        (
            "badref.bpmn",
            BPMN_HEAD
            + START_END
            + '<sequenceFlow id="g" sourceRef="s" targetRef="x"/>'
            + BPMN_TAIL,
            "<sequenceflow id='g'> at line 1: targetRef 'x' is not a known node",
        ),
        (
            "sub.bpmn",
            BPMN_HEAD + START_END + '<subProcess id="sp"/>' + BPMN_TAIL,
            "<subprocess id='sp'> at line 1: sub-processes are not supported yet",
        ),
        ("nostart.bpmn", BPMN_HEAD + '<endEvent id="e"/>' + BPMN_TAIL, "no start event"),
        ("other.bpmn", "<pnml/>", "not a BPMN 2.0 file"),
        (
            "weight.pnml",
            '<pnml><net id="n"><page id="g"><place id="p"/><transition id="t"/>'
            '<arc id="a" source="p" target="t"><inscription><text>two</text></inscription></arc>'
            "</page></net></pnml>",
            "<inscription> at line 1: expected a whole number, got 'two'",
        ),
        (
            "dangling.pnml",
            '<pnml><net id="n"><page id="g"><place id="p"/>'
            '<arc id="a" source="p" target="t9"/></page></net></pnml>',
            "<arc id='a'> at line 1: arc from 'p' to 't9': unknown endpoint",
        ),
        ("model.txt", "<pnml/>", "unknown model format"),
    ],
)
def test_a_malformed_model_file_names_the_file_and_the_element(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read_model(str(path))
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing\.pnml: cannot open"):
        read_pnml(tmp_path / "missing.pnml")


# --- hostile model files: no entity is ever expanded, nothing is ever fetched ----------------
LAUGHS = "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)  # nine levels of ten: 10⁹ copies of "ha" if anything expanded them
BOMB = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "ha">{LAUGHS}]>'
HOSTILE = {
    "billion laughs": BOMB + '<definitions><process id="&l9;"/></definitions>',
    "external entity": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
    '<pnml><net id="n"><page id="g"><place id="p"><name><text>&x;</text></name></place>'
    "</page></net></pnml>",
    "external DTD": '<?xml version="1.0"?><!DOCTYPE pnml SYSTEM "file://{secret}"><pnml/>',
    "parameter entity": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "file://{secret}">'
    "%p;]><definitions/>",
    "network DTD": '<?xml version="1.0"?><!DOCTYPE d PUBLIC "-//X//EN" "http://127.0.0.1:9/x.dtd">'
    "<definitions/>",
}


@pytest.mark.parametrize("suffix", [".bpmn", ".pnml"])
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_entity_tricks_are_refused_without_expanding_or_fetching(
    tmp_path: Path, attack: str, suffix: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-密", encoding="utf-8")
    path = tmp_path / f"hostile{suffix}"
    path.write_text(HOSTILE[attack].replace("{secret}", str(secret)), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read_model(str(path))
    assert str(info.value) == f"{path}: DOCTYPE and entity declarations are not allowed"


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_the_parser_alone_would_not_expand_or_fetch_either(
    tmp_path: Path, attack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Second line of defence: with the byte scan switched off, the parser itself is safe.
    monkeypatch.setattr(safexml, "_DECLARATIONS", ())
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-密", encoding="utf-8")
    path = tmp_path / "hostile.bpmn"
    path.write_text(HOSTILE[attack].replace("{secret}", str(secret)), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        safexml.parse(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert "TOP-SECRET" not in text
    assert "hahaha" not in text
    assert "DOCTYPE and entity declarations are not allowed" in text or "amplification" in text


def test_a_utf16_doctype_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "wide.bpmn"
    path.write_text(BOMB + "<definitions/>", encoding="utf-16")
    with pytest.raises(ModelError, match="DOCTYPE and entity declarations are not allowed"):
        read_model(str(path))


@pytest.mark.slow
def test_bpic15_csv_on_a_discovered_net_matches_the_reference(tmp_path: Path) -> None:
    """The second real log has no drawn model: the reference mines one (over its 40 most
    frequent of 398 activities, so the other steps are unknown to it) and writes it as PNML."""
    if not reference_logs.BPIC15.exists():
        pytest.skip("shared event log not present")
    log = reference_logs.load(reference_logs.BPIC15)
    top = {a for a, _ in Counter(e.activity for e in log.events).most_common(40)}
    frame = log.frame[log.frame["concept:name"].isin(top)]
    net, im, fm = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.2)
    model = tmp_path / "bpic15.pnml"
    pm4py.write_pnml(net, im, fm, str(model))
    net, im, fm = pm4py.read_pnml(str(model))
    expected = pm4py.conformance_diagnostics_token_based_replay(log.legacy, net, im, fm)
    expected_fitness = pm4py.fitness_token_based_replay(log.legacy, net, im, fm)

    traces = activity_traces(log.events)
    results = Replayer(read_pnml(model)).replay_all([traces[case] for case in log.cases])
    assert [r.as_pm4py() for r in results] == [{k: e[k] for k in KEYS} for e in expected]
    assert log_fitness(results).as_pm4py() == expected_fitness
    assert sum(not r.is_fit for r in results) > 500  # deviations are really exercised
    assert any(d.unknown for r in results for d in r.deviations)

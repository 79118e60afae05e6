"""Token-based replay: our replayer against the reference on the same model and log.

Models: the hand-drawn BPMN of the receipt process, and the PNML of the road-traffic process; the
BPIC 2015 log and the generated log have none, so the reference discovers one (inductive miner,
noise threshold 0.2, over the 40 most frequent activities), writes it as PNML, and both sides
read that file; the whole log is replayed on it. Both sides start from a
log in memory; ours compiles the net on every run (the reference recomputes its invisible paths
on every call too). The reference is timed on its data frame and on its legacy log object, for
per-case diagnostics and for the log fitness; its time is the fastest of these. Identical means
every case's figures (fit, fitness, missing, consumed, remaining, produced tokens) and the log
fitness are equal.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR, BenchRow, best_of
from controls.bench.reference_logs import RECEIPT, BenchLog, datasets, load, quiet_pm4py
from controls.conformance import Replayer, TraceReplay, activity_traces, log_fitness, read_model
from controls.conformance.petri import PetriNet

LARGE = 100_000  # events: above this, each side runs once
# Activities a discovered net is mined over: on BPIC 2015 (398 activities) the full net makes
# the reference take minutes per run.
MOST_FREQUENT = 40
KEYS = (
    "trace_is_fit",
    "trace_fitness",
    "missing_tokens",
    "consumed_tokens",
    "remaining_tokens",
    "produced_tokens",
)
ROADTRAFFIC = DATA_DIR / "roadtraffic100traces.xes"
MODELS = {RECEIPT: DATA_DIR / "receipt.bpmn", ROADTRAFFIC: DATA_DIR / "roadtraffic.pnml"}


def run(quick: bool) -> list[BenchRow]:
    repeat = 3 if quick else 5
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for path in [ROADTRAFFIC, *datasets(quick)]:
            log = load(path)
            model = MODELS.get(path) or _discover(log, Path(folder) / "discovered.pnml")
            rows.append(bench(log, model, repeat))
            if path == RECEIPT:
                rows.append(_bench_damaged(log, model, repeat))
    return rows


def _discover(log: BenchLog, target: Path) -> Path:
    """A net for the whole log, mined from the events of its most frequent activities (the
    others are steps the model does not know)."""
    pm4py = quiet_pm4py()
    top = {a for a, _ in Counter(e.activity for e in log.events).most_common(MOST_FREQUENT)}
    frame = log.frame[log.frame["concept:name"].isin(top)]
    net, im, fm = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.2)
    pm4py.write_pnml(net, im, fm, str(target))
    return target


def _reference_net(model: Path) -> Any:
    pm4py = quiet_pm4py()
    if model.suffix == ".bpmn":
        return pm4py.convert_to_petri_net(pm4py.read_bpmn(str(model)))
    return pm4py.read_pnml(str(model))


def _expected(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: r[k] for k in KEYS} for r in results]


def bench(log: BenchLog, model_path: Path, repeat: int) -> BenchRow:
    pm4py = quiet_pm4py()
    net, im, fm = _reference_net(model_path)
    model: PetriNet = read_model(str(model_path))
    single = 1 if len(log.events) > LARGE else repeat

    def ours(traces: Callable[[], list[list[str]]]) -> Callable[[], Any]:
        def replay() -> tuple[list[TraceReplay], dict[str, float]]:
            results = Replayer(model).replay_all(traces())
            return results, log_fitness(results).as_pm4py()

        return replay

    def diagnostics(data: Any) -> Callable[[], list[dict[str, Any]]]:
        return lambda: list(pm4py.conformance_diagnostics_token_based_replay(data, net, im, fm))

    def fitness(data: Any) -> Callable[[], dict[str, float]]:
        return lambda: dict(pm4py.fitness_token_based_replay(data, net, im, fm))

    seconds, (results, our_fitness) = best_of(single, ours(log.traces))
    flat_seconds, flat = best_of(single, ours(log.traces_from_events))
    legacy_seconds, expected = best_of(single, diagnostics(log.legacy))
    timings = {
        "diagnostics on its event log": legacy_seconds,
        "diagnostics on its data frame": best_of(single, diagnostics(log.frame))[0],
        "fitness on its data frame": best_of(single, fitness(log.frame))[0],
    }
    fitness_seconds, expected_fitness = best_of(single, fitness(log.legacy))
    timings["fitness on its event log"] = fitness_seconds
    fastest = min(timings, key=timings.__getitem__)
    identical = (
        (results, our_fitness) == flat
        and our_fitness == expected_fitness
        and [r.as_pm4py() for r in results] == _expected(expected)
    )
    return BenchRow(
        task="token-based replay",
        dataset=f"{_name(log.path)} on {model_path.name}",
        events=len(log.events),
        seconds=seconds,
        reference_seconds=timings[fastest],
        identical=identical,
        note=f"log fitness {our_fitness['log_fitness']:.6f}, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit; {_size(model)}; best of {single}; "
        f"reference fastest: {fastest}; ours from the flat event list (grouping included) "
        f"{flat_seconds:.3f} s, {timings[fastest] / flat_seconds:.1f}×",
    )


def _bench_damaged(log: BenchLog, model_path: Path, repeat: int) -> BenchRow:
    """The real traces with steps dropped, added and swapped (seeded): many unfit cases, so the
    invisible-path search and the missing-token accounting are what is measured."""
    pm4py = quiet_pm4py()
    from pm4py.objects.log.obj import Event, EventLog, Trace

    traces = _damage(list(activity_traces(log.events).values()), count=5000)
    reference_log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    net, im, fm = _reference_net(model_path)
    model = read_model(str(model_path))

    def ours() -> list[TraceReplay]:
        return Replayer(model).replay_all(traces)

    def diagnostics() -> list[dict[str, Any]]:
        return list(pm4py.conformance_diagnostics_token_based_replay(reference_log, net, im, fm))

    seconds, results = best_of(repeat, ours)
    reference_seconds, expected = best_of(repeat, diagnostics)
    return BenchRow(
        task="token-based replay",
        dataset=f"{_name(log.path)} damaged (5000 cases) on {model_path.name}",
        events=sum(len(t) for t in traces),
        seconds=seconds,
        reference_seconds=reference_seconds,
        identical=[r.as_pm4py() for r in results] == _expected(expected),
        note=f"log fitness {log_fitness(results).log_fitness:.6f}, "
        f"{sum(not r.is_fit for r in results)} of {len(results)} not fit; best of {repeat}",
    )


def _damage(traces: list[list[str]], count: int, seed: int = 2026) -> list[list[str]]:
    rng = random.Random(seed)
    alphabet = sorted({a for t in traces for a in t})
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


def _size(net: PetriNet) -> str:
    hidden = sum(1 for t in net.transitions if t.label is None)
    return f"net of {len(net.places)} places, {len(net.transitions)} transitions ({hidden} silent)"


def _name(path: Path) -> str:
    return path.name.replace("_eventdataR", "")

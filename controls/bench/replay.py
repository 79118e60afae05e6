"""Token-based replay: our replayer against the reference on the same model and log.

Both sides start from a log in memory and a model read from its file; ours compiles the net on
every run (the reference recomputes its invisible paths on every call too). Per-case figures and
the log fitness must be identical.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

from controls.bench.common import DATA_DIR, BenchRow, best_of
from controls.conformance import Replayer, TraceReplay, activity_traces, log_fitness, read_model
from controls.conformance.petri import PetriNet
from controls.io import read_log

GENERATED = Path(__file__).resolve().parents[2] / "var" / "bench" / "generated-1m.xes.gz"
KEYS = (
    "trace_is_fit",
    "trace_fitness",
    "missing_tokens",
    "consumed_tokens",
    "remaining_tokens",
    "produced_tokens",
)


def run(quick: bool) -> list[BenchRow]:
    import pm4py  # reference implementation, for comparison only

    warnings.filterwarnings("ignore")
    repeat = 3 if quick else 5
    rows = [
        _bench(DATA_DIR / "roadtraffic.pnml", DATA_DIR / "roadtraffic100traces.xes", repeat),
        _bench(DATA_DIR / "receipt.bpmn", DATA_DIR / "receipt_wabo_full.xes.gz", repeat),
    ]
    if not quick and GENERATED.exists():
        # No hand-drawn model exists for the generated log: let the reference discover one.
        with tempfile.TemporaryDirectory() as folder:
            model = Path(folder) / "generated.pnml"
            log = pm4py.read_xes(str(GENERATED))
            net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
            pm4py.write_pnml(net, im, fm, str(model))
            rows.append(_bench(model, GENERATED, 1))
    return rows


def _reference_net(pm4py: Any, model: Path) -> Any:
    if model.suffix == ".bpmn":
        return pm4py.convert_to_petri_net(pm4py.read_bpmn(str(model)))
    return pm4py.read_pnml(str(model))


def _bench(model_path: Path, log_path: Path, repeat: int) -> BenchRow:
    import pm4py

    reference_log = pm4py.read_xes(str(log_path), return_legacy_log_object=True)
    net, im, fm = _reference_net(pm4py, model_path)
    events = list(read_log(log_path))
    model: PetriNet = read_model(str(model_path))

    def ours() -> tuple[list[TraceReplay], dict[str, float]]:
        results = Replayer(model).replay_all(activity_traces(events).values())
        return results, log_fitness(results).as_pm4py()

    def diagnostics() -> list[dict[str, Any]]:
        return list(pm4py.conformance_diagnostics_token_based_replay(reference_log, net, im, fm))

    def fitness() -> dict[str, float]:
        return dict(pm4py.fitness_token_based_replay(reference_log, net, im, fm))

    seconds, (results, our_fitness) = best_of(repeat, ours)
    diagnostics_seconds, expected = best_of(repeat, diagnostics)
    fitness_seconds, expected_fitness = best_of(repeat, fitness)
    identical = our_fitness == expected_fitness and [r.as_pm4py() for r in results] == [
        {k: e[k] for k in KEYS} for e in expected
    ]
    return BenchRow(
        task="token-based replay",
        dataset=f"{log_path.name} on {model_path.name}",
        events=len(events),
        seconds=seconds,
        reference_seconds=min(diagnostics_seconds, fitness_seconds),
        identical=identical,
        note=f"log fitness {our_fitness['log_fitness']:.6f}, {len(results)} cases, "
        f"{sum(not r.is_fit for r in results)} not fit",
    )

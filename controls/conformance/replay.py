"""Token-based replay of case traces on a Petri net, with the fitness process-mining tools report.

Each event fires the visible transition labelled with its activity. When that transition is not
enabled, invisible transitions are fired first along the shortest invisible paths from marked
places to the places that lack tokens; tokens still missing are created and counted as *missing*.
At the end, invisible transitions are fired towards the final marking; tokens left over are
*remaining*. Per trace::

    fitness = ½·(1 − missing/consumed) + ½·(1 − remaining/produced)

and a trace fits when nothing is missing and nothing remains. The order in which invisible paths
are tried (by place name, then by length) and the bounded search depths reproduce the reference
replayer's choices, so fitness values agree exactly; activities the model does not know are
skipped without cost (and reported as deviations).

Speed: the net is compiled once to integer-indexed arcs; each distinct activity sequence
(variant) is replayed once and its result shared by every case that follows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from controls.conformance.petri import PetriNet

Marking = dict[int, int]  # place index → tokens; key order matters, as in the reference

_PATH_DEPTH = 50  # bound of the invisible-path search
_ENABLE_DEPTH = 2  # bound of the recursion that enables a transition through invisibles
_FINAL_ROUNDS = 5  # rounds of each attempt to reach the final marking


@dataclass(frozen=True, slots=True)
class Deviation:
    """An event the model did not allow: its transition lacked tokens, or no transition exists."""

    position: int  # index of the event in its trace
    activity: str
    missing: int  # tokens that had to be created to fire it (0 for an unknown activity)
    unknown: bool = False  # the model has no transition for this activity


@dataclass(frozen=True, slots=True)
class TraceReplay:
    is_fit: bool
    fitness: float
    missing: int
    consumed: int
    remaining: int
    produced: int
    deviations: tuple[Deviation, ...]
    remaining_places: tuple[tuple[str, int], ...]  # tokens left outside the final marking

    def as_pm4py(self) -> dict[str, Any]:
        """The reference replayer's per-trace figures, for comparison and export."""
        return {
            "trace_is_fit": self.is_fit,
            "trace_fitness": self.fitness,
            "missing_tokens": self.missing,
            "consumed_tokens": self.consumed,
            "remaining_tokens": self.remaining,
            "produced_tokens": self.produced,
        }


@dataclass(frozen=True, slots=True)
class LogFitness:
    log_fitness: float
    average_trace_fitness: float
    percentage_of_fitting_traces: float

    def as_pm4py(self) -> dict[str, float]:
        return {
            "perc_fit_traces": self.percentage_of_fitting_traces,
            "average_trace_fitness": self.average_trace_fitness,
            "log_fitness": self.log_fitness,
            "percentage_of_fitting_traces": self.percentage_of_fitting_traces,
        }


def log_fitness(results: Sequence[TraceReplay]) -> LogFitness:
    """Token totals over all traces (not an average of trace fitness), as the reference does."""
    missing = sum(r.missing for r in results)
    consumed = sum(r.consumed for r in results)
    remaining = sum(r.remaining for r in results)
    produced = sum(r.produced for r in results)
    if not results or consumed <= 0 or produced <= 0:
        return LogFitness(0.0, 0.0, 0.0)
    fitting = sum(1 for r in results if r.is_fit)
    return LogFitness(
        0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced),
        sum(r.fitness for r in results) / len(results),
        100.0 * fitting / len(results),
    )


class Replayer:
    """Replays traces on one net; build once per model, reuse for every case."""

    def __init__(self, net: PetriNet, *, consider_remaining: bool = True) -> None:
        self._net = _Compiled(net)
        self._consider_remaining = consider_remaining
        self._cache: dict[tuple[str, ...], TraceReplay] = {}

    def replay(self, trace: Sequence[str]) -> TraceReplay:
        variant = tuple(trace)
        result = self._cache.get(variant)
        if result is None:
            result = _Run(self._net).replay(variant, self._consider_remaining)
            self._cache[variant] = result
        return result

    def replay_all(self, traces: Iterable[Sequence[str]]) -> list[TraceReplay]:
        return [self.replay(trace) for trace in traces]


class _Compiled:
    """The net as integer-indexed arcs, with the invisible shortest paths between places."""

    def __init__(self, net: PetriNet) -> None:
        place_index = {p: i for i, p in enumerate(net.places)}
        self.place_names = [p.name for p in net.places]
        order = sorted(range(len(net.places)), key=lambda i: self.place_names[i])
        self.rank = [0] * len(order)  # a place's position in name order
        for position, i in enumerate(order):
            self.rank[i] = position
        self.pre: list[tuple[tuple[int, int], ...]] = []
        self.post: list[tuple[tuple[int, int], ...]] = []
        for t in net.transitions:
            self.pre.append(tuple((place_index[a.place], a.weight) for a in t.inputs))
            self.post.append(tuple((place_index[a.place], a.weight) for a in t.outputs))
        self.consumes = [sum(w for _, w in arcs) for arcs in self.pre]
        self.produces = [sum(w for _, w in arcs) for arcs in self.post]
        self.labels = [t.label for t in net.transitions]
        self.by_label = _transitions_by_label(net)
        self.initial: Marking = {place_index[p]: n for p, n in net.initial.items()}
        self.final: Marking = {place_index[p]: n for p, n in net.final.items()}
        self.final_sorted = sorted(self.final, key=self.rank.__getitem__)
        self.paths = _invisible_paths(net, place_index)


def _transitions_by_label(net: PetriNet) -> dict[str, list[int]]:
    """Label → transitions in name order; the last is the one used when none is enabled."""
    index = {t: i for i, t in enumerate(net.transitions)}
    found: dict[str, list[int]] = {}
    for t in sorted(net.transitions, key=lambda t: t.name):
        if t.label is not None:
            found.setdefault(t.label, []).append(index[t])
    return found


def _invisible_paths(
    net: PetriNet, place_index: dict[Any, int]
) -> list[dict[int, tuple[int, ...]]]:
    """For each place, the shortest sequence of invisible transitions that moves a token to each
    place it can reach that way (a bounded depth-first search; the first path found among equals
    wins)."""
    trans_index = {t: i for i, t in enumerate(net.transitions)}
    paths: list[dict[int, tuple[int, ...]]] = [{} for _ in net.places]

    def visit(origin: int, place: Any, path: tuple[int, ...], depth: int) -> None:
        if depth > _PATH_DEPTH:
            return
        known = paths[origin]
        for arc in place.outputs:
            t = arc.transition
            if t.label is not None:
                continue
            for out in t.outputs:
                target = place_index[out.place]
                if target not in known or len(path) + 1 < len(known[target]):
                    longer = (*path, trans_index[t])
                    known[target] = longer
                    visit(origin, out.place, longer, depth + 1)

    for p in net.places:
        visit(place_index[p], p, (), 0)
    return paths


class _Run:
    """The replay of one trace: the marking and the token counts as they evolve."""

    def __init__(self, net: _Compiled) -> None:
        self.net = net
        self.marking: Marking = dict(net.initial)
        self.consumed = 0
        self.produced = sum(net.initial.values())
        self.missing = 0

    # --- firing rules ---------------------------------------------------------------------
    def enabled(self, t: int, marking: Marking) -> bool:
        return all(marking.get(p, 0) >= w for p, w in self.net.pre[t])

    def fire(self, t: int, marking: Marking) -> Marking:
        """The marking after ``t`` (emptied places disappear, new ones are appended)."""
        out = dict(marking)
        for p, w in self.net.pre[t]:
            left = out[p] - w
            if left:
                out[p] = left
            else:
                del out[p]
        for p, w in self.net.post[t]:
            out[p] = out.get(p, 0) + w
        return out

    def fire_counted(self, t: int) -> None:
        self.marking = self.fire(t, self.marking)
        self.consumed += self.net.consumes[t]
        self.produced += self.net.produces[t]

    # --- the trace --------------------------------------------------------------------------
    def replay(self, trace: tuple[str, ...], consider_remaining: bool) -> TraceReplay:
        deviations = []
        for position, activity in enumerate(trace):
            candidates = self.net.by_label.get(activity)
            if candidates is None:
                deviations.append(Deviation(position, activity, 0, unknown=True))
                continue
            lacking = self.event(self.choose(candidates))
            if lacking:
                deviations.append(Deviation(position, activity, lacking))
        self.reach_final()
        return self.result(tuple(deviations), consider_remaining)

    def choose(self, candidates: list[int]) -> int:
        for t in candidates:
            if self.enabled(t, self.marking):
                return t
        return candidates[-1]

    def event(self, t: int) -> int:
        """Fire ``t`` for an event; returns the tokens that had to be created."""
        if not self.enabled(t, self.marking):
            fired: list[int] = []
            self.marking = self.enable_through_invisibles(t, self.marking, fired, 0, set())
            for hidden in fired:
                self.consumed += self.net.consumes[hidden]
                self.produced += self.net.produces[hidden]
        lacking = 0
        if not self.enabled(t, self.marking):
            marking = dict(self.marking)
            for p, w in self.net.pre[t]:
                have = marking.get(p, 0)
                if have < w:
                    lacking += w - have
                    marking[p] = have + w  # the reference adds a full weight, not the gap
            self.marking = marking
            self.missing += lacking
        self.consumed += self.net.consumes[t]
        self.produced += self.net.produces[t]
        if self.enabled(t, self.marking):
            self.marking = self.fire(t, self.marking)
        return lacking

    # --- invisible moves ------------------------------------------------------------------
    def groups(self, marking: Marking, targets: list[int]) -> list[tuple[int, ...]]:
        """Invisible paths from each marked place to each target, by place name, then length."""
        rank = self.net.rank
        found = []
        for source in sorted(marking, key=rank.__getitem__):
            paths = self.net.paths[source]
            for target in targets:
                path = paths.get(target)
                if path is not None:
                    found.append(path)
        found.sort(key=len)
        return found

    def enable_through_invisibles(
        self, t: int, marking: Marking, fired: list[int], depth: int, visited: set[int]
    ) -> Marking:
        if depth >= _ENABLE_DEPTH or t in visited:
            return marking
        visited.add(t)
        lacking = sorted(
            (p for p, w in self.net.pre[t] if marking.get(p, 0) < w), key=self.net.rank.__getitem__
        )
        groups = self.groups(marking, lacking)
        if not groups:
            return marking
        marking = self.walk_groups(t, marking, groups, fired, visited)
        if self.enabled(t, marking):
            return marking
        # Second chance: enable, recursively, the invisibles on the paths that are still blocked.
        for path in self.groups(marking, lacking):
            for hidden in path:
                if hidden == t or hidden in visited:
                    continue
                if not self.enabled(hidden, marking):
                    marking = self.enable_through_invisibles(
                        hidden, marking, fired, depth + 1, visited
                    )
                if self.enabled(hidden, marking):
                    marking = self.fire(hidden, marking)
                    fired.append(hidden)
                    visited.add(hidden)
        return marking

    def walk_groups(
        self,
        t: int,
        marking: Marking,
        groups: list[tuple[int, ...]],
        fired: list[int],
        visited: set[int],
    ) -> Marking:
        """Fire along the paths, shortest first, until ``t`` is enabled or a path moves nothing."""
        for path in groups:
            moved = False
            for hidden in path:
                if hidden != t and hidden not in visited and self.enabled(hidden, marking):
                    marking = self.fire(hidden, marking)
                    fired.append(hidden)
                    visited.add(hidden)
                    moved = True
                if self.enabled(t, marking):
                    return marking
            if not moved:
                return marking
        return marking

    def reached(self) -> bool:
        return all(p in self.marking for p in self.net.final)

    def reach_final(self) -> None:
        for _ in range(_FINAL_ROUNDS):
            if self.reached():
                return
            for path in self.groups(self.marking, self.net.final_sorted):
                for hidden in path:
                    if self.enabled(hidden, self.marking):
                        self.fire_counted(hidden)
                if self.reached():
                    break
        if self.reached() or len(self.net.final) != 1:
            return
        # Second attempt: walk each marked place's path to the single final place.
        (sink,) = self.net.final
        routes = [self.net.paths[p][sink] for p in self.marking if sink in self.net.paths[p]]
        routes.sort(key=len)
        for _ in range(_FINAL_ROUNDS):
            for route in routes:
                for hidden in route:
                    if not self.enabled(hidden, self.marking):
                        break
                    self.fire_counted(hidden)

    def result(self, deviations: tuple[Deviation, ...], consider_remaining: bool) -> TraceReplay:
        final, marking = self.net.final, self.marking
        remaining = 0
        left: list[tuple[str, int]] = []
        for p, n in marking.items():
            extra = max(0, n - final[p]) if p in final else n
            remaining += extra
            if extra:
                left.append((self.net.place_names[p], extra))
        missing_before_end = self.missing
        is_fit = missing_before_end == 0 and (remaining == 0 or not consider_remaining)
        consumed = self.consumed + sum(final.values())
        missing = self.missing + sum(max(0, n - marking.get(p, 0)) for p, n in final.items())
        if consumed > 0 and self.produced > 0:
            fitness = 0.5 * (1.0 - float(missing) / float(consumed)) + 0.5 * (
                1.0 - float(remaining) / float(self.produced)
            )
        else:
            fitness = 1.0
        return TraceReplay(
            is_fit,
            fitness,
            missing,
            consumed,
            remaining,
            self.produced,
            deviations,
            tuple(left),
        )

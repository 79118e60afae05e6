"""DECLARE constraints over case traces: a model, a batch check and an incremental evaluator.

The semantics and the per-trace result (deviations, number of constraints, ``dev_fitness``,
``is_fit``) follow the reference DECLARE conformance checker exactly, including its edge cases:
``succession`` and the negative templates are not violated when both activities are absent, and
``response``/``precedence`` compare the last/first occurrences. Deviations are listed in the
reference's order: by template (``TEMPLATES``), then by the model's order within a template.

A model is data: ``{"response": [["受理", "审核"]], "existence": ["登记"]}``, or the reference
dict shape ``{"response": {("受理", "审核"): {"support": 1.0, "confidence": 1.0}}}``.

The batch check and the incremental evaluator are one code path: the batch feeds each distinct
activity sequence (variant) through a ``CaseEvaluator`` once, so their verdicts cannot diverge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# The order in which deviations are reported (the reference checker's order).
TEMPLATES: tuple[str, ...] = (
    "existence",
    "exactly_one",
    "init",
    "responded_existence",
    "coexistence",
    "noncoexistence",
    "response",
    "precedence",
    "succession",
    "altresponse",
    "chainresponse",
    "altprecedence",
    "chainprecedence",
    "altsuccession",
    "chainsuccession",
    "absence",
    "nonsuccession",
    "nonchainsuccession",
)
UNARY: frozenset[str] = frozenset({"existence", "absence", "exactly_one", "init"})
_RANK = {name: i for i, name in enumerate(TEMPLATES)}

_MEANING_EN = {
    "existence": "{a} must occur",
    "absence": "{a} must not occur",
    "exactly_one": "{a} must occur exactly once",
    "init": "the case must start with {a}",
    "responded_existence": "if {a} occurs, {b} must occur too",
    "coexistence": "{a} and {b} occur together or not at all",
    "noncoexistence": "{a} and {b} must not both occur",
    "response": "{a} must be followed by {b}",
    "precedence": "{b} must be preceded by {a}",
    "succession": "{a} must be followed by {b}, and {b} preceded by {a}",
    "altresponse": "each {a} must be followed by {b} before the next {a}",
    "chainresponse": "each {a} must be immediately followed by {b}",
    "altprecedence": "each {b} must be preceded by {a} since the previous {b}",
    "chainprecedence": "each {b} must be immediately preceded by {a}",
    "altsuccession": "{a} and {b} must alternate",
    "chainsuccession": (
        "{a} must be immediately followed by {b}, and {b} immediately preceded by {a}"
    ),
    "nonsuccession": "{a} must not be followed by {b}",
    "nonchainsuccession": "{a} must not be immediately followed by {b}",
}
_MEANING_ZH = {
    "existence": "必须发生「{a}」",
    "absence": "不得发生「{a}」",
    "exactly_one": "「{a}」必须恰好发生一次",
    "init": "案件必须以「{a}」开始",
    "responded_existence": "发生「{a}」时也必须发生「{b}」",
    "coexistence": "「{a}」与「{b}」必须同时发生或都不发生",
    "noncoexistence": "「{a}」与「{b}」不得同时发生",
    "response": "「{a}」之后必须发生「{b}」",
    "precedence": "「{b}」之前必须先有「{a}」",
    "succession": "「{a}」之后必须有「{b}」，且「{b}」之前必须有「{a}」",
    "altresponse": "每次「{a}」之后、下一次「{a}」之前必须发生「{b}」",
    "chainresponse": "「{a}」之后必须紧接「{b}」",
    "altprecedence": "每次「{b}」之前、上一次「{b}」之后必须发生「{a}」",
    "chainprecedence": "「{b}」之前必须紧接「{a}」",
    "altsuccession": "「{a}」与「{b}」必须交替发生",
    "chainsuccession": "「{a}」之后必须紧接「{b}」，且「{b}」之前必须紧接「{a}」",
    "nonsuccession": "「{a}」之后不得发生「{b}」",
    "nonchainsuccession": "「{a}」之后不得紧接「{b}」",
}


class DeclareModelError(ValueError):
    """A DECLARE model that cannot be read; the message names the source and the entry."""


@dataclass(frozen=True, slots=True)
class Constraint:
    template: str
    activities: tuple[str, ...]  # one activity for unary templates, two otherwise

    @property
    def key(self) -> str | tuple[str, str]:
        """The constraint's key in the reference model dict (an activity or a pair)."""
        if len(self.activities) == 1:
            return self.activities[0]
        return (self.activities[0], self.activities[1])

    def _names(self) -> dict[str, str]:
        return {"a": self.activities[0], "b": self.activities[-1]}

    def explain_en(self) -> str:
        return _MEANING_EN[self.template].format(**self._names())

    def explain_zh(self) -> str:
        return _MEANING_ZH[self.template].format(**self._names())

    def __str__(self) -> str:
        return f"{self.template}({', '.join(self.activities)})"


@dataclass(frozen=True)
class DeclareModel:
    """Constraints in reporting order; build with ``parse_model``."""

    constraints: tuple[Constraint, ...]
    _plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", _Plan(self.constraints))

    def evaluator(self) -> CaseEvaluator:
        return CaseEvaluator(self)

    def to_pm4py(self) -> dict[str, dict[Any, dict[str, float]]]:
        """The reference dict shape (support and confidence set to 1)."""
        out: dict[str, dict[Any, dict[str, float]]] = {}
        for c in self.constraints:
            out.setdefault(c.template, {})[c.key] = {"support": 1.0, "confidence": 1.0}
        return out


def parse_model(data: Any, source: str = "model") -> DeclareModel:
    """Read a model from a template → entries mapping, or a list of ``{template, activities}``.

    Entries of a template may be a list or a mapping whose keys are the entries (the reference
    shape, whose values — support and confidence — are ignored). An entry is an activity name
    for unary templates and a pair of names otherwise.
    """
    found: list[Constraint] = []
    if isinstance(data, Mapping):
        for template, entries in data.items():
            found.extend(_parse_entries(template, entries, source))
    elif isinstance(data, Sequence) and not isinstance(data, str):
        for i, item in enumerate(data):
            found.append(_parse_item(item, f"{source}[{i}]"))
    else:
        raise DeclareModelError(f"{source}: a DECLARE model is a mapping or a list of constraints")
    unique = list(dict.fromkeys(found))  # the reference shape cannot repeat a constraint either
    unique.sort(key=lambda c: _RANK[c.template])  # stable: keeps the model's order per template
    return DeclareModel(tuple(unique))


def _parse_item(item: Any, where: str) -> Constraint:
    if not isinstance(item, Mapping) or "template" not in item or "activities" not in item:
        raise DeclareModelError(f"{where}: expected {{template: ..., activities: [...]}}")
    return _constraint(item["template"], item["activities"], where)


def _parse_entries(template: Any, entries: Any, source: str) -> list[Constraint]:
    where = f"{source}: {template}"
    if isinstance(entries, str) or not isinstance(entries, Iterable):
        raise DeclareModelError(f"{where}: expected a list of entries")
    return [_constraint(template, entry, f"{where}[{i}]") for i, entry in enumerate(entries)]


def _constraint(template: Any, entry: Any, where: str) -> Constraint:
    if template not in _RANK:
        raise DeclareModelError(f"{where}: unknown DECLARE template {template!r}")
    acts = (entry,) if isinstance(entry, str) else tuple(entry) if _is_seq(entry) else ()
    want = 1 if template in UNARY else 2
    if len(acts) != want or not all(isinstance(a, str) and a for a in acts):
        kind = "an activity name" if want == 1 else "a pair of activity names"
        raise DeclareModelError(f"{where}: {template} takes {kind}, got {entry!r}")
    return Constraint(str(template), acts)


def _is_seq(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


# --- evaluation -------------------------------------------------------------------------------
# A case is summed up as it goes by: each activity's first and last position and count, the
# count of each pair of adjacent activities (which decides every chain template), the trace
# itself (to find where a chain broke, only once it did), and a small state machine per
# alternation. The verdict then checks each template in one tight loop over the constraints the
# case's own activities can break, so a model of thousands of constraints costs a case only
# what its activities touch.

_ALT_RESPONSE, _ALT_PRECEDENCE = 0, 1
_ALT_ATOMS = {
    "altresponse": (_ALT_RESPONSE,),
    "altprecedence": (_ALT_PRECEDENCE,),
    "altsuccession": (_ALT_RESPONSE, _ALT_PRECEDENCE),
}
# Which occurring activity can break a constraint: its first ("a"), its second ("b"), either,
# or none ("always": broken by absence too). Each template's check loops over its constraints
# indexed by that activity.
_TRIGGER = {
    "existence": "always",
    "exactly_one": "always",
    "init": "always",
    "absence": "a",
    "responded_existence": "a",
    "noncoexistence": "a",
    "response": "a",
    "altresponse": "a",
    "chainresponse": "a",
    "nonsuccession": "a",
    "nonchainsuccession": "pair",
    "precedence": "b",
    "altprecedence": "b",
    "chainprecedence": "b",
    "coexistence": "either",
    "succession": "either",
    "altsuccession": "either",
    "chainsuccession": "either",
}

Pairs = dict[str, list[tuple[int, str]]]  # activity → [(constraint index, the other activity)]
Found = list[tuple[int, int | None]]  # (constraint index, position to blame)


class _Plan:
    """Per model: the constraints of each template indexed by the activity that can break them,
    and the alternation state machines each activity drives."""

    def __init__(self, constraints: tuple[Constraint, ...]) -> None:
        self.unary: dict[str, list[tuple[int, str]]] = {t: [] for t in UNARY}
        self.by_a: dict[str, Pairs] = {t: {} for t in TEMPLATES}
        self.by_b: dict[str, Pairs] = {t: {} for t in TEMPLATES}
        self.pair: dict[tuple[str, str], int] = {}  # nonchainsuccession
        self.index_of = {c: i for i, c in enumerate(constraints)}
        atoms: dict[tuple[int, str, str], int] = {}
        self.atoms_of: dict[int, tuple[int, ...]] = {}
        for i, c in enumerate(constraints):
            a, b = c.activities[0], c.activities[-1]
            trigger = _TRIGGER[c.template]
            if trigger == "always":
                self.unary[c.template].append((i, a))
            elif trigger == "pair":
                self.pair[(a, b)] = i
            if trigger in ("a", "either"):
                self.by_a[c.template].setdefault(a, []).append((i, b))
            if trigger in ("b", "either"):
                self.by_b[c.template].setdefault(b, []).append((i, a))
            kinds = _ALT_ATOMS.get(c.template, ())
            self.atoms_of[i] = tuple(atoms.setdefault((k, a, b), len(atoms)) for k in kinds)
        self.atom_kind = [k for k, _, _ in atoms]
        self.atom_acts = [(a, b) for _, a, b in atoms]
        self.alt_by_act: dict[str, list[int]] = {}
        for i, (_, a, b) in enumerate(atoms):
            self.alt_by_act.setdefault(a, []).append(i)
            if b != a:
                self.alt_by_act.setdefault(b, []).append(i)
        self.checks = [(t, _CHECKS[t]) for t in TEMPLATES if self.unary.get(t) or self._has(t)]

    def _has(self, template: str) -> bool:
        return bool(self.by_a[template] or self.by_b[template]) or (
            template == "nonchainsuccession" and bool(self.pair)
        )


# Templates whose violation, once seen in a prefix, stays in every continuation (for chains and
# alternations: once they broke, not while the last step still waits for its successor; for
# ``exactly_one``: once the step occurred twice).
_FINAL_ONCE_BROKEN = frozenset(
    {
        "absence",
        "exactly_one",
        "init",
        "noncoexistence",
        "precedence",
        "altresponse",
        "altprecedence",
        "altsuccession",
        "chainresponse",
        "chainprecedence",
        "chainsuccession",
    }
)


class Violation(NamedTuple):  # a tuple: a case can have thousands, made quickly
    constraint: Constraint
    position: int | None  # index in the trace of the event where it failed; None: the whole case


@dataclass(frozen=True, slots=True)
class TraceResult:
    violations: tuple[Violation, ...]
    no_constr_total: int

    @property
    def deviations(self) -> tuple[Constraint, ...]:
        return tuple(v.constraint for v in self.violations)

    @property
    def no_dev_total(self) -> int:
        return len(self.violations)

    @property
    def dev_fitness(self) -> float:
        if self.no_constr_total <= 0:
            return 1.0
        return 1.0 - self.no_dev_total / self.no_constr_total

    @property
    def is_fit(self) -> bool:
        return not self.violations

    def as_pm4py(self) -> dict[str, Any]:
        """The reference checker's per-trace dict, for comparison and export."""
        return {
            "no_constr_total": self.no_constr_total,
            "deviations": [[c.template, c.key] for c in self.deviations],
            "no_dev_total": self.no_dev_total,
            "dev_fitness": self.dev_fitness,
            "is_fit": self.is_fit,
        }


class CaseEvaluator:
    """The state of one case: feed its activities in order, ask for the verdict at any time."""

    __slots__ = (
        "_broken", "_count", "_first", "_last", "_model", "_pairs", "_pend", "_plan", "_trace",
    )  # fmt: skip

    def __init__(self, model: DeclareModel) -> None:
        self._model = model
        self._plan = model._plan
        self._trace: list[str] = []
        self._first: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self._count: dict[str, int] = {}
        self._pairs: dict[tuple[str, str], int] = {}  # adjacent (previous, next) → how often
        atoms = len(self._plan.atom_kind)
        self._broken: list[int] = [-1] * atoms  # position where an alternation broke for good
        # alt-response: position of the a still waiting for its b (-1: none);
        # alt-precedence: 1 when an a occurred since the last b.
        self._pend: list[int] = [-1] * atoms

    def feed(self, activity: str) -> None:
        trace = self._trace
        i = len(trace)
        if i:
            pair = (trace[-1], activity)
            self._pairs[pair] = self._pairs.get(pair, 0) + 1
        trace.append(activity)
        if activity not in self._first:
            self._first[activity] = i
        self._last[activity] = i
        self._count[activity] = self._count.get(activity, 0) + 1
        for atom in self._plan.alt_by_act.get(activity, ()):
            self._alternate(atom, activity, i)

    def _alternate(self, atom: int, activity: str, i: int) -> None:
        a, b = self._plan.atom_acts[atom]
        broken, pend = self._broken, self._pend
        if a == b:  # the reference never satisfies an alternation of an activity with itself
            if broken[atom] < 0:
                broken[atom] = i
        elif self._plan.atom_kind[atom] == _ALT_RESPONSE:
            if activity == a:
                if pend[atom] >= 0 and broken[atom] < 0:
                    broken[atom] = i  # a second a before the b the first one waits for
                pend[atom] = i
            else:
                pend[atom] = -1
        elif activity == b:
            if pend[atom] < 0 and broken[atom] < 0:
                broken[atom] = i  # a b with no a since the previous b
            pend[atom] = -1
        else:
            pend[atom] = 1

    def result(self) -> TraceResult:
        """The verdict if the case ended now (equal to the batch verdict once fully fed)."""
        found: Found = []
        for template, check in self._plan.checks:
            check(self, template, found)
        found.sort()  # into the model's order (a constraint is found once: no ties)
        constraints = self._model.constraints
        violations = tuple([Violation(constraints[i], p) for i, p in found])
        return TraceResult(violations, len(constraints))

    def settled(self) -> tuple[Violation, ...]:
        """Violations that no later event can undo (a step that must not happen has happened,
        a step came before its required predecessor, a chain or an alternation broke)."""
        found = []
        for v in self.result().violations:
            if v.constraint.template in _FINAL_ONCE_BROKEN:
                position = self._settled_at(v)
                if position is not None:
                    found.append(Violation(v.constraint, position))
        return tuple(found)

    def _settled_at(self, v: Violation) -> int | None:
        template, a, b = (
            v.constraint.template,
            v.constraint.activities[0],
            v.constraint.activities[-1],
        )
        if template in ("chainresponse", "chainsuccession"):
            broken = self._chain_response_break(a, b, waiting=False)
            if broken is not None or template == "chainresponse":
                return broken
            return self._chain_precedence_break(a, b)
        if template in _ALT_ATOMS:
            atoms = self._plan.atoms_of[self._plan.index_of[v.constraint]]
            return next((self._broken[x] for x in atoms if self._broken[x] >= 0), None)
        return v.position  # None: a step not (yet) done, which a later step may still be

    # --- where a chain or an alternation went wrong (only asked once it did) ----------------
    def _chain_response_break(self, a: str, b: str, waiting: bool = True) -> int | None:
        """The event after the first ``a`` not followed by ``b``; with ``waiting``, a final
        ``a`` (still waiting for its successor) counts too."""
        trace = self._trace
        end = len(trace) - 1
        for i in range(self._first.get(a, end + 1), end + 1):
            if trace[i] == a:
                if i == end:
                    return i if waiting else None
                if trace[i + 1] != b:
                    return i + 1
        return None

    def _chain_precedence_break(self, a: str, b: str) -> int | None:
        """The first ``b`` not right after an ``a``."""
        trace = self._trace
        for j in range(self._first.get(b, len(trace)), len(trace)):
            if trace[j] == b and (j == 0 or trace[j - 1] != a):
                return j
        return None

    def _alt_failure(self, i: int) -> int | None:
        for atom in self._plan.atoms_of[i]:
            if self._broken[atom] >= 0:
                return self._broken[atom]
            if self._plan.atom_kind[atom] == _ALT_RESPONSE and self._pend[atom] >= 0:
                return self._pend[atom]  # the last a still waits for its b
        return None


# --- one check per template: each loops over the constraints the case's activities touch ------
def _existence(s: CaseEvaluator, t: str, found: Found) -> None:
    first = s._first
    found.extend((i, None) for i, a in s._plan.unary[t] if a not in first)


def _exactly_one(s: CaseEvaluator, t: str, found: Found) -> None:
    count, last = s._count, s._last
    for i, a in s._plan.unary[t]:
        n = count.get(a, 0)
        if n != 1:
            found.append((i, last[a] if n else None))


def _init(s: CaseEvaluator, t: str, found: Found) -> None:
    start = s._trace[0] if s._trace else None
    found.extend((i, None if start is None else 0) for i, a in s._plan.unary[t] if start != a)


# Each loop visits only the activities that both occur in the case and constrain something
# (``keys() & keys()`` is a set intersection done in C); the order does not matter, as the
# violations are put in the model's order at the end.
def _absence(s: CaseEvaluator, t: str, found: Found) -> None:
    first, index = s._first, s._plan.by_a[t]
    for a in first.keys() & index.keys():
        found.extend((i, first[a]) for i, _ in index[a])


def _responded_existence(s: CaseEvaluator, t: str, found: Found) -> None:
    first, index = s._first, s._plan.by_a[t]
    for a in first.keys() & index.keys():
        fa = first[a]
        found += [(i, fa) for i, b in index[a] if b not in first]


def _coexistence(s: CaseEvaluator, t: str, found: Found) -> None:
    # One of the two occurs without the other (found from whichever occurs).
    _responded_existence(s, t, found)
    first, index = s._first, s._plan.by_b[t]
    for b in first.keys() & index.keys():
        fb = first[b]
        found += [(i, fb) for i, a in index[b] if a not in first]


def _noncoexistence(s: CaseEvaluator, t: str, found: Found) -> None:
    first, index = s._first, s._plan.by_a[t]
    for a in first.keys() & index.keys():
        fa = first[a]
        for i, b in index[a]:
            fb = first.get(b)
            if fb is not None:
                found.append((i, fa if fa > fb else fb))


def _response(s: CaseEvaluator, t: str, found: Found) -> None:
    last, index = s._last, s._plan.by_a[t]
    for a in last.keys() & index.keys():  # the last a must have a b after it
        la = last[a]
        found += [(i, la) for i, b in index[a] if la > last.get(b, -1)]


def _precedence(s: CaseEvaluator, t: str, found: Found) -> None:
    first, index = s._first, s._plan.by_b[t]
    for b in first.keys() & index.keys():  # the first b must have an a before it
        fb = first[b]
        found += [(i, fb) for i, a in index[b] if first.get(a, fb + 1) > fb]


def _succession(s: CaseEvaluator, t: str, found: Found) -> None:
    first, last, index = s._first, s._last, s._plan.by_a[t]
    for a in first.keys() & index.keys():
        fa, la = first[a], last[a]
        for i, b in index[a]:
            fb = first.get(b)
            if fb is None:
                found.append((i, fa))
            elif fa > fb:
                found.append((i, fb))
            elif la > last[b]:
                found.append((i, la))
    by_b = s._plan.by_b[t]
    for b in first.keys() & by_b.keys():
        for i, a in by_b[b]:
            if a not in first:
                found.append((i, first[b]))


def _nonsuccession(s: CaseEvaluator, t: str, found: Found) -> None:
    first, last, index = s._first, s._last, s._plan.by_a[t]
    for a in first.keys() & index.keys():
        fa, la = first[a], last[a]
        found += [(i, first[b]) for i, b in index[a] if fa < first.get(b, -1) and la < last[b]]


# A chain holds when every a is right before a b (chain response: as many adjacent (a, b) as
# a's) or every b right after an a (chain precedence: as many as b's).
def _chainresponse(s: CaseEvaluator, t: str, found: Found) -> None:
    count, pairs, index = s._count, s._pairs, s._plan.by_a[t]
    for a in count.keys() & index.keys():
        n = count[a]
        for i, b in index[a]:
            if pairs.get((a, b), 0) < n:
                found.append((i, s._chain_response_break(a, b)))


def _chainprecedence(s: CaseEvaluator, t: str, found: Found) -> None:
    count, pairs, index = s._count, s._pairs, s._plan.by_b[t]
    for b in count.keys() & index.keys():
        n = count[b]
        for i, a in index[b]:
            if pairs.get((a, b), 0) < n:
                found.append((i, s._chain_precedence_break(a, b)))


def _chainsuccession(s: CaseEvaluator, t: str, found: Found) -> None:
    count, pairs, by_a, by_b = s._count, s._pairs, s._plan.by_a[t], s._plan.by_b[t]
    for a in count.keys() & by_a.keys():
        n = count[a]
        for i, b in by_a[a]:
            adjacent = pairs.get((a, b), 0)
            if adjacent < n:
                found.append((i, s._chain_response_break(a, b)))
            elif adjacent < count.get(b, 0):
                found.append((i, s._chain_precedence_break(a, b)))
    for b in count.keys() & by_b.keys():
        for i, a in by_b[b]:
            if a not in count:  # b without any a: the first b breaks the chain
                found.append((i, s._first[b]))


def _nonchainsuccession(s: CaseEvaluator, t: str, found: Found) -> None:
    """Broken when the chain succession holds: only an adjacent pair of the case can."""
    count, first, index = s._count, s._first, s._plan.pair
    for (a, b), n in s._pairs.items():
        i = index.get((a, b))
        if i is not None and n == count[a] == count[b]:
            found.append((i, first[b]))


def _alternation(s: CaseEvaluator, t: str, found: Found) -> None:
    first, by_a, by_b = s._first, s._plan.by_a[t], s._plan.by_b[t]
    for a in first.keys() & by_a.keys():
        for i, _ in by_a[a]:
            position = s._alt_failure(i)
            if position is not None:
                found.append((i, position))
    for b in first.keys() & by_b.keys():
        for i, a in by_b[b]:
            if t == "altprecedence" or a not in first:  # succession: not found twice
                position = s._alt_failure(i)
                if position is not None:
                    found.append((i, position))


_CHECKS: dict[str, Callable[[CaseEvaluator, str, Found], None]] = {
    "existence": _existence,
    "exactly_one": _exactly_one,
    "init": _init,
    "absence": _absence,
    "responded_existence": _responded_existence,
    "coexistence": _coexistence,
    "noncoexistence": _noncoexistence,
    "response": _response,
    "precedence": _precedence,
    "succession": _succession,
    "nonsuccession": _nonsuccession,
    "altresponse": _alternation,
    "altprecedence": _alternation,
    "altsuccession": _alternation,
    "chainresponse": _chainresponse,
    "chainprecedence": _chainprecedence,
    "chainsuccession": _chainsuccession,
    "nonchainsuccession": _nonchainsuccession,
}


def check_trace(model: DeclareModel, trace: Iterable[str]) -> TraceResult:
    evaluator = CaseEvaluator(model)
    for activity in trace:
        evaluator.feed(activity)
    return evaluator.result()


def check_traces(model: DeclareModel, traces: Iterable[Sequence[str]]) -> list[TraceResult]:
    """One result per trace, in order; each distinct activity sequence is evaluated once."""
    seen: dict[tuple[str, ...], TraceResult] = {}
    out = []
    for trace in traces:
        variant = tuple(trace)
        result = seen.get(variant)
        if result is None:
            result = seen[variant] = check_trace(model, variant)
        out.append(result)
    return out

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
from typing import Any

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
# Order-sensitive templates are built from four "atoms" whose state is updated event by event;
# the other templates only need each activity's first and last position and its count.
_ALT_RESPONSE, _ALT_PRECEDENCE, _CHAIN_RESPONSE, _CHAIN_PRECEDENCE = range(4)
_ATOMS_OF = {
    "altresponse": (_ALT_RESPONSE,),
    "altprecedence": (_ALT_PRECEDENCE,),
    "altsuccession": (_ALT_RESPONSE, _ALT_PRECEDENCE),
    "chainresponse": (_CHAIN_RESPONSE,),
    "chainprecedence": (_CHAIN_PRECEDENCE,),
    "chainsuccession": (_CHAIN_RESPONSE, _CHAIN_PRECEDENCE),
    "nonchainsuccession": (_CHAIN_RESPONSE, _CHAIN_PRECEDENCE),
}


class _Plan:
    """Per model: which atoms each activity wakes up, so an event costs only what it touches."""

    def __init__(self, constraints: tuple[Constraint, ...]) -> None:
        atoms: dict[tuple[int, str, str], int] = {}
        self.atoms_of: list[tuple[int, ...]] = []
        for c in constraints:
            ids = []
            for kind in _ATOMS_OF.get(c.template, ()):
                key = (kind, c.activities[0], c.activities[1])
                ids.append(atoms.setdefault(key, len(atoms)))
            self.atoms_of.append(tuple(ids))
        self.atom_kind = [k for k, _, _ in atoms]
        self.atom_acts = [(a, b) for _, a, b in atoms]
        # alternation atoms react to their own activities; chain-response atoms to the event
        # after an ``a`` (whatever it is); chain-precedence atoms to a ``b``.
        self.alt_by_act: dict[str, list[int]] = {}
        self.chain_resp_by_a: dict[str, list[int]] = {}
        self.chain_prec_by_b: dict[str, list[int]] = {}
        for i, (kind, a, b) in enumerate(atoms):
            if kind in (_ALT_RESPONSE, _ALT_PRECEDENCE):
                self.alt_by_act.setdefault(a, []).append(i)
                if b != a:
                    self.alt_by_act.setdefault(b, []).append(i)
            elif kind == _CHAIN_RESPONSE:
                self.chain_resp_by_a.setdefault(a, []).append(i)
            else:
                self.chain_prec_by_b.setdefault(b, []).append(i)
        self.always, self.suspects = _suspects(constraints)


# Which activities must occur for a template to be violated: "a", "b", "either" (a or b, for
# templates that also fail when only one of them occurs), or "always" (fails on absence too).
_BROKEN_BY = {
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
    "nonchainsuccession": "a",
    "precedence": "b",
    "altprecedence": "b",
    "chainprecedence": "b",
    "coexistence": "either",
    "succession": "either",
    "altsuccession": "either",
    "chainsuccession": "either",
}


def _suspects(
    constraints: tuple[Constraint, ...],
) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Constraints to check whatever happens, and those each activity's presence may break."""
    always: list[int] = []
    by_activity: dict[str, list[int]] = {}
    for i, c in enumerate(constraints):
        rule = _BROKEN_BY[c.template]
        acts = c.activities
        if rule == "always":
            always.append(i)
            continue
        chosen = {"a": acts[:1], "b": acts[-1:], "either": acts}[rule]
        for activity in dict.fromkeys(chosen):
            by_activity.setdefault(activity, []).append(i)
    return tuple(always), {k: tuple(v) for k, v in by_activity.items()}


# Templates whose violation, once seen in a prefix, stays in every continuation (for the atom
# templates: once an atom has broken; for ``exactly_one``: once the step occurred twice).
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


@dataclass(frozen=True, slots=True)
class Violation:
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

    __slots__ = ("_broken", "_count", "_first", "_last", "_model", "_n", "_pend", "_plan", "_prev")

    def __init__(self, model: DeclareModel) -> None:
        self._model = model
        self._plan = model._plan
        self._n = 0
        self._prev: str | None = None
        self._first: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self._count: dict[str, int] = {}
        atoms = len(self._plan.atom_kind)
        self._broken: list[int] = [-1] * atoms  # position where an atom broke for good
        # alt-response: position of the a still waiting for its b (-1: none);
        # alt-precedence: 1 when an a occurred since the last b.
        self._pend: list[int] = [-1] * atoms

    def feed(self, activity: str) -> None:
        i = self._n
        plan = self._plan
        if self._prev is not None:
            for atom in plan.chain_resp_by_a.get(self._prev, ()):
                if plan.atom_acts[atom][1] != activity and self._broken[atom] < 0:
                    self._broken[atom] = i
        for atom in plan.chain_prec_by_b.get(activity, ()):
            if self._prev != plan.atom_acts[atom][0] and self._broken[atom] < 0:
                self._broken[atom] = i
        for atom in plan.alt_by_act.get(activity, ()):
            self._alternate(atom, activity, i)
        if activity not in self._first:
            self._first[activity] = i
        self._last[activity] = i
        self._count[activity] = self._count.get(activity, 0) + 1
        self._prev = activity
        self._n = i + 1

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
        plan = self._plan
        # Only constraints that an activity of this case can break need a look.
        candidates = set(plan.always)
        for activity in self._first:
            candidates.update(plan.suspects.get(activity, ()))
        constraints = self._model.constraints
        found = []
        for i in sorted(candidates):
            position = self._check(constraints[i], plan.atoms_of[i])
            if position is not False:
                found.append(Violation(constraints[i], position))
        return TraceResult(tuple(found), len(constraints))

    def _check(self, c: Constraint, atoms: tuple[int, ...]) -> int | bool | None:
        """False when satisfied, else the position to blame (None: the case as a whole)."""
        if atoms:
            return self._check_atoms(c, atoms)
        return _STATIC[c.template](self, *c.activities)

    def settled(self) -> tuple[Violation, ...]:
        """Violations that no later event can undo (a step that must not happen has happened,
        a step came before its required predecessor, a chain or an alternation broke)."""
        plan = self._plan
        candidates = set(plan.always)
        for activity in self._first:
            candidates.update(plan.suspects.get(activity, ()))
        constraints = self._model.constraints
        found = []
        for i in sorted(candidates):
            c = constraints[i]
            if c.template not in _FINAL_ONCE_BROKEN:
                continue
            atoms = plan.atoms_of[i]
            if atoms:
                broken = [self._broken[atom] for atom in atoms if self._broken[atom] >= 0]
                if broken:
                    found.append(Violation(c, broken[0]))
                continue
            position = self._check(c, atoms)
            if position is not False and position is not None:  # None: a step not (yet) done
                found.append(Violation(c, position))
        return tuple(found)

    def _check_atoms(self, c: Constraint, atoms: tuple[int, ...]) -> int | bool | None:
        blame = [p for p in map(self._atom_failure, atoms) if p is not False]
        if c.template != "nonchainsuccession":
            return blame[0] if blame else False
        a, b = c.activities
        if blame or a not in self._first or b not in self._first:
            return False
        return self._first[b]

    def _atom_failure(self, atom: int) -> int | bool | None:
        if self._broken[atom] >= 0:
            return self._broken[atom]
        kind = self._plan.atom_kind[atom]
        if kind == _ALT_RESPONSE and self._pend[atom] >= 0:
            return self._pend[atom]
        if kind == _CHAIN_RESPONSE and self._n and self._prev == self._plan.atom_acts[atom][0]:
            return self._n - 1  # the last event still waits for its immediate successor
        return False


def _existence(s: CaseEvaluator, a: str) -> int | bool | None:
    return False if a in s._first else None


def _absence(s: CaseEvaluator, a: str) -> int | bool | None:
    return s._first.get(a, False)


def _exactly_one(s: CaseEvaluator, a: str) -> int | bool | None:
    n = s._count.get(a, 0)
    return False if n == 1 else (s._last[a] if n else None)


def _init(s: CaseEvaluator, a: str) -> int | bool | None:
    if s._n == 0:
        return None
    return False if s._first.get(a) == 0 else 0


def _responded_existence(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    return s._first[a] if a in s._first and b not in s._first else False


def _coexistence(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    if (a in s._first) == (b in s._first):
        return False
    return s._first.get(a, s._first.get(b))


def _noncoexistence(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    if a in s._first and b in s._first:
        return max(s._first[a], s._first[b])
    return False


def _response(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    if a in s._last and (b not in s._last or s._last[a] > s._last[b]):
        return s._last[a]
    return False


def _precedence(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    if b in s._first and (a not in s._first or s._first[a] > s._first[b]):
        return s._first[b]
    return False


def _succession(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    first, last = s._first, s._last
    if a not in first and b not in first:
        return False
    if a not in first or b not in first:
        return first.get(a, first.get(b))
    if first[a] > first[b]:
        return first[b]
    return last[a] if last[a] > last[b] else False


def _nonsuccession(s: CaseEvaluator, a: str, b: str) -> int | bool | None:
    first, last = s._first, s._last
    if a in first and b in first and first[a] < first[b] and last[a] < last[b]:
        return first[b]
    return False


_STATIC: dict[str, Callable[..., int | bool | None]] = {
    "existence": _existence,
    "absence": _absence,
    "exactly_one": _exactly_one,
    "init": _init,
    "responded_existence": _responded_existence,
    "coexistence": _coexistence,
    "noncoexistence": _noncoexistence,
    "response": _response,
    "precedence": _precedence,
    "succession": _succession,
    "nonsuccession": _nonsuccession,
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

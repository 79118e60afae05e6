"""The rule interface every template implements, the template registry, and parameter reading.

How to write a template
=======================

A *template* is a kind of check (four-eyes, time limit, ...). A *rule* is one template with its
parameters, written by the internal-control office in a YAML rule file. A template is a subclass
of :class:`Rule`, registered with :func:`register`, living in ``controls/rules/templates/`` and
imported by ``controls/rules/templates/__init__.py``::

    @register
    class NoSelfApproval(Rule):
        template = "no_self_approval"          # the name used in rule files
        stages = (Stage.DURING, Stage.AFTER)   # stages the author may choose; first = default

        def __init__(self, spec: RuleSpec, params: Params) -> None:
            super().__init__(spec, params)
            self.step = params.text("activity")        # read and validate every parameter here
            self._seen: dict[str, Event] = {}          # per-case state, kept small

        def watches(self) -> frozenset[str] | None:
            return frozenset({self.step})             # only these activities are fed to feed()

        def feed(self, event: Event) -> Sequence[Finding]:
            ...                                       # return findings (or NO_FINDINGS)

        def end_case(self, case: str) -> Sequence[Finding]:
            self._seen.pop(case, None)                # the case ended: judge it, forget it
            return NO_FINDINGS

Life of a rule
--------------
1. **Load** (``controls.rules.catalog.load_rules``): the rule file is parsed; for each rule the
   common fields (``id``, ``template``, ``name``, ``name_en``, ``severity``, ``stage``,
   ``processes``, ``enabled``) become a :class:`RuleSpec`, the remaining fields go into a
   :class:`Params`, and the template class is constructed once to *validate* them. The
   constructor must read every parameter through ``params`` (``params.text(...)``, ...) and raise
   only through ``params.error(field, en, zh)``; any field it did not read is refused as unknown.
   The constructor must not touch the calendar or reference data (there are none at load time).
2. **Bind**: each ``Monitor`` builds fresh rule objects from the specs and calls
   :meth:`Rule.bind` with a :class:`RuleContext` (calendar, reference tables, the case holder).
   Override ``bind`` to check that a reference table you need exists (raise :class:`RuleError`).
3. **Run**: the monitor calls ``feed(event)`` for every event whose activity is in
   :meth:`Rule.watches` (``None`` = every event) and whose case is in the rule's process scope;
   ``tick(now)`` when the clock advances (time-based rules judge open cases against ``now``);
   ``end_case(case)`` once a case reaches one of the rule set's ``case_end`` activities (after that
   event was fed: judge what is left and *forget the case*), on the rules that were fed an event
   of that case only; ``finish()`` at the end of a log. A template that does not override
   ``feed`` or ``end_case`` is not called for them at all.

Contract
--------
* Deterministic: the same events in the same order (with the same ticks) give the same findings.
  Batch checking is the monitor fed in order, so never depend on wall-clock time or hash order.
* Every finding carries a deterministic ``key`` (see ``Finding``) so that the same breach found
  twice (by ``tick`` and again by ``finish``) has the same ``id``; the monitor drops repeats.
* Build findings with :meth:`Rule.finding`, which fills rule, template, severity and stage.
* Keep per-case state small and drop it in ``end_case``; the monitor is meant to run at
  100,000 events per second with a dozen rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from controls.events import EMPTY, Event, Finding, Severity, Stage

if TYPE_CHECKING:
    from controls.rules.conditions import Condition

NO_FINDINGS: tuple[Finding, ...] = ()


class RuleError(ValueError):
    """A rule (or rule file) that cannot be used: which rule, which field, and why.

    ``rule`` is the rule id ("" for the file itself), ``field`` the offending field (dotted for
    nested values, e.g. ``rules[3].limit``), ``reason_en`` / ``reason_zh`` the explanation, and
    ``source`` the rule file, when known. ``str(error)`` gives both languages on one line.
    """

    def __init__(
        self, rule: str, field: str, reason_en: str, reason_zh: str, source: str = ""
    ) -> None:
        self.rule = rule
        self.field = field
        self.reason_en = reason_en
        self.reason_zh = reason_zh
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.source,
                f"rule {self.rule}" if self.rule else "",
                f"field {self.field}" if self.field else "",
            )
            if part
        )
        return f"{where}: {self.reason_en} / {self.reason_zh}" if where else self.reason_en

    def in_file(self, source: str) -> RuleError:
        """The same error, naming the rule file it came from."""
        return RuleError(self.rule, self.field, self.reason_en, self.reason_zh, source)


class WorkingCalendar(Protocol):
    """What rules need of the working-day calendar (``controls.calendar.WorkCalendar``)."""

    def is_workday(self, day: dt.date) -> bool: ...

    def is_provisional(self, day: dt.date) -> bool: ...

    def add_workdays(self, day: dt.date, n: int) -> dt.date: ...

    def workdays_between(self, start: dt.date, end: dt.date) -> int: ...

    def deadline(self, start: dt.date, n: int) -> tuple[dt.date, bool]: ...


class CaseHolder(Protocol):
    """Who holds a case now: the monitor answers with the case's latest event."""

    def last_event(self, case: str) -> Event | None: ...


class _NoCases:
    def last_event(self, case: str) -> Event | None:
        return None


@dataclass(frozen=True)
class RuleContext:
    """What a rule may consult besides the events: given once, when a monitor binds its rules.

    ``calendar`` is the working-day calendar (``None`` only when no rule needs one: a rule that
    needs it raises in ``bind``). ``reference`` maps a table name given on the command line
    (``--reference NAME=FILE.csv``) to the loaded table. ``cases`` answers who holds a case now.
    """

    calendar: WorkingCalendar | None = None
    reference: Mapping[str, Any] = field(default_factory=dict)
    cases: CaseHolder = field(default_factory=_NoCases)


@dataclass(frozen=True)
class RuleSpec:
    """The common fields of one rule, as written in the rule file."""

    id: str
    template: str
    name: str
    name_en: str
    severity: Severity
    stage: Stage
    processes: frozenset[str] = frozenset()  # empty: every process
    enabled: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)  # the template's own fields, as written

    def applies_to(self, process: str) -> bool:
        return not self.processes or process in self.processes


_MISSING: Any = object()


class Params:
    """The template's own fields of one rule, read and validated one by one.

    Each reader takes the field name, returns a typed value, and raises :class:`RuleError`
    naming the rule and field when the value is missing or wrong. A default makes a field
    optional. :meth:`done` (called by the catalog after the constructor) refuses any field
    that no reader asked for, so a misspelt parameter never passes silently.
    """

    def __init__(self, rule: str, raw: Mapping[str, Any]) -> None:
        self.rule = rule
        self._raw = raw
        self._read: set[str] = set()

    def error(self, field: str, reason_en: str, reason_zh: str) -> RuleError:
        return RuleError(self.rule, field, reason_en, reason_zh)

    def has(self, name: str) -> bool:
        return name in self._raw

    def _get(self, name: str, default: Any) -> Any:
        self._read.add(name)
        if name in self._raw and self._raw[name] is not None:
            return self._raw[name]
        if default is _MISSING:
            raise self.error(name, "is required", "必须填写")
        return default

    def text(self, name: str, default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if not isinstance(value, str) or not value.strip():
            if value is default and default is not _MISSING:
                return str(default)
            raise self.error(name, "must be a non-empty text", "必须是非空文本")
        return value.strip()

    def texts(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        """A list of texts; a single text is accepted as a list of one."""
        value = self._get(name, default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            raise self.error(name, "must be a text or a list of texts", "必须是文本或文本列表")
        if not value and default is _MISSING:
            raise self.error(name, "must not be empty", "不能为空")
        return tuple(v.strip() for v in value)

    def number(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
    ) -> float:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.error(name, "must be a number", "必须是数字")
        too_low = minimum is not None and (
            value <= minimum if exclusive_minimum else value < minimum
        )
        if too_low:
            op = ">" if exclusive_minimum else ">="
            raise self.error(name, f"must be {op} {minimum:g}", f"必须 {op} {minimum:g}")
        if maximum is not None and value > maximum:
            raise self.error(name, f"must be <= {maximum:g}", f"必须 <= {maximum:g}")
        return float(value)

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "must be a whole number", "必须是整数")
        if minimum is not None and value < minimum:
            raise self.error(name, f"must be >= {minimum}", f"必须 >= {minimum}")
        return int(value)

    def flag(self, name: str, default: Any = _MISSING) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false", "必须是 true 或 false")
        return value

    def choice(self, name: str, options: Sequence[str], default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if value not in options:
            listed = ", ".join(options)
            raise self.error(name, f"must be one of: {listed}", f"必须是以下之一：{listed}")
        return str(value)

    def condition(self, name: str, default: Any = _MISSING) -> Condition | None:
        """A condition in the rule condition language (``controls.rules.conditions``)."""
        from controls.rules.conditions import ConditionError, parse_condition

        value = self._get(name, default)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, "must be a condition text", "必须是条件表达式文本")
        try:
            return parse_condition(value)
        except ConditionError as exc:
            raise self.error(
                name,
                f"column {exc.column}: {exc.reason_en} in {value!r}",
                f"第 {exc.column} 列：{exc.reason_zh}（{value}）",
            ) from None

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        """The value as written, for templates that validate a nested structure themselves."""
        return self._get(name, default)

    def done(self) -> None:
        unknown = sorted(set(self._raw) - self._read)
        if unknown:
            raise self.error(unknown[0], "is not a field of this template", "不是该模板的字段")


class Rule:
    """One rule at work: a template's parameters plus its per-case state. See the module doc."""

    template: ClassVar[str] = ""
    # Stages the rule file may choose, the first being the default. A template whose findings
    # carry their own stages (a time limit warns *before* and breaches *during*) sets ``()``:
    # then ``stage`` may not be written in the rule file.
    stages: ClassVar[tuple[Stage, ...]] = (Stage.DURING, Stage.AFTER, Stage.BEFORE)

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        self.spec = spec
        self.context = RuleContext()

    @property
    def id(self) -> str:
        return self.spec.id

    def bind(self, context: RuleContext) -> None:
        """Receive the calendar and reference data; raise :class:`RuleError` if one is missing."""
        self.context = context

    def watches(self) -> frozenset[str] | None:
        """The activities this rule must see; ``None`` for every event of an in-scope case."""
        return None

    def feed(self, event: Event) -> Sequence[Finding]:
        return NO_FINDINGS

    def tick(self, now: dt.datetime) -> Sequence[Finding]:
        return NO_FINDINGS

    def end_case(self, case: str) -> Sequence[Finding]:
        return NO_FINDINGS

    def finish(self) -> Sequence[Finding]:
        return NO_FINDINGS

    def finding(
        self,
        *,
        cases: Sequence[str],
        time: dt.datetime,
        events: Iterable[Event],
        responsible: Event | None,
        message_zh: str,
        message_en: str,
        key: str,
        stage: Stage | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule; ``responsible`` is the event whose actor answers for it."""
        return Finding(
            rule=self.spec.id,
            template=self.template,
            stage=stage or self.spec.stage,
            severity=self.spec.severity,
            cases=tuple(cases),
            time=time,
            resource=responsible.resource if responsible else "",
            post=responsible.post if responsible else "",
            unit=responsible.unit if responsible else "",
            events=tuple(events),
            message_zh=message_zh,
            message_en=message_en,
            key=key,
            details=dict(details) if details else EMPTY,
        )


_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a template available to rule files under ``cls.template``."""
    if not cls.template:
        raise TypeError(f"{cls.__name__} has no template name")
    if _REGISTRY.get(cls.template, cls) is not cls:
        raise TypeError(f"template {cls.template!r} is registered twice")
    _REGISTRY[cls.template] = cls
    return cls


def template_class(name: str) -> type[Rule] | None:
    import controls.rules.templates  # noqa: F401  (registers every template)

    return _REGISTRY.get(name)


def template_names() -> list[str]:
    import controls.rules.templates  # noqa: F401

    return sorted(_REGISTRY)

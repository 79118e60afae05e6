"""Rule files: load, validate, and turn into rules ready to run.

A rule file (YAML, or JSON which is YAML too) is written by the internal-control office::

    version: "2026.1"
    name: 市局执法内控规则
    case_end: [办结]           # activities after which a case is closed and forgotten
    rules:
      - id: SOD-01
        template: separation_of_duties
        name: 审核与批准不得为同一人
        name_en: Review and approval by different people
        severity: high
        processes: [减免税审批]
        first: 审核
        second: 批准

Everything is checked at load: a file with one error is refused as a whole, with a
:class:`~controls.rules.base.RuleError` naming the file, the rule id and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from controls.events import Severity, Stage
from controls.rules.base import Params, Rule, RuleError, RuleSpec, template_class, template_names

FILE_FIELDS = frozenset({"version", "name", "description", "case_end", "rules"})
COMMON_FIELDS = frozenset(
    {"id", "template", "name", "name_en", "severity", "stage", "processes", "enabled"}
)


@dataclass(frozen=True)
class RuleSet:
    """A validated rule file. ``build()`` gives fresh rule objects (empty state) for one run."""

    version: str
    name: str
    case_end: frozenset[str]
    specs: tuple[RuleSpec, ...]
    source: str = ""

    @property
    def enabled(self) -> tuple[RuleSpec, ...]:
        return tuple(spec for spec in self.specs if spec.enabled)

    def build(self) -> list[Rule]:
        return [_construct(spec) for spec in self.enabled]

    def spec(self, rule_id: str) -> RuleSpec:
        for spec in self.specs:
            if spec.id == rule_id:
                return spec
        raise KeyError(rule_id)


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rule file; raise ``RuleError`` (naming the file) when it is wrong."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError("", "", f"cannot read: {exc.strerror}", "无法读取文件", source) from None
    except UnicodeDecodeError:
        raise RuleError("", "", "is not UTF-8 text", "不是 UTF-8 文本", source) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        where_zh = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else ""
        raise RuleError(
            "", "", f"is not valid YAML{where}", f"不是有效的 YAML{where_zh}", source
        ) from None
    try:
        return parse_rules(data, source)
    except RuleError as exc:
        raise exc.in_file(source) from None


def parse_rules(data: Any, source: str = "") -> RuleSet:
    """Validate a rule file already read into plain data (a mapping with a ``rules`` list)."""
    if not isinstance(data, Mapping):
        raise RuleError(
            "", "", "must be a mapping with a 'rules' list", "必须是含 rules 列表的映射"
        )
    _no_unknown("", data, FILE_FIELDS, "")
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise RuleError("", "rules", "must be a list of rules", "必须是规则列表")
    specs: list[RuleSpec] = []
    seen: set[str] = set()
    for number, raw in enumerate(rules, start=1):
        spec = parse_rule(raw, number)
        if spec.id in seen:
            raise RuleError(spec.id, "id", "is used by two rules", "规则编号重复")
        seen.add(spec.id)
        specs.append(spec)
    return RuleSet(
        version=_text_field(data, "version", ""),
        name=_text_field(data, "name", ""),
        case_end=frozenset(_case_end(data.get("case_end"))),
        specs=tuple(specs),
        source=source,
    )


def parse_rule(raw: Any, number: int) -> RuleSpec:
    """One rule: common fields first, then the template validates its own parameters."""
    if not isinstance(raw, Mapping):
        raise RuleError(f"#{number}", "", "a rule must be a mapping", "每条规则必须是映射")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str | int) or isinstance(rule_id, bool) or not str(rule_id).strip():
        raise RuleError(f"#{number}", "id", "is required (a text)", "规则编号必须填写")
    rule_id = str(rule_id).strip()
    name = raw.get("template")
    cls = template_class(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(template_names())
        raise RuleError(
            rule_id, "template", f"unknown template {name!r}; known: {known}",
            f"未知模板 {name!r}；可用：{known}",
        )  # fmt: skip
    spec = RuleSpec(
        id=rule_id,
        template=cls.template,
        name=_text_field(raw, "name", None, rule_id),
        name_en=_text_field(raw, "name_en", "", rule_id),
        severity=_severity(raw, rule_id),
        stage=_stage(raw, rule_id, cls.stages),
        processes=frozenset(_texts(raw, "processes", rule_id)),
        enabled=_enabled(raw, rule_id),
        params={k: v for k, v in raw.items() if k not in COMMON_FIELDS},
    )
    _construct(spec)  # validates the parameters, refusing unknown ones
    return spec


def _construct(spec: RuleSpec) -> Rule:
    cls = template_class(spec.template)
    assert cls is not None  # parse_rule checked the name
    params = Params(spec.id, spec.params)
    rule = cls(spec, params)
    params.done()
    return rule


def _no_unknown(rule: str, data: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise RuleError(rule, prefix + unknown[0], "is not a known field", "不是可识别的字段")


def _text_field(data: Mapping[str, Any], field: str, default: str | None, rule: str = "") -> str:
    value = data.get(field)
    if value is None:
        if default is None:
            raise RuleError(rule, field, "is required", "必须填写")
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a version written as 2026.1 is a number in YAML
    if not isinstance(value, str) or not value.strip():
        raise RuleError(rule, field, "must be a non-empty text", "必须是非空文本")
    return value.strip()


def _texts(data: Mapping[str, Any], field: str, rule: str) -> list[str]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(rule, field, "must be a list of texts", "必须是文本列表")
    return [v.strip() for v in value]


def _case_end(value: Any) -> Sequence[str]:
    return _texts({"case_end": value}, "case_end", "")


def _severity(raw: Mapping[str, Any], rule: str) -> Severity:
    value = raw.get("severity", Severity.MEDIUM.value)
    try:
        return Severity(value)
    except ValueError:
        raise RuleError(
            rule, "severity", "must be low, medium or high", "必须是 low、medium 或 high"
        ) from None


def _stage(raw: Mapping[str, Any], rule: str, allowed: tuple[Stage, ...]) -> Stage:
    if "stage" not in raw:
        return allowed[0] if allowed else Stage.DURING
    if not allowed:
        raise RuleError(
            rule, "stage", "this template sets the stage of each finding itself",
            "该模板自行确定预警阶段，不可指定",
        )  # fmt: skip
    names = ", ".join(s.value for s in allowed)
    try:
        stage = Stage(raw["stage"])
    except ValueError:
        stage = None
    if stage not in allowed:
        raise RuleError(rule, "stage", f"must be one of: {names}", f"必须是以下之一：{names}")
    assert stage is not None
    return stage


def _enabled(raw: Mapping[str, Any], rule: str) -> bool:
    value = raw.get("enabled", True)
    if not isinstance(value, bool):
        raise RuleError(rule, "enabled", "must be true or false", "必须是 true 或 false")
    return value

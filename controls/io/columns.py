"""Which column of a table holds which ``Event`` field.

A mapping is a dict from field name (``case``, ``activity``, ``time``, ``resource``, ``post``,
``unit``, ``process``, ``lifecycle``) to a column name. It is given on the command line as
``case=CaseId,activity=Step,time=When`` or in a small YAML or JSON file with the same keys.
Fields left out are found by their usual names: the XES names (``case:concept:name``,
``concept:name``, ``time:timestamp`` …) and the headers Chinese case systems export
(案件编号, 环节, 办理时间, 经办人 …).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from controls.io.errors import LogError

FIELDS = ("case", "activity", "time", "resource", "post", "unit", "process", "lifecycle")
REQUIRED = ("case", "activity", "time")

# Usual header names per field, in order of preference; compared without case and spaces.
KNOWN_HEADERS: Mapping[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case", "case_id", "caseid", "案件编号", "案件号", "案卷号"),
    "activity": ("concept:name", "activity", "环节", "活动", "环节名称"),
    "time": ("time:timestamp", "time", "timestamp", "时间", "办理时间"),
    "resource": ("org:resource", "resource", "经办人", "办理人"),
    "post": ("org:role", "post", "role", "岗位"),
    "unit": ("org:group", "unit", "group", "单位", "部门"),
    "process": ("process", "流程", "流程名称"),
    "lifecycle": ("lifecycle:transition", "lifecycle"),
}


def _normal(header: str) -> str:
    return header.strip().lower().replace(" ", "")


def parse_columns(text: str) -> dict[str, str]:
    """``case=CaseId,activity=Step`` → ``{"case": "CaseId", "activity": "Step"}``."""
    mapping: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, sep, column = part.partition("=")
        if not sep or not column.strip():
            raise ValueError(f"column mapping {part!r} is not of the form field=column")
        mapping[name.strip()] = column.strip()
    return _checked(mapping, "column mapping")


def load_columns(path: str | Path) -> dict[str, str]:
    """A mapping from a ``.json`` or ``.yaml``/``.yml`` file holding one object of field: column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LogError(path, None, None, f"cannot read the column mapping: {error}") from None
    try:
        loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise LogError(path, None, None, f"not valid JSON/YAML: {error}") from None
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
    ):
        raise LogError(path, None, None, "expected an object of field: column names (strings)")
    try:
        return _checked(loaded, str(path))
    except ValueError as error:
        raise LogError(path, None, None, str(error)) from None


def _checked(mapping: dict[str, str], source: str) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ValueError(
            f"{source}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
        )
    return mapping


def resolve_columns(
    header: Sequence[str], given: Mapping[str, str] | None, path: str | Path
) -> dict[str, int]:
    """The position in ``header`` of each field's column; the required ones must be present."""
    normal = {_normal(name): position for position, name in reversed(list(enumerate(header)))}
    positions: dict[str, int] = {}
    for name in FIELDS:
        if given and name in given:
            column = given[name]
            if _normal(column) not in normal:
                raise LogError(path, 1, column, f"column for {name!r} not in the header")
            positions[name] = normal[_normal(column)]
            continue
        found = next((normal[h] for h in map(_normal, KNOWN_HEADERS[name]) if h in normal), None)
        if found is not None and found not in positions.values():
            positions[name] = found
    for name in REQUIRED:
        if name not in positions:
            raise LogError(
                path,
                1,
                name,
                f"no column for the {name} (looked for {', '.join(KNOWN_HEADERS[name])}); "
                f"give one with {name}=<column>",
                message_zh=f"找不到{_ZH[name]}列，请用 {name}=<列名> 指定",
            )
    return positions


_ZH = {"case": "案件编号", "activity": "环节", "time": "时间"}

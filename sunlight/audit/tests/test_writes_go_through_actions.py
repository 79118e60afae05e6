"""Writes live in the actions only (each leaves its audit row): no view, API, form, query,
spreadsheet, worker or command module of org, core, audit, monitoring, warnings or risks writes
to the database itself. The actions are an ``actions.py`` module or the modules of an
``actions`` package (monitoring's, one per subject); the demo's ``demo/actions.py`` is one too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPS = ("org", "core", "audit", "monitoring", "warnings", "risks")
# Where writing is the point: the actions, and the test support that builds a world directly.
WRITERS = {"actions.py", "testing.py"}
# The monitoring event store is the low-level writer under the import actions (bulk inserts
# with natural-key deduplication, tuned apart from them); only ``actions.imports`` calls it, so
# it belongs to the writing layer though it is not itself named an action.
LOW_LEVEL_WRITERS = {Path("monitoring/eventstore.py")}
# The import benchmark seeds the catalogue of a throwaway database it creates and drops itself,
# as ``testing.py`` builds a world: no bureau's data, so no audit trail to keep.
BENCHMARKS = {Path("monitoring/bench.py")}
ORM_WRITES = {
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "update",
    "delete",
}


def _through_a_manager(node: ast.AST) -> bool:
    """``X.objects....`` or ``x.<related>_set....``: a chain that starts at a manager."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and (
            node.attr == "objects" or node.attr.endswith("_set")
        ):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def direct_writes(source: str) -> list[str]:
    """Calls in ``source`` that write through the ORM: ``Model.objects.create(...)``,
    ``queryset.update(field=...)``, ``instance.save()``, ``instance.delete()``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        if isinstance(receiver, ast.Call) and ast.unparse(receiver.func) == "super":
            continue  # DRF's create/update, which call our perform_* and so the actions
        manager_write = name in ORM_WRITES and _through_a_manager(receiver)
        instance_write = name in {"save", "delete"} and not node.args
        queryset_update = name == "update" and node.keywords and not node.args
        if manager_write or instance_write or queryset_update:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def is_writer(relative: Path) -> bool:
    """``relative`` (to ``sunlight/``) is an actions module, test support, the event store or
    the import benchmark."""
    return (
        relative.name in WRITERS
        or "actions" in relative.parts[:-1]
        or relative in LOW_LEVEL_WRITERS
        or relative in BENCHMARKS
    )


def modules() -> list[Path]:
    root = Path(settings.BASE_DIR) / "sunlight"
    return [
        path
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.parts) and not is_writer(path.relative_to(root))
    ]


@pytest.mark.parametrize(
    "source",
    [
        "Unit.objects.create(code='X')",
        "Unit.objects.filter(pk=1).update(name='X')",
        "unit.save()",
        "unit.save(update_fields=['name'])",
        "post.duty_set.all().delete()",
        "Goal.objects.get_or_create(year=2026)",
    ],
)
def test_the_check_sees_a_direct_write(source: str) -> None:
    assert direct_writes(source)


@pytest.mark.parametrize(
    "source",
    ["wb.save(buffer)", "super().update(request)", "seen.add(x)", "Unit.objects.filter(pk=1)"],
)
def test_the_check_lets_other_calls_pass(source: str) -> None:
    assert direct_writes(source) == []


@pytest.mark.parametrize(
    ("relative", "writer"),
    [
        ("org/actions.py", True),
        ("monitoring/actions/rules.py", True),
        ("monitoring/actions/__init__.py", True),
        ("monitoring/demo/actions.py", True),
        ("monitoring/eventstore.py", True),
        ("monitoring/bench.py", True),
        ("monitoring/bench_push.py", False),
        ("monitoring/checking.py", False),
        ("monitoring/views/rules.py", False),
        ("monitoring/management/commands/monitoring_worker.py", False),
        ("warnings/api.py", False),
    ],
)
def test_the_actions_are_told_apart(relative: str, writer: bool) -> None:
    assert is_writer(Path(relative)) is writer


def test_monitoring_and_warnings_are_scanned() -> None:
    names = {str(path.relative_to(Path(settings.BASE_DIR) / "sunlight")) for path in modules()}
    assert {
        "monitoring/runner.py",
        "monitoring/traces.py",
        "monitoring/api/rules.py",
        "monitoring/views/imports.py",
        "monitoring/management/commands/check_rules.py",
        "warnings/views.py",
    } <= names


def test_no_module_outside_the_actions_writes() -> None:
    found = {str(path): writes for path in modules() if (writes := direct_writes(path.read_text()))}
    assert len(modules()) > 20
    assert found == {}

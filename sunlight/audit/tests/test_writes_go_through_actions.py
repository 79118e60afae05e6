"""Writes live in ``actions.py`` only (each leaves its audit row): no view, API, form, query,
spreadsheet or command module of org, core or audit writes to the database itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPS = ("org", "core", "audit")
# Where writing is the point: the actions, and the test support that builds a world directly.
WRITERS = {"actions.py", "testing.py"}
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


def modules() -> list[Path]:
    root = Path(settings.BASE_DIR) / "sunlight"
    return [
        path
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.parts) and path.name not in WRITERS
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


def test_no_module_outside_the_actions_writes() -> None:
    found = {str(path): writes for path in modules() if (writes := direct_writes(path.read_text()))}
    assert len(modules()) > 20
    assert found == {}

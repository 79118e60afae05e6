"""Exporting the registers a user may see, in the template's layout (so they import back as is)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sunlight.core.models import User
from sunlight.org import queries
from sunlight.org.spreadsheets.columns import Lang, Sheet, sheets_named
from sunlight.org.spreadsheets.workbook import build_workbook

Record = dict[str, Any]
_CHUNK = 2000


def _code(obj: Any) -> str | None:
    return obj.code if obj is not None else None


def unit_rows(user: User) -> Iterator[Record]:
    # By path, so parents come before their children.
    for unit in queries.units_for(user).order_by("path").iterator(_CHUNK):
        yield {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "parent": _code(unit.parent),
            "sort_order": unit.sort_order,
        }


def post_rows(user: User) -> Iterator[Record]:
    for post in queries.posts_for(user).iterator(_CHUNK):
        yield {
            "code": post.code,
            "name": post.name,
            "unit": post.unit.code,
            "power_type": post.power_type,
            "description": post.description,
            "is_high_risk": post.is_high_risk,
            "term_limit_years": post.term_limit_years,
        }


def staff_rows(user: User) -> Iterator[Record]:
    for staff in queries.staff_for(user).iterator(_CHUNK):
        yield {
            "staff_no": staff.staff_no,
            "name": staff.name,
            "unit": staff.unit.code,
            "gender": staff.gender,
            "rank": staff.rank,
            "phone": staff.phone,
            "email": staff.email,
        }


def assignment_rows(user: User) -> Iterator[Record]:
    for assignment in queries.assignments_for(user).iterator(_CHUNK):
        yield {
            "staff": assignment.staff.staff_no,
            "post": assignment.post.code,
            "start": assignment.start,
            "end": assignment.end,
            "kind": assignment.kind,
        }


def duty_rows(user: User) -> Iterator[Record]:
    for duty in queries.duties_for(user).order_by("post__code", "seq").iterator(_CHUNK):
        yield {
            "post": duty.post.code,
            "seq": duty.seq,
            "text": duty.text,
            "power_type": duty.power_type,
        }


def power_item_rows(user: User) -> Iterator[Record]:
    items = queries.power_items_for(user).prefetch_related("legal_bases")
    for item in items.iterator(_CHUNK):
        yield {
            "code": item.code,
            "name": item.name,
            "category": item.category,
            "power_type": item.power_type,
            "unit": item.unit.code,
            "post": _code(item.post),
            "description": item.description,
            "time_limit_days": item.time_limit_days,
            "is_public": item.is_public,
            "legal_bases": [(b.law, b.article) for b in item.legal_bases.all()],
        }


ROWS: dict[str, Callable[[User], Iterator[Record]]] = {
    "units": unit_rows,
    "posts": post_rows,
    "staff": staff_rows,
    "assignments": assignment_rows,
    "duties": duty_rows,
    "power_items": power_item_rows,
}


def export_workbook(user: User, lang: Lang, keys: Sequence[str] | None = None) -> bytes:
    """An xlsx file of the chosen registers (all of them by default), scoped to ``user``."""
    sheets: Sequence[Sheet] = sheets_named(keys)
    return build_workbook(lang, {sheet.key: ROWS[sheet.key](user) for sheet in sheets}, sheets)

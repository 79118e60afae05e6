"""How people, posts and users are named on the pages (warnings, case files …): by name, with
the staff number or the unit beside it, and the source's own words when the record could not be
linked."""

from __future__ import annotations

from django.utils.translation import get_language

from sunlight.core.models import User
from sunlight.org.models import Post, Staff


def bracketed(name: str, detail: str) -> str:
    """``name（detail）`` in Chinese, ``name (detail)`` otherwise: the typography of the page's
    language, not a translation (names stay as recorded)."""
    if not detail:
        return name
    if (get_language() or "").startswith("zh"):
        return f"{name}（{detail}）"
    return f"{name} ({detail})"


def person_label(staff: Staff | None, source: str = "") -> str:
    """``张三（S018）``; the officer as found when unlinked."""
    if staff is None:
        return source or "—"
    return bracketed(staff.name, staff.staff_no)


def post_label(post: Post | None, source: str = "") -> str:
    """``税源管理员（A县税务局征管科）``; the post as found when unlinked."""
    if post is None:
        return source or "—"
    return bracketed(post.name, post.unit.name)


def user_label(user: User | None) -> str:
    """A login by the name of its staff member (``张三（S018）``), else its full name, else its
    user name."""
    if user is None:
        return "—"
    if user.staff is not None:
        return person_label(user.staff)
    return user.get_full_name() or user.username

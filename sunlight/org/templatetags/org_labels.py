"""Template filters that name people, posts and users (see ``sunlight.org.labels``)."""

from __future__ import annotations

from django import template

from sunlight.core.models import User
from sunlight.org import labels
from sunlight.org.models import Post, Staff

register = template.Library()


@register.filter
def person(staff: Staff | None, source: str = "") -> str:
    """``{{ w.staff|person:w.source_resource }}`` → ``张三（S018）``, or the officer as found."""
    return labels.person_label(staff, source)


@register.filter
def post(value: Post | None, source: str = "") -> str:
    """``{{ w.post|post:w.source_post }}`` → ``税源管理员（A县税务局征管科）``, or the post as
    found."""
    return labels.post_label(value, source)


@register.filter
def account(user: User | None) -> str:
    """``{{ w.verifier|account }}`` → the user by the name of their staff member."""
    return labels.user_label(user)


@register.filter
def bracketed(name: str, detail: str) -> str:
    """``{{ name|bracketed:code }}`` → ``name（code）`` in Chinese, ``name (code)`` otherwise."""
    return labels.bracketed(name, detail)

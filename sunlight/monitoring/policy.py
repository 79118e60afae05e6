"""Who may bring traces in and map them, from the primitives of ``core.access``.

Imports, pushes and mappings change what every control sees, so they belong to the
internal-control office and administrators (``access.MANAGERS``). A business system pushes
with an account of one of those roles; a dedicated "system" role would narrow that to pushing
only, and belongs in ``core`` when it comes.
"""

from __future__ import annotations

from sunlight.core import access
from sunlight.core.models import User


def may_import(user: User) -> bool:
    return access.can_write(user) and user.role in access.MANAGERS


def may_push(user: User) -> bool:
    return may_import(user)


def may_map(user: User) -> bool:
    return may_import(user)


def sees_imports(user: User) -> bool:
    """The office, administrators and auditors follow every import."""
    return access.sees_everything(user)


def sees_rules(user: User) -> bool:
    """Rule sets are the bureau's published rules of conduct: every active user reads them."""
    return access.is_active(user)


def may_edit_rules(user: User) -> bool:
    """The office and administrators write rules, reference tables and switches (never auditors)."""
    return access.can_write(user) and user.role in access.MANAGERS


def may_recheck(user: User) -> bool:
    return may_edit_rules(user)


def may_decide(user: User) -> bool:
    """Asking for a decision is the preventive half of pushing: the same callers may."""
    return may_push(user)


def sees_decisions(user: User) -> bool:
    return access.sees_everything(user)

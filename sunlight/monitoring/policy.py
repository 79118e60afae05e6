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

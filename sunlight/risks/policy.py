"""Who may keep the risk register, from the primitives of ``core.access``.

Every active user reads the register within their scope (``queries.risk_points_for``). The
register itself — items, points, grades, measures and the rules behind them — is kept by the
internal-control office and administrators; auditors only read. The risk campaign that lets
staff and heads draft points level by level comes later and will widen this.
"""

from __future__ import annotations

from sunlight.core import access
from sunlight.core.models import User


def sees_register(user: User) -> bool:
    return access.is_active(user)


def may_edit_register(user: User) -> bool:
    return access.can_write(user) and user.role in access.MANAGERS

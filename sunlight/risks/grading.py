"""The risk grade (风险等级) of a risk point from its likelihood (发生机率) and impact (危害程度).

A small fixed matrix, as the bureaus' forms print it: each axis is graded 1 (low) to 3 (high);
a point is high when both are high, or one is high and the other medium; low when neither is
above medium and at least one is low. Pure: no Django, no database.
"""

from __future__ import annotations

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
SCALE = (1, 2, 3)

# MATRIX[likelihood - 1][impact - 1]
MATRIX: tuple[tuple[str, str, str], ...] = (
    (LOW, LOW, MEDIUM),
    (LOW, MEDIUM, HIGH),
    (MEDIUM, HIGH, HIGH),
)


def grade(likelihood: int, impact: int) -> str:
    """``high``, ``medium`` or ``low``; ``ValueError`` names the axis outside 1..3."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if isinstance(value, bool) or value not in SCALE:
            raise ValueError(f"{name} must be 1, 2 or 3, not {value!r}")
    return MATRIX[likelihood - 1][impact - 1]

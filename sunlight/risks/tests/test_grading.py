"""The grading matrix: likelihood × impact → level, and nothing off the 1..3 scale."""

from __future__ import annotations

import pytest

from sunlight.risks.grading import grade


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, "low"), (1, 2, "low"), (1, 3, "medium"),
        (2, 1, "low"), (2, 2, "medium"), (2, 3, "high"),
        (3, 1, "medium"), (3, 2, "high"), (3, 3, "high"),
    ],
)  # fmt: skip
def test_the_matrix(likelihood: int, impact: int, level: str) -> None:
    assert grade(likelihood, impact) == level


def test_the_matrix_is_symmetric() -> None:
    for likelihood in (1, 2, 3):
        for impact in (1, 2, 3):
            assert grade(likelihood, impact) == grade(impact, likelihood)


@pytest.mark.parametrize(
    ("likelihood", "impact", "axis"),
    [(0, 2, "likelihood"), (4, 2, "likelihood"), (2, 0, "impact"), (2, True, "impact")],
)
def test_values_off_the_scale_are_refused_naming_the_axis(
    likelihood: int, impact: int, axis: str
) -> None:
    with pytest.raises(ValueError, match=axis):
        grade(likelihood, impact)

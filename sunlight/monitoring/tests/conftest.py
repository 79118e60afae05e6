from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUNLIGHT_BROKER_URL = ""


@pytest.fixture(autouse=True)
def _fresh_rules() -> None:
    # Rolled-back tests reuse row ids, which the cache of the rules in force keys on.
    from sunlight.monitoring import rulesets

    rulesets.forget()

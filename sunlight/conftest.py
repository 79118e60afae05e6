"""Settings every Django test shares: a fast password hasher (the fixtures create many users) and
static files found without ``collectstatic``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    # The working-day calendar is cached per process; a rolled-back test must not leave its
    # entries in the next test's calendar (an unchanged stamp keeps the built one: no cost).
    from sunlight.core import workdays

    workdays.forget()

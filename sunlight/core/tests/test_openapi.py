"""The API's OpenAPI schema is complete and valid, and its docs page works on an intranet."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from sunlight.core.testing import World


def generate() -> dict[str, Any]:
    GENERATOR_STATS.reset()
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return schema


def test_the_schema_is_valid_openapi_3() -> None:
    validate(generate())


def test_the_schema_is_generated_without_warnings_or_errors() -> None:
    generate()

    assert (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache) == ({}, {})


def test_the_schema_covers_every_organisation_endpoint() -> None:
    paths = generate()["paths"]

    for name in ["units", "posts", "duties", "staff", "assignments", "power-items", "goals"]:
        assert set(paths[f"/api/v1/{name}/"]) == {"get", "post"}
        assert set(paths[f"/api/v1/{name}/{{id}}/"]) == {"get", "put", "patch"}
        list_params = {p["name"] for p in paths[f"/api/v1/{name}/"]["get"]["parameters"]}
        assert {"limit", "offset", "search", "unit"} <= list_params
    for step in ["submit", "approve", "return"]:
        assert set(paths[f"/api/v1/duties/{{id}}/{step}/"]) == {"post"}


def test_the_schema_is_served(world: World) -> None:
    client = Client()
    client.force_login(world.user("auditor"))

    response = client.get("/api/schema/")

    assert response.status_code == 200
    validate(yaml.safe_load(response.content))


def test_the_docs_page_loads_everything_from_our_own_server(world: World) -> None:
    client = Client()
    client.force_login(world.user("staff"))

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.findall(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html)
    assert not re.findall(r"https?://(?!localhost|127\.0\.0\.1|testserver)[\w.-]+", html)
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset

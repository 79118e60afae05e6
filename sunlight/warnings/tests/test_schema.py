"""The warnings' endpoints are in the OpenAPI schema, with their filters and step bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.generators import SchemaGenerator


def schema() -> dict[str, Any]:
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    found: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return found


def test_every_step_has_a_post_endpoint_and_the_list_its_filters() -> None:
    paths = schema()["paths"]

    for step in [
        "assign", "reassign", "respond", "decide", "rectify", "close", "supervise",
        "accountability",
    ]:  # fmt: skip
        assert set(paths[f"/api/v1/warnings/{{id}}/{step}/"]) == {"post"}, step
    for step in ["appeal", "appeal-decision"]:
        assert set(paths[f"/api/v1/accountabilities/{{id}}/{step}/"]) == {"post"}, step
    params = {p["name"] for p in paths["/api/v1/warnings/"]["get"]["parameters"]}
    assert {"status", "stage", "rule", "unit", "month", "staff", "case"} <= params
    assert "/api/v1/warnings/statistics/" in paths
    assert set(paths["/api/v1/notifications/read/"]) == {"post"}
    respond = paths["/api/v1/warnings/{id}/respond/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in respond

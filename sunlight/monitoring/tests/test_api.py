"""The REST API: imports (multipart upload, progress) and the push of events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.models import Case, TraceEvent
from sunlight.monitoring.tests.logs import csv_text, upload

WABO = Path("/work/shared/data/eventlogs/receipt_wabo_full.xes.gz")


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client


def _event(case: str, activity: str, **more: Any) -> dict[str, Any]:
    return {"case": case, "activity": activity, "time": "2026-03-02T09:00:00+08:00", **more}


@pytest.mark.slow
@pytest.mark.skipif(not WABO.exists(), reason="shared event logs not present")
def test_a_real_xes_log_is_imported_end_to_end_through_the_api(world: World) -> None:
    office = client_for(world, "office")
    with WABO.open("rb") as handle:
        created = office.post("/api/v1/imports/", {"file": handle, "source_system": "wabo"})
    assert created.status_code == 201, created.content
    job = created.json()
    assert (job["status"], job["format"], job["stored"]) == ("queued", "xes", 0)

    call_command("monitoring_worker", "--once")

    done = office.get(f"/api/v1/imports/{job['id']}/").json()
    assert (done["status"], done["progress"], done["records_read"]) == ("done", 1.0, 8577)
    assert (done["stored"], done["duplicates"], done["errors"], done["row_errors"]) == (
        8577, 0, 0, [],
    )  # fmt: skip
    assert done["records_total"] == 8577
    assert TraceEvent.objects.count() == 8577
    assert Case.objects.filter(source_system="wabo").count() == 1434
    assert done["unknowns"]["staff"]  # the log's officers are not in the test organisation


def test_a_csv_upload_returns_the_job_and_its_row_errors(world: World) -> None:
    office = client_for(world, "office")
    created = office.post(
        "/api/v1/imports/", {"file": upload("a.csv", csv_text(5, bad_rows=(4,)))}
    ).json()
    call_command("monitoring_worker", "--once")

    job = office.get(f"/api/v1/imports/{created['id']}/").json()
    assert (job["stored"], job["errors"]) == (19, 1)
    assert job["row_errors"] == [
        {"position": 4, "where": "row", "field": "办理时间",
         "message": "not a date or timestamp: 'not a time'"}
    ]  # fmt: skip


def test_a_csv_needing_columns_takes_them_through_the_api(world: World) -> None:
    office = client_for(world, "office")
    text = csv_text(2).replace("案件编号", "ajbh")
    created = office.post("/api/v1/imports/", {"file": upload("a.csv", text)}).json()
    assert created["status"] == "columns"

    answer = office.post(
        f"/api/v1/imports/{created['id']}/columns/", {"columns": {"case": "ajbh"}},
        content_type="application/json",
    )  # fmt: skip
    assert answer.json()["status"] == "queued"


def test_columns_can_be_given_with_the_upload(world: World) -> None:
    office = client_for(world, "office")
    text = csv_text(2).replace("案件编号", "ajbh")
    created = office.post(
        "/api/v1/imports/", {"file": upload("a.csv", text), "columns": '{"case": "ajbh"}'}
    ).json()
    assert created["status"] == "queued"


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("head", 404), ("staff", 404)])
def test_who_follows_an_import(world: World, role: str, status: int) -> None:
    created = (
        client_for(world, "office")
        .post("/api/v1/imports/", {"file": upload("a.csv", csv_text(1))})
        .json()
    )

    assert client_for(world, role).get(f"/api/v1/imports/{created['id']}/").status_code == status


@pytest.mark.parametrize("role", ["auditor", "head", "leader", "staff"])
def test_only_the_office_and_admins_upload_and_push(world: World, role: str) -> None:
    client = client_for(world, role)

    assert (
        client.post("/api/v1/imports/", {"file": upload("a.csv", csv_text(1))}).status_code == 403
    )
    pushed = client.post("/api/v1/events/", [_event("P1", "受理")], content_type="application/json")
    assert pushed.status_code == 403
    assert TraceEvent.objects.count() == 0


def test_a_pushed_batch_answers_each_item_and_is_idempotent(world: World) -> None:
    admin = client_for(world, "admin")
    batch = {
        "source_system": "征管系统",
        "events": [
            _event("P1", "受理", resource="S-A", data={"amount": 600000}),
            _event("P1", "审核", time="soon"),
            _event("P1", "批准", resource="nobody"),
            _event("P1", "受理", resource="S-A", data={"amount": 600000}),
            "not an object",
        ],
    }

    first = admin.post("/api/v1/events/", batch, content_type="application/json")
    assert first.status_code == 201
    body = first.json()
    assert [r["status"] for r in body["results"]] == [
        "stored", "error", "stored", "duplicate", "error",
    ]  # fmt: skip
    assert body["results"][1]["field"] == "time"
    assert (body["stored"], body["duplicates"], body["errors"]) == (2, 1, 2)
    assert body["unknowns"] == {"staff": ["nobody"]}

    again = admin.post("/api/v1/events/", batch, content_type="application/json").json()
    assert [r["status"] for r in again["results"]] == [
        "duplicate", "error", "duplicate", "duplicate", "error",
    ]  # fmt: skip
    assert TraceEvent.objects.filter(case__source_system="征管系统").count() == 2
    assert TraceEvent.objects.get(activity="受理").staff == world.staff_a


def test_a_pushed_event_equals_the_same_event_imported_from_a_file(world: World) -> None:
    office = client_for(world, "office")
    office.post("/api/v1/imports/", {"file": upload("a.csv", csv_text(1))})
    call_command("monitoring_worker", "--once")

    pushed = office.post(
        "/api/v1/events/",
        [{"case": "C00000", "activity": "受理", "time": "2026-03-02 09:00:00",
          "resource": "S-A", "post": "PA1", "unit": "A1", "process": "减免税审批",
          "data": {"amount": 1000}}],
        content_type="application/json",
    ).json()  # fmt: skip
    assert pushed["results"] == [{"index": 0, "status": "duplicate"}]


def test_a_bare_list_is_pushed_to_the_default_source(world: World) -> None:
    body = (
        client_for(world, "office")
        .post("/api/v1/events/", [_event("P9", "受理")], content_type="application/json")
        .json()
    )
    assert (body["source_system"], body["stored"]) == ("default", 1)


def test_a_push_that_is_not_a_list_is_a_400(world: World) -> None:
    answer = client_for(world, "office").post(
        "/api/v1/events/", {"case": "P1"}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "events" in answer.json()

"""Pages: upload, the job page with its polled progress bar, mapping, case timelines."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from sunlight.core.testing import PASSWORD, World
from sunlight.monitoring.models import Case, ImportJob, ValueMapping
from sunlight.monitoring.tests.logs import csv_text, upload


def client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.user(role).username, password=PASSWORD)
    return client


def _uploaded(world: World, text: str) -> ImportJob:
    answer = client_for(world, "office").post(
        "/monitoring/imports/new/", {"file": upload("log.csv", text), "source_system": "default"}
    )
    assert answer.status_code == 302
    return ImportJob.objects.get()


def test_it_uploads_and_the_job_page_polls_while_the_job_waits(world: World) -> None:
    job = _uploaded(world, csv_text(3))
    page = client_for(world, "office").get(f"/monitoring/imports/{job.pk}/")

    assert page.status_code == 200
    assert f'hx-get="/monitoring/imports/{job.pk}/progress/?live=1"' in page.content.decode()


def test_the_progress_partial_asks_for_a_reload_when_the_job_ends(world: World) -> None:
    job = _uploaded(world, csv_text(3, bad_rows=(5,)))
    call_command("monitoring_worker", "--once")
    office = client_for(world, "office")

    partial = office.get(f"/monitoring/imports/{job.pk}/progress/?live=1", HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert 'data-count="stored">11<' in partial.content.decode()
    page = office.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert 'id="sl-row-errors"' in page
    assert "<td>5</td>" in page


def test_unmatched_values_are_listed_and_mapped_from_the_job_page(world: World) -> None:
    job = _uploaded(world, csv_text(2).replace("S-B", "lisi"))
    call_command("monitoring_worker", "--once")
    office = client_for(world, "office")
    assert (
        'data-unknown="staff:lisi"' in office.get(f"/monitoring/imports/{job.pk}/").content.decode()
    )

    answer = office.post(
        "/monitoring/mappings/",
        {
            "kind": "staff",
            "value": "lisi",
            "target": "S-B",
            "next": f"/monitoring/imports/{job.pk}/",
        },
    )

    assert answer.status_code == 302
    assert ValueMapping.objects.get().staff == world.staff_b
    assert "staff:lisi" not in office.get(f"/monitoring/imports/{job.pk}/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("head", 403), ("staff", 403)])
def test_who_sees_the_import_list(world: World, role: str, status: int) -> None:
    assert client_for(world, role).get("/monitoring/imports/").status_code == status


def test_the_upload_page_is_refused_to_auditors(world: World) -> None:
    assert client_for(world, "auditor").get("/monitoring/imports/new/").status_code == 403


@pytest.mark.parametrize(
    ("role", "case", "status"),
    [("head", "C00000", 200), ("head", "C00001", 404), ("leader", "C00001", 200),
     ("leader", "C00000", 404), ("staff", "C00000", 200), ("staff", "C00001", 404),
     ("auditor", "C00001", 200)],
)  # fmt: skip
def test_a_case_timeline_is_seen_within_the_scope(
    world: World, role: str, case: str, status: int
) -> None:
    _uploaded(world, csv_text(2))
    call_command("monitoring_worker", "--once")
    pk = Case.objects.get(external_id=case).pk

    answer = client_for(world, role).get(f"/monitoring/cases/{pk}/")

    assert answer.status_code == status
    if status == 200:
        body = answer.content.decode()
        assert body.index("受理") < body.index("审核") < body.index("批准") < body.index("办结")


def test_the_case_list_shows_only_cases_in_scope(world: World) -> None:
    _uploaded(world, csv_text(4))
    call_command("monitoring_worker", "--once")

    body = client_for(world, "head").get("/monitoring/cases/").content.decode()
    assert "C00000" in body
    assert "C00002" in body
    assert "C00001" not in body

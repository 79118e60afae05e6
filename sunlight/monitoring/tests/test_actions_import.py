"""Importing a file: bad rows reported and skipped, idempotent, mapped to the organisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import World
from sunlight.monitoring import actions
from sunlight.monitoring.models import Case, ImportJob, JobStatus, TraceEvent, ValueMapping
from sunlight.monitoring.tests.logs import csv_text, upload


def _import(world: World, text: str, name: str = "log.csv", **kwargs: object) -> ImportJob:
    job = actions.import_job_create(by=world.user("office"), upload=upload(name, text), **kwargs)  # type: ignore[arg-type]
    assert actions.import_job_run(job.pk, batch_size=7)
    job.refresh_from_db()
    return job


def test_it_stores_every_good_row_and_reports_the_bad_ones_by_row_and_field(world: World) -> None:
    job = _import(world, csv_text(10, bad_rows=(3, 17)))

    assert (job.status, job.records_done, job.stored, job.duplicates, job.errors) == (
        JobStatus.DONE, 40, 38, 0, 2,
    )  # fmt: skip
    errors = list(job.row_errors.values_list("position", "field"))
    assert errors == [(3, "办理时间"), (17, "办理时间")]
    assert TraceEvent.objects.count() == 38
    assert set(TraceEvent.objects.values_list("position", flat=True)) == set(range(2, 42)) - {3, 17}


def test_importing_the_same_file_twice_stores_nothing_twice(world: World) -> None:
    first = _import(world, csv_text(10))
    second = _import(world, csv_text(10))

    assert (first.stored, first.duplicates) == (40, 0)
    assert (second.stored, second.duplicates) == (0, 40)
    assert TraceEvent.objects.count() == 40
    assert Case.objects.count() == 10


def test_the_same_rows_from_another_source_system_are_other_events(world: World) -> None:
    _import(world, csv_text(2))
    other = _import(world, csv_text(2), source_system="金税三期")

    assert other.stored == 8
    assert Case.objects.filter(source_system="金税三期").count() == 2


def test_officers_posts_and_units_are_resolved_by_their_codes(world: World) -> None:
    _import(world, csv_text(2))

    first = TraceEvent.objects.select_related("case").get(
        case__external_id="C00000", activity="受理"
    )
    assert (first.staff, first.post, first.unit) == (world.staff_a, world.post_a1, world.dept_a1)
    assert (first.source_resource, first.source_post, first.source_unit) == ("S-A", "PA1", "A1")
    assert first.data == {"amount": 1000}
    assert first.case.process == "减免税审批"


def test_values_matching_nothing_are_listed_and_a_mapping_resolves_the_stored_events(
    world: World,
) -> None:
    text = csv_text(2).replace("S-B", "lisi").replace(",B1,", ",B-one,")
    job = _import(world, text)

    assert job.unknowns == {"staff": ["lisi"], "unit": ["B-one"], "process": ["减免税审批"]}
    assert TraceEvent.objects.filter(source_resource="lisi", staff__isnull=True).count() == 4

    actions.value_mapping_set(by=world.user("office"), kind="staff", value="lisi", target="S-B")
    actions.value_mapping_set(by=world.user("office"), kind="unit", value="B-one", target="B1")

    assert TraceEvent.objects.filter(source_resource="lisi", staff=world.staff_b).count() == 4
    assert TraceEvent.objects.filter(source_unit="B-one", unit=world.dept_b1).count() == 4
    assert ValueMapping.objects.count() == 2
    assert AuditRecord.objects.filter(action="monitoring.mapping.set").count() == 2


def test_a_mapping_is_used_by_later_imports(world: World) -> None:
    actions.value_mapping_set(by=world.user("office"), kind="staff", value="lisi", target="S-B")
    job = _import(world, csv_text(2).replace("S-B", "lisi"))

    assert "staff" not in job.unknowns
    assert TraceEvent.objects.filter(source_resource="lisi", staff=world.staff_b).count() == 4


def test_mapping_to_a_code_that_does_not_exist_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        actions.value_mapping_set(by=world.user("office"), kind="staff", value="x", target="NOPE")

    assert "target" in error.value.message_dict


def test_a_csv_with_unknown_headers_waits_for_its_columns(world: World) -> None:
    text = csv_text(3).replace("案件编号", "ajbh").replace("办理时间", "blsj")
    job = actions.import_job_create(by=world.user("office"), upload=upload("odd.csv", text))

    assert job.status == JobStatus.COLUMNS
    assert "case" in job.failure
    assert not actions.import_job_run(job.pk)

    actions.import_job_set_columns(
        by=world.user("office"), job=job, columns={"case": "ajbh", "time": "blsj"}
    )
    assert job.status == JobStatus.QUEUED
    assert actions.import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.stored) == (JobStatus.DONE, 12)


def test_a_file_that_is_not_a_log_fails_with_the_reason(world: World) -> None:
    job = _import(world, "<log><trace></log>", name="broken.xes")

    assert job.status == JobStatus.FAILED
    assert "not well-formed XML" in job.failure
    assert str(job.file.path) not in job.failure


@pytest.mark.parametrize("role", ["staff", "head", "leader", "auditor"])
def test_only_the_office_and_admins_import(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.import_job_create(by=world.user(role), upload=upload("a.csv", csv_text(1)))


def test_creating_and_finishing_a_job_are_audited(world: World) -> None:
    job = _import(world, csv_text(1))

    rows = AuditRecord.objects.filter(object_id=str(job.pk), object_type="monitoring.importjob")
    assert sorted(rows.values_list("action", flat=True)) == [
        "monitoring.import.create",
        "monitoring.import.finish",
    ]

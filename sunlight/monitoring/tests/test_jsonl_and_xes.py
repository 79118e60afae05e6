"""JSON lines and XES logs go through the same import, bad records included."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from sunlight.core.testing import World
from sunlight.monitoring import actions
from sunlight.monitoring.models import JobStatus, TraceEvent


def _ev(name: str, stamp: str, more: str = "") -> str:
    return (
        f'<event><string key="concept:name" value="{name}"/>'
        f'<date key="time:timestamp" value="{stamp}"/>{more}</event>'
    )


XES = "\n".join([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0"><string key="concept:name" value="减免税审批"/>',
    '<trace><string key="concept:name" value="X1"/>',
    _ev("受理", "2026-03-02T09:00:00+08:00", '<string key="org:resource" value="S-A"/>'),
    _ev("审核", "yesterday"),
    _ev("批准", "2026-03-02T11:00:00+08:00", '<int key="amount" value="5"/>'),
    "</trace>",
    '<trace><string key="concept:name" value="X2"/>',
    _ev("受理", "2026-03-03T09:00:00+08:00"),
    "</trace>",
    "</log>",
])  # fmt: skip


def _run(world: World, name: str, body: bytes) -> object:
    job = actions.import_job_create(by=world.user("office"), upload=SimpleUploadedFile(name, body))
    actions.import_job_run(job.pk)
    job.refresh_from_db()
    return job


def test_a_jsonl_log_reports_bad_lines_and_keeps_the_rest(world: World) -> None:
    lines = [
        {"case": "J1", "activity": "受理", "time": "2026-03-02T09:00:00+08:00", "data": {"a": 1}},
        {"case": "J1", "activity": "审核"},
        {"case": "J1", "activity": "批准", "time": "2026-03-02T10:00:00", "resource": "S-B"},
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    job = _run(world, "log.jsonl", body + b"\nnot json\n")

    assert (job.status, job.stored, job.errors) == (JobStatus.DONE, 2, 2)  # type: ignore[attr-defined]
    rows = job.row_errors.values_list("position", "field", "where")  # type: ignore[attr-defined]
    assert list(rows) == [(2, "time", "line"), (4, "", "line")]
    assert TraceEvent.objects.get(activity="批准").staff == world.staff_b


def test_an_xes_log_skips_the_bad_event_by_line_and_field(world: World) -> None:
    job = _run(world, "log.xes", XES.encode())

    assert (job.status, job.stored, job.errors) == (JobStatus.DONE, 3, 1)  # type: ignore[attr-defined]
    assert list(job.row_errors.values_list("position", "field")) == [(5, "time:timestamp")]  # type: ignore[attr-defined]
    approved = TraceEvent.objects.select_related("case").get(activity="批准")
    assert approved.case.process == "减免税审批"
    assert approved.data == {"amount": 5}
    assert approved.position == 6

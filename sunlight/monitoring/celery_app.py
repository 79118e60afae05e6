"""The Celery application for production: ``celery -A sunlight.monitoring.celery_app worker``.

Imported only when ``SUNLIGHT_BROKER_URL`` is set (by ``tasks.enqueue_import``, or by the
``celery`` command, which loads Django itself first).
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.settings")
django.setup()

from celery import Celery, Task  # type: ignore[import-untyped]  # noqa: E402

from sunlight.monitoring import actions, tasks  # noqa: E402
from sunlight.monitoring.models import ImportJob, JobStatus  # noqa: E402

app = Celery("sunlight")
app.conf.update(tasks.broker_options())


@app.task(bind=True, name="monitoring.run_import", max_retries=None)  # type: ignore[untyped-decorator]
def run_import(self: Task, job_id: int) -> bool:
    """Run the import; if another worker's lease still holds it, try again when it runs out."""
    if actions.import_job_run(job_id):
        return True
    job = ImportJob.objects.filter(pk=job_id).only("status", "lease_until").first()
    if job is not None and job.status == JobStatus.RUNNING and job.lease_until is not None:
        # Possibly a redelivery after its worker died: the lease tells when to look again.
        raise self.retry(countdown=int(actions.LEASE.total_seconds()) + 1)
    return False

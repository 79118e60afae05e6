"""Handing an import to a worker: one code path (``actions.import_job_run``), two ways to run it.

* Embedded default (no ``SUNLIGHT_BROKER_URL``): nothing is sent anywhere; the
  ``monitoring_worker`` command polls the database for queued jobs and claims them.
* Production (``SUNLIGHT_BROKER_URL`` set, Redis or RabbitMQ): the job id goes to Celery, whose
  workers call the same function. A worker that dies mid-job leaves its lease to run out; the
  redelivered task (late acknowledgement) waits for that and resumes from the checkpoint.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def enqueue_import(job_id: int) -> None:
    """Called on commit of the job's creation; a no-op in the embedded mode (the worker polls)."""
    if settings.SUNLIGHT_BROKER_URL:
        from sunlight.monitoring.celery_app import run_import

        run_import.delay(job_id)


def broker_options() -> dict[str, Any]:
    """Celery settings: a job is acknowledged only when done, so a lost worker's job returns."""
    return {
        "broker_url": settings.SUNLIGHT_BROKER_URL,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
    }

"""The only writers of the monitoring app, one module per subject; each leaves its audit record.

* ``imports``: import jobs, the push of events, value mappings;
* ``rules``: rule sets, reference tables, unit switches;
* ``checking``: the runner's marks, checks, clock ticks and re-check runs (which raise warnings);
* ``decisions``: the preventive control's answers.

The import writers are named here too, as callers have always reached them
(``actions.import_job_create``); the other subjects are reached through their module.
"""

from sunlight.monitoring.actions import checking, decisions, imports, rules
from sunlight.monitoring.actions.imports import (
    BATCH_SIZE,
    LEASE,
    MAX_ATTEMPTS,
    PUSH_LIMIT,
    ROW_ERROR_LIMIT,
    WORKER_ACTOR,
    LeaseLostError,
    describe,
    events_push,
    import_job_claim,
    import_job_claim_next,
    import_job_continue,
    import_job_create,
    import_job_run,
    import_job_set_columns,
    value_mapping_set,
    worker_name,
)

__all__ = [
    "BATCH_SIZE",
    "LEASE",
    "MAX_ATTEMPTS",
    "PUSH_LIMIT",
    "ROW_ERROR_LIMIT",
    "WORKER_ACTOR",
    "LeaseLostError",
    "checking",
    "decisions",
    "describe",
    "events_push",
    "import_job_claim",
    "import_job_claim_next",
    "import_job_continue",
    "import_job_create",
    "import_job_run",
    "import_job_set_columns",
    "imports",
    "rules",
    "value_mapping_set",
    "worker_name",
]

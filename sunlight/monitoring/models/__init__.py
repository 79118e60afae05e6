"""The monitoring app's models: traces in (``traces``), rule sets (``rules``) and the runner's
bookkeeping and decisions (``checks``)."""

from sunlight.monitoring.models.checks import (
    CaseCheck,
    CheckRun,
    ClockTick,
    Decision,
    DecisionOutcome,
    RunStatus,
)
from sunlight.monitoring.models.rules import (
    ReferenceTable,
    ReferenceTableVersion,
    RuleSet,
    RuleSetVersion,
    RuleSwitch,
)
from sunlight.monitoring.models.traces import (
    DEFAULT_SOURCE,
    Case,
    ImportJob,
    ImportRowError,
    JobStatus,
    LogFormat,
    MappingKind,
    PushBatch,
    TraceEvent,
    ValueMapping,
)

__all__ = [
    "DEFAULT_SOURCE",
    "Case",
    "CaseCheck",
    "CheckRun",
    "ClockTick",
    "Decision",
    "DecisionOutcome",
    "ImportJob",
    "ImportRowError",
    "JobStatus",
    "LogFormat",
    "MappingKind",
    "PushBatch",
    "ReferenceTable",
    "ReferenceTableVersion",
    "RuleSet",
    "RuleSetVersion",
    "RuleSwitch",
    "RunStatus",
    "TraceEvent",
    "ValueMapping",
]

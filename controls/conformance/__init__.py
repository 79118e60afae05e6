"""Conformance of case traces to a process model (BPMN 2.0 or PNML) by token-based replay."""

from controls.conformance.bpmn import read_bpmn
from controls.conformance.cases import activity_traces, group_cases
from controls.conformance.petri import ModelError, PetriNet
from controls.conformance.pnml import read_pnml
from controls.conformance.replay import Deviation, LogFitness, Replayer, TraceReplay, log_fitness

__all__ = [
    "Deviation",
    "LogFitness",
    "ModelError",
    "PetriNet",
    "Replayer",
    "TraceReplay",
    "activity_traces",
    "group_cases",
    "log_fitness",
    "read_bpmn",
    "read_model",
    "read_pnml",
]


def read_model(path: str) -> PetriNet:
    """A BPMN (``.bpmn``) or PNML (``.pnml``) model file as a Petri net."""
    lowered = str(path).lower()
    if lowered.endswith((".bpmn", ".bpmn.xml")):
        return read_bpmn(path)
    if lowered.endswith(".pnml"):
        return read_pnml(path)
    raise ModelError(str(path), None, "unknown model format; use a .bpmn or .pnml file")

"""Every rule template, imported here so that each registers itself with the catalog.

A template module that is not written yet is skipped, so the rule engine keeps working while
templates are added one by one; any other import error still surfaces.
"""

from __future__ import annotations

import importlib

MODULES = (
    "duties",  # 1 separation / binding of duties
    "timing",  # 2 time limits in working days or hours; 8 time-of-day and calendar
    "data",  # 3 threshold -> required step; 7 no change after a step
    "discretion",  # 4 discretion band
    "first_offence",  # 5 first-offence exemption
    "declare",  # DECLARE constraints
    "recusal",  # 9 recusal against reference data
    "crosscase",  # 10 cross-case patterns
    "conformance",  # conformance to a process model
)


def _load(name: str) -> None:
    module = f"{__name__}.{name}"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Skip a template not written yet (or one built on a sibling not written yet); a
        # missing third-party or engine module is a real error and surfaces.
        if not (exc.name or "").startswith(f"{__name__}."):
            raise


for _name in MODULES:
    _load(_name)

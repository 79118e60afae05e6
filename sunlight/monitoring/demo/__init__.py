"""The demo bureau's year of business traces, its rule set, and the warnings they give.

``manage.py loaddemo`` (after the org demo) generates twelve months (2025-10-01 .. 2026-09-30) of
traces of the bureau's processes for its real posts and staff, with problems planted at
realistic rates; stores them through the event store; installs ``data/rules.yaml`` with its
reference tables as the rule set in force; runs the batch check over the period; and takes a few
of the warnings through their lifecycle. Everything is deterministic and idempotent.

    roster.py      who held which post when (plain data)
    schedule.py    the fixed period, working hours, placing steps on the official calendar
    processes.py   the processes: steps, posts, data, process-specific planted problems
    generator.py   the generator (a pure function of roster and seed) and what it plants
    queries.py     the roster read from the loaded org demo
    actions.py     the writers: store, install rules, check, walk warnings
    files.py       the traces as files for ``python -m controls check``
    data/          rules.yaml, discretion_bands.csv, relations.csv
"""

"""Sunlight's controls engine: rules of conduct checked over case traces.

Pure Python, no Django: it reads event logs (XES, CSV, JSON lines), runs a rule set incrementally
(``Monitor``) or in batch (``check``) with identical results, and reports findings traced to
case, post and person. ``python -m controls check --help`` runs it from the command line.
"""

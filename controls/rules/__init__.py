"""Rules of conduct as data: the catalog of templates, rule files, and the condition language.

``load_rules(path)`` reads and validates a rule file into a ``RuleSet``; ``controls.monitor``
runs it. Templates live in ``controls.rules.templates``; ``controls.rules.base`` explains how
to write one.
"""

from controls.rules.base import Params, Rule, RuleContext, RuleError, RuleSpec, register
from controls.rules.catalog import RuleSet, load_rules, parse_rules

__all__ = [
    "Params",
    "Rule",
    "RuleContext",
    "RuleError",
    "RuleSet",
    "RuleSpec",
    "load_rules",
    "parse_rules",
    "register",
]

"""The monitoring app's pages: imports, mappings and cases (``imports``); rules, reference
tables, switches, re-check runs and decisions (``rules``). ``urls`` names each view."""

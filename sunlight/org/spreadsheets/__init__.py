"""Excel (xlsx) in and out for the organisation's registers.

``columns`` is the one table of sheets, headers, allowed values and notes; ``workbook`` writes
templates and exports from it; ``importer`` reads a file back, validates all of it, and writes
through the actions only when every row is valid.
"""

"""Organisation pages: read pages (``pages``), create/edit forms (``edit``), the duty workflow
(``duties``) and, from another module, the spreadsheet import/export pages (``spreadsheets``)."""

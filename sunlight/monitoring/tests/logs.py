"""Small logs written for the tests: CSV rows of cases in the test world's units."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = "案件编号,环节,办理时间,经办人,岗位,单位,流程,amount\n"
STEPS = ("受理", "审核", "批准", "办结")


def csv_text(cases: int, bad_rows: tuple[int, ...] = ()) -> str:
    """``cases`` × 4 steps; the data rows numbered in ``bad_rows`` (header = row 1) get a bad
    time. Officers alternate between S-A (county A) and S-B (county B)."""
    out = io.StringIO()
    out.write(HEADER)
    # Naive on purpose: written without an offset, as exports are, and read as Beijing time.
    start = dt.datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001
    row = 1
    for n in range(cases):
        officer, post, unit = ("S-A", "PA1", "A1") if n % 2 == 0 else ("S-B", "PB1", "B1")
        for i, step in enumerate(STEPS):
            row += 1
            when = (start + dt.timedelta(hours=n, minutes=10 * i)).strftime("%Y-%m-%d %H:%M:%S")
            if row in bad_rows:
                when = "not a time"
            out.write(f"C{n:05d},{step},{when},{officer},{post},{unit},减免税审批,{1000 + n}\n")
    return out.getvalue()


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")

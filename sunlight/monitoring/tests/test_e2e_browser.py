"""End to end in real Chromium, against Sunlight run as ``make run`` runs it: a web server and a
``monitoring_worker`` process on a database of their own (a SQLite file, or a fresh PostgreSQL
database when ``DATABASE_URL`` names one).

The office installs a four-eyes rule in the rule editor, uploads a real public log (the WABO
receipt log, 8,577 events) on the upload page, and watches the progress bar: the worker is
paused (SIGSTOP) at a committed checkpoint midway, the bar must show exactly that, and after it
resumes the bar must reach done. The warnings the worker raised are compared with the cases a
direct reading of the XES file says break the rule; then one warning is followed from the queue
to its case timeline, where its evidence must be pinned on the two events that prove it.
"""

from __future__ import annotations

import collections
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from lxml import etree

from sunlight.core.testing import PASSWORD

CHROMIUM = os.environ.get("SUNLIGHT_CHROMIUM", "/usr/bin/chromium")
BASE_DIR = Path(django_settings.BASE_DIR)
ARTIFACTS = BASE_DIR / "test-artifacts"
LOG = BASE_DIR.parent / "shared" / "data" / "eventlogs" / "receipt_wabo_full.xes.gz"
FIRST = "T11 Create document X request unlicensed"
SECOND = "T12 Check document X request unlicensed"
RULES = f"""\
version: "wabo-1"
name: WABO 四眼原则
rules:
  - id: SOD-WABO-X
    template: separation_of_duties
    name: 文书X的制作与审核不得为同一人
    name_en: Document X is drawn up and checked by different people
    severity: high
    first: {FIRST}
    second: {SECOND}
"""

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)) and not os.environ.get("CI"):
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium); required when CI is set",
        allow_module_level=True,
    )
if not LOG.exists():
    pytest.skip(f"the public logs are not at {LOG.parent}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="session")
def base_url() -> str | None:
    return None


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 900}}


# --- the application, run as separate processes ---------------------------------------------


@dataclass
class Site:
    url: str
    env: dict[str, str]
    workdir: Path

    def manage(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a management command in the background; its output goes to a file."""
        with (self.workdir / f"{args[0]}.log").open("ab") as output:
            return subprocess.Popen(  # noqa: S603  (our own manage.py, fixed arguments)
                [sys.executable, str(BASE_DIR / "manage.py"), *args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def run(self, *args: str) -> None:
        done = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    def api(self, page: Any, path: str) -> Any:
        """GET a JSON answer of the REST API in the browser's session (no password hashing per
        request, so it can be asked often)."""
        answer = page.request.get(self.url + path)
        assert answer.ok, (path, answer.status, answer.text())
        return answer.json()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: a SQLite file, or a new PostgreSQL database next to the
    one ``DATABASE_URL`` names (the pytest process's test database lives in its memory or
    belongs to pytest-django; the server and the worker need one they can share)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'sunlight.sqlite3'}"
        return
    import psycopg

    server, name = given.rsplit("/", 1)
    name = f"{name}_browser_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SUNLIGHT_VAR_DIR": str(tmp_path / "var"),
        "SUNLIGHT_DEBUG": "1",  # as ``make run``: runserver serves the static files
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    site = Site(f"http://127.0.0.1:{port}", env, tmp_path)
    site.run("migrate", "--noinput", "-v", "0")
    site.run("shell", "-c", "from sunlight.core.testing import build_world; build_world()")
    server = site.manage("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
    try:
        _wait_until(lambda: _answers(site.url + "/login/"), what="the web server", limit=30)
        yield site
    finally:
        _stop(server)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our server)
            return True
    except OSError:
        return False


def _wait_until(check: Any, *, what: str, limit: float = 30.0, every: float = 0.1) -> Any:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if result := check():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- what the log itself says ----------------------------------------------------------------


def _breaches() -> set[tuple[str, str]]:
    """(case, officer) pairs where one officer did both steps, read straight from the XES."""
    xes = "{http://www.xes-standard.org/}"
    found: set[tuple[str, str]] = set()
    root = etree.fromstring(gzip.decompress(LOG.read_bytes()))
    for trace in root.iter(f"{xes}trace"):
        case = next(a.get("value") for a in trace if a.get("key") == "concept:name")
        by: dict[str, set[str]] = collections.defaultdict(set)
        for event in trace.iter(f"{xes}event"):
            values = {a.get("key"): a.get("value") for a in event}
            by[str(values.get("concept:name"))].add(str(values.get("org:resource")))
        found.update((str(case), officer) for officer in by[FIRST] & by[SECOND])
    return found


# --- the test ----------------------------------------------------------------------------------


def test_an_uploaded_real_log_becomes_warnings_pinned_on_case_timelines(
    site: Site, page: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(("data:", site.url)) else outside.append(r.url),
    )
    page.goto(f"{site.url}/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/")

    # The office installs the rule in the editor: saved as version 1 and in force.
    page.goto(f"{site.url}/monitoring/rules/new/")
    page.fill("#id_name", "WABO 四眼原则")
    page.fill("#id_text", RULES)
    page.click("#sl-rule-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/monitoring/rules/\d+/$"))
    [rule_set] = site.api(page, "/api/v1/rule-sets/")["results"]
    assert (rule_set["current"]["number"], rule_set["current"]["rule_ids"]) == (1, ["SOD-WABO-X"])

    # The upload page: the real log, gzipped XES; the job waits for the worker.
    page.goto(f"{site.url}/monitoring/imports/new/")
    page.set_input_files("#id_file", str(LOG))
    page.fill("#id_source_system", "wabo")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/monitoring/imports/\d+/$"))
    job_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    bar = page.locator("#sl-import-progress")
    assert bar.get_attribute("data-status") == "queued"
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "0"

    worker = site.manage("monitoring_worker", "--batch-size", "250", "--sleep", "0.1")
    try:
        done, total = _pause_midway(site, page, worker, job_id)
        # Paused at a committed checkpoint: the bar, polled by htmx, shows exactly that.
        percent = str(round(min(done / total, 0.99) * 100))  # as the page rounds it
        page.wait_for_function(
            "([n, p]) => document.querySelector('[data-count=read]')?.textContent.trim()"
            ".startsWith(n) && document.querySelector('[role=progressbar]')"
            ".getAttribute('aria-valuenow') === p",
            arg=[str(done), percent],
            timeout=15000,
        )
        assert bar.get_attribute("data-status") == "running"
        page.screenshot(path=str(ARTIFACTS / "e2e-import-midway.png"), full_page=True)
        worker.send_signal(signal.SIGCONT)

        # Resumed: the bar reaches done and the page reloads itself with the final counts.
        page.wait_for_selector("#sl-import-progress[data-status=done]", timeout=60000)
        assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
        job = site.api(page, f"/api/v1/imports/{job_id}/")
        assert (job["status"], job["stored"], job["duplicates"], job["errors"]) == (
            "done", 8577, 0, 0,
        )  # fmt: skip
        assert page.locator("[data-count=stored]").inner_text().strip() == "8577"
        page.screenshot(path=str(ARTIFACTS / "e2e-import-done.png"), full_page=True)

        # The worker checks the imported cases: one warning per officer who did both steps.
        expected = _breaches()
        assert len(expected) > 10
        warnings = _wait_until(
            lambda: _all_warnings(site, page, len(expected)),
            what="the warnings",
            limit=60,
            every=0.5,
        )
    finally:
        _stop(worker)
    raised = {(w["cases"][0], w["source_resource"]) for w in warnings}
    assert raised == expected
    assert {(w["rule"], w["stage"], w["severity"]) for w in warnings} == {
        ("SOD-WABO-X", "during", "high")
    }

    # The queue shows them; one is followed to its case timeline.
    page.goto(f"{site.url}/warnings/?rule=SOD-WABO-X")
    rows = page.locator("#sl-warnings tbody tr")
    assert rows.count() == min(len(expected), 25)
    page.screenshot(path=str(ARTIFACTS / "e2e-warnings-queue.png"), full_page=True)
    first = rows.first
    warning_id = int(str(first.get_attribute("data-warning")))
    first.locator("td").nth(1).locator("a").click()
    page.wait_for_url(f"{site.url}/warnings/{warning_id}/")
    detail = site.api(page, f"/api/v1/warnings/{warning_id}/")
    evidence = {e["id"]: e for e in detail["evidence"]}
    assert {e["activity"] for e in evidence.values()} == {FIRST, SECOND}
    assert {e["source_resource"] for e in evidence.values()} == {detail["source_resource"]}
    assert page.locator("#sl-evidence tbody tr").count() == len(evidence)

    page.locator("dd a[href*='/monitoring/cases/']").first.click()
    page.wait_for_url(re.compile(r".*/monitoring/cases/\d+/$"))
    timeline = page.locator("#sl-timeline tbody tr")
    assert timeline.count() >= len(evidence) + 1  # the whole trace, not only the evidence
    pinned = page.locator("#sl-timeline tbody tr:has(a.sl-pin)")
    pinned_ids = {int(str(r)) for r in pinned.evaluate_all("rs => rs.map(r => r.dataset.event)")}
    assert pinned_ids == set(evidence)
    for event_id in evidence:
        pin = page.locator(f"#event-{event_id} a.sl-pin")
        assert pin.inner_text() == "SOD-WABO-X"
        assert pin.get_attribute("href") == f"/warnings/{warning_id}/"
    assert detail["cases"][0] in page.locator("h2.page-title").inner_text()
    page.screenshot(path=str(ARTIFACTS / "e2e-case-timeline.png"), full_page=True)
    assert outside == []


def _pause_midway(
    site: Site, page: Any, worker: subprocess.Popen[bytes], job_id: int
) -> tuple[int, int]:
    """Once the worker has claimed the job, let it run in short slices, stopped in between,
    until the job has committed some batches but not all; leave it stopped there and answer
    (records done, records total)."""
    url = f"/api/v1/imports/{job_id}/"
    end = time.monotonic() + 45
    while site.api(page, url)["status"] == "queued":  # the worker is starting
        assert worker.poll() is None, "the worker died"
        assert time.monotonic() < end, "the worker never started"
    while time.monotonic() < end:
        worker.send_signal(signal.SIGSTOP)
        job = site.api(page, url)
        done, total = job["records_read"], job["records_total"]
        if total and 0 < done < total:
            return done, total
        assert (job["status"], done) == ("running", 0), f"missed the middle: {job}"
        worker.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    raise AssertionError("the import never showed a checkpoint midway")


def _all_warnings(site: Site, page: Any, expected: int) -> list[dict[str, Any]] | None:
    found = site.api(page, "/api/v1/warnings/?rule=SOD-WABO-X&limit=500")
    return found["results"] if found["count"] >= expected else None

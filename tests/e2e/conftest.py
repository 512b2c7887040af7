"""Browser tests: Playwright driving Debian's chromium (headless) against pytest-django's live server.

Playwright cannot download browsers here, so the tests launch `/usr/bin/chromium` (or
`$MSINFUSION_CHROMIUM`). When it is missing the tests are skipped with a message, unless
`MSINFUSION_REQUIRE_BROWSER` is set (CI), in which case the run fails. Every page visited is checked
for console errors, uncaught exceptions and Content-Security-Policy violations.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make themselves
# (setting up data, checking the domain's answer) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("MSINFUSION_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent

CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__msinfusionCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}`);
});
"""


def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if Path(str(item.fspath)).is_relative_to(HERE)]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if not ours or CHROMIUM.exists():
        return
    if os.environ.get("MSINFUSION_REQUIRE_BROWSER"):
        raise pytest.UsageError(
            f"MSINFUSION_REQUIRE_BROWSER is set but {CHROMIUM} is missing "
            "(install Debian's chromium: apt-get install chromium)"
        )
    skip = pytest.mark.skip(
        reason=f"browser tests need Debian's chromium at {CHROMIUM} "
        "(apt-get install chromium, or scripts/ensure-chromium.sh); "
        "set MSINFUSION_REQUIRE_BROWSER=1 to make this an error"
    )
    for item in ours:
        item.add_marker(skip)


def _audit_migration():
    return importlib.import_module("msinfusion.web.audit.migrations.0002_append_only")


def _run(statements) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _drop_audit_triggers() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        _run(
            [
                "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent",
                "DROP TRIGGER IF EXISTS audit_no_update_delete ON audit_auditevent",
                "DROP FUNCTION IF EXISTS audit_append_only()",
            ]
        )
    else:
        _run(["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"])


def _create_audit_triggers() -> None:
    from django.db import connection

    module = _audit_migration()
    _drop_audit_triggers()
    _run(module.POSTGRES if connection.vendor == "postgresql" else module.SQLITE)


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_restored(django_db_blocker):
    """After this folder's tests, the audit log is append-only again for any test that follows."""
    yield
    with django_db_blocker.unblock():
        _create_audit_triggers()


@pytest.fixture
def live_db(transactional_db):
    """A database the live server thread sees (committed rows), emptied after the test.

    The audit log's triggers refuse DELETE and TRUNCATE, which is exactly what the flush at the end
    of a transactional test does: they are in place during the test and lifted for the flush.
    """
    _create_audit_triggers()
    yield
    _drop_audit_triggers()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class UI:
    """One browser tab with the checks every page must pass."""

    page: object
    base_url: str
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        self.visited.append(self.page.url)
        return response

    def login(self, username: str, password: str) -> None:
        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state("networkidle")
        self.visited.append(self.page.url)

    def submit(self, button: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button).click()
        self.page.wait_for_load_state("networkidle")
        self.visited.append(self.page.url)

    def console(self, msg) -> None:
        # The browser asks for /favicon.ico by itself; the app links no icon, so that one 404 is
        # the browser's doing, not a page's.
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not where.endswith("/favicon.ico"):
            self.problems.append(f"console {msg.type}: {msg.text} ({self.page.url})")

    def assert_clean(self) -> None:
        """0 console errors, 0 uncaught exceptions, 0 CSP violations on every page so far."""
        assert self.problems == [], f"on {self.visited}: {self.problems}"


@pytest.fixture
def ui(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    tab = UI(page, live_server.url)
    page.on("console", tab.console)
    page.on("pageerror", lambda exc: tab.problems.append(f"uncaught: {exc} ({page.url})"))
    page.on(
        "response",
        lambda r: (
            tab.problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.expose_function("__msinfusionCsp", lambda text: tab.problems.append(f"CSP: {text}"))
    page.add_init_script(CSP_LISTENER)
    yield tab
    context.close()

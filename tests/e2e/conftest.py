"""Browser tests: Debian's Chromium driven by Playwright against gunicorn on a loopback
port, serving the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

Every test here is marked ``browser`` (``make e2e`` runs just these). Without Chromium,
Playwright or axe-core they are skipped with the reason, unless EVENTSAPP_E2E_REQUIRED=1
(CI sets it), which makes that a failure.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e import support
from tests.live_server import LiveServer


def _required() -> bool:
    return os.environ.get(support.REQUIRED_ENV, "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    gaps = support.missing()
    reason = "browser tests need " + "; ".join(gaps) + " (or run `make e2e-deps`)"
    for item in items:
        if support.HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if gaps and not _required():
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item):
    if support.HERE in item.path.parents and _required():
        gaps = support.missing()
        if gaps:
            pytest.fail(f"{support.REQUIRED_ENV} is set but these are missing: {'; '.join(gaps)}")


@pytest.fixture(scope="package")
def live_server(_schema, tmp_path_factory):
    """gunicorn on a loopback port serving the test database. Rate limits are off: these
    tests log in and submit far more often than a person would."""
    server = LiveServer(
        _schema,
        tmp_path_factory.mktemp("e2e-server") / "gunicorn.log",
        workers=2,
        threads=4,
        extra_env={"RATELIMIT_ENABLED": "0"},
    )
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(support.CHROMIUM), headless=True, args=support.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(width="desktop"|"phone", bypass_csp=False, storage_state=None)``: a page
    in a fresh browser context (its own cookies) on the live server. An uncaught script
    error, or anything the Content-Security-Policy blocks, fails the test."""
    contexts = []
    problems: list[str] = []

    def make(width: str = "desktop", bypass_csp: bool = False, storage_state=None):
        w, h = support.WIDTHS[width]
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": w, "height": h},
            bypass_csp=bypass_csp,
            storage_state=storage_state,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda msg: problems.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)
        page.on("response", lambda response: problems.append(
            f"{response.status} from {response.request.method} {response.url}")
                if response.status >= 500 else None)
        return page

    yield make
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser reported:\n" + "\n".join(problems)
                    + "\n--- server log (end) ---\n" + live_server.log()[-3000:])


@pytest.fixture
def page(new_page):
    return new_page()

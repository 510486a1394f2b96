"""Browser journeys: the app served by a real HTTP server, driven by Debian's Chromium.

Each test gets its own server (werkzeug, on 127.0.0.1 and a free port, in a thread) on its own
copy of a SQLite file with the demo loaded once per session, so journeys never see each
other's changes. The browser is `/usr/bin/chromium` (Debian's package; `make` installs it):
never a browser downloaded by Playwright. Without it the journeys are skipped, except on CI
(CI=true), where that is a failure; the same holds for axe-core in node_modules.

The demo's world stands still on 15 December 2021, after its last recorded update, so "this
quarter" means something and the screenshots are the same on every run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import FileSystemBytecodeCache
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import BaseWSGIServer, make_server

from config import TestConfig
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.demo import load_demo
from tracker.passwords import Passwords
from wsgi import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEMO_NOW = datetime(2021, 12, 15, 9, 0, tzinfo=UTC)
TIMEOUT_MS = 15_000
# A demo activity of Werkgroep PR & Communicatie, gepland: the third block under the heading
# "Spirituele zorg in de eerstelijns", titled by its own objective.
PR_ACTIVITY = (
    "Spirituele zorg in de eerstelijns: Bij verwijzers is bekend wat de meerwaarde is van…"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, headless; `--no-sandbox` because tests run as root in containers."""
    if not CHROMIUM.exists():
        if ON_CI:
            pytest.fail(f"Chromium is required on CI but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        # No sandbox as root; nothing that reaches out (the machine's network is closed).
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--font-render-hinting=none",
        ],
        "timeout": 30_000,
    }


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """None: each test's own server gives the address (and pytest-playwright's own
    fixture, a method on a plugin class, trips pytest's deprecation warning)."""
    return None


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the demo plans, accounts and history: made once, copied per test."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = Database(f"sqlite:///{path}")
    db.create_schema()
    load_demo(db, Passwords(1, 8, 1))
    db.dispose()
    return path


@dataclass
class LiveServer:
    url: str
    app: Flask

    @property
    def db(self) -> Database:
        database: Database = self.app.extensions["tracker"].db
        return database


@pytest.fixture
def live_server(
    demo_database: Path, tmp_path: Path, templates_compiled: FileSystemBytecodeCache
) -> Iterator[LiveServer]:
    """The app behind a real HTTP server on 127.0.0.1, CSRF on, on a copy of the demo."""
    path = tmp_path / "tracker.db"
    shutil.copy(demo_database, path)
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(DATABASE_URL=f"sqlite:///{path}", WTF_CSRF_ENABLED=True, TESTING=False)
    app = create_app(config, clock=FixedClock(DEMO_NOW))
    app.jinja_env.bytecode_cache = templates_compiled
    app.instance_path = str(tmp_path)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["tracker"].db.dispose()


CONTEXT = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam", "accept_downloads": True}
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own cookies) on the live server."""
    contexts: list[BrowserContext] = []

    def open_(screen: dict[str, Any] = LAPTOP) -> Page:
        context = browser.new_context(base_url=live_server.url, **CONTEXT, **screen)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A laptop-sized page whose relative addresses go to the live server."""
    return open_page(LAPTOP)


@pytest.fixture
def phone(open_page: Callable[..., Page]) -> Page:
    """A 375 px wide phone screen with touch."""
    return open_page(PHONE)

"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page(monkeypatch) -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(locale="zh-CN")
        yield page
        # ORM calls made while Playwright runs get their own connection (its own context); close it
        # here so the test database can be dropped.
        connections.close_all()
        browser.close()

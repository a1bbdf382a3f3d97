"""Headless Debian Chromium for the browser tests: one way to find it, skip without it, and start it offline."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NEEDS_CHROMIUM = (
    "needs Debian chromium and chromium-driver (apt-get install -y chromium chromium-driver; `make test` does it)"
)


def chromium_present() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def start_chromium(window: str, *extra_flags: str) -> Any:
    """A headless Chromium WebDriver (window `W,H`), Vietnamese locale, no network lookups; skips without it.
    `extra_flags` go to Chromium as they are (e.g. `--host-resolver-rules=…` to cut it off from other hosts)."""
    if not chromium_present():
        pytest.skip(NEEDS_CHROMIUM)
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--window-size={window}",
        "--lang=vi",
        *extra_flags,
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)

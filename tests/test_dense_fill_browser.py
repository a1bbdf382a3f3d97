"""The workdesk says which search answered while the dense vectors are still being computed, then that it is hybrid.

A real Chromium against the served app over a data dir whose chunks have no dense vector yet (as after `make demo`'s
ingest): the background fill is held after its first batch, so the answer is found by BM25 and the bubble says so
("đang tính vector ngữ nghĩa N %"), readable in light mode at 1440 px and in dark mode on a 390-px phone; once the
fill is let go and completes, the next answer says "kết hợp". Screenshots in
tests/artifacts/workdesk_search_mode_*.png.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.browser import NEEDS_CHROMIUM, chromium_present
from tests.test_dense_fill import BOUND_S, eventually, ingested, now

if not chromium_present():
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")

from app.accounts import Accounts  # noqa: E402
from app.services import Services  # noqa: E402
from ingest.model import AccessLevel  # noqa: E402
from tests.test_workdesk_browser import Desk, ask, log_in, served, shot, text_of  # noqa: E402
from tests.test_workdesk_look import CONTRAST_JS, MIN_CONTRAST  # noqa: E402
from tests.test_workdesk_validity_browser import browser_at  # noqa: E402

QUESTION = "Đóng dấu giáp lai thế nào?"
MODE = "#kho-chat .kho-cach-tim"


# Scrolls the element into view, then whether it is what the page shows at its centre (not clipped by a
# scrolling container, not covered).
ON_SCREEN_JS = """
const e = document.querySelector(arguments[0]);
if (arguments[1]) e.scrollIntoView({block: 'center'});
const r = e.getBoundingClientRect();
const hit = document.elementFromPoint(r.left + Math.min(8, r.width / 2), r.top + r.height / 2);
return r.top >= 0 && r.bottom <= window.innerHeight && hit !== null && (hit === e || e.contains(hit));
"""


def test_the_answer_says_bm25_while_vectors_are_computed_then_hybrid(tmp_path: Path) -> None:
    settings = ingested(tmp_path)
    services = Services(settings)
    services.catch_up()
    paused, go_on = threading.Event(), threading.Event()

    def hold_after_first_batch(n: int) -> None:
        if not paused.is_set():
            paused.set()
            go_on.wait(BOUND_S)

    services.start_dense_fill(on_batch=hold_after_first_batch)
    accounts = Accounts.from_settings(settings)
    keys = {"staff": accounts.add("can-bo-cong-khai", "staff", AccessLevel.PUBLIC)}
    try:
        assert paused.wait(BOUND_S), "the fill never stored a batch"
        with served(settings, services, accounts) as url:
            desk = Desk(url, keys, services, tmp_path)
            for window, dark, name in (("1440,1200", False, "light"), ("390,844", True, "dark_390px")):
                browser = browser_at(window, dark=dark)
                try:
                    log_in(browser, desk, "staff")
                    ask(browser, QUESTION)
                    label = text_of(browser, MODE)
                    assert label.startswith("Tìm kiếm: từ khóa (BM25) — đang tính vector ngữ nghĩa "), label
                    assert label.endswith(" %")
                    contrast = browser.execute_script(CONTRAST_JS, MODE)
                    assert contrast is not None and contrast >= MIN_CONTRAST, contrast
                    if window.startswith("390"):
                        wide = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                        assert wide <= 2, f"the page is {wide}px wider than the phone"
                    # The line itself in the picture, not the end of the answer: the chat scrolls itself to its
                    # end after an answer, so scroll until the line is what the page shows at its place.
                    on_screen = partial(browser.execute_script, ON_SCREEN_JS, MODE)

                    def settled(check: Callable[[str, bool], Any] = on_screen) -> bool:
                        """Scrolled to, and still there a second later (the chat's own scrolling has stopped)."""
                        check(True)
                        time.sleep(1.0)
                        return bool(check(False))

                    eventually(settled, f"the search-mode line on screen ({name})")
                    shot(browser, f"workdesk_search_mode_filling_{name}.png")
                finally:
                    browser.quit()
            go_on.set()
            eventually(lambda: now(services).mode == "hybrid", "search switches to hybrid")
            browser = browser_at("1440,1200")
            try:
                log_in(browser, desk, "staff")
                ask(browser, QUESTION)
                assert text_of(browser, MODE) == "Tìm kiếm: kết hợp (BM25 + ngữ nghĩa)"
                shot(browser, "workdesk_search_mode_hybrid.png")
            finally:
                browser.quit()
    finally:
        go_on.set()  # never leave the fill thread waiting: `close` waits for it

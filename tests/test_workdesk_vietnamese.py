"""Every visible string of the workdesk is Vietnamese: Gradio's own English ("Drop File Here", "Copy message",
"Search…", toasts…) must not show, whatever the browser's language.

The real app (`ui.server.create_app`) is served as in tests/test_workdesk_browser.py; an admin logs in, asks one
question on "Hỏi đáp" (so the chat shows its buttons; the history and feedback boxes opened), opens "Pháp chế"
and "Quản trị" (upload area, document table with its search box), then tries a file type the desk refuses
(Gradio's client-side toast). On each screen the test reads
`document.body.innerText` and the `title`, `aria-label`, `placeholder` and `alt` attributes of every visible element
and looks for known English Gradio words. It runs twice: with a Vietnamese browser and with an English one.
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARTIFACTS, NEEDS_CHROMIUM, chromium_present, start_chromium

if not chromium_present():
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

from tests.test_workdesk_browser import (  # noqa: E402
    Desk,
    ask,
    desk,  # noqa: F401  (the module-scoped served app, reused here)
    log_in,
    one,
    open_tab,
    text_of,
    wait_for,
)

# Gradio's English, as a person would see or hear it (screen readers read aria-label and title).
ENGLISH = (
    "Drop File Here",
    "Click to Upload",
    "Copy message",
    "Copied",
    "Search",
    "Clear",
    "Loading",
    "Built with",
    "Use via API",
    "Settings",
    "Error",
    "Warning",
    "Upload",
    "Invalid file",
    "Only",
    "allowed",
    "Copy",
    "Like",
    "Dislike",
    "Download",
    "Remove",
    "Fullscreen",
    "Sort",
    "Filter",
    "Submit",
    "Retry",
    "Undo",
    "Empty",
)
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.IGNORECASE)

# What a person sees: the page text and the words of the visible elements' tooltips / accessible names.
VISIBLE_WORDS_JS = """
const out = [document.body.innerText];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  const st = getComputedStyle(el);
  if ((r.width === 0 && r.height === 0) || st.visibility === 'hidden' || st.display === 'none') continue;
  for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
    const v = el.getAttribute(a);
    if (v) out.push(a + '=' + v);
  }
}
return out.join('\\n');
"""

WRONG_TYPE = "danh-sach.exe"


def english_in(text: str) -> list[str]:
    """The lines of `text` holding an English Gradio word (our own text is Vietnamese, ids and URLs aside)."""
    return sorted({line.strip() for line in text.splitlines() if ENGLISH_RE.search(line)})


def look(driver: WebDriver, name: str, seen: dict[str, list[str]]) -> None:
    """Record the English found on this screen and keep a screenshot of it."""
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"workdesk_vi_{name}.png"))
    seen[name] = english_in(str(driver.execute_script(VISIBLE_WORDS_JS)))


@pytest.fixture(params=["vi", "en-US"])
def browser(request: pytest.FixtureRequest) -> Iterator[WebDriver]:
    # The last --lang wins in Chromium: the second run is a person whose browser is English.
    driver: WebDriver = start_chromium("1440,1200", f"--lang={request.param}")
    driver.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": request.param})  # navigator.language follows it
    try:
        yield driver
    finally:
        driver.quit()


def test_the_workdesk_shows_no_english_gradio_text(desk: Desk, browser: WebDriver, tmp_path: Path) -> None:  # noqa: F811
    seen: dict[str, list[str]] = {}
    lang = str(browser.execute_script("return navigator.language"))
    log_in(browser, desk, "admin")

    open_tab(browser, "Hỏi đáp")
    look(browser, f"ask_{lang}", seen)
    ask(browser, "Đóng dấu giáp lai thế nào?")  # the chat's own buttons (👍/👎, clear) and the answer's controls
    browser.find_element(By.CSS_SELECTOR, "#kho-history .label-wrap").click()
    browser.find_element(By.CSS_SELECTOR, "#kho-feedback .label-wrap").click()
    look(browser, f"answer_{lang}", seen)

    open_tab(browser, "Pháp chế")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-legal").is_displayed(), timeout=20)
    look(browser, f"legal_{lang}", seen)

    open_tab(browser, "Quản trị")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-admin").is_displayed(), timeout=20)
    wait_for(browser, lambda d: "12/2098/NĐ-CP" in text_of(d, "#kho-documents"), timeout=30)
    look(browser, f"admin_{lang}", seen)

    # The document table's search box: open it if it sits behind a button, type into it.
    box = one(browser, "#kho-documents input[type=text], #kho-documents input[type=search]")
    if box is not None and box.is_displayed():
        box.send_keys("2098")
    look(browser, f"admin_search_{lang}", seen)

    # A file type the desk refuses: Gradio says so in a toast before anything reaches the server.
    wrong = tmp_path / WRONG_TYPE
    wrong.write_bytes(b"MZ not a legal document")
    browser.find_element(By.CSS_SELECTOR, "#kho-upload-files input[type=file]").send_keys(str(wrong))
    wait_for(browser, lambda d: WRONG_TYPE in str(d.execute_script("return document.body.innerText")), timeout=20)
    toast = str(browser.execute_script("return document.body.innerText"))
    look(browser, f"admin_wrong_type_{lang}", seen)
    assert WRONG_TYPE in toast, toast  # the toast names the file…
    assert "Không nhận loại tệp này" in toast, toast  # …in Vietnamese

    found = {screen: lines for screen, lines in seen.items() if lines}
    (ARTIFACTS / f"workdesk_vi_english_{lang}.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not found, "English Gradio text on the workdesk:\n" + json.dumps(found, ensure_ascii=False, indent=1)


def test_the_bold_labels_use_a_face_with_vietnamese_letters(desk: Desk, browser: WebDriver) -> None:  # noqa: F811
    """Bold/semibold text ("Mức truy cập", panel titles) must not fall back glyph by glyph: the first family of
    the page's font stack has a face at 600 and 700 that holds the Vietnamese letters."""
    log_in(browser, desk, "admin")
    probe: Any = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const label = document.querySelector('#kho-upload-level span, .block-title, label span') || document.body;
        const family = getComputedStyle(label).fontFamily;
        const first = family.split(',')[0].trim();
        const sample = 'bản văn bản đã được lập chỉ mục Ả Ạ Ế Ữ Đ';
        Promise.all([
          document.fonts.load('600 16px ' + first, sample),
          document.fonts.load('700 16px ' + first, sample),
        ]).then(([semi, bold]) => done({family, semi: semi.map(f => f.family + ' ' + f.weight),
                                        bold: bold.map(f => f.family + ' ' + f.weight)}));
        """
    )
    assert probe["semi"] and probe["bold"], probe
    assert not any("IBM Plex Sans" in f and " 600" in f for f in probe["semi"]), probe  # its 600 has no Vietnamese

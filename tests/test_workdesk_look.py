"""The workdesk reads right in light and dark mode and on a 390-px phone (issue 15, item 5).

Dark mode follows the system: before, the source article, its highlight and the panel headings were unreadable in
it (dark ink on a dark page, or light ink on the article's light paper). Here a real Chromium asks a question, opens
the citation, and measures the WCAG contrast of the text a reader needs — the answer, the cards, the panel headings,
the source article and its highlighted clause — against the background actually painted behind it (the nearest
ancestor with an opaque background). Screenshots in tests/artifacts/workdesk_look_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_workdesk_browser import TELEWORK_QUESTION, Desk, ask, log_in, one, shot, wait_for
from tests.test_workdesk_browser import desk as desk  # noqa: F401  (the served workdesk, module scope)
from tests.test_workdesk_validity_browser import browser_at

pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

# The text a reader needs, and the contrast each must have (WCAG AA: 4.5 for body text).
READ = {
    "answer": "#kho-chat .kho-answer-body",
    "search mode": "#kho-chat .kho-cach-tim",  # which search ran (issue 17): shown, and readable
    "panel heading": ".kho-panel-title",
    "card anchor": "#kho-citations .kho-cite .kho-anchor",
    "card fact": "#kho-citations .kho-cite dd",
    "source article": "#kho-source .kho-article",
    "highlighted clause": "#kho-source mark.kho-cited",
}
MIN_CONTRAST = 4.5
# Whether the latest answer's head (its badge line) is inside the chat's visible box.
HEAD_IN_VIEW_JS = """
const heads = document.querySelectorAll('#kho-chat .kho-answer-head');
const head = heads[heads.length - 1];
const chat = document.querySelector('#kho-chat');
if (!head || !chat) return false;
const h = head.getBoundingClientRect(), c = chat.getBoundingClientRect();
return h.top >= c.top - 1 && h.bottom <= c.bottom + 1;
"""

CONTRAST_JS = """
const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const el = document.querySelector(arguments[0]);
if (!el) return null;
const fg = parse(getComputedStyle(el).color);
let bg = null; let n = el;
while (n && n.nodeType === 1) {
  const c = parse(getComputedStyle(n).backgroundColor);
  if (c && c.a > 0.5) { bg = c; break; }
  n = n.parentElement;
}
const dark = document.querySelector('.dark') !== null;
if (!bg) { bg = dark ? {r: 11, g: 15, b: 25} : {r: 255, g: 255, b: 255}; }
const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
return (a + 0.05) / (b + 0.05);
"""


@pytest.fixture(
    params=[("1440,1200", True), ("390,844", False), ("390,844", True)], ids=["dark", "phone", "phone-dark"]
)
def looked_at(request: pytest.FixtureRequest) -> Iterator[tuple[WebDriver, str]]:
    window, dark = request.param
    driver = browser_at(window, dark=dark)
    try:
        yield driver, ("dark" if dark else "light") + ("_390px" if window.startswith("390") else "")
    finally:
        driver.quit()


def test_what_a_reader_needs_has_enough_contrast_in_dark_mode_and_on_a_phone(
    desk: Desk,  # noqa: F811
    looked_at: tuple[WebDriver, str],
) -> None:
    browser, name = looked_at
    log_in(browser, desk, "staff")
    ask(browser, TELEWORK_QUESTION)
    if "390px" in name:
        # the banner is a strip, not half the first screen; the chat shows where the answer starts, not its end
        banner = browser.execute_script("return document.querySelector('#kho-banner').getBoundingClientRect().height")
        assert banner < 0.2 * 844, f"the banner is {banner}px high on an 844-px phone"
        wait_for(browser, lambda d: d.execute_script(HEAD_IN_VIEW_JS), timeout=10)
    card = browser.find_element(By.CSS_SELECTOR, "#kho-citations .kho-cite[data-marker='1']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
    card.click()
    wait_for(browser, lambda d: one(d, "#kho-source mark.kho-cited"))
    if name.startswith("dark"):
        assert browser.execute_script("return document.querySelector('.dark') !== null"), "dark mode did not apply"
    found = {what: browser.execute_script(CONTRAST_JS, css) for what, css in READ.items()}
    low = {what: round(c, 2) for what, c in found.items() if c is not None and c < MIN_CONTRAST}
    missing = [what for what, c in found.items() if c is None]
    shot(browser, f"workdesk_look_{name}.png")
    assert not missing, missing
    assert not low, f"contrast below {MIN_CONTRAST}: {low}"
    if "390px" in name:  # the phone: nothing wider than the screen
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 2, f"the page is {overflow}px wider than the phone"

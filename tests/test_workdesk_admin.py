"""The workdesk's "Quản trị" tab: current values prefilled, human labels, confirmation before restricting or
deleting, re-index, replace, and the original file's download route.

Handlers run against real Services over the fixture corpus (Qdrant Edge); each test that changes a document
uploads its own first, so the tests do not depend on each other's order. One Chromium test drives the tab.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import gradio as gr
import httpx
import pytest

from app.accounts import Accounts
from app.services import Principal, Services
from ingest.model import AccessLevel
from tests.browser import NEEDS_CHROMIUM, chromium_present
from tests.test_api import LiveServer
from tests.test_assistant import injected_world
from tests.test_index_search import World
from ui import render
from ui.render import escape
from ui.security import UploadLedger
from ui.server import create_app
from ui.workdesk import NO_ADMIN, Workdesk

ADMIN = Principal("quan.tri", "admin", AccessLevel.RESTRICTED)
STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)
NO_REQUEST = cast(gr.Request, None)
RESTRICTED_NUMBER = "5/2097/QĐ-BNV"  # the fixture's restricted decision
UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b|\b[0-9a-f]{32}\b")


def circular(n: int, body: str = "Cơ quan bố trí cán bộ trực ban trong các ngày nghỉ lễ theo lịch được duyệt.") -> str:
    return f"BỘ NỘI VỤ\nSố: {n}/2091/TT-BNV\n\nTHÔNG TƯ\nVỀ TRỰC BAN THỬ NGHIỆM SỐ {n}\n\nĐiều 1. Trực ban\n{body}\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = injected_world(tmp_path_factory.mktemp("admin"))
    yield w
    w.close()


@pytest.fixture(scope="module")
def services(world: World) -> Iterator[Services]:
    s = Services(world.settings, registry=world.registry, store=world.store)
    yield s
    s.close()


@pytest.fixture
def ledger(tmp_path: Path) -> UploadLedger:
    return UploadLedger(tmp_path / "gradio")


@pytest.fixture
def desk(services: Services, ledger: UploadLedger) -> Workdesk:
    return Workdesk(services, identify=lambda r: ADMIN, uploads=ledger)


def fresh(services: Services, n: int, level: AccessLevel = AccessLevel.PUBLIC) -> str:
    """Upload a new one-article circular numbered `n`; its document id."""
    [result] = services.upload(ADMIN, [(f"thong-tu-{n}.txt", circular(n).encode())], level)
    assert result.state == "indexed", result
    return result.documents[0]


def listed(services: Services, doc_id: str) -> Any:
    return next((d for d in services.list_documents(ADMIN) if d.id == doc_id), None)


def by_number(services: Services, so_hieu: str) -> str:
    return next(d.id for d in services.list_documents(ADMIN) if d.meta.so_hieu == so_hieu)


# --- prefilling ---------------------------------------------------------------------------------------------------


def test_picking_a_document_prefills_its_current_level_validity_and_reason(desk: Workdesk, services: Services) -> None:
    doc = fresh(services, 101)
    services.set_access_level(ADMIN, doc, AccessLevel.INTERNAL)
    services.set_validity(ADMIN, doc, "het_hieu_luc", "Thay thế bởi Thông tư 7/2092/TT-BNV")

    level, validity, reason, link, access_row, delete_row = desk.prefill(doc, NO_REQUEST)
    assert (level, validity, reason) == ("internal", "het_hieu_luc", "Thay thế bởi Thông tư 7/2092/TT-BNV")
    assert f'href="/documents/{doc}/original"' in link and "thong-tu-101.txt" in link
    assert access_row == delete_row == gr.update(visible=False)  # a pending confirmation is about another choice

    # A row of the table picks the same document, though the row carries no id.
    row = render.document_row(listed(services, doc))
    picked = desk.pick_document(gr.SelectData(None, {"index": [0, 0], "value": row[0], "row_value": row}), NO_REQUEST)
    assert picked == gr.update(value=doc)


def test_tables_and_the_choice_show_numbers_and_titles_not_ids(desk: Workdesk, services: Services) -> None:
    table, choice = desk.refresh_documents(NO_REQUEST)
    docs = services.list_documents(ADMIN)
    ids = {d.id for d in docs}
    rows = table["value"]
    assert len(rows) == len(docs) and rows
    cells = [str(c) for row in rows for c in row]
    assert not ids & set(cells) and not any(UUID.search(c) for c in cells)
    assert any(row[0] == RESTRICTED_NUMBER for row in rows)  # số hiệu leads
    assert render.DOCUMENT_COLUMNS[:2] == ["Số hiệu", "Tên văn bản"] and len(render.DOCUMENT_COLUMNS) == len(rows[0])
    labels = dict((value, label) for label, value in choice["choices"])
    restricted = by_number(services, RESTRICTED_NUMBER)
    assert set(labels) == ids and labels[restricted].startswith(f"{RESTRICTED_NUMBER} — ")
    files = desk.file_table(NO_REQUEST)["value"]
    assert files and not any(UUID.search(str(c)) for row in files for c in row)


# --- confirmation -------------------------------------------------------------------------------------------------


def test_restricting_waits_for_confirmation_and_cancel_changes_nothing(desk: Workdesk, services: Services) -> None:
    doc = fresh(services, 102)
    row, text, pending, status, table, choice = desk.ask_access(doc, "restricted", NO_REQUEST)
    assert row == gr.update(visible=True) and "Công khai" in text and "Hạn chế" in text
    assert pending == {"doc": doc, "level": "restricted"} and table == choice == gr.skip()
    assert listed(services, doc).meta.access_level is AccessLevel.PUBLIC  # nothing changed yet

    hidden, cleared, cancelled = desk.cancel_pending()
    assert hidden == gr.update(visible=False) and cleared is None and "Đã hủy" in cancelled
    assert listed(services, doc).meta.access_level is AccessLevel.PUBLIC

    hidden, cleared, done, _, _ = desk.confirm_access(pending, NO_REQUEST)
    assert "Đã đặt mức truy cập" in done and hidden == gr.update(visible=False) and cleared is None
    assert listed(services, doc).meta.access_level is AccessLevel.RESTRICTED
    assert not any(d.id == doc for d in services.list_documents(STAFF))  # the public reader lost it


def test_lowering_a_level_needs_no_confirmation(desk: Workdesk, services: Services) -> None:
    doc = fresh(services, 103, AccessLevel.RESTRICTED)
    row, _, pending, status, _, _ = desk.ask_access(doc, "public", NO_REQUEST)
    assert row == gr.update(visible=False) and pending is None and "Đã đặt mức truy cập" in status
    assert listed(services, doc).meta.access_level is AccessLevel.PUBLIC


def test_delete_waits_for_confirmation(desk: Workdesk, services: Services) -> None:
    doc = fresh(services, 104)
    row, text, pending, _ = desk.ask_delete_document(doc, NO_REQUEST)
    assert row == gr.update(visible=True) and "104/2091/TT-BNV" in text and pending == doc
    assert listed(services, doc) is not None  # asked, not deleted
    assert desk.delete_document(None, NO_REQUEST)[2] == ""  # "Xóa hẳn" with nothing pending deletes nothing
    assert listed(services, doc) is not None

    hidden, cleared, status, table, choice = desk.delete_document(pending, NO_REQUEST)
    assert "Đã xóa" in status and hidden == gr.update(visible=False) and cleared is None
    assert listed(services, doc) is None and doc not in {v for _, v in choice["choices"]}
    assert any(e.ref == doc for e in services.audit.events(event="delete"))


# --- re-index and replace -----------------------------------------------------------------------------------------


def test_reindex_puts_a_document_back_into_the_index(desk: Workdesk, services: Services) -> None:
    from index.store import ALIAS

    doc = fresh(services, 105)
    question = "trực ban thử nghiệm số 105"
    assert any(h.document_id == doc for h in services.search(ADMIN, question))
    collection = services.store.resolve_alias(ALIAS)
    assert collection is not None
    services.store.delete_document(collection, doc)  # its points lost (as after a failed write)
    services._invalidate()
    assert not any(h.document_id == doc for h in services.search(ADMIN, question))

    assert "Đã lập chỉ mục lại" in desk.reindex(doc, NO_REQUEST)
    assert any(h.document_id == doc for h in services.search(ADMIN, question))
    assert listed(services, doc).meta.access_level is AccessLevel.PUBLIC  # the level was written back unchanged
    done = services.audit.referring(doc, "reindex")[-1]
    assert done.details == {"ok": True, "failed": []} and done.user == services.audit.user_ref(ADMIN.name)


def test_replace_swaps_the_picked_document_for_the_new_file_keeping_its_level(
    desk: Workdesk, services: Services, ledger: UploadLedger
) -> None:
    old = fresh(services, 106, AccessLevel.INTERNAL)
    new_file = ledger.folder / "up" / "thong-tu-106-sua.txt"
    new_file.parent.mkdir(parents=True)
    new_file.write_text(circular(106, "Cơ quan bố trí hai cán bộ trực ban trong mỗi ngày nghỉ lễ."), encoding="utf-8")
    ledger.record(ADMIN.name, [str(new_file)])

    status, _, choice, box = desk.replace_document(old, str(new_file), NO_REQUEST)
    assert "Đã thay thế" in status and box is None
    assert listed(services, old) is None
    new = choice["value"]
    assert new and new != old
    record = listed(services, new)
    assert record.meta.so_hieu == "106/2091/TT-BNV" and record.meta.access_level is AccessLevel.INTERNAL
    assert not new_file.exists()  # the temporary upload is gone


def test_replace_refuses_a_path_the_admin_did_not_upload(desk: Workdesk, services: Services, tmp_path: Path) -> None:
    doc = fresh(services, 107)
    forged = tmp_path / "thong-tu-107.txt"
    forged.write_text(circular(107), encoding="utf-8")
    status = desk.replace_document(doc, str(forged), NO_REQUEST)[0]
    assert "Không nhận tệp" in status and listed(services, doc) is not None


def test_admin_handlers_refuse_a_non_admin(services: Services) -> None:
    desk = Workdesk(services, identify=lambda r: STAFF)
    doc = by_number(services, "12/2098/NĐ-CP")
    refused = escape(NO_ADMIN)
    assert refused in desk.ask_access(doc, "restricted", NO_REQUEST)[3]
    assert refused in desk.ask_delete_document(doc, NO_REQUEST)[3]
    assert refused in desk.delete_document(doc, NO_REQUEST)[2]
    assert refused in desk.reindex(doc, NO_REQUEST)
    assert refused in desk.replace_document(doc, "/etc/hostname", NO_REQUEST)[0]
    assert desk.prefill(doc, NO_REQUEST)[3] == ""  # no download link offered through the admin tab
    assert listed(services, doc) is not None


# --- download of the original -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(world: World, services: Services) -> Iterator[tuple[str, dict[str, str]]]:
    accounts = Accounts.from_settings(world.settings)
    keys = {
        "admin": accounts.add("quan-tri-tai", "admin", AccessLevel.RESTRICTED),
        "staff": accounts.add("can-bo-tai", "staff", AccessLevel.PUBLIC),
    }
    server = LiveServer(create_app(world.settings, services, accounts))
    yield server.url, keys
    server.stop()
    accounts.close()


def login(url: str, key: str) -> httpx.Client:
    client = httpx.Client(base_url=url, headers={"Origin": url}, timeout=60)
    assert client.post("/login", data={"key": key, "next": "/"}).status_code == 303
    return client


def test_original_file_downloads_for_a_cleared_session_only(
    live: tuple[str, dict[str, str]], services: Services
) -> None:
    url, keys = live
    doc = by_number(services, RESTRICTED_NUMBER)
    source = Path(next(d.file_path for d in services.list_documents(ADMIN) if d.id == doc))
    admin, staff = login(url, keys["admin"]), login(url, keys["staff"])
    try:
        got = admin.get(f"/documents/{doc}/original")
        assert got.status_code == 200 and got.content == source.read_bytes()
        assert source.name in got.headers["content-disposition"]
        assert admin.get("/documents/no-such-document/original").status_code == 404
        assert staff.get(f"/documents/{doc}/original").status_code == 404  # above a public reader's clearance
        public = by_number(services, "12/2098/NĐ-CP")
        assert staff.get(f"/documents/{public}/original").status_code == 200  # cleared readers may fetch it
    finally:
        admin.close()
        staff.close()
    anonymous = httpx.get(f"{url}/documents/{doc}/original", timeout=30)
    assert anonymous.status_code != 200 and "Hoa Sen" not in anonymous.text


# --- in Chromium ---------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not chromium_present(), reason=NEEDS_CHROMIUM)
def test_admin_sees_current_values_and_confirms_a_restriction_in_the_browser(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
    from selenium.webdriver.common.by import By

    from tests.browser import start_chromium
    from tests.test_workdesk_browser import Desk, log_in, open_tab, served, shot, text_of, wait_for

    w = injected_world(tmp_path_factory.mktemp("admin-browser"))
    settings = w.settings
    w.close()
    services = Services.from_settings(settings)
    doc = by_number(services, "12/2098/NĐ-CP")
    services.set_access_level(ADMIN, doc, AccessLevel.INTERNAL)
    services.set_validity(ADMIN, doc, "het_hieu_luc", "Thay thế bởi Nghị định 13/2099/NĐ-CP")
    accounts = Accounts.from_settings(settings)
    keys = {"admin": accounts.add("quan-tri", "admin", AccessLevel.RESTRICTED)}
    browser = start_chromium("1440,1600")
    try:
        with served(settings, services, accounts) as url:
            desk = Desk(url, keys, services, tmp_path_factory.getbasetemp())
            log_in(browser, desk, "admin")
            open_tab(browser, "Quản trị")
            wait_for(browser, lambda d: "12/2098/NĐ-CP" in text_of(d, "#kho-documents"), timeout=30)
            cell = "//*[@id='kho-documents']//*[@role='gridcell'][normalize-space(.)='12/2098/NĐ-CP']"
            found = wait_for(  # the table also renders hidden copies of its cells (for measuring): the shown one
                browser, lambda d: next((c for c in d.find_elements(By.XPATH, cell) if c.is_displayed()), None)
            )
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
            found.click()

            def value(css: str) -> str:
                return str(browser.find_element(By.CSS_SELECTOR, css).get_attribute("value") or "")

            wait_for(browser, lambda d: value("#kho-set-level-value input") == "Nội bộ", timeout=30)
            assert "12/2098/NĐ-CP" in value("#kho-doc-pick input")
            assert value("#kho-set-validity-value input") == "Hết hiệu lực"
            assert value("#kho-set-reason textarea") == "Thay thế bởi Nghị định 13/2099/NĐ-CP"
            assert "/original" in str(browser.find_element(By.CSS_SELECTOR, "#kho-original-link").get_attribute("href"))

            from tests.test_workdesk_browser import choose

            choose(browser, "kho-set-level-value", "Hạn chế")
            browser.find_element(By.CSS_SELECTOR, "#kho-set-level").click()
            wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#kho-access-confirm").is_displayed())
            assert "Nội bộ" in text_of(browser, "#kho-access-confirm") and "Hạn chế" in text_of(
                browser, "#kho-access-confirm"
            )
            assert listed(services, doc).meta.access_level is AccessLevel.INTERNAL  # not before "Xác nhận"
            browser.execute_script("document.querySelector('#kho-access-confirm').scrollIntoView({block: 'center'})")
            shot(browser, "workdesk_admin_prefilled.png")
            browser.find_element(By.CSS_SELECTOR, "#kho-access-yes").click()
            wait_for(browser, lambda d: "Đã đặt mức truy cập" in text_of(d, "#kho-admin-status"), timeout=60)
            assert listed(services, doc).meta.access_level is AccessLevel.RESTRICTED
            assert not any(e.is_displayed() for e in browser.find_elements(By.CSS_SELECTOR, "#kho-access-confirm"))
    finally:
        browser.quit()

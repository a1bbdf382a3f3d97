"""The services layer the workdesk and the API share: clearance, roles, upload, access changes, audit, threads.

A real fixture corpus (public, internal and restricted documents, plus one with an injected instruction) is ingested
and indexed on Qdrant Edge; answers are extractive, or come from `EchoLLM`, a stand-in model that quotes its first
source, so no test here waits for llama.cpp.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from app.services import Forbidden, NotFound, Principal, SearchFilters, Services
from assistant.llm import ChatMessage, GenerationConfig, LLMBackend
from ingest.model import AccessLevel
from tests.test_assistant import injected_world
from tests.test_index_search import World

STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)
LEGAL = Principal("binh.tran", "legal", AccessLevel.INTERNAL)
ADMIN = Principal("quan.tri", "admin", AccessLevel.RESTRICTED)
EVALUATOR = Principal("danh.gia", "evaluator", AccessLevel.PUBLIC)

RESTRICTED_NUMBER = "5/2097/QĐ-BNV"  # the fixture's restricted decision ("phương án Hoa Sen")
SECRET_WORD = "Hoa Sen"

TXT_UPLOAD = """\
BỘ NỘI VỤ
Số: 4/2095/TT-BNV

THÔNG TƯ
VỀ LÀM VIỆC TỪ XA THỬ NGHIỆM

Điều 1. Làm việc từ xa
Công chức được làm việc từ xa tối đa 02 ngày mỗi tuần khi thủ trưởng đơn vị đồng ý.
"""


class EchoLLM(LLMBackend):
    """A stand-in model: answers with the first sentence of its first source that is no lead-in (a lead-in alone is
    no answer: the pipeline asks again, then quotes), cited [1], a few words at a time."""

    name = "echo"

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        user = messages[-1].content
        block = re.search(r"<tai_lieu[^>]*>(.*?)</tai_lieu>", user, re.S)
        if "Câu hỏi:" not in user or block is None:  # a follow-up rewrite: keep the question as it is
            yield user.strip().splitlines()[-1]
            return
        lines = [ln.strip() for ln in block.group(1).strip().splitlines() if ln.strip()]
        body = next((ln for ln in lines[1:] if len(ln) > 20 and not ln.endswith(":")), lines[-1])
        for word in f"Theo quy định, {body} [1]".split(" "):
            yield word + " "

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        return {label: 1.0 / len(labels) for label in labels}


def make_services(world: World) -> Services:
    return Services(world.settings, registry=world.registry, store=world.store, llm_factory=EchoLLM)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = injected_world(tmp_path_factory.mktemp("services"))
    yield w
    w.close()


@pytest.fixture(scope="module")
def services(world: World) -> Iterator[Services]:
    s = make_services(world)
    yield s
    s.close()


def restricted_id(services: Services) -> str:
    return next(d.id for d in services.list_documents(ADMIN) if d.meta.so_hieu == RESTRICTED_NUMBER)


def test_search_is_filtered_by_the_readers_clearance(services: Services) -> None:
    public = services.search(STAFF, "phương án Hoa Sen đóng dấu giáp lai văn bản mật", k=50)
    assert public and all(h.access_level == "public" for h in public)
    assert not any(SECRET_WORD in h.text for h in public)
    cleared = services.search(ADMIN, "phương án Hoa Sen", k=5)
    assert cleared[0].so_hieu == RESTRICTED_NUMBER


def test_documents_above_clearance_are_not_found_like_missing_ones(services: Services) -> None:
    listed = {d.meta.so_hieu for d in services.list_documents(STAFF)}
    assert RESTRICTED_NUMBER not in listed and "8/2096/TT-BNV" not in listed  # internal too
    assert "8/2096/TT-BNV" in {d.meta.so_hieu for d in services.list_documents(LEGAL)}
    doc_id = restricted_id(services)
    with pytest.raises(NotFound) as above:
        services.get_document(STAFF, doc_id)
    with pytest.raises(NotFound) as missing:
        services.get_document(STAFF, "no-such-document")
    assert str(above.value).replace(doc_id, "X") == str(missing.value).replace("no-such-document", "X")
    doc = services.get_document(ADMIN, doc_id)
    assert doc.text and SECRET_WORD in doc.text and doc.articles()


def test_only_admins_change_the_corpus(services: Services) -> None:
    doc_id = restricted_id(services)
    for who in (STAFF, LEGAL, EVALUATOR):
        with pytest.raises(Forbidden):
            services.upload(who, [("a.txt", TXT_UPLOAD.encode())])
        with pytest.raises(Forbidden):
            services.set_access_level(who, doc_id, AccessLevel.PUBLIC)
        with pytest.raises(Forbidden):
            services.set_validity(who, doc_id, "het_hieu_luc", "thử")
    assert services.get_document(ADMIN, doc_id).meta.access_level is AccessLevel.RESTRICTED


def test_extractive_answer_cites_only_what_the_reader_may_see(services: Services) -> None:
    result = services.ask(STAFF, "Phương án Hoa Sen áp dụng cho việc gì?", extractive=True)
    assert SECRET_WORD not in result.answer.answer
    assert all(c.hit.access_level == "public" for c in result.answer.citations)
    cleared = services.ask(ADMIN, "Phương án Hoa Sen áp dụng cho việc gì?", extractive=True)
    assert cleared.answer.citations[0].hit.so_hieu == RESTRICTED_NUMBER


def test_generated_answer_streams_tokens_and_is_audited(services: Services) -> None:
    tokens: list[str] = []
    result = services.ask(STAFF, "Đóng dấu giáp lai thế nào?", on_token=tokens.append)
    # only verified text streams, and what streamed is exactly the answer that stays (assistant/pipeline.py)
    assert tokens and "".join(tokens) == result.answer.answer and result.answer.mode == "generative"
    event = services.audit.get(result.answer_id)
    assert event is not None and event.event == "ask" and event.user == services.audit.user_ref(STAFF.name)
    assert event.retrieved and all(isinstance(c, str) for c in event.retrieved)
    assert [c["chunk_id"] for c in event.citations] == [c.hit.chunk_id for c in result.answer.citations]
    assert event.verification == result.answer.verification.value


def test_filters_narrow_retrieval_and_bad_values_name_the_field(services: Services) -> None:
    hits = services.search(ADMIN, "văn bản con dấu", k=20, filters=SearchFilters(types=("Luật",)))
    assert {h.so_hieu for h in hits} == {"77/2099/QH99"}
    with pytest.raises(ValueError, match="year_from"):
        services.search(STAFF, "con dấu", filters=SearchFilters(year_from=2100, year_to=2000))
    with pytest.raises(ValueError, match="Validity"):
        services.search(STAFF, "con dấu", filters=SearchFilters(validity=("mãi_mãi",)))
    with pytest.raises(ValueError, match="question"):
        services.ask(STAFF, "   ")


def test_personal_data_in_a_question_is_masked_in_the_audit(services: Services) -> None:
    q = "Tôi có CCCD 001203004567, điện thoại 0912 345 678, email an.nguyen@noivu.gov.vn: thử việc bao lâu?"
    result = services.ask(STAFF, q, extractive=True)
    stored = services.audit.get(result.answer_id)
    assert stored is not None and stored.question is not None
    for clear in ("001203004567", "0912 345 678", "an.nguyen@noivu.gov.vn"):
        assert clear not in stored.question
    assert "[số định danh]" in stored.question and "[số điện thoại]" in stored.question
    raw = services.audit.path.read_bytes() + Path(str(services.audit.path) + "-wal").read_bytes()
    assert b"001203004567" not in raw


def test_feedback_is_recorded_against_the_answer_and_checked(services: Services) -> None:
    result = services.ask(STAFF, "Đóng dấu giáp lai thế nào?", extractive=True)
    services.feedback(STAFF, result.answer_id, correct=False, comment="Sai điểm b, gọi 0987654321", wrong_citation=1)
    fb = [e for e in services.audit.events(event="feedback") if e.ref == result.answer_id]
    assert len(fb) == 1 and fb[0].details["correct"] is False and fb[0].details["wrong_citation"] == 1
    assert "0987654321" not in fb[0].details["comment"]
    assert fb[0].citations[0]["chunk_id"] == result.answer.citations[0].hit.chunk_id
    with pytest.raises(ValueError, match="wrong_citation"):
        services.feedback(STAFF, result.answer_id, correct=False, wrong_citation=9)
    with pytest.raises(NotFound):
        services.feedback(STAFF, "no-such-answer", correct=True)
    other = Principal("khac", "staff", AccessLevel.PUBLIC)
    with pytest.raises(NotFound):
        services.feedback(other, result.answer_id, correct=True)
    services.feedback(EVALUATOR, result.answer_id, correct=True)  # evaluators judge others' answers


def test_upload_ingests_valid_files_and_names_the_rejected_ones(services: Services) -> None:
    steps: list[tuple[str, str]] = []
    out = services.upload(
        ADMIN,
        [("../../lam-viec-tu-xa.txt", TXT_UPLOAD.encode()), ("virus.exe", b"MZ"), ("rong.pdf", b"")],
        on_progress=lambda f, s: steps.append((f, s)),
    )
    by_file = {r.file: r for r in out}
    ok = by_file["lam-viec-tu-xa.txt"]
    assert ok.state == "indexed" and len(ok.documents) == 1
    kept = list((services.settings.data_dir / "uploads").rglob("lam-viec-tu-xa.txt"))  # no escape from uploads/
    assert len(kept) == 1 and kept[0].parent.parent == services.settings.data_dir / "uploads"
    assert by_file["virus.exe"].state == "rejected" and "virus.exe" in str(by_file["virus.exe"].reason)
    assert by_file["rong.pdf"].state == "rejected" and "rỗng" in str(by_file["rong.pdf"].reason)
    assert [s for f, s in steps if f == "lam-viec-tu-xa.txt"] == ["ingesting", "indexed", "indexing", "searchable"]
    assert services.search(STAFF, "làm việc từ xa")[0].so_hieu == "4/2095/TT-BNV"
    too_big = services.settings.max_file_bytes + 1
    big = services.upload(ADMIN, [("lon.txt", b"a" * too_big)])
    assert big[0].state == "rejected" and "lon.txt" in str(big[0].reason) and "MB" in str(big[0].reason)
    events = list(services.audit.events(event="upload"))
    assert events and events[-1].user == services.audit.user_ref(ADMIN.name)


def test_a_document_made_restricted_is_no_longer_retrieved_by_a_public_user(services: Services) -> None:
    query = "thời gian thử việc của viên chức"
    before = services.search(STAFF, query, k=5)
    law_id = next(h.document_id for h in before if h.so_hieu == "77/2099/QH99")
    services.set_access_level(ADMIN, law_id, AccessLevel.RESTRICTED)
    try:
        assert all(h.document_id != law_id for h in services.search(STAFF, query, k=50))
        answer = services.ask(STAFF, query, extractive=True).answer
        assert all(c.hit.document_id != law_id for c in answer.citations)
        with pytest.raises(NotFound):
            services.get_document(STAFF, law_id)
        assert any(h.document_id == law_id for h in services.search(ADMIN, query, k=5))
    finally:
        services.set_access_level(ADMIN, law_id, AccessLevel.PUBLIC)
    assert any(h.document_id == law_id for h in services.search(STAFF, query, k=5))
    kinds = [e.event for e in services.audit.events() if e.ref == law_id]
    assert kinds.count("set_access") == 2


def test_validity_change_reaches_the_index(services: Services) -> None:
    hit = services.search(STAFF, "đóng dấu giáp lai")[0]
    services.set_validity(ADMIN, hit.document_id, "het_hieu_luc", "Bị thay thế bởi Nghị định 1/2099/NĐ-CP")
    try:
        assert services.search(STAFF, "đóng dấu giáp lai")[0].hieu_luc == "het_hieu_luc"
        in_force = services.search(STAFF, "đóng dấu giáp lai", filters=SearchFilters(validity=("con_hieu_luc",)))
        assert all(h.document_id != hit.document_id for h in in_force)
        assert services.get_document(STAFF, hit.document_id).meta.hieu_luc_reason.startswith("Bị thay thế")  # type: ignore[union-attr]
    finally:
        services.set_validity(ADMIN, hit.document_id, hit.hieu_luc, None)
    with pytest.raises(NotFound):
        services.set_validity(ADMIN, "no-such-document", "het_hieu_luc")


def test_searches_keep_working_while_an_admin_changes_access_levels(services: Services) -> None:
    """Readers in threads during access-level syncs: no error, and a public reader never sees the restricted text."""
    law = next(h.document_id for h in services.search(STAFF, "thời gian thử việc", k=5) if h.so_hieu == "77/2099/QH99")
    errors: list[BaseException] = []
    leaks: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                for h in services.search(STAFF, "phương án Hoa Sen thử việc", k=20):
                    if h.access_level != "public" or SECRET_WORD in h.text:
                        leaks.append(h.anchor)
                services.list_documents(STAFF)
            except BaseException as exc:  # collected and asserted on below
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for level in (AccessLevel.INTERNAL, AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.PUBLIC):
            services.set_access_level(ADMIN, law, level)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors and not leaks


def test_a_question_that_fails_is_audited_too(world: World) -> None:
    from assistant.llm import LLMError

    def broken() -> object:
        raise LLMError("mô hình chưa tải")

    failing = Services(world.settings, registry=world.registry, store=world.store, llm_factory=broken)
    try:
        with pytest.raises(LLMError):
            failing.ask(STAFF, "Đóng dấu giáp lai thế nào? Gọi 0912345678")
        last = list(failing.audit.events(event="ask"))[-1]
        assert last.details["error"] == "LLMError" and last.refused is None
        assert last.question is not None and "0912345678" not in last.question
    finally:
        failing.close()


def test_admin_sees_every_source_file_with_its_state_including_failed_ones(services: Services) -> None:
    """A file that fails has no document: the file list is where an administrator sees it, with the reason."""
    out = services.upload(ADMIN, [("khong-co-chu.txt", b"\x00\x01\x02" * 50)])
    assert out[0].state != "indexed"
    files = {Path(f.path).name: f for f in services.list_files(ADMIN)}
    failed = files["khong-co-chu.txt"]
    assert failed.state.value.startswith("failed") and failed.reason and failed.n_documents == 0
    with pytest.raises(Forbidden):
        services.list_files(STAFF)

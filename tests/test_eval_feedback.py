"""Workdesk feedback exported as evaluation items: real `Services.feedback` calls on a real audit log.

With no index, `Services.ask` answers with a refusal and audits the question for real; answers that cite articles
are written to the audit log in exactly the shape `Services.ask` records them, then judged through `Services`.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.services import Principal, Services
from core.settings import Settings
from eval.feedback import dedup_key, feedback_items, gold_of_anchor, write_items
from eval.retrieval import load_dataset
from ingest.model import AccessLevel

STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)
EVALUATOR = Principal("danh.gia", "evaluator", AccessLevel.PUBLIC)

VIEN_CHUC = "Khoản 1 Điều 29 Luật Viên chức 58/2010/QH12"
NGHI_DINH = "Điều 5 Nghị định 30/2020/NĐ-CP"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    s = Services(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    yield s
    s.close()


def answered(services: Services, who: Principal, question: str, anchors: list[str]) -> str:
    """An answer citing `anchors` as [1], [2], ..., audited as `Services.ask` audits one; returns its answer id."""
    citations = [
        {"marker": n, "anchor": a, "chunk_id": f"chunk-{n}", "document_id": f"doc-{n}"}
        for n, a in enumerate(anchors, start=1)
    ]
    return services.audit.record(
        AuditEvent(
            user=who.name,
            role=who.role,
            event="ask",
            question=question,
            retrieved=[c["chunk_id"] for c in citations],
            citations=citations,
            verification="verified",
            refused=False,
            details={"mode": "generative", "history": 0, "query": question},
        )
    )


def test_a_wrong_verdict_keeps_the_wrong_citation_out_of_gold(services: Services) -> None:
    answer_id = answered(services, STAFF, "Viên chức bị kỷ luật thế nào?", [VIEN_CHUC, NGHI_DINH])
    services.feedback(STAFF, answer_id, correct=False, wrong_citation=2)
    [item] = feedback_items(services.audit)
    assert item["status"] == "needs_review" and item["corpus"] == "workdesk"
    assert item["gold"] == [] and item["type"] == "retrieval_only" and "answer" not in item
    [fb] = item["feedback"]
    assert fb["verdict"] == "sai" and fb["answer"] == answer_id
    assert fb["wrong_citation"]["anchor"] == NGHI_DINH and fb["wrong_citation"]["marker"] == 2
    assert [c["anchor"] for c in fb["citations_shown"]] == [VIEN_CHUC, NGHI_DINH]


def test_a_wrong_verdict_with_a_comment_proposes_it_as_the_free_text_answer(services: Services) -> None:
    answer_id = answered(services, STAFF, "Thời gian tập sự của viên chức?", [VIEN_CHUC])
    services.feedback(STAFF, answer_id, correct=False, comment="Từ 03 tháng đến 12 tháng")
    [item] = feedback_items(services.audit)
    assert item["type"] == "free_text" and item["answer"] == "Từ 03 tháng đến 12 tháng"
    assert item["gold"] == []


def test_a_confirmed_answer_gives_its_citations_not_marked_wrong_as_gold(services: Services) -> None:
    answer_id = answered(
        services, EVALUATOR, "Viên chức bị kỷ luật thế nào?", [VIEN_CHUC, NGHI_DINH, "Điều 8 Bộ luật dân sự"]
    )
    services.feedback(EVALUATOR, answer_id, correct=True, comment="đúng nhưng [2] thừa", wrong_citation=2)
    [item] = feedback_items(services.audit)
    assert item["gold"] == [
        {"document": "58/2010/QH12", "article": "29"},
        {"document": "Bộ luật dân sự", "article": "8"},
    ]
    assert item["type"] == "retrieval_only"  # a remark on a right answer is not a correction
    assert item["feedback"][0]["verdict"] == "đúng"


def test_feedback_on_the_same_question_becomes_one_item_named_after_the_earliest(services: Services) -> None:
    first = answered(services, STAFF, "Viên chức được nghỉ phép bao nhiêu ngày?", [VIEN_CHUC])
    again = answered(services, STAFF, unicodedata.normalize("NFD", "  viên chức ĐƯỢC nghỉ phép  bao nhiêu ngày?"), [])
    other = answered(services, STAFF, "Công chức là gì?", [NGHI_DINH])
    services.feedback(STAFF, first, correct=True)
    services.feedback(STAFF, other, correct=True)
    services.feedback(EVALUATOR, again, correct=False, comment="12 ngày làm việc")
    earliest = next(services.audit.events(event="feedback")).event_id
    items = feedback_items(services.audit)
    assert [i["question"] for i in items] == ["Viên chức được nghỉ phép bao nhiêu ngày?", "Công chức là gì?"]
    merged = items[0]
    assert merged["id"] == f"feedback-{earliest}"
    assert [(f["verdict"], f["answer"], f["role"]) for f in merged["feedback"]] == [
        ("đúng", first, "staff"),
        ("sai", again, "evaluator"),
    ]
    assert merged["gold"] == [{"document": "58/2010/QH12", "article": "29"}]
    assert merged["answer"] == "12 ngày làm việc"


def test_identity_numbers_stay_masked_and_no_user_name_is_exported(services: Services, tmp_path: Path) -> None:
    result = services.ask(STAFF, "CCCD 001203004567 của tôi hết hạn thì có phải làm lại không?")
    services.feedback(STAFF, result.answer_id, correct=False, comment="gọi tôi 0912 345 678")
    path = tmp_path / "feedback.jsonl"
    write_items(feedback_items(services.audit), path)
    text = path.read_text(encoding="utf-8")
    assert "001203004567" not in text and "0912 345 678" not in text
    assert "CCCD [số định danh] của tôi" in text and "[số điện thoại]" in text
    assert STAFF.name not in text and "an.nguyen" not in text


def test_since_keeps_only_feedback_given_from_that_day_on(services: Services) -> None:
    old_answer = answered(services, STAFF, "Câu hỏi cũ?", [VIEN_CHUC])
    services.audit.record(
        AuditEvent(
            user=STAFF.name,
            role=STAFF.role,
            event="feedback",
            ref=old_answer,
            details={"correct": True, "comment": "", "wrong_citation": None},
            at="2025-03-01T08:00:00.000+00:00",
        )
    )
    new_answer = answered(services, STAFF, "Câu hỏi mới?", [VIEN_CHUC])
    services.feedback(STAFF, new_answer, correct=True)
    assert [i["question"] for i in feedback_items(services.audit)] == ["Câu hỏi cũ?", "Câu hỏi mới?"]
    recent = feedback_items(services.audit, since=dt.date(2026, 1, 1))
    assert [i["question"] for i in recent] == ["Câu hỏi mới?"]
    assert feedback_items(services.audit, since=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC))[0]["question"] == (
        "Câu hỏi mới?"
    )
    assert feedback_items(services.audit)[0]["source"] == "workdesk feedback 2025-03-01"


def test_the_written_file_loads_as_an_evaluation_dataset(services: Services, tmp_path: Path) -> None:
    right = answered(services, STAFF, "Viên chức bị kỷ luật thế nào?", [VIEN_CHUC])
    wrong = answered(services, STAFF, "Thời gian tập sự?", [NGHI_DINH])
    services.feedback(STAFF, right, correct=True)
    services.feedback(STAFF, wrong, correct=False, comment="Từ 03 đến 12 tháng", wrong_citation=1)
    path = tmp_path / "out" / "feedback.jsonl"
    assert write_items(feedback_items(services.audit), path) == 2
    loaded = load_dataset(path)
    assert [(q.type, q.corpus, [g.key for g in q.gold]) for q in loaded] == [
        ("retrieval_only", "workdesk", [("58/2010/qh12", "29")]),
        ("free_text", "workdesk", []),
    ]
    assert loaded[1].answer == "Từ 03 đến 12 tháng"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "Viên chức" in lines[0]  # UTF-8, not \\u escapes
    assert json.loads(lines[1])["feedback"][0]["wrong_citation"]["anchor"] == NGHI_DINH


def test_writing_over_an_existing_file_needs_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text("đang được rà soát\n", encoding="utf-8")
    item = {"id": "feedback-1", "question": unicodedata.normalize("NFD", "Điều"), "gold": [], "corpus": "workdesk"}
    with pytest.raises(FileExistsError, match=str(path)):
        write_items([item], path)
    assert path.read_text(encoding="utf-8") == "đang được rà soát\n"
    assert write_items([item], path, overwrite=True) == 1
    assert json.loads(path.read_text(encoding="utf-8"))["question"] == unicodedata.normalize("NFC", "Điều")


@pytest.mark.parametrize(
    ("anchor", "gold"),
    [
        (VIEN_CHUC, {"document": "58/2010/QH12", "article": "29"}),
        ("Điểm a Khoản 2 Điều 12a Nghị định 30/2020/NĐ-CP", {"document": "30/2020/NĐ-CP", "article": "12a"}),
        ("Điều 8 Bộ luật dân sự", {"document": "Bộ luật dân sự", "article": "8"}),
        ("Mục II.1.a Kế hoạch 12/KH-BNV", {"document": "12/KH-BNV", "article": "II"}),
        ("Phụ lục", None),
    ],
)
def test_an_anchor_names_the_document_by_number_and_the_article(anchor: str, gold: dict[str, str] | None) -> None:
    assert gold_of_anchor(anchor) == gold


def test_questions_differing_only_in_case_spacing_and_normal_form_share_a_key() -> None:
    assert dedup_key(unicodedata.normalize("NFD", " Nghỉ  PHÉP\n")) == dedup_key("nghỉ phép")
    assert dedup_key("nghỉ phép") != dedup_key("nghỉ việc")


def test_kho_eval_feedback_writes_the_review_file_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    from tests.conftest import run_kho

    data = tmp_path / "data"
    s = Services(Settings(data_dir=data, cache_dir=tmp_path / "cache"))
    try:
        answer_id = answered(s, STAFF, "Viên chức bị đơn phương chấm dứt hợp đồng khi nào?", [VIEN_CHUC])
        s.feedback(STAFF, answer_id, correct=True)
    finally:
        s.close()
    out = tmp_path / "review" / "feedback.jsonl"
    env = {"KHO_DATA_DIR": str(data)}
    first = run_kho("eval", "feedback", "-o", str(out), env=env)
    assert "1 feedback item(s) written" in first.stdout
    [q] = load_dataset(out)
    assert [g.key for g in q.gold] == [("58/2010/qh12", "29")]
    again = run_kho("eval", "feedback", "-o", str(out), env=env, check=False)
    assert again.returncode == 2 and str(out) in again.stderr and "--overwrite" in again.stderr
    assert run_kho("eval", "feedback", "-o", str(out), "--overwrite", env=env).returncode == 0

"""The legal department's screen: the review queue of wrong-answer feedback, decisions, eval items, the audit view.

Real `Services` over a temporary data dir, with no index: `Services.ask` refuses and audits the question for real;
answers that cite articles are written to the audit log in the shape `Services.ask` records them
(tests/test_eval_feedback.py), then judged through `Services.feedback`.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import gradio as gr
import pytest

from app.audit import AuditEvent
from app.permissions import Forbidden
from app.review import REVIEW_FILE, ReviewDesk
from app.services import Principal, Services
from core.settings import Settings
from eval.feedback import write_items
from eval.retrieval import load_dataset
from ingest.model import AccessLevel
from tests.test_eval_feedback import NGHI_DINH, VIEN_CHUC, answered
from ui.legal_desk import NO_LEGAL, NO_PRINCIPAL, LegalTab, build_legal_tab, review_desk
from ui.render import escape

STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)
EVALUATOR = Principal("danh.gia", "evaluator", AccessLevel.PUBLIC)
LEGAL = Principal("lan.phapche", "legal", AccessLevel.INTERNAL)
ADMIN = Principal("quan.tri", "admin", AccessLevel.RESTRICTED)
NO_REQUEST = cast(gr.Request, None)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    s = Services(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    yield s
    s.close()


@pytest.fixture
def desk(services: Services) -> Iterator[ReviewDesk]:
    d = review_desk(services)
    yield d
    d.close()


def tab_for(services: Services, desk: ReviewDesk, who: Principal | None) -> LegalTab:
    return LegalTab(services, identify=lambda request: who, desk=desk)


def complain(services: Services, question: str, anchors: list[str], comment: str = "", wrong: int | None = None) -> str:
    """A staff answer citing `anchors`, judged "sai" by the same user; returns the feedback event's id."""
    answer_id = answered(services, STAFF, question, anchors)
    services.feedback(STAFF, answer_id, correct=False, comment=comment, wrong_citation=wrong)
    return [e for e in services.audit.events(event="feedback") if e.ref == answer_id][-1].event_id


def test_a_staff_wrong_verdict_is_in_the_legal_queue_with_its_question(services: Services, desk: ReviewDesk) -> None:
    asked = services.ask(STAFF, "Công chức được nghỉ phép bao nhiêu ngày?")
    services.feedback(STAFF, asked.answer_id, correct=False, comment="Thiếu Điều 12 Luật Lao động")
    fine = answered(services, STAFF, "Viên chức là ai?", [VIEN_CHUC])
    services.feedback(STAFF, fine, correct=True)  # a plain "đúng" is no complaint
    cited = answered(services, STAFF, "Hợp đồng làm việc là gì?", [VIEN_CHUC, NGHI_DINH])
    services.feedback(STAFF, cited, correct=True, wrong_citation=2)  # "đúng", but [2] is wrong: a complaint

    for reviewer in (LEGAL, ADMIN):
        items = desk.queue(reviewer)
        assert [i.question for i in items] == ["Hợp đồng làm việc là gì?", "Công chức được nghỉ phép bao nhiêu ngày?"]
    newest, oldest = desk.queue(LEGAL)
    assert (oldest.comment, oldest.correct, oldest.refused, oldest.answer_id) == (
        "Thiếu Điều 12 Luật Lao động",
        False,
        True,
        asked.answer_id,
    )
    assert oldest.user == services.audit.user_ref(STAFF.name) and oldest.status == "open"
    assert newest.correct and [c["anchor"] for c in newest.wrong_citations] == [NGHI_DINH]
    assert [c["anchor"] for c in newest.citations] == [VIEN_CHUC, NGHI_DINH]
    assert newest.verification == "verified"


def test_a_changed_verdict_withdraws_the_earlier_complaint(services: Services, desk: ReviewDesk) -> None:
    answer_id = answered(services, STAFF, "Đổi ý về câu trả lời", [VIEN_CHUC])
    services.feedback(STAFF, answer_id, correct=False, comment="Sai")
    assert [i.comment for i in desk.queue(LEGAL)] == ["Sai"]
    services.feedback(STAFF, answer_id, correct=True, comment="Nhầm, câu trả lời đúng")
    assert desk.queue(LEGAL, "all") == []
    services.feedback(EVALUATOR, answer_id, correct=False, comment="Theo đánh giá viên: sai")
    assert [(i.role, i.comment) for i in desk.queue(LEGAL)] == [("evaluator", "Theo đánh giá viên: sai")]


@pytest.mark.parametrize("who", [STAFF, EVALUATOR], ids=["staff", "evaluator"])
def test_staff_and_evaluators_are_refused_every_part_of_the_desk(
    services: Services, desk: ReviewDesk, who: Principal
) -> None:
    feedback_id = complain(services, "Câu hỏi bị chê", [VIEN_CHUC])
    calls = [
        lambda: desk.queue(who),
        lambda: desk.item(who, feedback_id),
        lambda: desk.decide(who, feedback_id, "confirm"),
        lambda: desk.history(who, feedback_id),
        lambda: desk.confirmed_eval_items(who),
        lambda: desk.audit_rows(who),
        lambda: desk.audit_export(who, None),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()
    assert desk.history(LEGAL, feedback_id) == []  # nothing was decided on their behalf
    assert not list(services.audit.events(event="audit_export"))  # nor exported


def test_a_second_decision_replaces_the_first_and_both_stay_in_the_history(
    services: Services, desk: ReviewDesk
) -> None:
    feedback_id = complain(services, "Thời hiệu kỷ luật là bao lâu?", [VIEN_CHUC], comment="Sai điều")
    other = complain(services, "Câu hỏi khác", [NGHI_DINH])

    first = desk.decide(LEGAL, feedback_id, "confirm", "Gọi 0912 345 678 để trao đổi")
    assert first.status == "confirmed" and first.decision is not None
    assert first.decision.reviewer == services.audit.user_ref(LEGAL.name) != LEGAL.name
    assert "0912" not in first.decision.note and "[số điện thoại]" in first.decision.note
    assert [i.feedback_id for i in desk.queue(LEGAL)] == [other]
    assert [i.feedback_id for i in desk.queue(LEGAL, "confirmed")] == [feedback_id]

    desk.decide(ADMIN, feedback_id, "dismiss", "Câu trả lời đúng")
    assert desk.queue(LEGAL, "confirmed") == []
    dismissed = desk.queue(LEGAL, "dismissed")
    assert [(i.feedback_id, i.decision.note if i.decision else None) for i in dismissed] == [
        (feedback_id, "Câu trả lời đúng")
    ]
    assert [i.feedback_id for i in desk.queue(LEGAL, "all")] == [other, feedback_id]
    history = desk.history(LEGAL, feedback_id)
    assert [(d.decision, d.reviewer) for d in history] == [
        ("confirm", services.audit.user_ref(LEGAL.name)),
        ("dismiss", services.audit.user_ref(ADMIN.name)),
    ]
    assert (services.settings.data_dir / REVIEW_FILE).stat().st_mode & 0o077 == 0

    with pytest.raises(ValueError, match="decision"):
        desk.decide(LEGAL, feedback_id, "maybe")
    fine = answered(services, STAFF, "Đúng hoàn toàn", [VIEN_CHUC])
    services.feedback(STAFF, fine, correct=True)
    praise = next(e for e in services.audit.events(event="feedback") if e.ref == fine).event_id
    with pytest.raises(Exception, match="không có ý kiến"):  # NotFound: a plain "đúng" is not for review
        desk.decide(LEGAL, praise, "confirm")


def test_a_confirmed_complaint_becomes_an_eval_item_and_a_dismissed_one_does_not(
    services: Services, desk: ReviewDesk, tmp_path: Path
) -> None:
    kept = complain(services, "Viên chức bị kỷ luật thế nào?", [VIEN_CHUC, NGHI_DINH], "Phải là Điều 52", wrong=2)
    dropped = complain(services, "Câu hỏi bị bỏ qua", [NGHI_DINH])
    assert desk.confirmed_eval_items(LEGAL) == []  # nothing confirmed yet
    desk.decide(LEGAL, kept, "confirm", "Đúng là sai")
    desk.decide(LEGAL, dropped, "dismiss")

    items = desk.confirmed_eval_items(LEGAL)
    assert len(items) == 1
    item = items[0]
    assert item["question"] == "Viên chức bị kỷ luật thế nào?"
    assert (item["type"], item["answer"], item["gold"], item["status"]) == (
        "free_text",
        "Phải là Điều 52",
        [],
        "confirmed",
    )
    assert item["feedback"][0]["wrong_citation"]["anchor"] == NGHI_DINH
    assert [(r["decision"], r["note"]) for r in item["review"]] == [("confirm", "Đúng là sai")]
    path = tmp_path / "confirmed.jsonl"
    write_items(items, path)
    loaded = load_dataset(path)
    assert [q.question for q in loaded] == ["Viên chức bị kỷ luật thế nào?"]


def stamped(services: Services, at: str, event: str, user: str = "ai.do", ref: str | None = None) -> str:
    return services.audit.record(AuditEvent(user=user, role="staff", event=event, ref=ref, at=at))


def test_audit_rows_filter_by_day_event_and_user_newest_first(services: Services, desk: ReviewDesk) -> None:
    old = stamped(services, "2026-01-05T08:00:00.000+00:00", "search")
    new_search = stamped(services, "2026-03-01T08:00:00.000+00:00", "search")
    new_view = stamped(services, "2026-03-02T08:00:00.000+00:00", "document_view", ref="doc-1")
    other_user = stamped(services, "2026-03-03T08:00:00.000+00:00", "search", user="binh")

    since = dt.date(2026, 2, 1)
    assert [e.event_id for e in desk.audit_rows(LEGAL, since)] == [other_user, new_view, new_search]
    assert [e.event_id for e in desk.audit_rows(LEGAL, since, "search")] == [other_user, new_search]
    assert [e.event_id for e in desk.audit_rows(LEGAL, None, "search")] == [other_user, new_search, old]
    ref = services.audit.user_ref("binh")
    assert [e.event_id for e in desk.audit_rows(ADMIN, None, None, ref)] == [other_user]
    assert [e.event_id for e in desk.audit_rows(LEGAL, None, "search", limit=1)] == [other_user]
    with pytest.raises(ValueError, match="event"):
        desk.audit_rows(LEGAL, None, "login")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_export_is_the_cli_export_and_is_itself_audited(services: Services, desk: ReviewDesk, fmt: str) -> None:
    stamped(services, "2026-01-05T08:00:00.000+00:00", "search")
    services.ask(STAFF, "CCCD 001203004567 của tôi hết hạn chưa?")
    since = dt.date(2026, 2, 1)
    expected = services.audit.export(since, fmt)

    text = desk.audit_export(LEGAL, since, fmt)
    assert text == expected
    assert "001203004567" not in text and "2026-01-05" not in text
    (audited,) = list(services.audit.events(event="audit_export"))
    assert (audited.user, audited.role) == (services.audit.user_ref(LEGAL.name), "legal")
    assert audited.details == {"since": "2026-02-01", "format": fmt, "count": 1}


def test_the_tab_escapes_a_question_with_a_script_tag(services: Services, desk: ReviewDesk) -> None:
    evil = 'Hỏi <script>alert("x")</script> về <b>Điều 5</b>?'
    complain(services, evil, ["Điều 5 <img src=x onerror=alert(1)>"], comment="<i>sai</i> {{x}}", wrong=1)
    gate, panel, queue, pick, audit = tab_for(services, desk, LEGAL).on_load(NO_REQUEST)

    assert gate == "" and panel["visible"] is True
    for html in (queue, audit):
        assert "<script" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
        assert "{{x}}" not in html
    assert "&lt;script&gt;" in queue and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in queue
    assert "&lt;script&gt;" in audit
    (label, value), *_ = pick["choices"]
    assert "Hỏi <script>" in label  # Gradio shows choices as text: escaping would show the entities
    assert value == next(iter(services.audit.events(event="feedback"))).event_id


@pytest.mark.parametrize(("who", "notice"), [(STAFF, NO_LEGAL), (EVALUATOR, NO_LEGAL), (None, NO_PRINCIPAL)])
def test_the_tab_shows_only_the_gate_to_others(
    services: Services, desk: ReviewDesk, who: Principal | None, notice: str
) -> None:
    complain(services, "Câu hỏi nội bộ của cán bộ", [VIEN_CHUC])
    notice = escape(notice)
    tab = tab_for(services, desk, who)
    gate, panel, queue, pick, audit = tab.on_load(NO_REQUEST)
    assert notice in gate and panel["visible"] is False
    assert (queue, audit, pick["choices"]) == ("", "", [])
    for html in (tab.audit_view("", "", "", NO_REQUEST), tab.refresh_queue("all", NO_REQUEST)[0]):
        assert notice in html and "Câu hỏi nội bộ" not in html
    feedback_id = desk.queue(LEGAL)[0].feedback_id
    assert notice in tab.confirm(feedback_id, "", "open", NO_REQUEST)[0]
    assert desk.queue(LEGAL)[0].status == "open"
    assert tab.export_jsonl("", NO_REQUEST)[0]["visible"] is False


def test_the_tab_records_a_decision_and_offers_a_private_export(services: Services, desk: ReviewDesk) -> None:
    feedback_id = complain(services, "Nghỉ việc riêng có lương mấy ngày?", [VIEN_CHUC])
    tab = tab_for(services, desk, LEGAL)
    message, queue, pick, note = tab.confirm(feedback_id, "Xác nhận", "open", NO_REQUEST)
    assert "Đã ghi nhận" in message and note == ""
    assert "Nghỉ việc riêng" not in queue and pick["choices"] == []  # it left the open queue
    assert desk.item(LEGAL, feedback_id).status == "confirmed"
    assert "Hãy chọn" in tab.dismiss(None, "", "open", NO_REQUEST)[0]

    assert "Ngày không hợp lệ" in tab.audit_view("31/02/2026", "", "", NO_REQUEST)
    filtered = tab.audit_view("", "feedback", "", NO_REQUEST)
    assert "Đánh giá câu trả lời" in filtered and "Hỏi đáp" not in filtered

    expected = services.audit.export(None, "csv")
    download, status = tab.export_csv("", NO_REQUEST)
    path = Path(download["value"])
    assert "Đã xuất" in status and download["visible"] is True
    assert path.read_bytes() == expected.encode("utf-8")  # byte for byte: CSV rows end in \r\n
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [e.details["format"] for e in services.audit.events(event="audit_export")] == ["csv"]


def test_the_tab_builds_inside_tabs_and_loads_with_the_page(services: Services, desk: ReviewDesk) -> None:
    with gr.Blocks() as app:
        with gr.Tabs():
            tab = build_legal_tab(services, lambda request: LEGAL, desk)
        tab.load(app)
    config: dict[str, Any] = app.get_config_file()
    labels = [c.get("props", {}).get("label") for c in config["components"]]
    assert "Pháp chế" in labels
    ids = {c.get("props", {}).get("elem_id") for c in config["components"]}
    assert {"kho-legal-gate", "kho-legal-queue", "kho-legal-pick", "kho-legal-audit"} <= ids
    load_targets = [d for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"])]
    assert load_targets and len(load_targets[0]["outputs"]) == 5
    json.dumps(config)  # the layout is plain data


# In a browser: tests/test_workdesk_browser.py::test_a_complaint_given_in_the_chat_is_reviewed_by_the_legal_
# department_and_the_audit_exported walks the tab in the served workdesk (staff's gate, the review, the export).

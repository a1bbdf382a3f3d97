"""The workdesk's handlers without a browser: who may do what, streaming, follow-ups, errors.

Services is replaced by fakes that record (or refuse) every call, so each test says exactly what reached it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import gradio as gr
import pytest

from app.conversations import ConversationSummary
from app.services import AskResult, NotFound, Principal, SearchFilters, Services
from assistant.answer import Verification
from assistant.verify import verify
from ingest.model import AccessLevel
from ingest.registry import DocumentRecord
from tests.test_clauses import DECREE, parsed, source
from tests.test_render import answer, collect, record_of
from ui.render import escape
from ui.workdesk import NO_ADMIN, NO_PRINCIPAL, Workdesk

STAFF = Principal("an", "staff", AccessLevel.PUBLIC)
NO_REQUEST = cast(gr.Request, None)


class Untouchable:
    """Services that fail the test when anything at all is asked of them."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"services.{name} was called")


class Recording:
    """Services whose `ask` answers from a script and records what it was given; nothing else is allowed."""

    def __init__(self, script: Callable[[Callable[[str], None] | None], AskResult] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.script = script

    def ask(
        self,
        who: Principal,
        question: str,
        history: Sequence[str] = (),
        filters: SearchFilters | None = None,
        extractive: bool = False,
        on_token: Callable[[str], None] | None = None,
        topic: str = "auto",
        conversation_id: str | None = None,
        keep: Callable[[AskResult], dict[str, Any]] | None = None,
    ) -> AskResult:
        self.calls.append(
            {
                "who": who,
                "question": question,
                "history": list(history),
                "filters": filters,
                "extractive": extractive,
                "topic": topic,
                "conversation_id": conversation_id,
            }
        )
        if self.script is not None:
            return self.script(on_token)
        return AskResult(f"a{len(self.calls)}", answer("Dấu được đóng vào mép phải [1]."))

    def list_documents(self, who: Principal) -> list[Any]:
        return []

    # conversations: one, in memory (the real store is tested in tests/test_conversations.py)
    def new_conversation(self, who: Principal, title: str = "") -> Any:
        return ConversationSummary("c" * 32, title or "Cuộc hỏi đáp mới", "", "", 0)

    def conversation(self, who: Principal, conversation_id: str) -> Any:
        raise NotFound(conversation_id)

    def conversation_summary(self, who: Principal, conversation_id: str) -> Any:
        raise NotFound(conversation_id)

    def list_conversations(self, who: Principal) -> list[Any]:
        return []


def run_ask(desk: Workdesk, question: str, past: list[str] | None = None, **over: Any) -> list[tuple[Any, ...]]:
    args: dict[str, Any] = dict(
        question=question,
        chat=[],
        past=past or [],
        answers=[],
        types=["Nghị định"],
        issuers=None,
        year_from=2090.0,
        year_to=None,
        validity=["con_hieu_luc"],
        extractive=True,
        request=NO_REQUEST,
    )
    args.update(over)
    return list(desk.ask(**args))


def test_without_a_principal_nothing_is_retrieved_and_the_user_is_told() -> None:
    desk = Workdesk(cast(Services, Untouchable()), identify=lambda r: None)
    chat = run_ask(desk, "Đóng dấu giáp lai thế nào?")[-1][0]
    assert escape(NO_PRINCIPAL) in chat[-1]["content"]
    assert "chưa đăng nhập" in desk.open_citation(gr.EventData(None, {"marker": 1}), [], NO_REQUEST)
    assert "chưa đăng nhập" in desk.send_feedback("a1", "Đúng", "", None, NO_REQUEST)[0]
    loaded = desk.on_load(NO_REQUEST)
    assert "Chưa đăng nhập" in loaded[0] and loaded[5]["visible"] is False  # the admin panel stays hidden


def test_admin_controls_do_nothing_for_a_non_admin() -> None:
    desk = Workdesk(cast(Services, Untouchable()), identify=lambda r: STAFF)
    refused = escape(NO_ADMIN)
    assert refused in list(desk.upload(["/etc/hostname"], "public", NO_REQUEST))[-1][1]
    assert refused in desk.set_access("doc-1", "restricted", NO_REQUEST)[0]
    assert refused in desk.set_validity("doc-1", "het_hieu_luc", "thay thế", NO_REQUEST)[0]
    assert desk.refresh_documents(NO_REQUEST) == (gr.skip(), gr.skip())


def test_filters_and_mode_reach_services_with_the_principal() -> None:
    services = Recording()
    desk = Workdesk(cast(Services, services), identify=lambda r: STAFF)
    run_ask(desk, "  Đóng dấu giáp lai thế nào?  ")
    call = services.calls[0]
    assert call["who"] == STAFF and call["question"] == "Đóng dấu giáp lai thế nào?" and call["extractive"] is True
    assert call["filters"] == SearchFilters(types=("Nghị định",), year_from=2090, validity=("con_hieu_luc",))


def test_follow_up_questions_carry_the_previous_ones() -> None:
    services = Recording()
    desk = Workdesk(cast(Services, services), identify=lambda r: STAFF)
    first = run_ask(desk, "Thời gian thử việc của công chức?")[-1]
    past, answers = first[2], first[3]
    assert past == ["Thời gian thử việc của công chức?"] and answers[0]["answer_id"] == "a1"
    second = run_ask(desk, "Còn viên chức thì sao?", past=past, answers=answers)[-1]
    assert services.calls[1]["history"] == ["Thời gian thử việc của công chức?"]
    assert [a["answer_id"] for a in second[3]] == ["a1", "a2"]


def test_tokens_reach_the_chat_while_the_answer_is_being_written() -> None:
    seen_partial = threading.Event()

    def script(on_token: Callable[[str], None] | None) -> AskResult:
        assert on_token is not None
        on_token("Thời gian thử việc ")
        assert seen_partial.wait(10), "the partial answer never reached the chat"
        on_token("từ 03 đến 12 tháng [1].")
        return AskResult("a1", answer("Thời gian thử việc từ 03 đến 12 tháng [1].", Verification.VERIFIED))

    desk = Workdesk(cast(Services, Recording(script)), identify=lambda r: STAFF)
    updates = desk.ask("Thử việc bao lâu?", [], [], [], None, None, None, None, None, False, NO_REQUEST)
    contents = []
    for out in updates:
        bubble = out[0][-1]["content"] if isinstance(out[0], list) else ""
        contents.append(bubble)
        if "Thời gian thử việc" in bubble and "kho-answer--streaming" in bubble:
            seen_partial.set()
    assert seen_partial.is_set()
    assert "Đã kiểm chứng" in contents[-1] and "kho-answer--streaming" not in contents[-1]


def test_a_bad_question_is_explained_in_vietnamese() -> None:
    def script(on_token: Callable[[str], None] | None) -> AskResult:
        raise ValueError("question: dài quá 2000 ký tự")

    desk = Workdesk(cast(Services, Recording(script)), identify=lambda r: STAFF)
    chat = run_ask(desk, "x" * 3000)[-1][0]
    assert "Yêu cầu không hợp lệ: question: dài quá 2000 ký tự" in chat[-1]["content"]


# --- "Căn cứ": a click highlights exactly the clause a claim binds to (issue 14, item 3) -----------------------


class WithDocument(Recording):
    """`Recording` that also hands out one document record (what `open_source` reads)."""

    def __init__(self, script: Callable[[Callable[[str], None] | None], AskResult], record: DocumentRecord) -> None:
        super().__init__(script)
        self.record = record

    def get_document(self, who: Principal, doc_id: str) -> DocumentRecord:
        assert doc_id == self.record.id
        return self.record


def test_a_click_on_a_ground_or_its_citation_marks_exactly_the_bound_clause(tmp_path: Path) -> None:
    rec = record_of(DECREE, tmp_path)
    assert rec.text is not None
    src = source(parsed(tmp_path), "3")  # the whole Điều 3, as the assistant cites it
    checked = verify("Dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản [1].", [src])
    ans = answer(checked.text, checked.status, citations=[src], sentences=checked.sentences)
    desk = Workdesk(cast(Services, WithDocument(lambda on_token: AskResult("a1", ans), rec)), identify=lambda r: STAFF)
    final = run_ask(desk, "Dấu giáp lai đóng ở đâu?")[-1]
    bubble, panel, answers = final[0][-1]["content"], final[4], final[3]
    anchor = "Điểm đ Khoản 1 Điều 3 Nghị định 12/2098/NĐ-CP"
    assert "Căn cứ" in bubble and escape(anchor) in bubble  # the answer first, then its grounds
    assert bubble.index("kho-answer-body") < bubble.index("kho-grounds")
    assert 'data-ground="0"' in panel and 'data-marker="1"' in panel
    point = next(
        p
        for a in rec.articles()
        if a.number == "3"
        for c in a.clauses
        if c.number == "1"
        for p in c.points
        if p.letter == "đ"
    )
    clause_text = rec.text[point.start : point.end]
    for click in ({"marker": 1, "ground": 0}, {"marker": 1}):  # the "Căn cứ" card, and the old citation card
        out = desk.open_source(gr.EventData(None, click), answers, NO_REQUEST)[0]
        assert "".join(collect(out).marked) == clause_text and out.count("<mark") == 1
        assert f"Trích dẫn: {escape(anchor)}" in out
    # an answer kept from before grounds existed still opens its citation's quoted span
    old = {k: v for k, v in answers[-1].items() if k != "grounds"}
    old["citations"] = [{k: v for k, v in c.items() if not k.startswith("clause_")} for c in answers[-1]["citations"]]
    out = desk.open_source(gr.EventData(None, {"marker": 1}), [old], NO_REQUEST)[0]
    assert "".join(collect(out).marked) == rec.text[src.start : src.end]


def test_filters_read_as_users_mean_them_and_an_answer_shows_the_filters_it_was_searched_under() -> None:
    """Issue 15, item 4: "Luật" left out the Bộ luật; empty year fields showed "0"; a refusal never said a filter
    caused it."""
    from app.services import AskResult as Result
    from assistant.answer import REFUSAL, Answer, Verification
    from ui.workdesk import parse_year

    services = Recording(
        lambda _t: Result("r1", Answer("q", REFUSAL, [], Verification.UNVERIFIED, refused=True, mode="extractive"))
    )
    desk = Workdesk(services, identify=lambda _r: STAFF)  # type: ignore[arg-type]
    outs = run_ask(desk, "Thời hiệu khởi kiện?", types=["Luật"], year_from="", year_to=" 2020 ", validity=[])
    chosen = services.calls[0]["filters"]
    assert set(chosen.types) == {"Luật", "Bộ luật"} and (chosen.year_from, chosen.year_to) == (None, 2020)
    bubble = outs[-1][0][-1]["content"]
    assert "Loại: Luật, Bộ luật" in bubble and "Năm ban hành: …–2020" in bubble
    assert "phạm vi bộ lọc" in bubble  # the refusal names the filters as a possible cause
    with pytest.raises(ValueError, match="Năm ban hành từ"):
        parse_year("Năm ban hành từ", "năm ngoái")
    assert parse_year("đến năm", None) is None and parse_year("đến năm", 0.0) is None
    bad = run_ask(Workdesk(Recording(), identify=lambda _r: STAFF), "?", year_from="20x5")  # type: ignore[arg-type]
    assert "Năm ban hành từ" in bad[-1][0][-1]["content"]


def test_the_closed_filter_box_says_how_many_filters_are_on() -> None:
    from ui.workdesk import FILTERS_LABEL, filters_label

    box, clear = filters_label([], [], "", "", [], "")
    assert box["label"] == FILTERS_LABEL and clear["visible"] is False
    box, clear = filters_label(["Luật"], [], "2015", "", [], None)
    assert box["label"] == f"{FILTERS_LABEL} — 2 đang áp dụng" and clear["visible"] is True

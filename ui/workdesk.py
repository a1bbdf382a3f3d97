"""The Gradio workdesk: ask with streamed, cited answers; open the cited clause; give feedback; administer documents.

A thin layer over `app.services.Services`: every handler finds out who is asking from the request (the
`identify` function `ui.server` passes in) and passes that principal to Services, which filters by clearance and
audits.
No principal → a Vietnamese message and nothing retrieved. HTML comes from `ui.render` (escaped; retrieved text is
data). `kho serve` mounts `build_workdesk(services)` at `/` with `mount_options()` (theme, CSS, no Gradio footer):

    app = gr.mount_gradio_app(app, build_workdesk(services), path="/", **mount_options())
"""

import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from app.limits import RateLimited
from app.services import AskResult, Forbidden, NotFound, Principal, SearchFilters, Services, UploadResult, allowed
from core.text import nfc
from ingest.model import AccessLevel, DocumentMeta
from ui import render
from ui.security import UploadLedger

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
CSS_PATH = STATIC / "workdesk.css"
FILE_TYPES = [".pdf", ".docx", ".html", ".htm", ".txt"]
TITLE = "Bộ Nội vụ — Kho tri thức"

Identify = Callable[[gr.Request], Principal | None]

NO_PRINCIPAL = (
    "Bạn chưa đăng nhập hoặc khóa truy cập không hợp lệ. Vui lòng đăng nhập bằng khóa truy cập được cấp; "
    "không có văn bản nào được truy xuất."
)
NO_ADMIN = "Bạn không có quyền quản trị. Chức năng này chỉ dành cho tài khoản có vai trò quản trị (admin)."
ROLE_LABELS = {"staff": "Cán bộ", "legal": "Pháp chế", "admin": "Quản trị", "evaluator": "Đánh giá viên"}
NO_WRONG_CITATION = "0"

# Clicking a citation card sends its marker; the source view scrolls its highlighted clause into view when it changes.
CITES_JS = """
const pick = (e) => {
  const card = e.target.closest('[data-marker]');
  if (card) trigger('click', {marker: Number(card.dataset.marker)});
};
element.addEventListener('click', pick);
element.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(e); }
});
"""
SOURCE_JS = """
watch('value', () => {
  const m = element.querySelector('mark.kho-cited');
  if (m) m.scrollIntoView({block: 'center', behavior: 'smooth'});
});
"""

EMPTY_SOURCE = (
    '<div class="kho-source-empty">Bấm vào một trích dẫn để xem điều khoản gốc, với đoạn được trích dẫn tô sáng.</div>'
)


def workdesk_theme() -> gr.themes.Base:
    """A sober navy theme on the bundled IBM Plex Sans (no web font is fetched)."""
    return gr.themes.Base(primary_hue="blue", neutral_hue="slate", radius_size="sm").set(
        button_primary_background_fill="#0b3b75",
        button_primary_background_fill_hover="#082b57",
        button_primary_text_color="#ffffff",
        body_background_fill="#f5f7fa",
        block_title_text_weight="600",
    )


def mount_options() -> dict[str, Any]:
    """The look, as keyword arguments for `gr.mount_gradio_app` (Gradio 6 takes theme and CSS there, not in Blocks)."""
    return {"theme": workdesk_theme(), "css_paths": [CSS_PATH]}


def _nobody(request: gr.Request) -> Principal | None:
    """Without an `identify` from the server nobody is signed in: every handler refuses politely."""
    return None


# --- per-session state ----------------------------------------------------------------------------------------


@dataclass
class ShownCitation:
    """What a click on a citation card needs: where the cited span is."""

    marker: int
    anchor: str
    document_id: str
    start: int
    end: int


@dataclass
class AnswerRef:
    """One answer of this session, for feedback and for reopening its citations."""

    answer_id: str
    question: str
    citations: list[ShownCitation] = field(default_factory=list)

    def label(self, n: int) -> str:
        q = self.question if len(self.question) <= 70 else self.question[:69] + "…"
        return f"Câu {n}: {q}"


def _answer_ref(question: str, result: AskResult) -> dict[str, Any]:
    cites = [ShownCitation(c.marker, c.hit.anchor, c.hit.document_id, c.start, c.end) for c in result.answer.citations]
    return asdict(AnswerRef(result.answer_id, question, cites))


def _load_ref(d: dict[str, Any]) -> AnswerRef:
    return AnswerRef(d["answer_id"], d["question"], [ShownCitation(**c) for c in d["citations"]])


def _filters(
    types: Sequence[str] | None,
    issuers: Sequence[str] | None,
    year_from: float | None,
    year_to: float | None,
    validity: Sequence[str] | None,
) -> SearchFilters:
    return SearchFilters(
        types=tuple(types or ()),
        issuers=tuple(issuers or ()),
        year_from=int(year_from) if year_from else None,
        year_to=int(year_to) if year_to else None,
        validity=tuple(validity or ()),
    )


def _user_html(who: Principal | None) -> str:
    if who is None:
        return '<div class="kho-user">Chưa đăng nhập</div>'
    role = ROLE_LABELS.get(who.role, who.role)
    level = render.ACCESS_BADGES[who.clearance.value].html("kho-state")
    name = render.escape(who.name)
    return (
        f'<div class="kho-user"><b>{name}</b><br>{render.escape(role)} · mức truy cập{level}'
        '<br><form class="kho-logout" method="post" action="/logout">'
        '<button type="submit" class="kho-logout-btn">Đăng xuất</button></form></div>'
    )


def _banner(user_html: str) -> str:
    return (
        '<div class="kho-banner"><div class="kho-emblem">★</div><div class="kho-banner-text">'
        '<div class="kho-ministry">Bộ Nội vụ</div><div class="kho-product">Kho tri thức</div>'
        '<div class="kho-tagline">Tra cứu văn bản quy phạm pháp luật và tài liệu nội bộ — trả lời có trích dẫn '
        f"kiểm chứng</div></div>{user_html}</div>"
    )


class Workdesk:
    """The handlers behind the workdesk's controls; `build_workdesk` lays them out."""

    def __init__(
        self, services: Services, identify: Identify | None = None, uploads: UploadLedger | None = None
    ) -> None:
        self.services = services
        self.identify = identify or _nobody
        # Without a ledger (a workdesk built outside `kho serve`) no uploaded path is ever trusted.
        self.uploads = uploads

    def _who(self, request: gr.Request) -> Principal | None:
        try:
            return self.identify(request)
        except Exception:  # a broken session cookie or header is "not signed in", never a stack trace
            log.warning("could not identify the request", exc_info=True)
            return None

    # -- page load -----------------------------------------------------------------------------------------------

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        """Banner with the user, filter choices from the documents they may read, the admin tab's gate."""
        who = self._who(request)
        types: list[str] = []
        issuers: list[str] = []
        if who is not None:
            docs = self.services.list_documents(who)
            types = sorted({d.meta.loai for d in docs if d.meta.loai})
            issuers = sorted({d.meta.co_quan for d in docs if d.meta.co_quan})
        is_admin = who is not None and allowed(who, "upload")
        gate = "" if is_admin else render.notice_html(NO_PRINCIPAL if who is None else NO_ADMIN, "warning")
        notice = gr.update(value=render.notice_html(NO_PRINCIPAL, "warning"), visible=who is None)
        return (
            _banner(_user_html(who)),
            notice,
            gr.update(choices=types, value=[]),
            gr.update(choices=issuers, value=[]),
            gate,
            gr.update(visible=is_admin),
            *(self._document_table(who) if is_admin and who else (gr.skip(), gr.skip())),
        )

    # -- asking --------------------------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        chat: list[dict[str, Any]],
        past: list[str],
        answers: list[dict[str, Any]],
        types: list[str] | None,
        issuers: list[str] | None,
        year_from: float | None,
        year_to: float | None,
        validity: list[str] | None,
        extractive: bool,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, then show its badge, its citations and the feedback choices.

        Outputs: chat, question box, past questions, answers, citations panel, source view, feedback answer choice,
        wrong-citation choice, feedback status.
        """
        question = (question or "").strip()
        skip = gr.skip()
        if not question:
            yield (skip,) * 9
            return
        chat = [*chat, {"role": "user", "content": render.escape(question)}]
        who = self._who(request)
        if who is None:
            chat.append({"role": "assistant", "content": render.notice_html(NO_PRINCIPAL, "warning")})
            yield chat, "", skip, skip, skip, skip, skip, skip, skip
            return
        chat.append({"role": "assistant", "content": render.streaming_html("")})
        yield chat, "", skip, skip, skip, EMPTY_SOURCE, skip, skip, ""

        tokens: queue.Queue[str | None] = queue.Queue()
        outcome: dict[str, Any] = {}
        filters = _filters(types, issuers, year_from, year_to, validity)

        def work() -> None:
            try:
                outcome["result"] = self.services.ask(
                    who, question, history=past, filters=filters, extractive=extractive, on_token=tokens.put
                )
            except Exception as exc:  # shown to the user below; the worker must always release the stream
                outcome["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, name="kho-ask", daemon=True).start()
        parts: list[str] = []
        done = False
        while not done:
            piece = tokens.get()
            batch = [piece]
            while piece is not None and not tokens.empty():  # coalesce what arrived meanwhile into one update
                piece = tokens.get()
                batch.append(piece)
            done = batch[-1] is None
            parts.extend(p for p in batch if p is not None)
            if parts and not done:
                chat[-1] = {"role": "assistant", "content": render.streaming_html("".join(parts))}
                yield chat, skip, skip, skip, skip, skip, skip, skip, skip

        if "error" in outcome:
            chat[-1] = {"role": "assistant", "content": render.notice_html(self._error_text(outcome["error"]), "error")}
            yield chat, skip, skip, skip, skip, skip, skip, skip, skip
            return
        result: AskResult = outcome["result"]
        chat[-1] = {"role": "assistant", "content": render.answer_html(result.answer)}
        answers = [*answers, _answer_ref(question, result)]
        past = [*past, question]
        metas = self._metas(who, {c.hit.document_id for c in result.answer.citations})
        yield (
            chat,
            skip,
            past,
            answers,
            render.citations_html(result.answer.citations, metas),
            EMPTY_SOURCE,
            self._answer_choices(answers),
            self._marker_choices(_load_ref(answers[-1])),
            "",
        )

    @staticmethod
    def _error_text(exc: BaseException) -> str:
        if isinstance(exc, RateLimited):
            return f"Tạm thời chưa nhận thêm câu hỏi: {exc}."
        if isinstance(exc, ValueError):
            return f"Yêu cầu không hợp lệ: {exc}"
        if isinstance(exc, Forbidden):
            return "Bạn không có quyền đặt câu hỏi."
        log.exception("ask failed", exc_info=exc)
        return "Đã xảy ra lỗi khi trả lời. Vui lòng thử lại sau."

    def _metas(self, who: Principal, ids: set[str]) -> dict[str, DocumentMeta]:
        """Registry metadata of the cited documents (dates and validity as last set), without opening them."""
        if not ids:
            return {}
        return {d.id: d.meta for d in self.services.list_documents(who) if d.id in ids}

    def clear(self) -> tuple[Any, ...]:
        """A new conversation: no history, no citations."""
        return [], "", [], render.citations_html([]), EMPTY_SOURCE

    # -- citations -----------------------------------------------------------------------------------------------

    def open_citation(self, evt: gr.EventData, answers: list[dict[str, Any]], request: gr.Request) -> str:
        """The source article of the clicked citation (of the latest answer), its cited clause highlighted."""
        who = self._who(request)
        if who is None:
            return render.notice_html(NO_PRINCIPAL, "warning")
        marker = (getattr(evt, "_data", None) or {}).get("marker")
        if not answers or marker is None:
            return EMPTY_SOURCE
        ref = _load_ref(answers[-1])
        cite = next((c for c in ref.citations if c.marker == int(marker)), None)
        if cite is None:
            return EMPTY_SOURCE
        try:
            record = self.services.get_document(who, cite.document_id)
            return render.source_html(record, cite.start, cite.end, anchor=cite.anchor)
        except NotFound:
            return render.notice_html("Không tìm thấy văn bản này (có thể bạn không có quyền xem).", "warning")
        except ValueError:
            log.warning("citation [%s] of %s does not fit its document", marker, ref.answer_id)
            return render.notice_html("Văn bản đã thay đổi kể từ khi trả lời; hãy hỏi lại.", "warning")

    # -- feedback ------------------------------------------------------------------------------------------------

    @staticmethod
    def _answer_choices(answers: list[dict[str, Any]]) -> Any:
        choices = [(_load_ref(a).label(i), a["answer_id"]) for i, a in enumerate(answers, start=1)]
        return gr.update(choices=choices, value=choices[-1][1] if choices else None)

    @staticmethod
    def _marker_choices(ref: AnswerRef | None) -> Any:
        choices = [("Không có trích dẫn sai", NO_WRONG_CITATION)]
        if ref is not None:
            choices += [(f"[{c.marker}] {c.anchor}", str(c.marker)) for c in ref.citations]
        return gr.update(choices=choices, value=NO_WRONG_CITATION)

    def pick_answer(self, answer_id: str | None, answers: list[dict[str, Any]]) -> Any:
        """The wrong-citation choices of the answer picked for feedback."""
        ref = next((_load_ref(a) for a in answers if a["answer_id"] == answer_id), None)
        return self._marker_choices(ref)

    def send_feedback(
        self, answer_id: str | None, verdict: str | None, comment: str, wrong: str | None, request: gr.Request
    ) -> str:
        """Record Đúng/Sai, the comment and the wrong citation for the chosen answer; confirm it visibly."""
        who = self._who(request)
        if who is None:
            return render.notice_html(NO_PRINCIPAL, "warning")
        if not answer_id:
            return render.notice_html("Chưa có câu trả lời nào để đánh giá.", "warning")
        if verdict not in ("Đúng", "Sai"):
            return render.notice_html("Hãy chọn Đúng hoặc Sai.", "warning")
        marker = int(wrong) if wrong and wrong != NO_WRONG_CITATION else None
        try:
            self.services.feedback(who, answer_id, verdict == "Đúng", comment or "", marker)
        except (NotFound, ValueError) as exc:
            return render.notice_html(f"Không ghi nhận được ý kiến: {exc}", "error")
        cited = f", trích dẫn sai [{marker}]" if marker else ""
        return render.notice_html(f"Đã ghi nhận ý kiến: câu trả lời {verdict.lower()}{cited}. Cảm ơn bạn!", "success")

    # -- administration ------------------------------------------------------------------------------------------

    def _admin(self, request: gr.Request) -> Principal | None:
        who = self._who(request)
        return who if who is not None and allowed(who, "upload") else None

    def _document_table(self, who: Principal, chosen: str | None = None) -> tuple[Any, Any]:
        """The document list and the document choice (keeping `chosen` selected when it is still listed)."""
        docs = self.services.list_documents(who)
        rows = [render.document_row(d) for d in docs]
        choices = [(f"{d.meta.so_hieu or d.meta.title} — {d.meta.title}", d.id) for d in docs]
        keep = chosen if any(d.id == chosen for d in docs) else None
        return gr.update(value=rows), gr.update(choices=choices, value=keep)

    def file_table(self, request: gr.Request) -> Any:
        """The source files with their states (a failed file has no document: this is where it shows)."""
        who = self._admin(request)
        if who is None:
            return gr.skip()
        return gr.update(value=[render.file_row(f) for f in self.services.list_files(who)])

    def refresh_documents(self, request: gr.Request) -> tuple[Any, Any]:
        who = self._admin(request)
        return self._document_table(who) if who else (gr.skip(), gr.skip())

    def upload(
        self, files: list[str] | None, level: str, request: gr.Request, progress: gr.Progress = gr.Progress()
    ) -> Iterator[tuple[Any, ...]]:
        """Ingest the uploaded files, with a progress bar and a live per-file state table; then the new list.

        Outputs: upload table, status, document table, document choice.
        """
        skip = gr.skip()
        who = self._admin(request)
        if who is None:
            yield skip, render.notice_html(NO_ADMIN, "error"), skip, skip
            return
        if not files:
            yield skip, render.notice_html("Chưa chọn tệp nào.", "warning"), skip, skip
            return
        try:
            # Only files this same user just uploaded through the workdesk: a forged path is never read.
            if self.uploads is None:
                raise PermissionError("tải lên chỉ dùng được qua bàn làm việc của máy chủ")
            claimed = [self.uploads.claim(who.name, f) for f in files]
        except PermissionError as denied:
            yield skip, render.notice_html(f"Không nhận tệp: {denied}", "error"), skip, skip
            return
        try:
            named = [(nfc(Path(f).name), f.read_bytes()) for f in claimed]
        finally:
            for f in claimed:  # the bytes are in memory: the temporary copy goes now, whatever happens next
                self.uploads.discard(f)
        rows = {name: [name, render.state_label("pending"), "", ""] for name, _ in named}
        steps = len(named) * 4  # ingesting, the registry's state, indexing, searchable
        events: queue.Queue[tuple[str, str] | None] = queue.Queue()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["results"] = self.services.upload(
                    who, named, AccessLevel.from_str(level), on_progress=lambda f, s: events.put((f, s))
                )
            except Exception as exc:
                outcome["error"] = exc
            finally:
                events.put(None)

        threading.Thread(target=work, name="kho-upload", daemon=True).start()
        progress(0, desc="Đang tải lên…")
        done = 0
        while (event := events.get()) is not None:
            name, state = event
            done += 1
            rows.setdefault(name, [name, "", "", ""])[1] = render.state_label(state)
            progress(min(done / steps, 1.0), desc=f"{name}: {render.state_label(state)}")
            yield list(rows.values()), skip, skip, skip
        if "error" in outcome:
            exc = outcome["error"]
            message = str(exc) if isinstance(exc, ValueError | Forbidden) else "Tải lên thất bại; xem nhật ký máy chủ."
            if not isinstance(exc, ValueError | Forbidden):
                log.error("upload failed", exc_info=exc)
            yield list(rows.values()), render.notice_html(message, "error"), skip, skip
            return
        results: list[UploadResult] = outcome["results"]
        table = [render.upload_row(r.to_json()) for r in results]
        ok = sum(1 for r in results if r.state in ("indexed", "skipped_unchanged"))
        kind = "success" if ok == len(results) else "warning"
        status = render.notice_html(f"Đã xử lý {len(results)} tệp: {ok} tệp sẵn sàng tra cứu.", kind)
        yield (table, status, *self._document_table(who))

    def set_access(self, doc_id: str | None, level: str, request: gr.Request) -> tuple[Any, ...]:
        """Change the chosen document's access level. Outputs: status, document table, document choice."""
        who = self._admin(request)
        if who is None:
            return render.notice_html(NO_ADMIN, "error"), gr.skip(), gr.skip()
        if not doc_id:
            return render.notice_html("Hãy chọn một văn bản.", "warning"), gr.skip(), gr.skip()
        try:
            self.services.set_access_level(who, doc_id, AccessLevel.from_str(level))
        except (NotFound, ValueError) as exc:
            return render.notice_html(f"Không cập nhật được: {exc}", "error"), gr.skip(), gr.skip()
        label = render.access_label(level)
        return (render.notice_html(f"Đã đặt mức truy cập “{label}”.", "success"), *self._document_table(who, doc_id))

    def set_validity(self, doc_id: str | None, validity: str, reason: str, request: gr.Request) -> tuple[Any, ...]:
        """Change the chosen document's validity (with a reason). Outputs: status, document table, choice."""
        who = self._admin(request)
        if who is None:
            return render.notice_html(NO_ADMIN, "error"), gr.skip(), gr.skip()
        if not doc_id:
            return render.notice_html("Hãy chọn một văn bản.", "warning"), gr.skip(), gr.skip()
        try:
            self.services.set_validity(who, doc_id, validity, (reason or "").strip() or None)
        except (NotFound, ValueError) as exc:
            return render.notice_html(f"Không cập nhật được: {exc}", "error"), gr.skip(), gr.skip()
        label = render.validity_label(validity)
        return (render.notice_html(f"Đã đặt hiệu lực “{label}”.", "success"), *self._document_table(who, doc_id))

    @staticmethod
    def pick_document(evt: gr.SelectData) -> Any:
        """Selecting a row of the document list chooses that document for the settings below."""
        row = getattr(evt, "row_value", None) or []
        return gr.update(value=row[-1]) if row else gr.skip()  # the id is the last column


# --- layout -------------------------------------------------------------------------------------------------------

VALIDITY_CHOICES = [(b.label, v) for v, b in render.VALIDITY_BADGES.items()]
ACCESS_CHOICES = [(b.label, v) for v, b in render.ACCESS_BADGES.items()]


def build_workdesk(
    services: Services, identify: Identify | None = None, uploads: UploadLedger | None = None
) -> gr.Blocks:
    """The workdesk app: tab "Hỏi đáp" (chat, filters, citations, source, feedback) and tab "Quản trị" (admin).

    `identify` maps a request to its principal (`ui.server` passes its `WorkdeskAuth.from_request`); `uploads` is the
    server's ledger of who uploaded which file (uploads are refused without it).
    """
    desk = Workdesk(services, identify, uploads)
    # Gradio's cache (uploads that were never submitted) is swept hourly of files older than an hour.
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True, delete_cache=(3600, 3600)) as app:
        banner = gr.HTML(_banner(_user_html(None)), elem_id="kho-banner")
        signed_out = gr.HTML("", visible=False, elem_id="kho-signed-out")
        past = gr.State([])
        answers = gr.State([])
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7):
                        chat = gr.Chatbot(
                            elem_id="kho-chat",
                            show_label=False,
                            height=520,
                            feedback_options=None,
                            buttons=["copy"],
                            placeholder="Đặt câu hỏi về văn bản pháp luật, quy chế, hướng dẫn của Bộ.",
                            layout="panel",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                elem_id="kho-question",
                                show_label=False,
                                placeholder="Nhập câu hỏi, ví dụ: Đóng dấu giáp lai thế nào?",
                                lines=1,
                                max_lines=4,
                                scale=8,
                                autofocus=True,
                            )
                            send = gr.Button("Gửi câu hỏi", variant="primary", elem_id="kho-ask-btn", scale=1)
                        with gr.Row():
                            extractive = gr.Checkbox(
                                label="Chỉ trích dẫn (nguyên văn điều khoản)",
                                value=False,
                                elem_id="kho-extractive",
                            )
                            new_chat = gr.Button("Cuộc hỏi đáp mới", size="sm", variant="secondary")
                        with gr.Accordion("Bộ lọc văn bản", open=False, elem_id="kho-filters"):
                            with gr.Row():
                                types = gr.Dropdown([], label="Loại văn bản", multiselect=True)
                                issuers = gr.Dropdown([], label="Cơ quan ban hành", multiselect=True)
                            with gr.Row():
                                year_from = gr.Number(label="Năm ban hành từ", precision=0, value=None)
                                year_to = gr.Number(label="đến năm", precision=0, value=None)
                                validity = gr.Dropdown(VALIDITY_CHOICES, label="Hiệu lực", multiselect=True)
                        with gr.Accordion("Đánh giá câu trả lời", open=False, elem_id="kho-feedback"):
                            fb_answer = gr.Dropdown([], label="Câu trả lời được đánh giá", elem_id="kho-fb-answer")
                            with gr.Row():
                                fb_verdict = gr.Radio(["Đúng", "Sai"], label="Nhận định", elem_id="kho-fb-verdict")
                                fb_wrong = gr.Dropdown(
                                    [("Không có trích dẫn sai", NO_WRONG_CITATION)],
                                    value=NO_WRONG_CITATION,
                                    label="Trích dẫn sai",
                                    elem_id="kho-fb-wrong",
                                )
                            fb_comment = gr.Textbox(label="Nhận xét", lines=2, elem_id="kho-fb-comment")
                            fb_send = gr.Button("Gửi đánh giá", variant="primary", elem_id="kho-fb-send")
                            fb_status = gr.HTML("", elem_id="kho-fb-status")
                    with gr.Column(scale=5):
                        gr.HTML('<div class="kho-panel-title">Căn cứ trích dẫn</div>')
                        cites = gr.HTML(render.citations_html([]), elem_id="kho-citations", js_on_load=CITES_JS)
                        gr.HTML('<div class="kho-panel-title">Điều khoản gốc</div>')
                        source = gr.HTML(EMPTY_SOURCE, elem_id="kho-source", js_on_load=SOURCE_JS)
            with gr.Tab("Quản trị", id="admin"):
                gate = gr.HTML(render.notice_html(NO_ADMIN, "warning"), elem_id="kho-admin-gate")
                with gr.Column(visible=False, elem_id="kho-admin") as admin_panel:
                    gr.HTML('<div class="kho-panel-title">Tải văn bản lên</div>')
                    with gr.Row():
                        files = gr.File(
                            label="Tệp PDF, DOCX, HTML, TXT",
                            file_count="multiple",
                            file_types=FILE_TYPES,
                            elem_id="kho-upload-files",
                            scale=3,
                        )
                        with gr.Column(scale=1):
                            up_level = gr.Dropdown(
                                ACCESS_CHOICES, value="public", label="Mức truy cập", elem_id="kho-upload-level"
                            )
                            up_send = gr.Button("Tải lên và lập chỉ mục", variant="primary", elem_id="kho-upload-btn")
                    up_table = gr.Dataframe(
                        headers=render.UPLOAD_COLUMNS,
                        value=[],
                        interactive=False,
                        wrap=True,
                        elem_id="kho-upload-table",
                        label="Trạng thái từng tệp",
                    )
                    up_status = gr.HTML("", elem_id="kho-upload-status")
                    gr.HTML('<div class="kho-panel-title">Danh mục văn bản</div>')
                    doc_table = gr.Dataframe(
                        headers=render.DOCUMENT_COLUMNS,
                        value=[],
                        interactive=False,
                        wrap=True,
                        elem_id="kho-documents",
                        column_widths=render.DOCUMENT_COLUMN_WIDTHS,
                        max_height=420,
                        show_search="search",
                    )
                    gr.HTML('<div class="kho-panel-title">Tệp nguồn</div>')
                    file_table = gr.Dataframe(
                        headers=render.FILE_COLUMNS,
                        value=[],
                        interactive=False,
                        wrap=True,
                        elem_id="kho-files",
                        max_height=300,
                    )
                    refresh = gr.Button("Làm mới danh mục", size="sm")
                    with gr.Row():
                        doc_pick = gr.Dropdown([], label="Văn bản", elem_id="kho-doc-pick", scale=3)
                        set_level = gr.Dropdown(
                            ACCESS_CHOICES, value="public", label="Mức truy cập", elem_id="kho-set-level-value"
                        )
                        set_level_btn = gr.Button("Cập nhật mức truy cập", elem_id="kho-set-level")
                    with gr.Row():
                        set_valid = gr.Dropdown(
                            VALIDITY_CHOICES, value="con_hieu_luc", label="Hiệu lực", elem_id="kho-set-validity-value"
                        )
                        set_reason = gr.Textbox(
                            label="Lý do (căn cứ thay đổi hiệu lực)", scale=2, elem_id="kho-set-reason"
                        )
                        set_valid_btn = gr.Button("Cập nhật hiệu lực", elem_id="kho-set-validity")
                    admin_status = gr.HTML("", elem_id="kho-admin-status")

        app.load(desk.on_load, None, [banner, signed_out, types, issuers, gate, admin_panel, doc_table, doc_pick]).then(
            desk.file_table, None, [file_table]
        )

        ask_inputs = [question, chat, past, answers, types, issuers, year_from, year_to, validity, extractive]
        ask_outputs = [chat, question, past, answers, cites, source, fb_answer, fb_wrong, fb_status]
        send.click(desk.ask, ask_inputs, ask_outputs, concurrency_limit=None)
        question.submit(desk.ask, ask_inputs, ask_outputs, concurrency_limit=None)
        new_chat.click(desk.clear, None, [chat, question, past, cites, source])
        cites.click(desk.open_citation, [answers], [source])
        fb_answer.change(desk.pick_answer, [fb_answer, answers], [fb_wrong])
        fb_send.click(desk.send_feedback, [fb_answer, fb_verdict, fb_comment, fb_wrong], [fb_status])

        up_send.click(desk.upload, [files, up_level], [up_table, up_status, doc_table, doc_pick]).then(
            desk.file_table, None, [file_table]
        )
        refresh.click(desk.refresh_documents, None, [doc_table, doc_pick]).then(desk.file_table, None, [file_table])
        doc_table.select(desk.pick_document, None, [doc_pick])
        set_level_btn.click(desk.set_access, [doc_pick, set_level], [admin_status, doc_table, doc_pick])
        set_valid_btn.click(desk.set_validity, [doc_pick, set_valid, set_reason], [admin_status, doc_table, doc_pick])
    return app

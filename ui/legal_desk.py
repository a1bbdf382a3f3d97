"""The workdesk's "Pháp chế" tab: the legal department reviews wrong-answer feedback and reads or exports the audit log.

A thin layer over `app.review.ReviewDesk`: each handler finds out who is asking from the request and passes that
principal on, so a user without the legal or admin role gets the gate notice and nothing else, whatever the page
shows. Every question, comment, anchor and note goes through `ui.render.escape`. Built inside the workdesk's tabs:

    with gr.Tabs():
        ...
        legal = build_legal_tab(services, identify)
    legal.load(app)  # fills the tab (or shows the gate) when the page loads
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import gradio as gr

from app.audit import EVENT_KINDS, AuditEvent, AuditLog
from app.permissions import Forbidden, Principal
from app.review import DEFAULT_AUDIT_ROWS, REVIEWERS, FeedbackSource, ReviewDesk, ReviewItem
from app.services import NotFound, Services
from core.fs import write_private
from eval.feedback import feedback_items
from ui.exports import ExportShelf
from ui.render import escape, notice_html

log = logging.getLogger(__name__)

Identify = Callable[[gr.Request], Principal | None]

NO_PRINCIPAL = "Bạn chưa đăng nhập hoặc khóa truy cập không hợp lệ. Vui lòng đăng nhập bằng khóa truy cập được cấp."
NO_LEGAL = (
    "Bạn không có quyền truy cập màn hình Pháp chế. Chức năng này chỉ dành cho tài khoản có vai trò "
    "pháp chế (legal) hoặc quản trị (admin)."
)
EMPTY_QUEUE = "Không có ý kiến phản hồi nào ở trạng thái này."
EMPTY_AUDIT = "Không có sự kiện nào khớp bộ lọc."

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")  # Việt Nam has one time zone and no daylight saving
QUESTION_PREVIEW = 300
PICK_PREVIEW = 70
EXPORT_KEEP_S = 3600  # an export's file is removed an hour later (Gradio has served its own copy by then)

STATUS_LABELS = {"open": "Chờ xem xét", "confirmed": "Đã xác nhận sai", "dismissed": "Đã bỏ qua", "all": "Tất cả"}
STATUS_CHOICES = [(label, key) for key, label in STATUS_LABELS.items()]
EVENT_LABELS = {
    "ask": "Hỏi đáp",
    "search": "Tìm kiếm",
    "document_view": "Xem văn bản",
    "upload": "Tải văn bản lên",
    "delete": "Xóa văn bản",
    "set_access": "Đổi mức truy cập",
    "set_validity": "Đổi hiệu lực",
    "feedback": "Đánh giá câu trả lời",
    "audit_export": "Xuất nhật ký",
    "relation_decision": "Quyết định quan hệ văn bản",
    "reindex": "Lập chỉ mục lại",
    "backup": "Sao lưu dữ liệu",
    "restore": "Khôi phục dữ liệu",
}
ALL_EVENTS = ""
EVENT_CHOICES = [("Tất cả", ALL_EVENTS), *((EVENT_LABELS.get(k, k), k) for k in EVENT_KINDS)]
VERIFICATION_LABELS = {
    "verified": "Đã kiểm chứng",
    "partially_verified": "Kiểm chứng một phần",
    "unverified": "Chưa kiểm chứng",
}
QUEUE_COLUMNS = ["Thời điểm", "Câu hỏi", "Nhận định", "Trích dẫn bị cho là sai", "Nhận xét", "Trạng thái"]
AUDIT_COLUMNS = ["Thời điểm", "Sự kiện", "Người dùng", "Vai trò", "Nội dung", "Chi tiết"]

_TABLE = 'class="kho-legal-table" style="width:100%;border-collapse:collapse;font-size:0.92em"'
_CELL = 'style="border-bottom:1px solid #e5e7eb;padding:6px 8px;vertical-align:top;text-align:left"'


# --- the desk, with the eval items the review confirms --------------------------------------------------------


def confirmed_items(source: FeedbackSource) -> list[dict[str, Any]]:
    """`eval.feedback.feedback_items` over the confirmed complaints (the source has the audit log's shape)."""
    return feedback_items(cast(AuditLog, source))


def review_desk(services: Services) -> ReviewDesk:
    """The legal desk over `services`, turning confirmed complaints into eval items as `kho eval feedback` does."""
    return ReviewDesk(services, to_eval_items=confirmed_items)


# --- HTML (pure) ----------------------------------------------------------------------------------------------


def vn_time(at: str) -> str:
    """An audit timestamp (UTC ISO) as Vietnamese read it: "dd/mm/yyyy HH:MM" in Việt Nam time.

    >>> vn_time("2026-12-01T20:21:05.123+00:00")
    '02/12/2026 03:21'
    """
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def parse_day(text: str | None) -> dt.date | None:
    """A day typed as YYYY-MM-DD or dd/mm/yyyy; None when empty; ValueError with a Vietnamese message otherwise.

    >>> parse_day("2026-01-31"), parse_day("31/01/2026"), parse_day(" ")
    (datetime.date(2026, 1, 31), datetime.date(2026, 1, 31), None)
    """
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Ngày không hợp lệ: {text!r} (nhập theo dạng YYYY-MM-DD hoặc dd/mm/yyyy)")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], elem_class: str) -> str:
    """An HTML table; the cells are HTML already (each piece of text in them escaped by the caller)."""
    head = "".join(f"<th {_CELL}>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table {_TABLE} data-kind="{elem_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def verdict_label(item: ReviewItem) -> str:
    """ "Sai", or "Đúng, nhưng trích dẫn sai" when only a citation was judged wrong."""
    return "Đúng, nhưng trích dẫn sai" if item.correct else "Sai"


def _citation_text(citation: dict[str, Any] | None) -> str:
    if not citation:
        return "—"
    return f"[{citation.get('marker')}] {citation.get('anchor') or '?'}"


def queue_row(item: ReviewItem) -> list[str]:
    """One complaint as table cells (HTML, every text escaped), in the order of `QUEUE_COLUMNS`."""
    question = item.question if item.question is not None else "(không tìm thấy câu hỏi trong nhật ký)"
    verification = VERIFICATION_LABELS.get(item.verification or "", "")
    facts = [verification] if verification else []
    if item.refused:
        facts.append("đã từ chối trả lời")
    cited = ", ".join(_citation_text(c) for c in item.citations)
    if cited:
        facts.append(f"trích dẫn: {cited}")
    extra = f'<div style="color:#6b7280;font-size:0.9em">{escape("; ".join(facts))}</div>' if facts else ""
    status = escape(STATUS_LABELS[item.status])
    if item.decision is not None:
        status += f'<div style="color:#6b7280;font-size:0.9em">{escape(vn_time(item.decision.at))}'
        if item.decision.note:
            status += f" — {escape(item.decision.note)}"
        status += "</div>"
    return [
        escape(vn_time(item.at)),
        escape(_short(question, QUESTION_PREVIEW)) + extra,
        escape(verdict_label(item)),
        escape(", ".join(_citation_text(c) for c in item.wrong_citations) or "—"),
        escape(item.comment or "—"),
        status,
    ]


def queue_html(items: Sequence[ReviewItem]) -> str:
    """The complaints as a table, or a notice that there are none."""
    if not items:
        return notice_html(EMPTY_QUEUE, "info")
    return _table(QUEUE_COLUMNS, [queue_row(i) for i in items], "queue")


def pick_label(item: ReviewItem) -> str:
    """What the reviewer picks a complaint by: its time and question (Gradio shows choices as text, not HTML)."""
    question = item.question if item.question is not None else "(không rõ câu hỏi)"
    return f"{vn_time(item.at)} — {_short(' '.join(question.split()), PICK_PREVIEW)}"


def _event_content(ev: AuditEvent) -> str:
    if ev.question:
        return _short(ev.question, QUESTION_PREVIEW)
    return ev.ref or "—"


def _event_details(ev: AuditEvent) -> str:
    parts = []
    if ev.verification:
        parts.append(VERIFICATION_LABELS.get(ev.verification, ev.verification))
    if ev.refused:
        parts.append("từ chối trả lời")
    if ev.citations:
        parts.append("trích dẫn: " + ", ".join(_citation_text(c) for c in ev.citations))
    parts += [f"{k}: {v}" for k, v in ev.details.items() if v not in (None, "", [], {})]
    return _short("; ".join(parts), 400) or "—"


def audit_row(ev: AuditEvent) -> list[str]:
    """One audit event as table cells (HTML, every text escaped), in the order of `AUDIT_COLUMNS`."""
    return [
        escape(vn_time(ev.at)),
        escape(EVENT_LABELS.get(ev.event, ev.event)),
        f"<code>{escape(ev.user)}</code>",
        escape(ev.role),
        escape(_event_content(ev)),
        escape(_event_details(ev)),
    ]


def audit_html(rows: Sequence[AuditEvent], limit: int | None = None) -> str:
    """The audit events as a table (newest first), or a notice that none match."""
    if not rows:
        return notice_html(EMPTY_AUDIT, "info")
    cap = f" (hiển thị {len(rows)} sự kiện mới nhất)" if limit is not None and len(rows) >= limit else ""
    head = f'<div style="margin:4px 0">{escape(f"{len(rows)} sự kiện{cap}")}</div>'
    return head + _table(AUDIT_COLUMNS, [audit_row(e) for e in rows], "audit")


# --- handlers -------------------------------------------------------------------------------------------------


def _nobody(request: gr.Request) -> Principal | None:
    return None


class LegalTab:
    """The tab's handlers (each checks who is asking) and, once built, its components."""

    def __init__(
        self,
        services: Services,
        identify: Identify | None = None,
        desk: ReviewDesk | None = None,
        exports: ExportShelf | None = None,
    ) -> None:
        self.desk = desk or review_desk(services)
        self.identify = identify or _nobody
        # the server's shelf of per-user downloads (ui/exports.py): Gradio's own file route never serves from the
        # private upload folder it would copy an output file into, so under `kho serve` the export is a link here
        self.exports = exports
        self._exports: list[tuple[float, Path]] = []
        self.outputs: list[Any] = []  # what `on_load` fills, set by `build_legal_tab`

    def _who(self, request: gr.Request) -> Principal | None:
        try:
            return self.identify(request)
        except Exception:  # a broken session is "not signed in", never a stack trace
            log.warning("could not identify the request", exc_info=True)
            return None

    def _reviewer(self, request: gr.Request) -> tuple[Principal | None, str]:
        """The principal if they may use the tab, else None and the notice to show."""
        who = self._who(request)
        if who is None:
            return None, notice_html(NO_PRINCIPAL, "warning")
        if who.role not in REVIEWERS:
            return None, notice_html(NO_LEGAL, "warning")
        return who, ""

    def _queue(self, who: Principal, status: str, keep: str | None = None) -> tuple[str, Any]:
        items = self.desk.queue(who, cast(Any, status if status in STATUS_LABELS else "open"))
        choices = [(pick_label(i), i.feedback_id) for i in items]
        value = keep if any(i.feedback_id == keep for i in items) else None
        return queue_html(items), gr.update(choices=choices, value=value)

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        """Gate, panel visibility, queue (open items), picker, audit view (newest events)."""
        who, gate = self._reviewer(request)
        if who is None:
            return gate, gr.update(visible=False), "", gr.update(choices=[], value=None), ""
        table, pick = self._queue(who, "open")
        rows = self.desk.audit_rows(who)
        return gate, gr.update(visible=True), table, pick, audit_html(rows, limit=DEFAULT_AUDIT_ROWS)

    def refresh_queue(self, status: str, request: gr.Request) -> tuple[Any, Any]:
        who, gate = self._reviewer(request)
        if who is None:
            return gate, gr.update(choices=[], value=None)
        return self._queue(who, status)

    def decide(
        self, feedback_id: str | None, note: str, decision: str, status: str, request: gr.Request
    ) -> tuple[Any, ...]:
        """Record "confirm"/"dismiss" for the picked complaint. Outputs: message, queue, picker, note box."""
        who, gate = self._reviewer(request)
        if who is None:
            return gate, gr.skip(), gr.skip(), gr.skip()
        if not feedback_id:
            return (
                notice_html("Hãy chọn một ý kiến phản hồi trong danh sách.", "warning"),
                gr.skip(),
                gr.skip(),
                gr.skip(),
            )
        try:
            item = self.desk.decide(who, feedback_id, decision, note or "")
        except (NotFound, ValueError, Forbidden) as exc:
            return notice_html(f"Không ghi nhận được quyết định: {exc}", "error"), gr.skip(), gr.skip(), gr.skip()
        table, pick = self._queue(who, status, keep=feedback_id)
        done = f"Đã ghi nhận: {STATUS_LABELS[item.status].lower()} — {pick_label(item)}."
        return notice_html(done, "success"), table, pick, ""

    def audit_view(self, since: str, event: str | None, user_ref: str, request: gr.Request) -> str:
        """The audit table for the filters (từ ngày, loại sự kiện, người dùng)."""
        who, gate = self._reviewer(request)
        if who is None:
            return gate
        try:
            day = parse_day(since)
            rows = self.desk.audit_rows(who, day, event or None, (user_ref or "").strip() or None)
        except ValueError as exc:
            return notice_html(str(exc), "error")
        return audit_html(rows, limit=DEFAULT_AUDIT_ROWS)

    def export(self, since: str, fmt: str, request: gr.Request) -> tuple[Any, str]:
        """Write `kho audit export` for `since` to a private temporary file and offer it for download (audited)."""
        who, gate = self._reviewer(request)
        if who is None:
            return gr.update(value=None, visible=False), gate
        try:
            day = parse_day(since)
            text = self.desk.audit_export(who, day, fmt)
        except (ValueError, Forbidden) as exc:
            return gr.update(value=None, visible=False), notice_html(str(exc), "error")
        first = f"từ ngày {day:%d/%m/%Y}" if day else "toàn bộ"
        msg = f"Đã xuất nhật ký ({first}, định dạng {fmt.upper()}); việc xuất đã được ghi vào nhật ký."
        if self.exports is not None:
            name = f"nhat-ky-kiem-toan-{day.isoformat() if day else 'toan-bo'}.{fmt}"
            token = self.exports.put(who.name, name, text.encode("utf-8"))
            link = (
                f'<div class="kho-notice kho-notice--success">{escape(msg)} '
                f'<a id="kho-legal-export-link" href="/exports/{token}" download="{escape(name)}">{escape(name)}</a>'
                "</div>"
            )
            return gr.update(value=None, visible=False), link
        path = self._write_export(text, day, fmt)
        return gr.update(value=str(path), visible=True), notice_html(msg, "success")

    def _write_export(self, text: str, day: dt.date | None, fmt: str) -> Path:
        """A new 0700 folder under the system temp dir (where Gradio may serve from) with the file, 0600."""
        now = time.time()
        for made, folder in [e for e in self._exports if now - e[0] > EXPORT_KEEP_S]:
            shutil.rmtree(folder, ignore_errors=True)
            self._exports.remove((made, folder))
        folder = Path(tempfile.mkdtemp(prefix="kho-audit-"))
        self._exports.append((now, folder))
        name = f"nhat-ky-kiem-toan-{day.isoformat() if day else 'toan-bo'}.{fmt}"
        write_private(folder / name, text.encode("utf-8"))
        return folder / name

    def confirm(self, feedback_id: str | None, note: str, status: str, request: gr.Request) -> tuple[Any, ...]:
        """ "Xác nhận sai": the complaint was right."""
        return self.decide(feedback_id, note, "confirm", status, request)

    def dismiss(self, feedback_id: str | None, note: str, status: str, request: gr.Request) -> tuple[Any, ...]:
        """ "Bỏ qua": the answer stands."""
        return self.decide(feedback_id, note, "dismiss", status, request)

    def export_jsonl(self, since: str, request: gr.Request) -> tuple[Any, str]:
        return self.export(since, "jsonl", request)

    def export_csv(self, since: str, request: gr.Request) -> tuple[Any, str]:
        return self.export(since, "csv", request)

    def load(self, app: gr.Blocks) -> None:
        """Fill the tab (or show its gate) when the page loads; call after the tab is built, inside `app`."""
        app.load(self.on_load, None, self.outputs)


# --- layout ---------------------------------------------------------------------------------------------------


def build_legal_tab(
    services: Services,
    identify: Identify | None = None,
    desk: ReviewDesk | None = None,
    exports: ExportShelf | None = None,
) -> LegalTab:
    """The "Pháp chế" tab, built inside an open `gr.Tabs()`; returns its handlers (call `.load(app)` afterwards)."""
    tab = LegalTab(services, identify, desk, exports)
    with gr.Tab("Pháp chế", id="legal") as legal_tab:
        gate = gr.HTML(notice_html(NO_LEGAL, "warning"), elem_id="kho-legal-gate")
        with gr.Column(visible=False, elem_id="kho-legal") as panel:
            gr.HTML('<div class="kho-panel-title">Ý kiến phản hồi cần xem xét</div>')
            with gr.Row():
                status = gr.Radio(STATUS_CHOICES, value="open", label="Trạng thái", elem_id="kho-legal-status", scale=3)
                refresh = gr.Button("Làm mới", size="sm", elem_id="kho-legal-refresh", scale=1)
            queue = gr.HTML("", elem_id="kho-legal-queue")
            with gr.Row():
                pick = gr.Dropdown([], label="Ý kiến được xem xét", elem_id="kho-legal-pick", scale=3)
                note = gr.Textbox(label="Ghi chú của pháp chế", lines=2, elem_id="kho-legal-note", scale=3)
            with gr.Row():
                confirm = gr.Button("Xác nhận sai", variant="primary", elem_id="kho-legal-confirm")
                dismiss = gr.Button("Bỏ qua", variant="secondary", elem_id="kho-legal-dismiss")
            decided = gr.HTML("", elem_id="kho-legal-decided")

            gr.HTML('<div class="kho-panel-title">Nhật ký kiểm toán</div>')
            with gr.Row():
                since = gr.Textbox(label="Từ ngày", placeholder="YYYY-MM-DD", max_lines=1, elem_id="kho-legal-since")
                event = gr.Dropdown(EVENT_CHOICES, value=ALL_EVENTS, label="Loại sự kiện", elem_id="kho-legal-event")
                user = gr.Textbox(
                    label="Người dùng (bí danh)", placeholder="u_…", max_lines=1, elem_id="kho-legal-user"
                )
            with gr.Row():
                show = gr.Button("Xem nhật ký", elem_id="kho-legal-show")
                jsonl = gr.Button("Xuất JSONL", elem_id="kho-legal-jsonl")
                csv = gr.Button("Xuất CSV", elem_id="kho-legal-csv")
            exported = gr.HTML("", elem_id="kho-legal-exported")
            download = gr.File(label="Tệp xuất (theo “Từ ngày”)", visible=False, elem_id="kho-legal-download")
            audit = gr.HTML("", elem_id="kho-legal-audit")

    tab.outputs = [gate, panel, queue, pick, audit]
    legal_tab.select(tab.on_load, None, tab.outputs)
    refresh.click(tab.refresh_queue, [status], [queue, pick])
    status.change(tab.refresh_queue, [status], [queue, pick])
    decide_outputs = [decided, queue, pick, note]
    confirm.click(tab.confirm, [pick, note, status], decide_outputs)
    dismiss.click(tab.dismiss, [pick, note, status], decide_outputs)
    show.click(tab.audit_view, [since, event, user], [audit])
    jsonl.click(tab.export_jsonl, [since], [download, exported])
    csv.click(tab.export_csv, [since], [download, exported])
    return tab

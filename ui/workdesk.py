"""The Gradio workdesk: ask with streamed, cited answers; open the cited clause; give feedback; administer documents.

A thin layer over `app.services.Services`: every handler finds out who is asking from the request (the
`identify` function `ui.server` passes in) and passes that principal to Services, which filters by clearance and
audits.
No principal → a Vietnamese message and nothing retrieved. HTML comes from `ui.render` (escaped; retrieved text is
data). `kho serve` mounts `build_workdesk(services)` at `/` with `mount_options()` (theme, CSS, no Gradio footer):

    app = gr.mount_gradio_app(app, build_workdesk(services), path="/", **mount_options())
"""

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gradio as gr

from app.limits import RateLimited
from app.services import AskResult, Forbidden, NotFound, Principal, SearchFilters, Services, UploadResult, allowed
from assistant.clauses import ClauseRef
from core.text import nfc
from ingest.model import AccessLevel, DocumentMeta, iso_date, parse_iso_date
from ingest.registry import DocumentRecord
from ui import memo, render
from ui.exports import ExportShelf
from ui.legal_desk import build_legal_tab
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

# Clicking a citation card sends its marker, a "Căn cứ" card its marker and ground index; the source view scrolls
# its highlighted clause into view when it changes.
CITES_JS = r"""
const answerOf = (el) => { const a = el.closest('[data-answer]'); return a ? a.dataset.answer : null; };
const pick = (e) => {
  const copy = e.target.closest('.kho-copy-cite');
  if (copy) {  // "Sao chép trích dẫn": the formal citation to the clipboard, the card stays closed
    e.stopPropagation();
    if (navigator.clipboard) { navigator.clipboard.writeText(copy.dataset.copy || ''); }
    copy.dataset.copied = 'yes';
    copy.textContent = 'Đã sao chép';
    return;
  }
  const card = e.target.closest('[data-marker]');
  if (!card) return;
  const ground = card.dataset.ground === undefined ? null : Number(card.dataset.ground);
  trigger('click', {marker: Number(card.dataset.marker), ground: ground, answer: answerOf(card)});
};
element.addEventListener('click', pick);
element.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(e); }
});
// A refusal under filters: its "Bỏ bộ lọc" link presses the button of that name (shown while a filter is on).
if (!window.__khoClearLink) {
  window.__khoClearLink = true;
  document.addEventListener('click', (e) => {
    if (!e.target.closest('#kho-chat .kho-clear-filters-link')) return;
    e.preventDefault();
    const b = document.querySelector('#kho-clear-filters');
    if (b) { b.click(); }
  });
}
// [n] in any answer of the chat opens that answer's card and source view (once per page). The chat's sanitiser
// drops data-* attributes, so the marker and the answer ride in class names (kho-ref--m<n>, kho-ans--<id>).
if (!window.__khoMarkers) {
  window.__khoMarkers = true;
  const inClass = (el, re) => { const m = el && (el.className || '').match(re); return m ? m[1] : null; };
  const follow = (e) => {
    const ref = e.target.closest('#kho-chat .kho-ref--link');
    if (!ref) return;
    e.preventDefault();
    const answer = inClass(ref.closest('.kho-answer'), /kho-ans--([A-Za-z0-9_-]+)/);
    trigger('click', {marker: Number(inClass(ref, /kho-ref--m(\d+)/)), ground: null, answer: answer, chat: true});
  };
  document.addEventListener('click', follow);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') { follow(e); } });
}
"""
SOURCE_JS = """
watch('value', () => {
  const m = element.querySelector('mark.kho-cited');
  if (m) m.scrollIntoView({block: 'center', behavior: 'smooth'});
});
"""

AS_OF_LABEL = "Áp dụng pháp luật tại ngày"
AS_OF_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # ISO, and the day/month/year Vietnamese documents write

EMPTY_SOURCE = (
    '<div class="kho-source-empty">Bấm vào một trích dẫn để xem điều khoản gốc, với đoạn được trích dẫn tô sáng.</div>'
)


# After an answer: the chat shows where it starts (Gradio scrolls to its end, so on a phone the reader landed in the
# middle of the law quoted). The chat's own scroll box is moved, after Gradio's own scroll; the page is not.
SHOW_ANSWER_START_JS = """
() => setTimeout(() => {
  const bubbles = document.querySelectorAll('#kho-chat .kho-answer');
  const last = bubbles[bubbles.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box.id !== 'kho-chat') {
    const y = getComputedStyle(box).overflowY;
    if ((y === 'auto' || y === 'scroll') && box.scrollHeight > box.clientHeight) break;
    box = box.parentElement;
  }
  if (!box || box.id === 'kho-chat') return;
  const top = last.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTop = Math.max(0, top - 8);
}, 400)
"""

# The look of the validity views (standing badges, notices, version diff, Lược đồ). It lives here rather than in
# static/workdesk.css only because that file has another owner this round; it loads before that file, so its
# selectors are specific enough to win where both style one element. Every block sets its own background and
# ink, so it reads the same in Gradio's dark mode.
VALIDITY_CSS = """
.kho-cite *, .kho-source *, .kho-compare *, .kho-lineage *, .kho-version * { color: inherit; }
.kho-standing { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 700;
  margin-right: 6px; border: 1px solid transparent; white-space: normal; line-height: 1.45; }
.kho-standing--current { color: #14532d; background: #dcf3e3; border-color: #8fcfa3; }
.kho-standing--amended { color: #5c4300; background: #ffef9e; border-color: #e0b300; }
.kho-standing--superseded, .kho-standing--partly-repealed { color: #7a2e00; background: #ffd9b3;
  border-color: #f08a2c; }
.kho-standing--repealed { color: #ffffff; background: #b3261e; border-color: #8c1d13; }
.kho-standing--not-yet { color: #2f3a46; background: #dde2e8; border-color: #aab4c0; }
.kho-standing--neutral { color: #3d4753; background: #f1f3f5; border-color: #c3cad3; border-style: dashed; }
.kho-cite.kho-cite--standing-current { border-left-color: #1b7a3d; }
.kho-cite.kho-cite--standing-amended { border-left-color: #d9a400; }
.kho-cite.kho-cite--standing-superseded, .kho-cite.kho-cite--standing-partly-repealed { border-left-color: #e07b00; }
.kho-cite.kho-cite--standing-repealed { border-left-color: #b3261e; }
.kho-cite.kho-cite--standing-not-yet { border-left-color: #8d99a8; }
.kho-cite, .kho-source, .kho-compare, .kho-lineage, .kho-version { color: #1c2530; }
.dark .kho-panel-title { color: #a9c8f5; }
.dark .kho-ref { color: #a9c8f5; }
.kho-version { margin: 6px 0; padding: 6px 8px; border-radius: 4px; background: #f6f8fb; border: 1px solid #d8dee6;
  font-size: 12.5px; line-height: 1.5; }
.kho-version-line { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
.kho-version-kind { font-weight: 600; color: #0b3b75; }
.kho-version-dates { color: #44505e; }
.kho-changes-title { margin-top: 4px; color: #44505e; font-weight: 600; }
.kho-changes { margin: 2px 0 0 0; padding-left: 18px; }
.kho-changes li { margin: 1px 0; }
.kho-changes--later li { color: #5b6777; }
.kho-change-in { color: #14532d; font-style: italic; }
.kho-version-notice, .kho-answer-notice, .kho-lineage-review { margin: 0 0 6px; padding: 7px 10px; border-radius: 4px;
  font-size: 13px; font-weight: 600; line-height: 1.45; color: #6b2800; background: #fff0dc;
  border: 1px solid #f3b06b; border-left: 5px solid #e07b00; }
.kho-version--repealed .kho-version-notice { color: #7d1710; background: #fde8e6; border-color: #f2b8b2;
  border-left-color: #b3261e; }
.kho-answer-notices { margin: 4px 0 8px; }
.kho-asof { font-size: 12.5px; color: #44505e; margin-bottom: 4px; }
.dark .kho-asof { color: #c3ccd8; }
.dark .kho-query { color: #c3ccd8; }
.dark .kho-cach-tim { color: #c3ccd8; }
.kho-compare { border: 1px solid #d8dee6; border-radius: 6px; background: #ffffff; padding: 10px 12px;
  font-size: 13px; }
.kho-compare-title-line { font-weight: 700; color: #0b3b75; margin-bottom: 4px; }
.kho-compare-side { margin: 3px 0; }
.kho-compare-role { font-weight: 700; color: #1c2530; margin-right: 4px; }
.kho-compare-title { color: #5b6777; font-size: 12px; }
.kho-compare-hint { color: #44505e; margin-top: 6px; }
.kho-diff-legend { margin: 8px 0 4px; font-size: 12.5px; }
.kho-diff, .kho-version-text { white-space: pre-wrap; font-family: "Times New Roman", Times, serif; font-size: 15.5px;
  line-height: 1.6; color: #1c2530; background: #fffdf7; border: 1px solid #efe6cc; border-radius: 4px;
  padding: 8px 10px; max-height: 45vh; overflow-y: auto; }
del.kho-del { color: #7d1710; background: #fcd9d5; text-decoration: line-through; text-decoration-thickness: 2px;
  padding: 0 2px; border-radius: 2px; }
ins.kho-ins { color: #0d4a1f; background: #c9efd3; text-decoration: underline; text-decoration-thickness: 2px;
  padding: 0 2px; border-radius: 2px; font-weight: 600; }
.kho-version-full summary { cursor: pointer; font-weight: 600; color: #0b3b75; margin: 8px 0 4px; }
.kho-lineage { border: 1px solid #d8dee6; border-radius: 6px; background: #ffffff; padding: 10px 12px;
  margin-top: 6px; font-size: 13px; }
.kho-lineage-title { font-weight: 600; color: #0b3b75; font-size: 15px; border-left: 4px solid #b3261e;
  padding-left: 8px; margin-bottom: 6px; }
.kho-lineage-label { font-weight: 700; color: #24507f; margin-top: 8px; }
.kho-rels { margin: 2px 0 0; padding-left: 18px; }
.kho-rel { margin: 5px 0; }
.kho-rel-doc { font-weight: 700; }
.kho-rel-act { color: #0b3b75; }
.kho-rel-date, .kho-rel-part, .kho-rel-by { color: #44505e; }
.kho-rel-sentence { margin: 3px 0 2px; padding: 4px 8px; border-left: 3px solid #c9a227; background: #f5f7fa;
  color: #1c2530; font-size: 12.5px; }
.kho-review { display: inline-block; color: #6b2800; background: #ffd9b3; border-radius: 999px; padding: 0 8px;
  font-weight: 700; font-size: 11.5px; }
.kho-rel--review { border-left: 3px solid #e07b00; padding-left: 6px; }
.kho-lineage-empty { color: #5b6777; }
"""

# "Căn cứ": the clauses an answer's claims bind to, under the answer and as cards above the citations.
GROUNDS_CSS = """
.kho-grounds { margin-top: 8px; padding-top: 6px; border-top: 1px solid #d8dee6; font-size: 13.5px; }
.kho-grounds-title { font-weight: 700; color: #0b3b75; margin-bottom: 2px; }
.dark .kho-grounds-title { color: #a9c8f5; }
.kho-grounds ul { margin: 0; padding-left: 18px; }
.kho-ground .kho-anchor { font-weight: 600; }
.kho-grounds .kho-ground blockquote.kho-quote { margin: 2px 0 6px; padding: 2px 8px; border-left: 3px solid #c9a227; }
.kho-grounds--cards { border-top: none; margin: 0 0 8px; padding: 0; }
.kho-grounds--cards .kho-ground { border: 1px solid #d8dee6; border-left: 4px solid #c9a227; border-radius: 6px;
  padding: 6px 8px; margin: 0 0 6px; cursor: pointer; background: #ffffff; color: #1c2530; }
.kho-grounds--cards .kho-ground:hover, .kho-grounds--cards .kho-ground:focus { border-color: #0b3b75; }
.kho-grounds ul { list-style: none; padding-left: 0; }
.dark .kho-grounds { border-top-color: #3a4656; }
.dark .kho-ground .kho-anchor { color: #e6edf5; }
.dark .kho-ground .kho-marker { color: #8fb4ec; }
.dark .kho-grounds .kho-ground blockquote.kho-quote { background: #1e2a38; color: #e6edf5; }
.dark .kho-grounds--cards .kho-ground { background: #1b2430; color: #e6edf5; border-color: #3a4656;
  border-left-color: #c9a227; }
"""


def workdesk_theme() -> gr.themes.Base:
    """A sober navy theme on the bundled IBM Plex Sans (no web font is fetched), in its Regular and Bold files only:
    Gradio's Medium/SemiBold files hold no Vietnamese letters, so a 600 weight fell back glyph by glyph ("bản")."""
    return gr.themes.Base(
        primary_hue="blue",
        neutral_hue="slate",
        radius_size="sm",
        font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 700)), "DejaVu Sans", "Liberation Sans", "sans-serif"],
        font_mono=[gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "DejaVu Sans Mono", "monospace"],
    ).set(
        button_primary_background_fill="#0b3b75",
        button_primary_background_fill_hover="#082b57",
        button_primary_text_color="#ffffff",
        body_background_fill="#f5f7fa",
        block_title_text_weight="700",
        # "Dừng", "Xóa…", "Xóa hẳn", "Xác nhận" a restriction: red, so an irreversible step looks like one
        button_cancel_background_fill="#b3261e",
        button_cancel_background_fill_hover="#8c1d13",
        button_cancel_text_color="#ffffff",
    )


def mount_options() -> dict[str, Any]:
    """The look, as keyword arguments for `gr.mount_gradio_app` (Gradio 6 takes theme and CSS there, not in Blocks)."""
    return {"theme": workdesk_theme(), "css": VALIDITY_CSS + GROUNDS_CSS, "css_paths": [CSS_PATH]}


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
    # the legal article the quoted text is a version of (None: the hit carries no version) and which version it is
    work_document: str | None = None
    work_article: str | None = None
    version_key: str | None = None
    # the Khoản/Điểm the answer's first claim citing this marker binds to (None: no claim bound): what a click on
    # the card highlights, rather than the whole quoted source
    clause_start: int | None = None
    clause_end: int | None = None
    clause_anchor: str | None = None

    def span(self) -> tuple[int, int, str]:
        """(start, end, anchor) to highlight: the bound clause when there is one, else the quoted source."""
        if self.clause_start is not None and self.clause_end is not None:
            return self.clause_start, self.clause_end, self.clause_anchor or self.anchor
        return self.start, self.end, self.anchor


@dataclass
class AnswerRef:
    """One answer of this session, for feedback and for reopening its citations."""

    answer_id: str
    question: str
    citations: list[ShownCitation] = field(default_factory=list)
    as_of: str | None = None  # the day whose law the answer states (ISO), for the cited texts' standing
    grounds: list[ShownCitation] = field(default_factory=list)  # "Căn cứ", in `Answer.grounds()` order
    chat_index: int | None = None  # the answer's message in the chat (what a 👍/👎 on it names)

    def label(self, n: int) -> str:
        q = self.question if len(self.question) <= 70 else self.question[:69] + "…"
        return f"Câu {n}: {q}"


def _answer_ref(question: str, result: AskResult) -> dict[str, Any]:
    grounds = result.answer.grounds()
    first: dict[int, ClauseRef] = {}
    for g in grounds:
        first.setdefault(g.marker, g)
    cites: list[ShownCitation] = []
    shown: list[ShownCitation] = []
    for c in result.answer.citations:
        v = c.hit.version
        bound = first.get(c.marker)
        cite = ShownCitation(
            c.marker,
            c.hit.anchor,
            c.hit.document_id,
            c.start,
            c.end,
            work_document=v.work_document if v else None,
            work_article=v.work_article if v else None,
            version_key=f"{v.document_id}|{v.article}" if v else None,
            clause_start=bound.start if bound else None,
            clause_end=bound.end if bound else None,
            clause_anchor=bound.anchor if bound else None,
        )
        cites.append(cite)
    by_marker = {c.marker: c for c in cites}
    for g in grounds:
        of = by_marker.get(g.marker)
        if of is not None:
            shown.append(replace(of, clause_start=g.start, clause_end=g.end, clause_anchor=g.anchor))
    return asdict(AnswerRef(result.answer_id, question, cites, iso_date(result.answer.as_of), shown))


class AskStopped(Exception):
    """The user pressed "Dừng" while the answer was on its way."""


STOP_POLL_S = 0.25  # how often the stream looks at the "Dừng" flag while the model is still silent


def _session_of(request: gr.Request) -> str:
    """The browser session a request comes from (Gradio's session hash; one per open page)."""
    return str(getattr(request, "session_hash", None) or "")


def history_label(title: str, updated: str, n_turns: int) -> str:
    """A history entry: the title, the day in Vietnam (dd/mm/yyyy) and how many questions."""
    try:
        day: dt.date | None = (dt.datetime.fromisoformat(updated) + dt.timedelta(hours=7)).date()
    except ValueError:
        day = None
    when = render.vn_date(day) if day else ""
    return f"{title} · {when} · {n_turns} câu" if when else f"{title} · {n_turns} câu"


def _load_ref(d: dict[str, Any]) -> AnswerRef:
    cites = [ShownCitation(**c) for c in d["citations"]]
    grounds = [ShownCitation(**g) for g in d.get("grounds", [])]
    return AnswerRef(d["answer_id"], d["question"], cites, d.get("as_of"), grounds, d.get("chat_index"))


# "Cách đọc câu hỏi": label → the value `Services.ask` takes (assistant/topic.py decides for "auto").
TOPIC_CHOICES = {"Tự động": "auto", "Hỏi tiếp": "follow_up", "Câu hỏi mới": "new_topic"}


def parse_as_of(text: str | None) -> dt.date | None:
    """The "Áp dụng pháp luật tại ngày" field: None when empty (today's law), else the date; ValueError naming the
    field, in Vietnamese, when it is not a date.

    >>> parse_as_of("2015-01-01"), parse_as_of("01/01/2015"), parse_as_of("  ")
    (datetime.date(2015, 1, 1), datetime.date(2015, 1, 1), None)
    """
    text = (text or "").strip()
    if not text:
        return None
    for fmt in AS_OF_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    shown = text if len(text) <= 40 else text[:39] + "…"
    raise ValueError(
        f"Ô “{AS_OF_LABEL}”: “{shown}” không phải là ngày hợp lệ. Hãy nhập ngày theo dạng YYYY-MM-DD "
        "(ví dụ 2015-01-01) hoặc DD/MM/YYYY, hoặc để trống để áp dụng pháp luật hiện hành (hôm nay)."
    )


LAW_TYPES = ("Luật", "Bộ luật")  # "Luật" as users mean it: a law, codes included


def parse_year(field: str, value: object) -> int | None:
    """A year typed in a filter ("" → none); ValueError naming the field for anything but a year of 4 digits."""
    text = str(value if value is not None else "").strip()
    if not text or text in ("0", "0.0"):
        return None
    try:
        year = int(float(text))
    except ValueError:
        raise ValueError(f"{field}: «{text[:20]}» không phải là năm (ví dụ 2015)") from None
    if not 1900 <= year <= 2100:
        raise ValueError(f"{field}: năm {year} nằm ngoài khoảng 1900–2100")
    return year


def _filters(
    types: Sequence[str] | None,
    issuers: Sequence[str] | None,
    year_from: object,
    year_to: object,
    validity: Sequence[str] | None,
    as_of: dt.date | None = None,
) -> SearchFilters:
    chosen = tuple(types or ())
    if "Luật" in chosen and "Bộ luật" not in chosen:
        chosen = (*chosen, "Bộ luật")  # the "Luật" choice reads "Luật (kể cả Bộ luật)"
    return SearchFilters(
        types=chosen,
        issuers=tuple(issuers or ()),
        year_from=parse_year("Năm ban hành từ", year_from),
        year_to=parse_year("đến năm", year_to),
        validity=tuple(validity or ()),
        as_of=as_of,
    )


def filter_chips(f: SearchFilters) -> list[str]:
    """The filters a user chose, as the chips above an answer (the day of the law is shown by the answer itself)."""
    chips = [
        f"Loại: {'Luật, Bộ luật' if t == 'Luật' else t}" for t in f.types if not (t == "Bộ luật" and "Luật" in f.types)
    ]
    chips += [f"Cơ quan: {i}" for i in f.issuers]
    if f.year_from or f.year_to:
        chips.append(f"Năm ban hành: {f.year_from or '…'}–{f.year_to or '…'}")
    chips += [f"Hiệu lực: {render.validity_label(v)}" for v in f.validity]
    return chips


FILTERS_LABEL = "Bộ lọc văn bản"


def filters_label(*values: object) -> tuple[Any, Any]:
    """The filter box's title with how many filters are set ("Bộ lọc văn bản — 2 đang áp dụng"), so a closed box
    still says the answers are narrowed; and "Bỏ bộ lọc", shown while any is."""
    n = sum(1 for v in values if v not in (None, "", [], ()) and str(v).strip())
    label = f"{FILTERS_LABEL} — {n} đang áp dụng" if n else FILTERS_LABEL
    return gr.update(label=label), gr.update(visible=n > 0)


def type_choices(types: Sequence[str]) -> list[tuple[str, str]]:
    """The type filter's choices: "Luật" names laws and codes together (what users mean), "Bộ luật" codes only."""
    return [("Luật (kể cả Bộ luật)" if t == "Luật" else t, t) for t in types]


def validity_choices(counts: dict[str, int]) -> list[tuple[str, str]]:
    """The validity filter's choices, each with how many of the reader's documents it keeps, so a choice that would
    empty the corpus says so before it is used ("Còn hiệu lực (0 văn bản)")."""
    return [(f"{b.label} ({counts.get(v, 0)} văn bản)", v) for v, b in render.VALIDITY_BADGES.items()]


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
        self,
        services: Services,
        identify: Identify | None = None,
        uploads: UploadLedger | None = None,
        exports: ExportShelf | None = None,
    ) -> None:
        self.services = services
        self.identify = identify or _nobody
        self._stops: dict[str, threading.Event] = {}  # browser session → its answer's "Dừng" flag
        self._stops_lock = threading.Lock()
        # Without a ledger (a workdesk built outside `kho serve`) no uploaded path is ever trusted.
        self.uploads = uploads
        self.exports = exports  # where "Xuất DOCX" puts the memo for its user (ui/exports.py); None: no export

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
        counts: dict[str, int] = {}
        if who is not None:
            docs = self.services.list_documents(who)
            types = sorted({d.meta.loai for d in docs if d.meta.loai})
            issuers = sorted({d.meta.co_quan for d in docs if d.meta.co_quan})
            for d in docs:
                counts[d.meta.hieu_luc.value] = counts.get(d.meta.hieu_luc.value, 0) + 1
        is_admin = who is not None and allowed(who, "upload")
        gate = "" if is_admin else render.notice_html(NO_PRINCIPAL if who is None else NO_ADMIN, "warning")
        notice = gr.update(value=render.notice_html(NO_PRINCIPAL, "warning"), visible=who is None)
        return (
            _banner(_user_html(who)),
            notice,
            gr.update(choices=type_choices(types), value=[]),
            gr.update(choices=issuers, value=[]),
            gate,
            gr.update(visible=is_admin),
            *(self._document_table(who) if is_admin and who else (gr.skip(), gr.skip())),
            gr.update(choices=validity_choices(counts), value=[]),
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
        as_of: str | None = None,
        topic: str | None = "auto",
        conversation: str | None = "",
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, then show its badge, its citations and the feedback choices; keep the
        question and answer in the user's open conversation (a new one when none is open: app/conversations.py).

        `as_of` is the "Áp dụng pháp luật tại ngày" field (empty: today); `topic` the "Cách đọc câu hỏi" choice
        (auto / follow_up "Hỏi tiếp" / new_topic "Câu hỏi mới"). Outputs: chat, question box, past
        questions, answers, citations panel, source view, feedback answer choice, wrong-citation choice, feedback
        status, the version switch's box, the Lược đồ panel, then the open conversation's id and the history list.
        """
        try:  # a wrong field is named in the chat (below), not raised
            filters: SearchFilters | ValueError = _filters(
                types, issuers, year_from, year_to, validity, parse_as_of(as_of)
            )
        except ValueError as bad:
            filters = bad
        for out in self._answer(question, chat, past, answers, filters, extractive, request, topic, conversation or ""):
            yield out if len(out) == 13 else (*out, gr.skip(), gr.skip())

    def _answer(
        self,
        question: str,
        chat: list[dict[str, Any]],
        past: list[str],
        answers: list[dict[str, Any]],
        filters: SearchFilters | ValueError,
        extractive: bool,
        request: gr.Request,
        topic: str | None,
        conversation: str,
    ) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        skip = gr.skip()
        if not question:
            yield (skip,) * 11
            return
        chat = [*chat, {"role": "user", "content": render.escape(question)}]
        who = self._who(request)
        if who is None:
            chat.append({"role": "assistant", "content": render.notice_html(NO_PRINCIPAL, "warning")})
            yield chat, "", skip, skip, skip, skip, skip, skip, skip, skip, skip
            return
        if isinstance(filters, ValueError):
            chat.append({"role": "assistant", "content": render.notice_html(str(filters), "error")})
            yield chat, skip, skip, skip, skip, skip, skip, skip, skip, skip, skip
            return
        chat.append({"role": "assistant", "content": render.streaming_html("", "searching")})
        cards = render.pending_cards_html()  # the previous answer's cards go at once
        yield chat, "", skip, skip, cards, EMPTY_SOURCE, skip, skip, "", gr.update(visible=False), ""
        stop = self._stop_flag(request)

        tokens: queue.Queue[str | None] = queue.Queue()
        outcome: dict[str, Any] = {}
        conversation = self._open_conversation(who, conversation)

        def keep(result: AskResult) -> dict[str, Any]:
            return self._view(who, question, result, filters)

        def on_token(text: str) -> None:
            if stop.is_set():  # "Dừng": raising here ends the generation at the model's next token
                raise AskStopped()
            tokens.put(text)

        def work() -> None:
            try:
                outcome["result"] = self.services.ask(
                    who,
                    question,
                    history=past,
                    filters=filters,
                    extractive=extractive,
                    on_token=on_token,
                    topic=topic if topic is not None and topic in TOPIC_CHOICES.values() else "auto",
                    conversation_id=conversation or None,
                    keep=keep,
                )
            except Exception as exc:  # shown to the user below; the worker must always release the stream
                outcome["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, name="kho-ask", daemon=True).start()
        parts: list[str] = []
        done = False
        while not done:
            try:
                piece = tokens.get(timeout=STOP_POLL_S)
            except queue.Empty:
                if stop.is_set():  # the model may still be reading its prompt: stop waiting for it now
                    break
                continue
            batch = [piece]
            while piece is not None and not tokens.empty():  # coalesce what arrived meanwhile into one update
                piece = tokens.get()
                batch.append(piece)
            done = batch[-1] is None
            parts.extend(p for p in batch if p is not None)
            if parts and not done:
                chat[-1] = {"role": "assistant", "content": render.streaming_html("".join(parts), "writing")}
                yield chat, skip, skip, skip, skip, skip, skip, skip, skip, skip, skip

        if stop.is_set() or isinstance(outcome.get("error"), AskStopped):
            chat[-1] = {"role": "assistant", "content": render.notice_html(render.STOPPED, "info")}
            yield chat, skip, skip, skip, render.citations_html([]), skip, skip, skip, skip, skip, skip
            return
        if "error" in outcome:
            chat[-1] = {"role": "assistant", "content": render.notice_html(self._error_text(outcome["error"]), "error")}
            yield chat, skip, skip, skip, render.citations_html([]), skip, skip, skip, skip, skip, skip
            return
        result: AskResult = outcome["result"]
        view = self._view(who, question, result, filters)
        chat[-1] = {"role": "assistant", "content": view["bubble"]}
        answers = [*answers, {**view["ref"], "chat_index": len(chat) - 1}]
        past = [*past, question]
        yield (
            chat,
            skip,
            past,
            answers,
            view["cards"],
            EMPTY_SOURCE,
            self._answer_choices(answers),
            self._marker_choices(_load_ref(answers[-1])),
            "",
            skip,
            skip,
            conversation,
            self._history_choices(who, conversation),
        )

    def _view(
        self, who: Principal, question: str, result: AskResult, filters: SearchFilters | None = None
    ) -> dict[str, Any]:
        """What the workdesk shows of an answer, kept with the conversation so a reload shows it again: the chat
        bubble (the filters it was searched under above it), the citation cards and the reference the cards'
        clicks and feedback need."""
        metas = self._metas(who, {c.hit.document_id for c in result.answer.citations})
        chips = filter_chips(filters) if filters is not None else []
        answer, aid = result.answer, result.answer_id
        cards = render.citations_html(
            answer.citations, metas, answer.grounds(), answer_id=aid, formal=memo.formal_citation
        )
        return {
            "bubble": render.filters_used_html(chips, answer.refused) + render.answer_html(answer, answer_id=aid),
            "cards": cards,
            "ref": {
                **_answer_ref(question, result),
                "plain": memo.plain_text(answer, metas),  # what "Sao chép câu trả lời" copies
                "memo": memo.memo_content(answer, metas).to_json(),  # what "Xuất DOCX" writes, after a reload too
                "asked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "cards": cards,
            },
        }

    # -- copy and export -------------------------------------------------------------------------------------------

    @staticmethod
    def latest_plain(answers: list[dict[str, Any]]) -> str:
        """The latest answer as "Sao chép" copies it: plain text with its reference list (ui/memo.py)."""
        return str(answers[-1].get("plain", "")) if answers else ""

    def export_docx(self, answers: list[dict[str, Any]], request: gr.Request) -> str:
        """ "Xuất DOCX": the latest answer of this page as a memo (question, answer, quoted clauses), kept for this
        user only (ui/exports.py) and offered as a download link."""
        who = self._who(request)
        if who is None:
            return render.notice_html(NO_PRINCIPAL, "warning")
        if not answers:
            return render.notice_html("Chưa có câu trả lời nào để xuất.", "warning")
        content = answers[-1].get("memo")
        if not content or self.exports is None:
            why = "Câu trả lời này được lưu trước khi có phiếu tra cứu; hãy hỏi lại để xuất phiếu."
            return render.notice_html(why, "info")
        try:
            at = dt.datetime.fromisoformat(str(answers[-1].get("asked_at")))
        except ValueError:
            at = dt.datetime.now(dt.UTC)
        name = f"phieu-tra-cuu-{(at + dt.timedelta(hours=7)).strftime('%Y%m%d-%H%M')}.docx"
        data = memo.write_memo(memo.MemoContent.from_json(content), asked_by=who.name, asked_at=at)
        token = self.exports.put(who.name, name, data)
        return (
            '<div class="kho-notice kho-notice--success">Đã tạo phiếu tra cứu: '
            f'<a id="kho-export-link" href="/exports/{token}" download="{render.escape(name)}">'
            f"{render.escape(name)}</a> (tải trong vòng một giờ).</div>"
        )

    # -- busy state ------------------------------------------------------------------------------------------------

    def _stop_flag(self, request: gr.Request) -> threading.Event:
        """A fresh "Dừng" flag for this browser session's answer in progress (one at a time per session)."""
        flag = threading.Event()
        with self._stops_lock:
            self._stops[_session_of(request)] = flag
        return flag

    def stop(self, request: gr.Request) -> None:
        """ "Dừng": the session's answer in progress stops (the stream ends; the model stops at its next token)."""
        with self._stops_lock:
            flag = self._stops.pop(_session_of(request), None)
        if flag is not None:
            flag.set()

    @staticmethod
    def busy() -> tuple[Any, ...]:
        """While an answer is on its way: no second question (send and the box disabled), "Dừng" shown."""
        return gr.update(interactive=False), gr.update(interactive=False), gr.update(visible=True)

    @staticmethod
    def idle() -> tuple[Any, ...]:
        """The answer is done (or stopped, or failed): asking again is possible, "Dừng" hidden."""
        return gr.update(interactive=True), gr.update(interactive=True), gr.update(visible=False)

    # -- conversations -------------------------------------------------------------------------------------------

    def _open_conversation(self, who: Principal, conversation: str) -> str:
        """The id of `who`'s open conversation: `conversation` when it is theirs, else a new one."""
        if conversation:
            try:
                return self.services.conversation_summary(who, conversation).id
            except (NotFound, ValueError):
                pass  # another user's, deleted, or from before a restart: start a new one
        return self.services.new_conversation(who).id

    def _history_choices(self, who: Principal | None, chosen: str | None = None) -> Any:
        """The history list: `who`'s conversations, most recent first, as (title · date, id)."""
        if who is None:
            return gr.update(choices=[], value=None)
        choices = [(history_label(c.title, c.updated, c.n_turns), c.id) for c in self.services.list_conversations(who)]
        ids = {cid for _, cid in choices}
        return gr.update(choices=choices, value=chosen if chosen in ids else None)

    def restore(self, conversation: str | None, request: gr.Request) -> tuple[Any, ...]:
        """The open conversation as it was (after a reload, or picked from the history): chat, past questions,
        answers, the last answer's cards, the history list and the open id ("" when there is none to show).

        Answers that cite a document the user may no longer read come back withheld (Services.conversation)."""
        who = self._who(request)
        empty: tuple[list[Any], list[str], list[Any], str] = ([], [], [], render.citations_html([]))
        if who is None:
            return (*empty, self._history_choices(None), "", EMPTY_SOURCE)
        if not conversation:
            return (*empty, self._history_choices(who), "", EMPTY_SOURCE)
        try:
            kept = self.services.conversation(who, conversation)
        except (NotFound, ValueError):
            return (*empty, self._history_choices(who), "", EMPTY_SOURCE)
        chat: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        cards = render.citations_html([])
        for turn in kept.turns:
            chat.append({"role": "user", "content": render.escape(turn.question)})
            view = turn.answer.get("view") or {}
            if turn.answer.get("withheld") or not view:
                note = str(turn.answer.get("answer") or "Câu trả lời này không còn được lưu.")
                chat.append({"role": "assistant", "content": render.notice_html(note, "warning")})
                cards = render.citations_html([])
                continue
            chat.append({"role": "assistant", "content": str(view["bubble"])})
            answers.append({**view["ref"], "chat_index": len(chat) - 1})
            cards = str(view["cards"])
        past = [t.question for t in kept.turns]
        return chat, past, answers, cards, self._history_choices(who, conversation), conversation, EMPTY_SOURCE

    def rename_conversation(self, conversation: str | None, title: str, request: gr.Request) -> tuple[Any, ...]:
        """Rename the conversation picked in the history; the list and a status line."""
        who = self._who(request)
        if who is None or not conversation:
            return gr.skip(), render.notice_html("Chọn một cuộc hỏi đáp trong lịch sử để đổi tên.", "warning")
        try:
            self.services.rename_conversation(who, conversation, title or "")
        except (NotFound, ValueError) as exc:
            return gr.skip(), render.notice_html(f"Không đổi được tên: {exc}", "error")
        return self._history_choices(who, conversation), render.notice_html("Đã đổi tên.", "success")

    @staticmethod
    def ask_delete(conversation: str | None) -> tuple[Any, ...]:
        """Show the confirmation row for deleting the picked conversation (nothing is deleted yet)."""
        if not conversation:
            return gr.update(visible=False), render.notice_html("Chọn một cuộc hỏi đáp để xóa.", "warning")
        return gr.update(visible=True), ""

    def delete_conversation(
        self, conversation: str | None, open_id: str | None, request: gr.Request
    ) -> tuple[Any, ...]:
        """Delete the picked conversation (after the confirmation); when it was the open one, the chat empties.

        Outputs: confirmation row, status, history list, open id, chat, past questions, answers, cards."""
        who = self._who(request)
        skip = gr.skip()
        if who is None or not conversation:
            return gr.update(visible=False), "", skip, skip, skip, skip, skip, skip
        try:
            self.services.delete_conversation(who, conversation)
        except (NotFound, ValueError) as exc:
            return gr.update(visible=False), render.notice_html(f"Không xóa được: {exc}", "error"), *(skip,) * 6
        done = render.notice_html("Đã xóa cuộc hỏi đáp.", "success")
        if conversation != open_id:
            return gr.update(visible=False), done, self._history_choices(who, open_id), skip, skip, skip, skip, skip
        return (
            gr.update(visible=False), done, self._history_choices(who), "", [], [], [], render.citations_html([]),
        )  # fmt: skip

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
        """A new conversation: no history, no citations, no source, versions or Lược đồ. The one that was open stays
        in the history list (nothing is lost); the next question opens a new one."""
        return [], "", [], render.citations_html([]), EMPTY_SOURCE, gr.update(visible=False), "", [], ""

    # -- citations -----------------------------------------------------------------------------------------------

    def open_citation(self, evt: gr.EventData, answers: list[dict[str, Any]], request: gr.Request) -> str:
        """The source article of the clicked citation (of the latest answer), its cited clause highlighted."""
        return str(self.open_source(evt, answers, request)[0])

    def follow_citation(self, evt: gr.EventData, answers: list[dict[str, Any]], request: gr.Request) -> tuple[Any, ...]:
        """A click on a card, a "Căn cứ" clause or an [n] marker of any answer in the chat: that answer's cards in
        the panel (when they are not the latest answer's) and the source view of the clicked citation."""
        data = getattr(evt, "_data", None) or {}
        chosen = next((a for a in answers if a.get("answer_id") == data.get("answer")), None)
        # from the chat, the panel shows that answer's cards; from the panel, it already does
        cards = chosen.get("cards") if chosen is not None and data.get("chat") else None
        return (cards if cards else gr.skip(), *self.open_source(evt, answers, request))

    def open_source(self, evt: gr.EventData, answers: list[dict[str, Any]], request: gr.Request) -> tuple[Any, ...]:
        """Everything beside a clicked citation: the source article with the cited clause highlighted and its
        standing; the version switch (every stored text of the article, the cited one chosen) and the Lược đồ.

        Outputs: source view, version box (shown when the article has versions), version switch, version
        comparison, Lược đồ panel, the viewed article (state for the switch).
        """
        hidden: tuple[Any, ...] = (gr.update(visible=False), gr.update(choices=[], value=None), "", "", {})
        who = self._who(request)
        if who is None:
            return (render.notice_html(NO_PRINCIPAL, "warning"), *hidden)
        data = getattr(evt, "_data", None) or {}
        marker, ground = data.get("marker"), data.get("ground")
        if not answers or marker is None:
            return (EMPTY_SOURCE, *hidden)
        chosen = next((a for a in answers if a.get("answer_id") == data.get("answer")), answers[-1])
        ref = _load_ref(chosen)
        cite = next((c for c in ref.citations if c.marker == int(marker)), None)
        if ground is not None and 0 <= int(ground) < len(ref.grounds):
            cite = ref.grounds[int(ground)]  # a "Căn cứ" card: exactly that clause
        if cite is None:
            return (EMPTY_SOURCE, *hidden)
        start, end, anchor = cite.span()
        try:
            record = self.services.get_document(who, cite.document_id)
            views, lineage = [], ""
            if cite.work_document and cite.work_article:
                views = self.services.versions(who, cite.work_document, cite.work_article, parse_iso_date(ref.as_of))
                lineage = render.lineage_html(self.services.lineage(who, cite.work_document, cite.work_article))
            cited = next((v for v in views if render.version_key(v) == cite.version_key), None)
            source = render.source_html(record, start, end, anchor=anchor, version=cited)
        except NotFound:
            warning = render.notice_html("Không tìm thấy văn bản này (có thể bạn không có quyền xem).", "warning")
            return (warning, *hidden)
        except ValueError:
            log.warning("citation [%s] of %s does not fit its document", marker, ref.answer_id)
            return (render.notice_html("Văn bản đã thay đổi kể từ khi trả lời; hãy hỏi lại.", "warning"), *hidden)
        if cited is None:
            return (source, gr.update(visible=False), gr.update(choices=[], value=None), "", lineage, {})
        choices = [
            (render.version_label(v, render.version_key(v) == cite.version_key), render.version_key(v)) for v in views
        ]
        viewing = {
            "document": cite.work_document,
            "article": cite.work_article,
            "as_of": ref.as_of,
            "cited": cite.version_key,
        }
        return (
            source,
            gr.update(visible=True),
            gr.update(choices=choices, value=cite.version_key),
            render.version_compare_html(cited, cited),
            lineage,
            viewing,
        )

    def pick_version(self, choice: str | None, viewing: dict[str, Any], request: gr.Request) -> str:
        """The chosen version's text and its word diff against the cited one."""
        who = self._who(request)
        if who is None:
            return render.notice_html(NO_PRINCIPAL, "warning")
        if not choice or not viewing:
            return ""
        views = self.services.versions(who, viewing["document"], viewing["article"], parse_iso_date(viewing["as_of"]))
        by_key = {render.version_key(v): v for v in views}
        cited, chosen = by_key.get(viewing["cited"]), by_key.get(choice)
        if cited is None or chosen is None:
            return render.notice_html(
                "Phiên bản này không còn trong kho (hoặc bạn không có quyền xem); hãy hỏi lại.", "warning"
            )
        return render.version_compare_html(cited, chosen)

    # -- feedback ------------------------------------------------------------------------------------------------

    @staticmethod
    def _answer_choices(answers: list[dict[str, Any]]) -> Any:
        choices = [(_load_ref(a).label(i), a["answer_id"]) for i, a in enumerate(answers, start=1)]
        return gr.update(choices=choices, value=choices[-1][1] if choices else None)

    @staticmethod
    def _marker_choices(ref: AnswerRef | None) -> Any:
        """The citations of `ref` to mark as wrong (several at once; none chosen: no citation is wrong)."""
        choices = [(f"[{c.marker}] {c.anchor}", str(c.marker)) for c in ref.citations] if ref is not None else []
        return gr.update(choices=choices, value=[])

    def pick_answer_after_restore(self, answers: list[dict[str, Any]]) -> tuple[Any, Any]:
        """The feedback choices of a reopened conversation: its answers, the last one chosen."""
        return self._answer_choices(answers), self._marker_choices(_load_ref(answers[-1]) if answers else None)

    def pick_answer(self, answer_id: str | None, answers: list[dict[str, Any]]) -> Any:
        """The wrong-citation choices of the answer picked for feedback."""
        ref = next((_load_ref(a) for a in answers if a["answer_id"] == answer_id), None)
        return self._marker_choices(ref)

    def send_feedback(
        self,
        answer_id: str | None,
        verdict: str | None,
        comment: str,
        wrong: list[str] | str | None,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        """Record Đúng/Sai, the comment and the wrong citations for the chosen answer; confirm it visibly and empty
        the form for the next one (it is kept as it was when nothing was recorded, so the user can fix it).

        Outputs: status, verdict, comment, wrong citations. A second identical verdict is not a second event."""
        skip = gr.skip()
        who = self._who(request)
        if who is None:
            return render.notice_html(NO_PRINCIPAL, "warning"), skip, skip, skip
        if not answer_id:
            return render.notice_html("Chưa có câu trả lời nào để đánh giá.", "warning"), skip, skip, skip
        if verdict not in ("Đúng", "Sai"):
            return render.notice_html("Hãy chọn Đúng hoặc Sai.", "warning"), skip, skip, skip
        chosen = [wrong] if isinstance(wrong, str) else list(wrong or [])
        markers = sorted(int(m) for m in chosen if m and m != NO_WRONG_CITATION and str(m).isdigit())
        try:
            recorded = self.services.feedback(who, answer_id, verdict == "Đúng", comment or "", None, markers)
        except (NotFound, ValueError) as exc:
            return render.notice_html(f"Không ghi nhận được ý kiến: {exc}", "error"), skip, skip, skip
        cited = (", trích dẫn sai " + ", ".join(f"[{m}]" for m in markers)) if markers else ""
        if not recorded:
            already = f"Ý kiến này đã được ghi nhận trước đó (câu trả lời {verdict.lower()})."
            status = render.notice_html(already, "info")
        else:
            status = render.notice_html(
                f"Đã ghi nhận ý kiến: câu trả lời {verdict.lower()}{cited}. Cảm ơn bạn!", "success"
            )
        return status, gr.update(value=None), "", gr.update(value=[])

    def like(self, evt: gr.LikeData, answers: list[dict[str, Any]], request: gr.Request) -> tuple[Any, ...]:
        """👍 on an answer records "Đúng" at once and shows it in the feedback box; 👎 opens the feedback form on
        that answer with "Sai" chosen, for the wrong citations and a comment.

        Outputs: feedback box, answer choice, verdict, wrong citations, status."""
        skip = gr.skip()
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        ref = next((_load_ref(a) for a in answers if a.get("chat_index") == index), None)
        if ref is None:
            note = render.notice_html("Chỉ đánh giá được câu trả lời có căn cứ trong cuộc hỏi đáp này.", "info")
            return skip, skip, skip, skip, note
        if evt.liked is True:  # the box opens to show the confirmation (and room for a comment)
            status = self.send_feedback(ref.answer_id, "Đúng", "", [], request)[0]
            picked = gr.update(value=ref.answer_id)
            return gr.update(open=True), picked, gr.update(value=None), self._marker_choices(ref), status
        if evt.liked is False:
            hint = render.notice_html("Hãy chọn trích dẫn sai (nếu có), ghi nhận xét rồi bấm Gửi đánh giá.", "info")
            return (
                gr.update(open=True),
                gr.update(value=ref.answer_id),
                gr.update(value="Sai"),
                self._marker_choices(ref),
                hint,
            )
        return skip, skip, skip, skip, skip

    # -- administration ------------------------------------------------------------------------------------------

    def _admin(self, request: gr.Request) -> Principal | None:
        who = self._who(request)
        return who if who is not None and allowed(who, "upload") else None

    def _document_table(self, who: Principal, chosen: str | None = None) -> tuple[Any, Any]:
        """The document list (no ids: số hiệu and title lead) and the document choice, labelled "số hiệu — title"
        with the id as its value (keeping `chosen` selected when it is still listed)."""
        docs = self.services.list_documents(who)
        rows = [render.document_row(d) for d in docs]
        choices = [(render.document_label(d), d.id) for d in docs]
        keep = chosen if any(d.id == chosen for d in docs) else None
        return gr.update(value=rows), gr.update(choices=choices, value=keep)

    def _listed(self, who: Principal, doc_id: str | None) -> DocumentRecord | None:
        """The registry's current record of `doc_id` (metadata only), or None when it is not listed for `who`."""
        if not doc_id:
            return None
        return next((d for d in self.services.list_documents(who) if d.id == doc_id), None)

    def file_table(self, request: gr.Request) -> Any:
        """The source files with their states (a failed file has no document: this is where it shows)."""
        who = self._admin(request)
        if who is None:
            return gr.skip()
        return gr.update(value=[render.file_row(f) for f in self.services.list_files(who)])

    def refresh_documents(self, request: gr.Request) -> tuple[Any, Any]:
        who = self._admin(request)
        return self._document_table(who) if who else (gr.skip(), gr.skip())

    def _claim_uploads(self, who: Principal, files: Sequence[str]) -> list[tuple[str, bytes]]:
        """(name, bytes) of files `who` just uploaded through the workdesk; `PermissionError` for any other path
        (a forged path is never read). The temporary copies are gone when this returns."""
        if self.uploads is None:
            raise PermissionError("tải lên chỉ dùng được qua bàn làm việc của máy chủ")
        claimed = [self.uploads.claim(who.name, f) for f in files]
        try:
            return [(nfc(Path(f).name), f.read_bytes()) for f in claimed]
        finally:
            for f in claimed:  # the bytes are in memory: the temporary copy goes now, whatever happens next
                self.uploads.discard(f)

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
            named = self._claim_uploads(who, files)
        except PermissionError as denied:
            yield skip, render.notice_html(f"Không nhận tệp: {denied}", "error"), skip, skip
            return
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
        labels = {d.id: render.document_label(d) for d in self.services.list_documents(who)}  # not the ids
        table = [
            render.upload_row({**r.to_json(), "documents": [labels.get(i, i) for i in r.documents]}) for r in results
        ]
        ok = sum(1 for r in results if r.state in ("indexed", "skipped_unchanged"))
        kind = "success" if ok == len(results) else "warning"
        status = render.notice_html(f"Đã xử lý {len(results)} tệp: {ok} tệp sẵn sàng tra cứu.", kind)
        yield (table, status, *self._document_table(who))

    def set_access(self, doc_id: str | None, level: str, request: gr.Request) -> tuple[Any, ...]:
        """Change the chosen document's access level, unconfirmed (the button goes through `ask_access`).
        Outputs: status, document table, document choice."""
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

    def pick_document(self, evt: gr.SelectData, request: gr.Request) -> Any:
        """Selecting a row of the document list chooses that document for the settings below.

        The rows carry no id: the row is matched against the current list (by its cells, so sorting or searching
        the table does not matter); two identical rows resolve to the first, the choice box tells them apart."""
        who = self._admin(request)
        row = [str(c) for c in (getattr(evt, "row_value", None) or [])]
        if who is None or not row:
            return gr.skip()
        found = next((d.id for d in self.services.list_documents(who) if render.document_row(d) == row), None)
        return gr.update(value=found) if found else gr.skip()

    def prefill(self, doc_id: str | None, request: gr.Request) -> tuple[Any, ...]:
        """The picked document's CURRENT access level, validity and its reason into the edit controls, the link to
        its original file, and any pending confirmation withdrawn (it was about the previous choice).

        Outputs: level, validity, reason, original link, access confirmation row, delete confirmation row."""
        skip = gr.skip()
        hide = gr.update(visible=False)
        who = self._admin(request)
        if who is None:
            return skip, skip, skip, "", hide, hide
        doc = self._listed(who, doc_id)
        if doc is None:
            return skip, skip, "", "", hide, hide
        name = Path(doc.file_path.replace("\\", "/")).name  # never the server's folders
        link = (
            f'<div class="kho-original">Tệp gốc: <a id="kho-original-link" href="/documents/{quote(doc.id)}/original" '
            f'download="{render.escape(name)}">{render.escape(name)}</a></div>'
        )
        m = doc.meta
        return m.access_level.value, m.hieu_luc.value, m.hieu_luc_reason or "", link, hide, hide

    def ask_access(self, doc_id: str | None, level: str, request: gr.Request) -> tuple[Any, ...]:
        """ "Cập nhật mức truy cập": a raise (some readers lose the document) waits for "Xác nhận"; any other change
        is applied at once.

        Outputs: confirmation row, its text, pending change, status, document table, document choice."""
        skip = gr.skip()
        who = self._admin(request)
        doc = self._listed(who, doc_id) if who else None
        if who is None or doc is None:
            return (gr.update(visible=False), skip, None, *self.set_access(doc_id, level, request))
        new = AccessLevel.from_str(level)
        old = doc.meta.access_level
        if new.rank <= old.rank:
            return (gr.update(visible=False), skip, None, *self.set_access(doc_id, level, request))
        text = (
            f'<div class="kho-confirm">Nâng mức truy cập của “{render.escape(render.document_label(doc))}” từ '
            f"“{render.access_label(old.value)}” lên “{render.access_label(new.value)}”: người dùng chỉ có quyền "
            f"“{render.access_label(old.value)}” sẽ không xem, không tra cứu được văn bản này nữa.</div>"
        )
        return gr.update(visible=True), text, {"doc": doc.id, "level": new.value}, "", skip, skip

    def confirm_access(self, pending: dict[str, str] | None, request: gr.Request) -> tuple[Any, ...]:
        """ "Xác nhận": apply the change `ask_access` held back (the one shown, whatever the dropdown says now).

        Outputs: confirmation row, pending change, status, document table, document choice."""
        if not pending:
            return gr.update(visible=False), None, "", gr.skip(), gr.skip()
        return gr.update(visible=False), None, *self.set_access(pending["doc"], pending["level"], request)

    @staticmethod
    def cancel_pending() -> tuple[Any, ...]:
        """ "Hủy" on a confirmation row: nothing changes. Outputs: the row, its pending value, status."""
        return gr.update(visible=False), None, render.notice_html("Đã hủy; văn bản không thay đổi.", "info")

    def ask_delete_document(self, doc_id: str | None, request: gr.Request) -> tuple[Any, ...]:
        """ "Xóa văn bản…": show the confirmation row naming the document (nothing is deleted yet).

        Outputs: confirmation row, its text, pending id, status."""
        who = self._admin(request)
        if who is None:
            return gr.update(visible=False), gr.skip(), None, render.notice_html(NO_ADMIN, "error")
        doc = self._listed(who, doc_id)
        if doc is None:
            return gr.update(visible=False), gr.skip(), None, render.notice_html("Hãy chọn một văn bản.", "warning")
        text = (
            f'<div class="kho-confirm">Xóa hẳn “{render.escape(render.document_label(doc))}” khỏi kho (cả chỉ mục '
            "tra cứu)? Không thể hoàn tác.</div>"
        )
        return gr.update(visible=True), text, doc.id, ""

    def delete_document(self, pending: str | None, request: gr.Request) -> tuple[Any, ...]:
        """ "Xóa hẳn" (after the confirmation): remove the document. Outputs: row, pending id, status, table, choice."""
        skip = gr.skip()
        hide = gr.update(visible=False)
        who = self._admin(request)
        if who is None:
            return hide, None, render.notice_html(NO_ADMIN, "error"), skip, skip
        if not pending:
            return hide, None, "", skip, skip
        try:
            self.services.delete_document(who, pending)
        except (NotFound, ValueError, Forbidden) as exc:
            return hide, None, render.notice_html(f"Không xóa được: {exc}", "error"), skip, skip
        return hide, None, render.notice_html("Đã xóa văn bản.", "success"), *self._document_table(who)

    def reindex(self, doc_id: str | None, request: gr.Request) -> str:
        """ "Lập chỉ mục lại": the picked document's chunks written into the index again; a status line."""
        who = self._admin(request)
        if who is None:
            return render.notice_html(NO_ADMIN, "error")
        if not doc_id:
            return render.notice_html("Hãy chọn một văn bản.", "warning")
        try:
            failed = self.services.reindex_document(who, doc_id)
        except (NotFound, ValueError, Forbidden) as exc:
            return render.notice_html(f"Không lập chỉ mục lại được: {exc}", "error")
        if failed:
            return render.notice_html(f"Lập chỉ mục lại không thành công: {'; '.join(failed)}", "error")
        return render.notice_html("Đã lập chỉ mục lại; văn bản sẵn sàng tra cứu.", "success")

    def replace_document(self, doc_id: str | None, file: str | None, request: gr.Request) -> tuple[Any, ...]:
        """ "Thay thế bằng tệp mới": ingest one uploaded file and remove the picked document once it is stored
        (`Services.upload(replace=...)`); the new document keeps the old one's access level (never lowered here).

        Outputs: status, document table, document choice (the new document), the file box (emptied)."""
        skip = gr.skip()
        who = self._admin(request)
        if who is None:
            return render.notice_html(NO_ADMIN, "error"), skip, skip, skip
        doc = self._listed(who, doc_id)
        if doc is None:
            return render.notice_html("Hãy chọn văn bản cần thay thế.", "warning"), skip, skip, skip
        if not file:
            return render.notice_html("Chưa chọn tệp thay thế.", "warning"), skip, skip, skip
        try:
            named = self._claim_uploads(who, [file])
            results = self.services.upload(who, named, doc.meta.access_level, replace=doc.id)
        except PermissionError as denied:
            return render.notice_html(f"Không nhận tệp: {denied}", "error"), skip, skip, None
        except (NotFound, ValueError, Forbidden) as exc:
            return render.notice_html(f"Không thay thế được: {exc}", "error"), skip, skip, None
        result = results[0]
        if not result.documents:
            why = result.reason or render.state_label(result.state)
            msg = f"Không thay thế được: {why}. Văn bản cũ được giữ nguyên."
            return render.notice_html(msg, "error"), skip, skip, None
        new_id = result.documents[0]
        if new_id == doc.id:
            return render.notice_html("Tệp mới giống hệt tệp cũ; văn bản không thay đổi.", "info"), skip, skip, None
        done = render.notice_html(f"Đã thay thế “{render.document_label(doc)}” bằng {result.file}.", "success")
        return done, *self._document_table(who, new_id), None


# --- layout -------------------------------------------------------------------------------------------------------

VALIDITY_CHOICES = [(b.label, v) for v, b in render.VALIDITY_BADGES.items()]
ACCESS_CHOICES = [(b.label, v) for v, b in render.ACCESS_BADGES.items()]


def build_workdesk(
    services: Services,
    identify: Identify | None = None,
    uploads: UploadLedger | None = None,
    exports: ExportShelf | None = None,
) -> gr.Blocks:
    """The workdesk app: tab "Hỏi đáp" (chat, filters, citations, source, feedback) and tab "Quản trị" (admin).

    `identify` maps a request to its principal (`ui.server` passes its `WorkdeskAuth.from_request`); `uploads` is the
    server's ledger of who uploaded which file (uploads are refused without it).
    """
    desk = Workdesk(services, identify, uploads, exports)
    # Gradio's cache (uploads that were never submitted) is swept hourly of files older than an hour.
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True, delete_cache=(3600, 3600)) as app:
        banner = gr.HTML(_banner(_user_html(None)), elem_id="kho-banner")
        signed_out = gr.HTML("", visible=False, elem_id="kho-signed-out")
        past = gr.State([])
        answers = gr.State([])
        # The open conversation's id, kept in the browser (localStorage) so a reload reopens it; the server checks
        # that it is the user's own on every use (app/conversations.py), so another user's id opens nothing.
        open_conversation = gr.BrowserState("", storage_key="kho-open-conversation")
        viewing = gr.State({})  # the article whose versions the switch lists (Workdesk.open_source)
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7):
                        chat = gr.Chatbot(
                            elem_id="kho-chat",
                            show_label=False,
                            height=520,
                            feedback_options=("Like", "Dislike"),  # 👍/👎 on each answer (Workdesk.like)
                            buttons=[],  # Gradio's copy took the raw HTML: "Sao chép câu trả lời" copies plain text
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
                            stop = gr.Button("Dừng", variant="stop", elem_id="kho-stop-btn", scale=1, visible=False)
                        with gr.Row():
                            extractive = gr.Checkbox(
                                label="Chỉ trích dẫn (nguyên văn điều khoản)",
                                value=False,
                                elem_id="kho-extractive",
                            )
                            new_chat = gr.Button("Cuộc hỏi đáp mới", size="sm", variant="secondary")
                        with gr.Row():
                            copy_btn = gr.Button("Sao chép câu trả lời", size="sm", elem_id="kho-copy")
                            export_btn = gr.Button("Xuất DOCX", size="sm", elem_id="kho-export")
                        plain = gr.Textbox(visible=False, elem_id="kho-plain")  # what "Sao chép" copies
                        export_status = gr.HTML("", elem_id="kho-export-status")
                        with gr.Accordion("Lịch sử hỏi đáp", open=False, elem_id="kho-history"):
                            history_pick = gr.Dropdown(
                                [], label="Các cuộc hỏi đáp của bạn (mới nhất trước)", elem_id="kho-history-pick"
                            )
                            with gr.Row():
                                history_open = gr.Button("Mở lại", size="sm", elem_id="kho-history-open")
                                history_delete = gr.Button(
                                    "Xóa…", size="sm", variant="stop", elem_id="kho-history-delete"
                                )
                            with gr.Row():
                                history_title = gr.Textbox(
                                    label="Tên mới", max_lines=1, scale=3, elem_id="kho-history-title"
                                )
                                history_rename = gr.Button("Đổi tên", size="sm", elem_id="kho-history-rename")
                            with gr.Row(visible=False, elem_id="kho-history-confirm") as history_confirm:
                                gr.HTML(
                                    '<div class="kho-confirm">Xóa hẳn cuộc hỏi đáp này cùng các câu trả lời? '
                                    "Không thể hoàn tác.</div>"
                                )
                                history_delete_yes = gr.Button(
                                    "Xóa hẳn", size="sm", variant="stop", elem_id="kho-history-delete-yes"
                                )
                                history_delete_no = gr.Button("Hủy", size="sm", elem_id="kho-history-delete-no")
                            history_status = gr.HTML("", elem_id="kho-history-status")
                        topic = gr.Radio(
                            choices=list(TOPIC_CHOICES.items()),
                            value="auto",
                            label="Cách đọc câu hỏi",
                            info="Tự nhận biết, hoặc chọn: hỏi tiếp câu trước / câu hỏi mới (đọc riêng)",
                            elem_id="kho-topic",
                        )
                        with gr.Accordion(FILTERS_LABEL, open=False, elem_id="kho-filters") as filters_box:
                            as_of = gr.Textbox(
                                label=AS_OF_LABEL,
                                placeholder="YYYY-MM-DD, ví dụ 2015-01-01 — để trống: pháp luật hiện hành (hôm nay)",
                                max_lines=1,
                                elem_id="kho-as-of",
                            )
                            with gr.Row():
                                types = gr.Dropdown([], label="Loại văn bản", multiselect=True)
                                issuers = gr.Dropdown([], label="Cơ quan ban hành", multiselect=True)
                            with gr.Row():
                                # text, not gr.Number: an empty number field showed "0"
                                year_from = gr.Textbox(
                                    label="Năm ban hành từ",
                                    placeholder="ví dụ 2015",
                                    max_lines=1,
                                    elem_id="kho-year-from",
                                )
                                year_to = gr.Textbox(
                                    label="đến năm", placeholder="ví dụ 2020", max_lines=1, elem_id="kho-year-to"
                                )
                                validity = gr.Dropdown(VALIDITY_CHOICES, label="Hiệu lực", multiselect=True)
                        # outside the box, shown while a filter is on: a refusal's "Bỏ bộ lọc" link presses it
                        clear_filters = gr.Button(
                            "Bỏ bộ lọc", size="sm", elem_id="kho-clear-filters", visible=False, variant="secondary"
                        )
                        with gr.Accordion("Đánh giá câu trả lời", open=False, elem_id="kho-feedback") as fb_box:
                            fb_answer = gr.Dropdown([], label="Câu trả lời được đánh giá", elem_id="kho-fb-answer")
                            with gr.Row():
                                fb_verdict = gr.Radio(["Đúng", "Sai"], label="Nhận định", elem_id="kho-fb-verdict")
                                fb_wrong = gr.Dropdown(
                                    [],
                                    value=[],
                                    multiselect=True,
                                    label="Trích dẫn sai (có thể chọn nhiều; để trống nếu không có)",
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
                        with gr.Column(visible=False, elem_id="kho-versions") as versions_box:
                            gr.HTML('<div class="kho-panel-title">Phiên bản của điều khoản</div>')
                            version_pick = gr.Radio(
                                [], label="Chọn phiên bản để so sánh với văn bản đang trích", elem_id="kho-version-pick"
                            )
                            version_view = gr.HTML("", elem_id="kho-version-view")
                        lineage_view = gr.HTML("", elem_id="kho-lineage")
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
                    with gr.Row(visible=False, elem_id="kho-access-confirm") as access_confirm:
                        access_confirm_text = gr.HTML("", elem_id="kho-access-confirm-text")
                        access_yes = gr.Button("Xác nhận", size="sm", variant="stop", elem_id="kho-access-yes")
                        access_no = gr.Button("Hủy", size="sm", elem_id="kho-access-no")
                    with gr.Row():
                        set_valid = gr.Dropdown(
                            VALIDITY_CHOICES, value="con_hieu_luc", label="Hiệu lực", elem_id="kho-set-validity-value"
                        )
                        set_reason = gr.Textbox(
                            label="Lý do (căn cứ thay đổi hiệu lực)", scale=2, elem_id="kho-set-reason"
                        )
                        set_valid_btn = gr.Button("Cập nhật hiệu lực", elem_id="kho-set-validity")
                    with gr.Row():
                        original = gr.HTML("", elem_id="kho-original", scale=3)
                        reindex_btn = gr.Button("Lập chỉ mục lại", size="sm", elem_id="kho-reindex")
                        delete_btn = gr.Button("Xóa văn bản…", size="sm", variant="stop", elem_id="kho-doc-delete")
                    with gr.Row(visible=False, elem_id="kho-doc-delete-confirm") as delete_confirm:
                        delete_confirm_text = gr.HTML("", elem_id="kho-doc-delete-confirm-text")
                        delete_yes = gr.Button("Xóa hẳn", size="sm", variant="stop", elem_id="kho-doc-delete-yes")
                        delete_no = gr.Button("Hủy", size="sm", elem_id="kho-doc-delete-no")
                    with gr.Row():
                        replace_file = gr.File(
                            label="Tệp thay thế văn bản đang chọn",
                            file_count="single",
                            file_types=FILE_TYPES,
                            elem_id="kho-replace-file",
                            height=120,
                            scale=3,
                        )
                        replace_btn = gr.Button("Thay thế bằng tệp mới", elem_id="kho-replace-btn")
                    admin_status = gr.HTML("", elem_id="kho-admin-status")
                    pending_access = gr.State(None)  # the raise shown in the confirmation row, applied on "Xác nhận"
                    pending_delete = gr.State(None)  # the id shown in the delete confirmation row
            # "Pháp chế": the feedback queue and the audit log (legal, admin)
            legal = build_legal_tab(services, desk.identify, exports=exports)

        legal.load(app)
        restored = [chat, past, answers, cites, history_pick, open_conversation, source]
        loaded = [banner, signed_out, types, issuers, gate, admin_panel, doc_table, doc_pick, validity]
        app.load(desk.on_load, None, loaded).then(desk.file_table, None, [file_table]).then(
            desk.restore, [open_conversation], restored
        ).then(desk.pick_answer_after_restore, [answers], [fb_answer, fb_wrong])

        ask_inputs = [
            question, chat, past, answers, types, issuers, year_from, year_to, validity, extractive, as_of, topic,
            open_conversation,
        ]  # fmt: skip
        ask_outputs = [
            *(chat, question, past, answers, cites, source, fb_answer, fb_wrong, fb_status),
            *(versions_box, lineage_view, open_conversation, history_pick),
        ]
        busy_controls = [send, question, stop]
        for trigger in (send.click, question.submit):
            trigger(desk.busy, None, busy_controls).then(
                desk.ask, ask_inputs, ask_outputs, concurrency_limit=None
            ).then(desk.idle, None, busy_controls).then(None, None, None, js=SHOW_ANSWER_START_JS)
        stop.click(desk.stop, None, None)
        clear_filters.click(
            lambda: ([], [], "", "", [], ""), None, [types, issuers, year_from, year_to, validity, as_of]
        )
        filter_fields = [types, issuers, year_from, year_to, validity, as_of]
        gr.on(  # the closed box says how many filters are on
            [types.change, issuers.change, year_from.change, year_to.change, validity.change, as_of.change],
            filters_label,
            filter_fields,
            [filters_box, clear_filters],
        )
        answers.change(desk.latest_plain, [answers], [plain])
        copy_btn.click(
            None,
            [plain],
            None,
            js="(t) => { if (t) { navigator.clipboard.writeText(t); } "
            "document.querySelector('#kho-copy').dataset.copied = t ? 'yes' : 'no'; }",
        )
        export_btn.click(desk.export_docx, [answers], [export_status])
        cleared = [chat, question, past, cites, source, versions_box, lineage_view, answers, open_conversation]
        new_chat.click(desk.clear, None, cleared)
        chat.clear(desk.clear, None, cleared)  # the chat's own trash icon: a new conversation too, nothing deleted
        history_open.click(desk.restore, [history_pick], restored).then(
            desk.pick_answer_after_restore, [answers], [fb_answer, fb_wrong]
        )
        history_rename.click(desk.rename_conversation, [history_pick, history_title], [history_pick, history_status])
        history_delete.click(desk.ask_delete, [history_pick], [history_confirm, history_status])
        history_delete_no.click(lambda: gr.update(visible=False), None, [history_confirm])
        history_delete_yes.click(
            desk.delete_conversation,
            [history_pick, open_conversation],
            [history_confirm, history_status, history_pick, open_conversation, chat, past, answers, cites],
        )
        cites.click(
            desk.follow_citation,
            [answers],
            [cites, source, versions_box, version_pick, version_view, lineage_view, viewing],
        )
        version_pick.input(desk.pick_version, [version_pick, viewing], [version_view])
        fb_answer.change(desk.pick_answer, [fb_answer, answers], [fb_wrong])
        fb_form = [fb_verdict, fb_comment, fb_wrong]
        fb_send.click(desk.send_feedback, [fb_answer, *fb_form], [fb_status, *fb_form])
        chat.like(desk.like, [answers], [fb_box, fb_answer, fb_verdict, fb_wrong, fb_status])

        up_send.click(desk.upload, [files, up_level], [up_table, up_status, doc_table, doc_pick]).then(
            desk.file_table, None, [file_table]
        )
        refresh.click(desk.refresh_documents, None, [doc_table, doc_pick]).then(desk.file_table, None, [file_table])
        doc_table.select(desk.pick_document, None, [doc_pick])
        doc_pick.change(
            desk.prefill, [doc_pick], [set_level, set_valid, set_reason, original, access_confirm, delete_confirm]
        )
        set_level_btn.click(
            desk.ask_access,
            [doc_pick, set_level],
            [access_confirm, access_confirm_text, pending_access, admin_status, doc_table, doc_pick],
        )
        access_yes.click(
            desk.confirm_access, [pending_access], [access_confirm, pending_access, admin_status, doc_table, doc_pick]
        )
        access_no.click(desk.cancel_pending, None, [access_confirm, pending_access, admin_status])
        set_valid_btn.click(desk.set_validity, [doc_pick, set_valid, set_reason], [admin_status, doc_table, doc_pick])
        reindex_btn.click(desk.reindex, [doc_pick], [admin_status])
        delete_btn.click(
            desk.ask_delete_document, [doc_pick], [delete_confirm, delete_confirm_text, pending_delete, admin_status]
        )
        delete_no.click(desk.cancel_pending, None, [delete_confirm, pending_delete, admin_status])
        delete_yes.click(
            desk.delete_document, [pending_delete], [delete_confirm, pending_delete, admin_status, doc_table, doc_pick]
        ).then(desk.file_table, None, [file_table])
        replace_btn.click(
            desk.replace_document, [doc_pick, replace_file], [admin_status, doc_table, doc_pick, replace_file]
        ).then(desk.file_table, None, [file_table])
    return app

"""HTML for the workdesk: the answer with its verification badge, the citations panel, the source article with the
cited clause highlighted, the admin tables' rows.

Pure functions of the assistant's and the registry's values (no Gradio, no I/O), so they are tested without a
browser. Every piece of text that comes from a document, a question or a model goes through `escape`: retrieved
text is data, and an instruction or a tag inside a document renders as inert text. `escape` also neutralises the
characters that Markdown, Handlebars and JS template strings read as syntax, because Gradio passes chat messages
through Markdown and `gr.HTML` values through a template.

>>> escape("<b>Điều 1</b> ![x](y) {{z}}")
'&lt;b&gt;Điều 1&lt;/b&gt; &#33;&#91;x&#93;&#40;y&#41; &#123;&#123;z&#125;&#125;'
>>> validity_label("het_hieu_luc")
'Hết hiệu lực'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.lineage import GROUP_LABELS, Lineage, VersionView, word_diff
from assistant.answer import REFUSAL, Answer, CitedSource
from assistant.clauses import ClauseRef
from assistant.verify import FLAG
from ingest.model import AccessLevel, Article, DocumentMeta, Validity, parse_iso_date
from ingest.registry import DocumentRecord, FileRecord
from ingest.versions import ACTS, BADGES, KIND_LABELS, ArticleVersion, Change, Standing
from ingest.versions import vn_date as versions_vn_date
from ui.search_mode import search_label

# One pass over the text (so "&" is never escaped twice): HTML specials, then the characters that Markdown
# (links, images, emphasis, code, tables), Handlebars ({{ }}) and JS template strings (${ }, `) treat as syntax.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    **{c: f"&#{ord(c)};" for c in "{}$`[]()!*_~|#\\"},
}
_ESCAPE_TABLE = str.maketrans(_ENTITIES)

QUOTE_PREVIEW = 320  # characters of the quoted text shown in a citation card; the full clause is one click away
CONTEXT_CHARS = 900  # around a cited span that lies in no article (a document without "Điều" headings)


def escape(text: object) -> str:
    """`text` as inert HTML: no tag, entity, Markdown or template syntax survives."""
    return str(text).translate(_ESCAPE_TABLE)


def vn_date(d: dt.date | None) -> str:
    """A date as Vietnamese documents write it (dd/mm/yyyy), or "—" when unknown."""
    return versions_vn_date(d, unknown="—")


# --- badges: one registry per vocabulary, so a new state is one line here -------------------------------------


@dataclass(frozen=True)
class Badge:
    """How a state is shown: its Vietnamese label, a CSS modifier and a one-line explanation (the tooltip)."""

    label: str
    css: str
    hint: str

    def html(self, base: str = "kho-badge") -> str:
        return f'<span class="{base} {base}--{self.css}" title="{escape(self.hint)}">{escape(self.label)}</span>'


VERIFICATION_BADGES: dict[str, Badge] = {
    "verified": Badge("✓ Đã kiểm chứng", "verified", "Mọi câu trả lời đều được điều khoản trích dẫn hỗ trợ."),
    "partially_verified": Badge(
        "◐ Kiểm chứng một phần", "partial", "Một số câu chưa được điều khoản trích dẫn hỗ trợ; đã đánh dấu."
    ),
    "unverified": Badge("✗ Chưa kiểm chứng", "unverified", "Không câu nào được điều khoản trích dẫn hỗ trợ."),
    "refused": Badge(
        "Không tìm thấy căn cứ", "refused", "Kho văn bản không có căn cứ đủ để trả lời; xem các điều gần nhất."
    ),
}

VALIDITY_BADGES: dict[str, Badge] = {
    Validity.CON_HIEU_LUC.value: Badge("Còn hiệu lực", "in-force", "Văn bản đang có hiệu lực."),
    Validity.HET_HIEU_LUC.value: Badge(
        "Hết hiệu lực", "expired", "Văn bản đã hết hiệu lực: kiểm tra văn bản thay thế trước khi áp dụng."
    ),
    Validity.CHUA_XAC_DINH.value: Badge("Chưa xác định hiệu lực", "unknown", "Chưa xác định được tình trạng hiệu lực."),
}

ACCESS_BADGES: dict[str, Badge] = {
    AccessLevel.PUBLIC.value: Badge("Công khai", "public", "Mọi cán bộ được xem."),
    AccessLevel.INTERNAL.value: Badge("Nội bộ", "internal", "Chỉ cán bộ có quyền nội bộ trở lên."),
    AccessLevel.RESTRICTED.value: Badge("Hạn chế", "restricted", "Chỉ cán bộ có quyền truy cập hạn chế."),
}

# The quoted text's standing on the answer's date (ingest/versions.py `standing_on`), coloured as KeyCite does:
# green current, amber amended (the consolidated wording), orange superseded or partly repealed, red repealed, grey
# not yet in force, neutral unknown — absence of a repeal in the corpus is not proof of validity.
STANDING_BADGES: dict[str, Badge] = {
    "current": Badge(
        BADGES["current"], "current", "Văn bản được xác nhận còn hiệu lực (dữ liệu hiệu lực hoặc quản trị)."
    ),
    "amended": Badge(
        BADGES["amended"], "amended", "Văn bản hợp nhất đã gồm các sửa đổi, bổ sung: là nội dung đang áp dụng."
    ),
    "superseded": Badge(
        BADGES["superseded"], "superseded", "Điều này đã bị sửa đổi sau văn bản được trích: đối chiếu văn bản sửa đổi."
    ),
    "partly_repealed": Badge(
        BADGES["partly_repealed"], "partly-repealed", "Một số khoản, điểm của điều này đã hết hiệu lực."
    ),
    "repealed": Badge(BADGES["repealed"], "repealed", "Không còn áp dụng vào ngày được hỏi."),
    "not_yet_in_force": Badge(BADGES["not_yet_in_force"], "not-yet", "Chưa đến ngày có hiệu lực vào ngày được hỏi."),
    "unknown": Badge(
        BADGES["unknown"],
        "neutral",
        "Kho không có văn bản nào sửa đổi, bãi bỏ điều này; điều đó chưa chứng minh văn bản còn hiệu lực.",
    ),
}

MODE_LABELS: dict[str, str] = {
    "extractive": "Chỉ trích dẫn",
    "generative": "Trả lời tổng hợp",
    "judged": "Phán định theo căn cứ",  # a yes/no or multiple-choice question decided by the judge
}

UPLOAD_STATES: dict[str, str] = {
    "pending": "Đang chờ",
    "ingesting": "Đang đọc và tách điều khoản",
    "indexing": "Đang lập chỉ mục",
    "searchable": "Sẵn sàng tra cứu",
    "indexed": "Đã lập chỉ mục",
    "skipped_unchanged": "Không thay đổi (bỏ qua)",
    "failed": "Lỗi",
    "failed_no_text": "Không đọc được chữ",
    "rejected": "Bị từ chối",
}


def _badge(registry: Mapping[str, Badge], key: str) -> Badge:
    return registry.get(key) or Badge(key, "unknown", key)


def validity_label(value: str) -> str:
    """The Vietnamese name of a validity state ("con_hieu_luc" → "Còn hiệu lực")."""
    return _badge(VALIDITY_BADGES, value).label


def access_label(value: str) -> str:
    """The Vietnamese name of an access level ("restricted" → "Hạn chế")."""
    return _badge(ACCESS_BADGES, value).label


def state_label(state: str) -> str:
    """The Vietnamese name of an upload/registry state ("indexed" → "Đã lập chỉ mục")."""
    return UPLOAD_STATES.get(state, state)


# --- the answer ---------------------------------------------------------------------------------------------

_ANSWER_TOKENS = re.compile(r"\[(\d{1,2})\]|" + re.escape(FLAG.strip()))


def _css_token(value: str) -> str:
    """`value` as a class-name token (letters, digits, "-" and "_" kept; anything else dropped)."""
    return re.sub(r"[^A-Za-z0-9_-]", "", value)


MARKER_PREVIEW = 220  # characters of the cited clause a marker's hover shows


def _answer_body(text: str, previews: Mapping[int, str] | None = None) -> str:
    """Escaped answer text with its [n] markers as references and unsupported sentences flagged; its "- " lines
    (the list items verification keeps on their own lines) as a real list, other lines as lines.

    With `previews` (marker → the cited text) a marker that has a card is a link to it — clicking opens the card
    and the source view, hovering shows the quoted clause — and one without a card is plain text, never a link.

    >>> html = _answer_body("Gồm:\\n- Khiển trách [1].\\n- Cảnh cáo [1].")
    >>> html.startswith('Gồm:<ul class="kho-answer-list"><li>Khiển trách <sup'), html.count("<li>"), "<br>" in html
    (True, 2, False)

    A "- " line right after the law's lettered or numbered items is a statement of its own, not one more item in
    another style (live: the unpaid leave of Khoản 2 Điều 115 Bộ luật Lao động, which the model wrote as "[2] …",
    showed as a bullet under the paid-leave list a)–c)): it is shown as a line.

    >>> html = _answer_body("Gồm [1]:\\na) Kết hôn [1];\\n- Nghỉ không hưởng lương 01 ngày [1].")
    >>> "<li>" in html, html.count("<br>"), "- Nghỉ" in html
    (False, 2, False)
    """
    out: list[str] = []
    items: list[str] = []
    labelled = False  # the line before is one of the law's lettered or numbered items
    plain = False  # "- " lines going on from the law's items, shown as lines
    for line in text.split("\n"):
        dash = line.startswith("- ")
        plain = dash and (plain or (labelled and not items))
        if dash and not plain:
            items.append(f"<li>{_answer_line(line[2:], previews)}</li>")
            labelled = False
            continue
        labelled = _LAW_ITEM.match(line) is not None
        if plain:
            line = line[2:]
        if items:
            out.append(f'<ul class="kho-answer-list">{"".join(items)}</ul>')
            items = []
        elif out:
            out.append("<br>")
        out.append(_answer_line(line, previews))
    if items:
        out.append(f'<ul class="kho-answer-list">{"".join(items)}</ul>')
    return "".join(out)


# A line of the law's own list: "a) …", "đ) …", "3. …".
_LAW_ITEM = re.compile(r"^(?:[a-zđ]\)|\d{1,2}\.)\s")
# Where a sentence of an answer's line ends: a marker repeated after it is the next sentence's citation.
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s|$)")


def _cited_once(text: str) -> str:
    """A line of the answer with a marker repeated within one sentence shown once, at its last: verification cites
    each piece of a list item cut at its ";" and ":" ("c) … chết [1]: nghỉ 03 ngày [1]."), and a marker links to
    its source, not to the piece, so the earlier ones only clutter the line. A marker before a flag, another
    marker, a sentence's end or a flagged piece stays where it is.

    >>> _cited_once("c) Cha, mẹ chết [1]; vợ hoặc chồng chết [1]: nghỉ 03 ngày [1].")
    'c) Cha, mẹ chết; vợ hoặc chồng chết: nghỉ 03 ngày [1].'
    >>> _cited_once("Khiển trách [1]. Cảnh cáo [1]; cách chức [2].")
    'Khiển trách [1]. Cảnh cáo [1]; cách chức [2].'
    >>> _cited_once("Cách chức [2]; hạ bậc [2] (chưa kiểm chứng).")
    'Cách chức [2]; hạ bậc [2] (chưa kiểm chứng).'
    """
    out: list[str] = []
    pos = 0
    tokens = list(_ANSWER_TOKENS.finditer(text))
    for i, (token, after) in enumerate(zip(tokens, tokens[1:], strict=False)):
        between = text[token.end() : after.start()]
        flagged = i + 2 < len(tokens) and not tokens[i + 2].group(1)  # the next piece is flagged: not this one
        if token.group(1) and after.group(1) == token.group(1) and not _SENTENCE_BREAK.search(between) and not flagged:
            out.append(text[pos : token.start()].rstrip(" \t"))
            pos = token.end()
    out.append(text[pos:])
    return "".join(out)


def _answer_line(text: str, previews: Mapping[int, str] | None) -> str:
    """One line of the answer, escaped, with its markers (each once a sentence: `_cited_once`) and flags."""
    out: list[str] = []
    pos = 0
    text = _cited_once(text)
    for m in _ANSWER_TOKENS.finditer(text):
        out.append(escape(text[pos : m.start()]))
        if m.group(1):
            n = m.group(1)
            if previews is None:
                out.append(f'<sup class="kho-ref" data-marker="{n}">&#91;{n}&#93;</sup>')
            elif int(n) in previews:
                tip = escape(_preview(previews[int(n)], MARKER_PREVIEW))
                # the chat's HTML sanitiser drops data-* attributes: the marker rides in a class
                out.append(
                    f'<sup class="kho-ref kho-ref--link kho-ref--m{n}" role="link" tabindex="0" '
                    f'title="{tip}">&#91;{n}&#93;</sup>'
                )
            else:
                out.append(f'<sup class="kho-ref-orphan">&#91;{n}&#93;</sup>')
        else:
            out.append(f'<span class="kho-flag">{escape(m.group(0))}</span>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


# What the user is waiting for, in order (Workdesk.ask): shown above the draft while an answer is on its way.
STAGES = {
    "searching": "Đang tìm căn cứ trong kho văn bản…",
    "writing": "Đang soạn câu trả lời — mỗi câu được kiểm chứng với điều khoản trước khi hiện ra…",
}
STOPPED = "Đã dừng theo yêu cầu của bạn. Câu hỏi không được lưu vào lịch sử."
SEARCHING_CARDS = "Đang tìm căn cứ cho câu hỏi mới…"


def streaming_html(partial: str, stage: str = "writing") -> str:
    """The answer while it is on its way: the stage (`STAGES`), then the verified text so far — drafted (dimmed)
    until the answer is complete — and a cursor; no badge yet. What shows here stays: the finished answer has the
    same text (assistant/pipeline.py's streaming contract), only its marks and badge are added."""
    body = "<br>".join(escape(_cited_once(line)) for line in partial.split("\n"))  # markers as the answer shows them
    label = escape(STAGES.get(stage, stage))
    return (
        '<div class="kho-answer kho-answer--streaming" aria-busy="true">'
        f'<div class="kho-stage" role="status">{label}</div><div class="kho-answer-body kho-draft">'
        f'{body}<span class="kho-cursor">▍</span></div></div>'
    )


FILTERED_REFUSAL = (
    "Không tìm thấy căn cứ trong phạm vi bộ lọc đang chọn. Bấm «Bỏ bộ lọc» rồi hỏi lại để tìm trong toàn bộ kho."
)


def filters_used_html(chips: Sequence[str], refused: bool = False) -> str:
    """The filters an answer was searched under, as chips above it; with a refusal, that the filters may be why."""
    if not chips:
        return ""
    items = "".join(f'<span class="kho-chip">{escape(c)}</span>' for c in chips)
    link = '<span class="kho-clear-filters-link" role="button" tabindex="0">Bỏ bộ lọc</span>'
    why = f'<div class="kho-notice kho-notice--warning">{escape(FILTERED_REFUSAL)} {link}</div>' if refused else ""
    return f'<div class="kho-filters-used"><span class="kho-filters-label">Bộ lọc:</span>{items}{why}</div>'


def pending_cards_html() -> str:
    """The citations panel while a new answer is searched for: the previous answer's cards are gone at once."""
    return f'<div class="kho-cites kho-cites--empty kho-pending" role="status">{escape(SEARCHING_CARDS)}</div>'


def answer_badge(answer: Answer) -> Badge:
    """The badge an answer carries: the refusal, or its verification state."""
    return VERIFICATION_BADGES["refused" if answer.refused else answer.verification.value]


def answer_html(answer: Answer, answer_id: str | None = None) -> str:
    """The chat bubble of a finished answer: badge and mode, then the text; a refusal lists the closest articles.

    The whole bubble is one `<div>` without blank lines, so Markdown treats it as an HTML block and parses nothing
    inside it.
    """
    badge = answer_badge(answer).html()
    mode = f'<span class="kho-mode">{escape(MODE_LABELS.get(answer.mode, answer.mode))}</span>'
    head = f'<div class="kho-answer-head">{badge}{mode}</div>'
    if answer.refused:
        items = "".join(f"<li>{escape(h.anchor)}</li>" for h in answer.closest)
        closest = (
            f'<div class="kho-closest"><div class="kho-closest-title">Các điều gần nhất để tham khảo:</div>'
            f"<ul>{items}</ul></div>"
            if items
            else ""
        )
        return (
            f'<div class="kho-answer kho-answer--refused">{head}{search_mode_html(answer)}{query_html(answer)}'
            f'<div class="kho-answer-body kho-refusal">{escape(REFUSAL)}</div>{closest}</div>'
        )
    query = query_html(answer)
    previews = {c.marker: c.text for c in answer.citations} if answer_id else None
    body = f'<div class="kho-answer-body">{_answer_body(answer.answer, previews)}</div>'
    grounds = grounds_html(answer.grounds())
    which = f" kho-ans--{_css_token(answer_id)}" if answer_id else ""  # the answer, in a class (as the markers)
    return (
        f'<div class="kho-answer{which}">{head}{search_mode_html(answer)}{as_of_html(answer.as_of)}{query}'
        f"{notices_html(answer.notices)}{body}{grounds}</div>"
    )


def _ground_item(n: int, ground: ClauseRef, tag: str) -> str:
    clickable = ' role="button" tabindex="0" title="Mở điều khoản gốc"' if tag == "div" else ""
    return (
        f'<{tag} class="kho-ground" data-marker="{ground.marker}" data-ground="{n}"{clickable}>'
        f'<span class="kho-marker">&#91;{ground.marker}&#93;</span> <span class="kho-anchor">{escape(ground.anchor)}'
        f'</span><blockquote class="kho-quote">{escape(ground.short_quote)}</blockquote></{tag}>'
    )


def grounds_html(grounds: Sequence[ClauseRef], clickable: bool = False) -> str:
    """ "Căn cứ" after the answer: each clause a claim binds to, its anchor naming the Khoản/Điểm, and its text.

    `clickable`: as cards of the citations panel, each opening the source with exactly that clause highlighted
    (`data-ground` is its index in `Answer.grounds()`).
    """
    if not grounds:
        return ""
    if clickable:
        items = "".join(_ground_item(n, g, "div") for n, g in enumerate(grounds))
        return f'<div class="kho-grounds kho-grounds--cards"><div class="kho-panel-title">Căn cứ</div>{items}</div>'
    items = "".join(_ground_item(n, g, "li") for n, g in enumerate(grounds))
    return f'<div class="kho-grounds"><div class="kho-grounds-title">Căn cứ</div><ul>{items}</ul></div>'


def search_mode_html(answer: Answer) -> str:
    """Which search found the answer's sources, discreetly under its badge ("Tìm kiếm: kết hợp (BM25 + ngữ nghĩa)",
    or BM25 while the dense vectors are being computed, with how far along); "" when no search ran."""
    label = search_label(answer.evidence.get("search"))
    # Named in Vietnamese: Gradio repeats a message's HTML, class names included, in its aria-label.
    return f'<div class="kho-cach-tim" role="note">{escape(label)}</div>' if label else ""


def query_html(answer: Answer) -> str:
    """How the question was read, shown with every answer (refusals too): joined with or rewritten from the
    conversation for a follow-up; "câu hỏi mới" when it was read on its own after earlier questions."""
    if answer.query and answer.query != answer.question:
        return f'<div class="kho-query">Câu hỏi được hiểu là: {escape(answer.query)}</div>'
    if answer.topic == "new_topic":
        return '<div class="kho-query">Câu hỏi mới — đọc riêng, không gộp với các câu hỏi trước.</div>'
    return ""


def as_of_html(as_of: dt.date | None) -> str:
    """The day whose law an answer states ("Pháp luật áp dụng tại ngày 01/01/2015"), or that every text was searched."""
    if as_of is None:
        return '<div class="kho-asof">Đã tra cứu mọi phiên bản của văn bản (không theo ngày).</div>'
    return f'<div class="kho-asof">Pháp luật áp dụng tại ngày <b>{vn_date(as_of)}</b></div>'


def notices_html(notices: Sequence[str]) -> str:
    """What the reader must know before relying on the answer (a quoted text superseded, repealed, not yet in
    force): shown above the answer and its citations, never folded away."""
    if not notices:
        return ""
    items = "".join(f'<div class="kho-answer-notice" role="alert">⚠ {escape(n)}</div>' for n in notices)
    return f'<div class="kho-answer-notices">{items}</div>'


def notice_html(message: str, kind: str = "info") -> str:
    """A short message box (info, warning, error) in the workdesk's style."""
    return f'<div class="kho-notice kho-notice--{escape(kind)}">{escape(message)}</div>'


# --- the citations panel ----------------------------------------------------------------------------------


def _preview(text: str, limit: int = QUOTE_PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fact(label: str, value: str | None) -> str:
    return f"<dt>{escape(label)}</dt><dd>{escape(value or '—')}</dd>"


def standing_badge(standing: Standing) -> Badge:
    """The badge of a quoted text's standing ("amended" → amber "Đã sửa đổi, bổ sung (văn bản hợp nhất)")."""
    return STANDING_BADGES.get(standing.badge) or Badge(standing.label or standing.badge, "neutral", standing.badge)


def validity_span(version: ArticleVersion, standing: Standing | None = None) -> str:
    """The dates a text was the law: "01/01/2012 – 01/07/2020", "01/07/2020 – nay" (no end known), or "… – chưa
    rõ ngày" for a text that has ended without a known date (an administrator set the document "hết hiệu lực")."""
    start = vn_date(version.valid_from) if version.valid_from else "chưa rõ ngày"
    if version.valid_to:
        return f"{start} – {vn_date(version.valid_to)}"
    return f"{start} – {'chưa rõ ngày' if standing is not None and standing.badge == 'repealed' else 'nay'}"


def _change_item(c: Change) -> str:
    included = ' <span class="kho-change-in">(đã gồm trong văn bản này)</span>' if c.included else ""
    return f"<li>{escape(c.describe())}{included}</li>"


def version_html(version: ArticleVersion, standing: Standing | None) -> str:
    """The quoted text's version: its notice first (what the reader must not miss), the standing badge, the kind
    (enacted or consolidated), the dates it was the law, and the documents acting on it, with their dates."""
    notice = ""
    if standing is not None and standing.notice:
        notice = f'<div class="kho-version-notice" role="alert">⚠ {escape(standing.notice)}</div>'
    badge = standing_badge(standing).html("kho-standing") if standing else ""
    kind = escape(KIND_LABELS.get(version.kind, version.kind))
    line = (
        f'<div class="kho-version-line">{badge}<span class="kho-version-kind">{kind}</span>'
        f'<span class="kho-version-dates">hiệu lực {escape(validity_span(version, standing))}</span></div>'
    )
    acting = list(standing.applied) if standing else []
    later = [c for c in version.changes if standing and c.since and c.since > standing.as_of and c not in acting]
    lists = ""
    if acting:
        lists += (
            '<div class="kho-changes-title">Văn bản tác động:</div>'
            f'<ul class="kho-changes">{"".join(_change_item(c) for c in acting)}</ul>'
        )
    if later and standing:
        lists += (
            f'<div class="kho-changes-title">Sau ngày {vn_date(standing.as_of)}:</div>'
            f'<ul class="kho-changes kho-changes--later">{"".join(_change_item(c) for c in later)}</ul>'
        )
    css = standing_badge(standing).css if standing else "neutral"
    return f'<div class="kho-version kho-version--{css}">{notice}{line}{lists}</div>'


def citation_card(source: CitedSource, meta: DocumentMeta | None = None, formal: str | None = None) -> str:
    """One citation: anchor, document number, type, issuer, dates, validity, access level, the quoted text.

    `meta` is the cited document's registry record (dates and validity as the legal department last set them);
    without it the card falls back to what the search hit carries.
    """
    hit = source.hit
    so_hieu = (meta.so_hieu if meta else None) or hit.so_hieu or hit.citation.document
    loai = (meta.loai if meta else None) or hit.loai
    co_quan = (meta.co_quan if meta else None) or hit.co_quan
    validity = meta.hieu_luc.value if meta else hit.hieu_luc
    access = meta.access_level.value if meta else hit.access_level
    issued = vn_date(meta.ngay_ban_hanh) if meta else (str(hit.year) if hit.year else "—")
    in_force = vn_date(meta.ngay_hieu_luc) if meta else "—"
    state = _badge(VALIDITY_BADGES, validity)
    version = version_html(hit.version, source.standing) if hit.version is not None else ""
    standing_css = f" kho-cite--standing-{standing_badge(source.standing).css}" if source.standing else ""
    # The article's standing says more than the document's validity (it already counts an export or an
    # administrator's "hết hiệu lực"), so with one the document-level badge and warning would only repeat it.
    states = _badge(ACCESS_BADGES, access).html("kho-state")
    if source.standing is None:
        states = state.html("kho-state") + states
    warning = ""
    if validity == Validity.HET_HIEU_LUC.value and not (source.standing and source.standing.notice):
        reason = f" Lý do: {meta.hieu_luc_reason}." if meta and meta.hieu_luc_reason else ""
        warning = f'<div class="kho-cite-warning">Văn bản đã hết hiệu lực.{escape(reason)}</div>'
    facts = "".join(
        [
            _fact("Số hiệu", so_hieu),
            _fact("Loại văn bản", loai),
            _fact("Cơ quan ban hành", co_quan),
            _fact("Ngày ban hành", issued),
            _fact("Ngày hiệu lực", in_force),
        ]
    )
    return (
        f'<div class="kho-cite kho-cite--{state.css}{standing_css}" data-marker="{source.marker}" role="button" '
        f'tabindex="0" title="Mở điều khoản gốc">'
        f'<div class="kho-cite-head"><span class="kho-marker">&#91;{source.marker}&#93;</span>'
        f'<span class="kho-anchor">{escape(hit.anchor)}</span></div>{version}'
        f'<div class="kho-cite-states">{states}</div>'
        f"{warning}"
        f'<dl class="kho-cite-facts">{facts}</dl>'
        f'<blockquote class="kho-quote">{escape(_preview(source.text))}</blockquote>'
        f'<div class="kho-cite-actions">{_copy_button(formal)}<span class="kho-open">Xem điều khoản gốc ›</span></div>'
        f"</div>"
    )


def _copy_button(formal: str | None) -> str:
    """ "Sao chép trích dẫn": copies `formal` (the formal citation), or nothing without one."""
    if not formal:
        return ""
    return (
        f'<button type="button" class="kho-copy-cite" data-copy="{escape(formal)}" title="{escape(formal)}">'
        "Sao chép trích dẫn</button>"
    )


def citations_html(
    sources: Sequence[CitedSource],
    metas: Mapping[str, DocumentMeta] | None = None,
    grounds: Sequence[ClauseRef] = (),
    answer_id: str | None = None,
    formal: Callable[[CitedSource, DocumentMeta | None], str] | None = None,
) -> str:
    """The citations panel: "Căn cứ" (one card per clause the answer's claims bind to), then one card per cited
    source (metadata by document id); or an empty-state line. `answer_id`: whose cards these are (a click names
    it, so the cards of an earlier answer open that answer's sources); `formal(source, meta)`: each card's formal
    citation, for its "Sao chép trích dẫn" button (ui/memo.py)."""
    if not sources:
        return '<div class="kho-cites kho-cites--empty">Chưa có trích dẫn. Câu trả lời có căn cứ sẽ hiện ở đây.</div>'
    metas = metas or {}
    cards = "".join(
        citation_card(s, metas.get(s.hit.document_id), formal(s, metas.get(s.hit.document_id)) if formal else None)
        for s in sources
    )
    which = f' data-answer="{escape(answer_id)}"' if answer_id else ""
    return f'<div class="kho-cites"{which}>{grounds_html(grounds, clickable=True)}{cards}</div>'


# --- the source article -----------------------------------------------------------------------------------


def _enclosing(articles: Sequence[Article], start: int, end: int) -> Article | None:
    """The article that holds most of [start, end)."""
    best, best_overlap = None, 0
    for a in articles:
        overlap = min(a.end, end) - max(a.start, start)
        if overlap > best_overlap or (overlap == best_overlap == 0 and a.start <= start < a.end):
            best, best_overlap = a, overlap
    return best


def _line_window(text: str, start: int, end: int, context: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, max(0, start - context)) + 1
    hi = text.find("\n", min(len(text), end + context))
    return lo, len(text) if hi < 0 else hi


def source_html(
    record: DocumentRecord, start: int, end: int, anchor: str | None = None, version: VersionView | None = None
) -> str:
    """The cited article of `record` with exactly `record.text[start:end]` inside `<mark class="kho-cited">`.

    Offsets are those ingestion stored (into the NFC document text). The rest of the article is shown around the
    mark; a span in no article is shown with `CONTEXT_CHARS` of surrounding lines. `version` is the cited text's
    version (`Services.versions`): its standing, kind and dates are shown above the article.
    """
    text = record.text
    if text is None:
        raise ValueError(f"document {record.id}: record has no text (use get_document, not list_documents)")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"start/end: [{start}, {end}) is not a span of document {record.id} ({len(text)} chars)")
    meta = record.meta
    article = _enclosing(record.articles(), start, end)
    if article is not None:
        lo, hi = min(article.start, start), max(article.end, end)
        path = [p for p in (article.part, article.chapter, article.section) if p]
    else:
        lo, hi = _line_window(text, start, end, CONTEXT_CHARS)
        path = []
    before = ("…\n" if lo > 0 and article is None else "") + text[lo:start]
    after = text[end:hi] + ("\n…" if hi < len(text) and article is None else "")
    body = (
        f"{escape(before)}"
        f'<mark class="kho-cited" data-start="{start}" data-end="{end}">{escape(text[start:end])}</mark>'
        f"{escape(after)}"
    )
    title = meta.short_name if meta.so_hieu else meta.title
    states = _badge(VALIDITY_BADGES, meta.hieu_luc.value).html("kho-state") + _badge(
        ACCESS_BADGES, meta.access_level.value
    ).html("kho-state")
    facts = "".join(
        [
            _fact("Số hiệu", meta.so_hieu),
            _fact("Loại văn bản", meta.loai),
            _fact("Cơ quan ban hành", meta.co_quan),
            _fact("Ngày ban hành", vn_date(meta.ngay_ban_hanh)),
            _fact("Ngày hiệu lực", vn_date(meta.ngay_hieu_luc)),
        ]
    )
    where = f'<div class="kho-source-path">{escape(" › ".join(path))}</div>' if path else ""
    cited_as = f'<div class="kho-source-anchor">Trích dẫn: {escape(anchor)}</div>' if anchor else ""
    standing = version_html(version.version, version.standing) if version is not None else ""
    return (
        f'<div class="kho-source" data-document="{escape(record.id)}">'
        f'<div class="kho-source-head"><div class="kho-source-title">{escape(title)}</div>'
        f'<div class="kho-source-sub">{escape(meta.title)}</div>'
        f'<div class="kho-cite-states">{states}</div></div>{standing}'
        f'<dl class="kho-cite-facts">{facts}</dl>{cited_as}{where}'
        f'<div class="kho-article">{body}</div></div>'
    )


# --- versions of the cited article and its Lược đồ ----------------------------------------------------------


def version_key(view: VersionView) -> str:
    """A version's identity among the versions of one article: its stored document and article number."""
    return f"{view.version.document_id}|{view.version.article}"


def version_label(view: VersionView, cited: bool = False) -> str:
    """One line naming a version in the version switch (plain text: the switch escapes it).

    >>> import datetime as dt
    >>> from ingest.versions import ArticleVersion, standing_on
    >>> v = ArticleVersion("d1", "25", "58/2010/QH12", "25", "enacted", dt.date(2012, 1, 1), dt.date(2020, 7, 1))
    >>> version_label(VersionView(v, standing_on(v, dt.date(2015, 1, 1)), "Luật Viên chức", None, "", 0, 0), True)
    'Văn bản gốc (khi ban hành) · 01/01/2012 – 01/07/2020 · Không có văn bản nào trong kho sửa đổi, bãi bỏ — đang trích'
    """
    v = view.version
    parts = [KIND_LABELS.get(v.kind, v.kind), validity_span(v, view.standing), standing_badge(view.standing).label]
    return " · ".join(parts) + (" — đang trích" if cited else "")


def _diff_html(old: str, new: str) -> str:
    marks = {"=": "{}", "-": '<del class="kho-del">{}</del>', "+": '<ins class="kho-ins">{}</ins>'}
    return "".join(marks[op].format(escape(text)) for op, text in word_diff(old, new))


def _version_head(view: VersionView, role: str) -> str:
    v = view.version
    return (
        f'<div class="kho-compare-side"><span class="kho-compare-role">{escape(role)}</span> '
        f"{standing_badge(view.standing).html('kho-standing')}"
        f'<span class="kho-version-kind">{escape(KIND_LABELS.get(v.kind, v.kind))}</span> '
        f'<span class="kho-version-dates">hiệu lực {escape(validity_span(v, view.standing))}</span>'
        f'<div class="kho-compare-title">{escape(view.title)}</div></div>'
    )


def version_compare_html(cited: VersionView, chosen: VersionView) -> str:
    """The chosen version's text, and what changed between it and the cited one, word by word.

    The diff runs from the older text to the newer (so "36 tháng" → "60 tháng" reads as a change of the law):
    removed words in `<del class="kho-del">`, added ones in `<ins class="kho-ins">`. Texts are compared without
    their heading and pháp điển source line (`VersionView.body`); every word is escaped.
    """
    if version_key(chosen) == version_key(cited):
        return (
            f'<div class="kho-compare">{_version_head(chosen, "Phiên bản được trích dẫn")}'
            '<div class="kho-compare-hint">Nội dung ở mục “Điều khoản gốc” phía trên. Chọn một phiên bản khác để xem '
            "toàn văn của nó và những chữ đã thay đổi.</div></div>"
        )
    older, newer = sorted((cited, chosen), key=lambda x: (x.version.valid_from or dt.date.min, x.version.kind))
    role = {version_key(cited): "Đang trích", version_key(chosen): "Đang xem"}
    legend = (
        '<div class="kho-diff-legend"><del class="kho-del">chữ bị bỏ</del> <ins class="kho-ins">chữ được thêm</ins>'
        "</div>"
    )
    return (
        f'<div class="kho-compare">'
        f'<div class="kho-compare-title-line">Thay đổi từ phiên bản cũ sang phiên bản mới</div>'
        f"{_version_head(older, 'Cũ · ' + role[version_key(older)])}"
        f"{_version_head(newer, 'Mới · ' + role[version_key(newer)])}{legend}"
        f'<div class="kho-diff">{_diff_html(older.body, newer.body)}</div>'
        f'<details class="kho-version-full" open><summary>Toàn văn phiên bản đang xem</summary>'
        f'<div class="kho-version-text">{escape(chosen.text)}</div></details></div>'
    )


FOUND_BY_LABELS: dict[str, str] = {
    "rule": "nhận diện từ câu văn",
    "export": "theo dữ liệu hiệu lực",
    "admin": "quản trị viên nhập",
}
RELATION_ACTS: dict[str, str] = {**ACTS, "reference": "dẫn chiếu", "guide": "hướng dẫn"}


def legal_ref(ref: Mapping[str, object]) -> str:
    """A relation's end as it is cited: "điểm đ khoản 1 Điều 58 58/2010/QH12" (missing parts left out)."""
    parts = [
        f"điểm {ref['point']}" if ref.get("point") else "",
        f"khoản {ref['clause']}" if ref.get("clause") else "",
        f"Điều {ref['article']}" if ref.get("article") else "",
        str(ref.get("document") or ""),
    ]
    text = " ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def _relation_rows(relations: Sequence[Mapping[str, object]]) -> list[tuple[Mapping[str, object], list[str]]]:
    """One row per (other end, part of this article, date, sentence, state): an amendment and a supplement read
    from the same sentence are one "sửa đổi, bổ sung" row."""
    rows: dict[tuple[object, ...], tuple[Mapping[str, object], list[str]]] = {}
    for r in relations:
        other, this = r.get("other") or {}, r.get("this") or {}
        assert isinstance(other, Mapping) and isinstance(this, Mapping)
        key = (legal_ref(other), this.get("clause"), r.get("since"), r.get("sentence"), r.get("status"))
        act = RELATION_ACTS.get(str(r.get("kind")), str(r.get("kind")))
        if key in rows:
            if act not in rows[key][1]:
                rows[key][1].append(act)
        else:
            rows[key] = (r, [act])
    return list(rows.values())


def _relation_item(r: Mapping[str, object], acts: list[str]) -> str:
    other, this = r.get("other") or {}, r.get("this") or {}
    assert isinstance(other, Mapping) and isinstance(this, Mapping)
    since = parse_iso_date(str(r["since"])) if r.get("since") else None
    review = r.get("status") == "needs_review"
    part = f"khoản {this['clause']} của điều này" if this.get("clause") else ""
    bits = [
        f'<span class="kho-rel-doc">{escape(legal_ref(other))}</span>',
        f'<span class="kho-rel-act">{escape(", ".join(acts))}</span>',
    ]
    if since or r.get("kind") not in ("reference", "guide"):  # a reference has no date of its own
        bits.append(f'<span class="kho-rel-date">{"từ " + vn_date(since) if since else "chưa rõ ngày"}</span>')
    if part:
        bits.append(f'<span class="kho-rel-part">{escape(part)}</span>')
    found = FOUND_BY_LABELS.get(str(r.get("found_by")), str(r.get("found_by")))
    bits.append(f'<span class="kho-rel-by">nguồn: {escape(found)}</span>')
    if review:
        reason = f": {r['reason']}" if r.get("reason") else ""
        bits.append(f'<span class="kho-review" title="{escape(reason)}">Cần rà soát{escape(reason)}</span>')
    elif r.get("status") == "rejected":  # an administrator decided the text does not state it: listed, not applied
        reason = f": {r['reason']}" if r.get("reason") else ""
        bits.append(f'<span class="kho-review">Đã bác bỏ{escape(reason)}</span>')
    sentence = r.get("sentence") or ""
    quote = f'<blockquote class="kho-rel-sentence">{escape(sentence)}</blockquote>' if sentence else ""
    css = " kho-rel--review" if review else ""
    return f'<li class="kho-rel{css}">{" · ".join(bits)}{quote}</li>'


def lineage_html(lineage: Lineage) -> str:
    """The Lược đồ panel of the cited article: its relations by group (amended by, repealed by, references, …),
    each with the other document and article, its date, the sentence it was read from and how it was found; a
    relation waiting for review is flagged and never counted as applied."""
    what = f"Điều {lineage.article} {lineage.document}" if lineage.article else lineage.document
    head = f'<div class="kho-lineage-title">Lược đồ — {escape(what)}</div>'
    review = ""
    if lineage.to_review:
        review = (
            f'<div class="kho-lineage-review">{lineage.to_review} quan hệ cần rà soát: chưa được áp dụng vào hiệu lực '
            "cho đến khi pháp chế xác nhận.</div>"
        )
    groups = []
    for g in lineage.to_json()["groups"]:
        items = "".join(_relation_item(r, acts) for r, acts in _relation_rows(g["relations"]))
        groups.append(
            f'<section class="kho-lineage-group" data-group="{escape(g["group"])}">'
            f'<div class="kho-lineage-label">{escape(GROUP_LABELS.get(g["group"], g["label"]))}</div>'
            f'<ul class="kho-rels">{items}</ul></section>'
        )
    if not groups:
        groups.append(
            '<div class="kho-lineage-empty">Kho chưa ghi nhận văn bản nào sửa đổi, bãi bỏ, dẫn chiếu hay hướng dẫn '
            "điều này.</div>"
        )
    return f'<div class="kho-lineage">{head}{review}{"".join(groups)}</div>'


# --- admin tables -----------------------------------------------------------------------------------------

DOCUMENT_COLUMNS = [
    "Số hiệu",
    "Tên văn bản",
    "Loại",
    "Cơ quan ban hành",
    "Ngày ban hành",
    "Ngày hiệu lực",
    "Hiệu lực",
    "Mức truy cập",
    "Số đoạn",
]
DOCUMENT_COLUMN_WIDTHS: list[str | int] = ["13%", "31%", "8%", "11%", "8%", "8%", "9%", "7%", "5%"]


def document_row(record: DocumentRecord) -> list[str]:
    """One row of the admin's document list (plain strings: the table component escapes them), số hiệu and title
    first. No id: people pick a document by its number and title (`document_label`)."""
    m = record.meta
    return [
        m.so_hieu or "—",
        m.title,
        m.loai or "—",
        m.co_quan or "—",
        vn_date(m.ngay_ban_hanh),
        vn_date(m.ngay_hieu_luc),
        validity_label(m.hieu_luc.value),
        access_label(m.access_level.value),
        str(record.n_chunks),
    ]


def document_label(record: DocumentRecord) -> str:
    """How the admin's document choice names a document: "số hiệu — title" (the title alone without a number)."""
    m = record.meta
    return f"{m.so_hieu} — {m.title}" if m.so_hieu else m.title


FILE_COLUMNS = ["Tệp nguồn", "Trạng thái", "Lý do", "Số văn bản", "Số đoạn", "Cập nhật"]


def file_row(record: FileRecord) -> list[str]:
    """One row of the admin's source-file list: name, state (Vietnamese), reason, counts, last change."""
    return [
        Path(record.path).name,
        state_label(record.state.value),
        record.reason or "",
        str(record.n_documents),
        str(record.n_chunks),
        record.updated_at[:19].replace("T", " "),
    ]


UPLOAD_COLUMNS = ["Tệp", "Trạng thái", "Lý do", "Văn bản"]


def upload_row(result: Mapping[str, object]) -> list[str]:
    """One row of the upload table from a `Services.upload` result {"file", "state", "reason", "documents"}."""
    docs = result.get("documents") or []
    names = ", ".join(str(d) for d in docs) if isinstance(docs, list | tuple) else str(docs)
    return [
        str(result.get("file", "")),
        state_label(str(result.get("state", ""))),
        str(result.get("reason") or ""),
        names,
    ]

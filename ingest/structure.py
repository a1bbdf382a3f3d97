"""The Vietnamese legal hierarchy found in plain text: Phần / Chương / Mục / Điều / Khoản / Điểm, or I. / 1. / a).

Every format ends up here as NFC text; the result is a list of `Article`s whose spans point into that text.
Headings are recognised line by line, and numbering must run in order (Khoản 1, 2, 3 …; Điểm a, b, c, d, đ …):
a line that merely starts with "2." or "b)" out of sequence stays body text. Internal plans (Kế hoạch, Chiến
lược) number their sections I./1./a) instead of Điều: those become articles labelled "Mục".

>>> arts = parse_articles("Điều 1. Phạm vi\\n1. Một.\\na) A;\\nb) B.\\n2. Hai.\\nĐiều 2\\nNội dung.")
>>> [(a.number, a.title, [c.number for c in a.clauses]) for a in arts]
[('1', 'Phạm vi', ['1', '2']), ('2', '', [])]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.model import Article, Clause, Point

# Vietnamese point letters in order (no f, j, w, z; đ after d).
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"

_ARTICLE_RE = re.compile(r"^Điều\s+(\d+[a-zđ]?)\s*(?:[.:]\s*(.*)|$)")
CHAPTER_RE = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLCDM]+|\d+)\b\s*[.:]?\s*(.*)$")
_PART_RE = re.compile(r"^(?:Phần|PHẦN)\s+((?:thứ|THỨ)\s+\S+|[IVXLCDM]+|\d+)\b\s*[.:]?\s*(.*)$")
SECTION_RE = re.compile(r"^(?:Mục|MỤC)\s+(\d+|[IVXLCDM]+)\b\s*[.:]?\s*(.*)$")
_CLAUSE_RE = re.compile(r"^(\d{1,3})\s*[.\-)]\s*(?=\S)")
_POINT_RE = re.compile(r"^([a-zđ])\s*\)\s*")
_ROMAN_RE = re.compile(r"^([IVXLC]+)\s*[.:]\s+(\S.*)$")
# Lines that close the normative part: adoption formula, signature block, distribution list.
_CLOSING_RE = re.compile(
    r"^(?:(?:Luật|Bộ luật|Pháp lệnh|Nghị quyết) này (?:đã )?được .{0,80}thông qua|Nơi nhận\s*:|"
    r"(?:TM\.|KT\.|Q\.|TL\.)\s*[A-ZĐ]|CHỦ TỊCH QUỐC HỘI$|CHỦ TỊCH NƯỚC$|THỦ TƯỚNG$)"
)


@dataclass
class Line:
    """One line of the text with its span."""

    start: int
    end: int
    text: str


def iter_lines(text: str) -> Iterator[Line]:
    """Lines with their offsets, stripped of surrounding blanks (offsets follow the stripped text)."""
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield Line(pos + lead, pos + lead + len(stripped), stripped)
        pos += len(raw) + 1


# Far longer than any real article title (the longest in the shared corpus is under 700 characters); a "title"
# that is a whole crafted one-line file would otherwise be copied into every chunk's context and the registry.
TITLE_MAX = 1000


def article_title(rest: str) -> str:
    """The title part of a heading line, stripped and at most `TITLE_MAX` characters."""
    return rest[: TITLE_MAX * 2].strip()[:TITLE_MAX]


def roman_to_int(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(s):
        v = values[ch]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    return total


def _article_key(number: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", number)
    return (int(m.group(1)), m.group(2)) if m else (0, number)


def heading_title(lines: list[Line], i: int, rest: str) -> tuple[str, int]:
    """A Chương/Mục title: the rest of its line, or the next line when that is an all-caps title."""
    if rest:
        return rest, i
    if i + 1 < len(lines):
        nxt = lines[i + 1].text
        if nxt.isupper() and not _ARTICLE_RE.match(nxt) and len(nxt) < 250:
            return nxt, i + 1
    return "", i


_POINT_SELF = re.compile(r"\bđiểm\s+này\b", re.IGNORECASE)


def closes_points(last_line: str, line: str) -> bool:
    """Whether `line`, the paragraph after a Điểm whose last line is `last_line`, may start the closing paragraph
    of the list's Khoản (or article) rather than continue that Điểm: the Điểm ended a sentence (".") and the line
    opens a new one with a capital, without saying "điểm này".

    Only the paragraphs after the LAST Điểm are given to the Khoản: when another Điểm follows, the paragraphs in
    between stay with the Điểm before it (a Điểm of several paragraphs). So "Trường hợp quy định tại điểm b
    khoản này …" after the last Điểm is the Khoản's own text, and an anchor never names a Điểm for it.

    >>> closes_points("c) Tài liệu khác (nếu có).", "Tài liệu quy định tại điểm b khoản này được gửi bằng bản giấy.")
    True
    >>> closes_points("b) Các trường hợp sau đây:", "- Người lao động;")
    False
    >>> closes_points("h) Các chế độ chi đặc thù.", "Chính phủ quy định chi tiết điểm này.")
    False
    """
    return last_line.rstrip().endswith(".") and line[:1].isupper() and not _POINT_SELF.search(line)


class ClauseBuilder:
    """Collects clauses and points of the current article, enforcing sequential numbering.

    Paragraphs after a Điểm that `closes_points` reads as a closing paragraph are held outside it (they extend the
    Khoản and the article only); if another Điểm of the list follows, they were the earlier Điểm's after all.
    """

    def __init__(self, article: Article) -> None:
        self.article = article
        self.clause: Clause | None = None
        self.point: Point | None = None
        self._last = ""  # the text of the previous line
        self._held_end: int | None = None  # the end of the paragraphs held outside the open point

    def line(self, ln: Line) -> None:
        """Open a clause or point if `ln` starts the next one in sequence; then extend whatever is open."""
        cm = _CLAUSE_RE.match(ln.text)
        expected_clause = str(int(self.clause.number) + 1) if self.clause else "1"
        pm = _POINT_RE.match(ln.text)
        if cm and cm.group(1) == expected_clause:
            self.point, self._held_end = None, None
            self.clause = Clause(start=ln.start, end=ln.end, number=cm.group(1))
            self.article.clauses.append(self.clause)
        elif pm and self._next_letter() == pm.group(1):
            if self.point is not None and self._held_end is not None:
                self.point.end = self._held_end  # a Điểm of several paragraphs, not the list's close
            self.point, self._held_end = Point(start=ln.start, end=ln.end, letter=pm.group(1)), None
            (self.clause.points if self.clause else self.article.points).append(self.point)
        elif self.point is not None and (self._held_end is not None or closes_points(self._last, ln.text)):
            self._held_end = ln.end
        self._last = ln.text
        held = self.point if self._held_end is not None else None
        for span in (self.point, self.clause, self.article):
            if span is not None and span is not held:
                span.end = ln.end

    def _next_letter(self) -> str:
        siblings = self.clause.points if self.clause else self.article.points
        if not siblings:
            return "a"
        idx = POINT_LETTERS.find(siblings[-1].letter) + 1
        return POINT_LETTERS[idx] if 0 < idx < len(POINT_LETTERS) else ""


def parse_articles(text: str) -> list[Article]:
    """Articles (Điều) of a normative text, with Phần/Chương/Mục context, clauses and points."""
    lines = list(iter_lines(text))
    articles: list[Article] = []
    part = chapter = section = None
    builder: ClauseBuilder | None = None
    closed = False
    skip_until = -1
    for i, ln in enumerate(lines):
        if i <= skip_until:
            continue
        am = _ARTICLE_RE.match(ln.text)
        if am and (not articles or _article_key(am.group(1)) > _article_key(articles[-1].number)):
            title = article_title(am.group(2) or "")
            art = Article(
                start=ln.start,
                end=ln.end,
                heading_end=ln.end,
                number=am.group(1),
                title=title,
                part=part,
                chapter=chapter,
                section=section,
            )
            articles.append(art)
            builder = ClauseBuilder(art)
            closed = False
            continue
        pm = _PART_RE.match(ln.text)
        if pm:
            t, skip_until = heading_title(lines, i, pm.group(2).strip())
            part = f"Phần {pm.group(1)}" + (f". {t}" if t else "")
            chapter = section = None
            builder = None
            continue
        chm = CHAPTER_RE.match(ln.text)
        if chm:
            t, skip_until = heading_title(lines, i, chm.group(2).strip())
            chapter = f"Chương {chm.group(1)}" + (f". {t}" if t else "")
            section = None
            builder = None
            continue
        sm = SECTION_RE.match(ln.text)
        if sm and is_section_heading(ln):
            t, skip_until = heading_title(lines, i, sm.group(2).strip())
            section = f"Mục {sm.group(1)}" + (f". {t}" if t else "")
            builder = None
            continue
        if _CLOSING_RE.match(ln.text):
            closed = True
            builder = None
            continue
        if builder is not None and not closed:
            builder.line(ln)
    return articles


def is_section_heading(ln: Line) -> bool:
    """ "Mục 2. NGHĨA VỤ CỦA VIÊN CHỨC": a Mục line whose title is in capitals, not a sentence about a Mục."""
    m = SECTION_RE.match(ln.text)
    return m is not None and (m.group(2).isupper() or m.group(2) == "")


def parse_sections(text: str) -> list[Article]:
    """Top-level sections "I.", "II." of an internal plan as articles labelled "Mục", with 1./a) inside."""
    lines = list(iter_lines(text))
    articles: list[Article] = []
    builder: ClauseBuilder | None = None
    for ln in lines:
        rm = _ROMAN_RE.match(ln.text)
        if rm:
            expected = roman_to_int(articles[-1].number) + 1 if articles else 1
            if roman_to_int(rm.group(1)) == expected:
                art = Article(
                    start=ln.start,
                    end=ln.end,
                    heading_end=ln.end,
                    number=rm.group(1),
                    title=article_title(rm.group(2)),
                    label="Mục",
                )
                articles.append(art)
                builder = ClauseBuilder(art)
                continue
        if _CLOSING_RE.match(ln.text):
            builder = None
            continue
        if builder is not None:
            builder.line(ln)
    return articles


def body_start(text: str, articles: list[Article]) -> int:
    """Where the header block ends: the first Phần/Chương/Mục heading or first article, whichever comes first."""
    first = articles[0].start if articles else len(text)
    for ln in iter_lines(text[:first]):
        if _PART_RE.match(ln.text) or CHAPTER_RE.match(ln.text):
            return ln.start
    return first


_WRAP_END = re.compile(r"[.;:!?…)\]\"”]$")


def needs_reflow(text: str) -> bool:
    """True when lines are hard-wrapped (text from a PDF): most lines do not end a sentence."""
    lines = [ln for ln in (x.strip() for x in text.split("\n")) if ln]
    if len(lines) < 20:
        return False
    open_ended = sum(1 for ln in lines if not _WRAP_END.search(ln) and not ln.isupper())
    return open_ended / len(lines) > 0.45


_STRUCT_START = re.compile(
    r"^(?:[IVXLC]+\s*[.:]\s|\d{1,3}\s*[.\-)]\s|[a-zđ]\)\s|[-–•+*]\s|Điều\s+\d|Chương\s|Mục\s)"
)


_BODY_START = re.compile(
    r"^\s*(?:I\s*[.:]\s|Chương\s+[I1]\b|CHƯƠNG\s+[I1]\b|Điều\s+1\b|Phần\s+(?:thứ\s+)?nhất|PHẦN)", re.M
)


# Runs of spaces/tabs that are not already one space (same result as `[ \t]+` → " "): leaving single spaces
# unmatched keeps `sub` from building one piece per word of a huge line.
_BLANKS = re.compile(r"[ \t]{2,}|\t")


def reflow(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs, leaving the header block's lines as they are.

    The header (issuer, number, date, type, subject) is laid out line by line on purpose; only the body, from
    the first "I." / "Chương I" / "Điều 1" on, is re-joined.
    """
    m = _BODY_START.search(text)
    if not m or m.start() == 0:
        return _reflow_lines(text)
    header = "\n".join(
        _BLANKS.sub(" ", ln).strip() for ln in text[: m.start()].split("\n") if ln.strip()
    )
    return f"{header}\n{_reflow_lines(text[m.start() :])}"


def _reflow_lines(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs; blank lines between wrapped lines are dropped.

    A line continues the previous one when that one does not end a sentence, is not a short line (a heading or
    a paragraph's last line is visibly shorter than the wrap width), and this one does not start a heading, a
    numbered item or a bullet. A line starting in lower case continues in any case.
    """
    lines = [_BLANKS.sub(" ", raw).strip() for raw in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return ""
    lengths = sorted(len(ln) for ln in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    # each paragraph is a list of its lines, joined once at the end: growing one string line by line would
    # copy it again for every line, quadratic in a paragraph that never ends (a crafted file)
    out: list[list[str]] = []
    prev_raw = ""
    for ln in lines:
        if out:
            structural = bool(_STRUCT_START.match(ln))
            starts_lower = ln[:1].islower()
            short = len(prev_raw) < 0.75 * width
            continues = (
                not _WRAP_END.search(prev_raw) and not structural and not prev_raw.isupper() and not short
            )
            if (starts_lower and not structural) or continues:
                out[-1].append(ln)
                prev_raw = ln
                continue
        out.append([ln])
        prev_raw = ln
    return "\n".join(" ".join(par) for par in out) + "\n"

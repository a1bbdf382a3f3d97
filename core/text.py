"""Vietnamese text primitives: normalisation, folding, words and sentences — one home, one meaning per name.

Each name says what it does, so a call site says which it wants:

- `nfc` composes tone marks (Unicode NFC) and nothing else; `nfc_strip` also strips the ends; `clean_extracted`
  is what text extracted from a file gets (line endings unified, never-content characters dropped, NFC);
  `match_key` is the key two spellings of a name are compared by (NFC, case-folded, white space collapsed).
- `fold` strips diacritics for matching text typed without them ("bo qua huong dan"); `folded_runs` is a text's
  syllables so folded, in order.
- `standard_spelling` spells one way what the corpus spells two ("hoá"/"hóa", "Uỷ"/"Ủy", "lí"/"lý", "qui"/"quy",
  "hàng năm"/"hằng năm"), the same length. Every word below is read through it.
- `segment` is pyvi's word segmentation; `words` its lowercased words, `words_and_syllables` those plus each
  compound's syllables (the BM25 terms of index/sparse.py), `content_words` the words minus Vietnamese function
  words (`stopwords`, from core/data/stopwords_vi.txt).
- Sentences are cut by three rules, each for its own text:
  `split_answer_sentences` (a model's answer: ends at . ! ? ; : or a newline, a citation marker stays with the
  sentence it ends; `SentenceSplitter` cuts a token stream the same way), `split_source_sentences` (legal text:
  ends at . ; : or a newline — "!" and "?" do not end a provision — and a clause label "2." or "a)" stays with
  its sentence) and `sentence_pieces` (lossless pieces for finding injected instructions: ends at . ! ? before
  white space, so "1.000.000" and "thongtin.vn/x" stay whole, white space kept, each newline its own piece).

>>> nfc("Vie\\u0323\\u0302t") == "Việt"
True
>>> nfc_strip("  Việt Nam ")
'Việt Nam'
>>> clean_extracted("Điều 1\\r\\nPhạm\\u00advi\\ufeff")
'Điều 1\\nPhạmvi'
>>> match_key("  Bộ  LUẬT\\tDân sự ")
'bộ luật dân sự'
>>> fold("Đề nghị trợ lý ảo trả lời")
'de nghi tro ly ao tra loi'
>>> words("Cán bộ, công chức")
['cán_bộ', 'công_chức']
>>> words_and_syllables("Cán bộ, công chức")
['cán_bộ', 'cán', 'bộ', 'công_chức', 'công', 'chức']
>>> sorted(content_words("Viên chức bị chấm dứt hợp đồng trong trường hợp nào?"))
['chấm_dứt', 'hợp_đồng', 'viên_chức']
>>> split_answer_sentences("Viên chức thử việc 12 tháng [1]. Có được giảm không?\\n- Không [2].")
['Viên chức thử việc 12 tháng [1].', 'Có được giảm không?', '- Không [2].']
>>> split_source_sentences("Điều 5. Nghỉ phép\\n1. Công chức được nghỉ 12 ngày; a) Trường hợp khác?")
['Điều 5.', 'Nghỉ phép', '1. Công chức được nghỉ 12 ngày;', 'a) Trường hợp khác?']
>>> list(sentence_pieces("Phạt 1.000.000 đồng. Xem thongtin.vn/x!\\nHết"))
['Phạt 1.000.000 đồng.', ' Xem thongtin.vn/x!', '\\n', 'Hết']
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords_vi.txt"

# ------------------------------------------------------------------------------------------------ normalisation

# Never content in extracted text: NUL, byte-order mark, soft hyphen, zero-width space.
_NEVER_CONTENT = ("\x00", "\ufeff", "\u00ad", "\u200b")


def nfc(text: str) -> str:
    """`text` in Unicode NFC (tone marks composed), nothing else changed."""
    return unicodedata.normalize("NFC", text)


def nfc_strip(text: str) -> str:
    """`text` in NFC with white space stripped from both ends (what a typed question or name is kept as)."""
    return unicodedata.normalize("NFC", text).strip()


def clean_extracted(text: str) -> str:
    """Text extracted from a file: line endings unified to "\\n", never-content characters dropped, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in _NEVER_CONTENT:
        text = text.replace(ch, "")
    return unicodedata.normalize("NFC", text)


def match_key(text: str) -> str:
    """The key two spellings of a name or question are compared by: NFC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# A tone mark on the second vowel of an open "oa", "oe" or "uy" (not after "q"): the older placement ("hoá", "thoả",
# "khoẻ", "thuỷ", "Uỷ ban", "Toà án") of what the newer writes on the first ("hóa", "thỏa", "khỏe", "thủy"). The
# corpus holds both (~8k older against ~120k newer in the pháp điển), so a word written one way did not match the
# other in search, verification or highlighting. Read on NFD text: vowel, vowel, tone mark, no letter after.
_TONE = "[\u0300\u0301\u0303\u0309\u0323]"
_MARK = "\u0300-\u036f"  # combining marks: part of a letter in NFD, which `\w` does not know
_OLD_TONE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])({_TONE})(?![\w{_MARK}])")
# A syllable that is a consonant and a lone "i" or "y" is spelt both ways ("lí do"/"lý do", "kĩ thuật"/"kỹ
# thuật", "qui định"/"quy định", "sỹ quan"/"sĩ quan"). Read as the corpus mostly spells it (pháp điển + laws:
# lý 121,723 against lí 16, kỹ 21,407 against kĩ 10, quy 194,858 against qui 189, sĩ 9,289 against sỹ 897), which
# is also the spelling pyvi segments ("sĩ_quan", but "sỹ quan"). Only with a tone mark after k, l, m, t (a bare "ki",
# "mi", "ti" is a loan syllable: "ki-lô-gam", "mi-li-mét", "ti vi"), and "qui" with or without one.
_I_TO_Y = re.compile(
    rf"(?<![\w{_MARK}])([kKlLmMtT])[iI](?={_TONE}(?![\w{_MARK}]))|(?<![\w{_MARK}])([qQ][uU])[iI](?={_TONE}?(?![\w{_MARK}]))"
)
_Y_TO_I = re.compile(rf"(?<![\w{_MARK}])([sS])[yY](?={_TONE}(?![\w{_MARK}]))")
# "hàng năm" and "hằng năm" (each ~3,200 times in the corpus), "hàng tháng"/"hằng tháng", "hàng ngày"/"hằng ngày":
# the same word; pyvi does not join either, so the syllable "hàng" (goods, a row) stood for "hằng" (every) half the
# time. Read as "hằng" before a unit of time only.
_HANG = re.compile(r"(?<!\w)([hH])([àÀ])(ng\s+(?:năm|tháng|ngày|tuần|quý)(?!\w))", re.IGNORECASE)
_HANG_VOWEL = {"à": "ằ", "À": "Ằ"}


def _as_y(m: re.Match[str]) -> str:
    head = m.group(1) or m.group(2)
    i = m.group(0)[len(head)]
    return head + ("Y" if i.isupper() else "y")


def _as_i(m: re.Match[str]) -> str:
    return m.group(1) + ("I" if m.group(0)[1].isupper() else "i")


def standard_spelling(text: str) -> str:
    """`text` (NFC) spelt one way where Vietnamese spells the same word two: tone marks where the newer spelling
    puts them ("hoá" → "hóa", "thuỷ" → "thủy", "Uỷ" → "Ủy"; "quý", "hoàn", "thuyết" unchanged), a lone "i"/"y" as
    the corpus mostly writes it ("lí" → "lý", "kĩ" → "kỹ", "qui" → "quy", "sỹ" → "sĩ"; "ki-lô", "ti vi" unchanged)
    and "hàng" before a unit of time as "hằng". The same length, so offsets into the text still hold. Matching
    only: quotes and the source view keep the law's own spelling.

    >>> standard_spelling("Uỷ ban, văn hoá, thoả thuận, sức khoẻ, Toà án, thuỷ lợi, quý, hoàn thành, HOÁ")
    'Ủy ban, văn hóa, thỏa thuận, sức khỏe, Tòa án, thủy lợi, quý, hoàn thành, HÓA'
    >>> standard_spelling("lí do kĩ thuật, Qui định, KÌ họp, sỹ quan, tỉ lệ; ki-lô-gam, ti vi, khi, thi, chi")
    'lý do kỹ thuật, Quy định, KỲ họp, sĩ quan, tỷ lệ; ki-lô-gam, ti vi, khi, thi, chi'
    >>> standard_spelling("nghỉ hàng năm, Hàng tháng, HÀNG NGÀY; mặt hàng, hàng hóa")
    'nghỉ hằng năm, Hằng tháng, HẰNG NGÀY; mặt hàng, hàng hóa'
    """
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_TONE.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], decomposed)
    moved = _Y_TO_I.sub(_as_i, _I_TO_Y.sub(_as_y, moved))
    composed = unicodedata.normalize("NFC", moved)
    return _HANG.sub(lambda m: m.group(1) + _HANG_VOWEL[m.group(2)] + m.group(3), composed)


def fold(text: str) -> str:
    """Text folded for matching: NFC, diacritics stripped, đ → d, lower case, white space collapsed."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").lower().split())


# ------------------------------------------------------------------------------------------------ words

_WORD_RE = re.compile(r"\w", re.UNICODE)
_pyvi_lock = threading.Lock()


def segment(text: str) -> list[str]:
    """pyvi word segmentation of NFC text in its original case (pyvi's CRF uses capitalisation); words joined by "_".

    Punctuation comes back as tokens of its own.
    """
    from pyvi import ViTokenizer

    text = standard_spelling(text)
    with _pyvi_lock:  # pyvi's CRF tagger is not documented as thread-safe
        return ViTokenizer.tokenize(text).split()


# How many texts' tags `tagged` keeps. The verifier tags each part of a forbidden list item once per claim it reads
# (assistant/verify.py `ActReader`), the same few hundred parts sentence after sentence; a CRF pass costs far more
# than a lookup, and the bound keeps a long-running server's memory flat.
TAGGED_CACHE = 4096


@lru_cache(maxsize=TAGGED_CACHE)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """pyvi's part-of-speech tags of `text`'s words (`segment`), punctuation dropped: "V" a verb, "N" a noun, …
    Cached (`TAGGED_CACHE` texts), hence a tuple: every caller shares the one result.

    >>> tagged("Làm giả giấy tờ")
    (('Làm', 'V'), ('giả', 'A'), ('giấy_tờ', 'N'))
    """
    from pyvi import ViPosTagger

    tokens = segment(text)
    with _pyvi_lock:
        found, tags = ViPosTagger.postagging(" ".join(tokens))
    return tuple((w, str(t)) for w, t in zip(found, tags, strict=True) if _WORD_RE.search(w))


def words(text: str) -> list[str]:
    """The lowercased pyvi words of `text`, in order, punctuation dropped ("Việt Nam" → "việt_nam")."""
    return [tok.lower() for tok in segment(text) if _WORD_RE.search(tok)]


def words_and_syllables(text: str) -> list[str]:
    """`words`, each compound followed by its syllables ("việt_nam", "việt", "nam"): pyvi may segment a query
    differently from a document, and the syllables still match."""
    out: list[str] = []
    for word in words(text):
        out.append(word)
        if "_" in word:
            out.extend(s for s in word.split("_") if s)
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Vietnamese function words (core/data/stopwords_vi.txt), as pyvi words ("_" for a space), lowercased."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        standard_spelling(w.strip()).replace(" ", "_").lower() for w in lines if w.strip() and not w.startswith("#")
    )


@lru_cache(maxsize=1)
def folded_stopwords() -> frozenset[str]:
    """`stopwords()` with their diacritics folded ("đang" → "dang"): a function word as `folded_runs` reads it, or
    typed without its marks."""
    return frozenset(fold(w) for w in stopwords())


def contains_run(items: Sequence[str], run: Sequence[str]) -> bool:
    """Whether `run` occurs in `items` as a contiguous run (an empty run never does).

    >>> contains_run(["trong", "thời", "gian", "tập", "sự"], ("tập", "sự")), contains_run(["tập"], ())
    (True, False)
    """
    return len(run) > 0 and next(run_starts(items, run), None) is not None


def run_starts(items: Sequence[str], run: Sequence[str]) -> Iterator[int]:
    """Where `run` starts in `items`, each time it occurs there as a contiguous run.

    >>> list(run_starts(["bị", "buộc", "thôi", "việc", "buộc", "thôi"], ("buộc", "thôi")))
    [1, 4]
    """
    n, run = len(run), list(run)
    return (i for i in range(len(items) - n + 1) if list(items[i : i + n]) == run)


def folded_syllables(words: Iterable[str]) -> set[str]:
    """The syllables of pyvi `words`, diacritics folded: what two spellings or segmentations of a word share.

    >>> sorted(folded_syllables(["chữ_ký", "đóng"]))
    ['chu', 'dong', 'ky']
    """
    return {fold(s) for w in words for s in w.split("_") if s}


def folded_runs(text: str) -> list[str]:
    """`text`'s syllables in order, lowercased, diacritics folded: its runs of word characters, read without pyvi, so
    a run of a question's syllables (`contains_run`) is found in a provision whatever pyvi would make of either.
    Punctuation is dropped and repeats kept; unlike `folded_syllables`, which reads pyvi words into a set. Spelt
    as `standard_spelling` spells, as the pyvi words of a question are (`segment`): "lí" and "lý" fold alike.

    >>> folded_runs("Cán bộ, công chức không được tham gia đình công; công chức")
    ['can', 'bo', 'cong', 'chuc', 'khong', 'duoc', 'tham', 'gia', 'dinh', 'cong', 'cong', 'chuc']
    >>> folded_runs("quản lí, kĩ thuật, Qui chế") == folded_runs("quản lý, kỹ thuật, Quy chế")
    True
    """
    return [fold(s) for s in re.findall(r"\w+", standard_spelling(nfc(text)).lower())]


def content_words(text: str) -> set[str]:
    """The content words of `text`: lowercased pyvi words, function words and bare numbers removed."""
    return {w for w in words(text) if w not in stopwords() and not w.isdigit()}


def folded_words(text: str) -> set[str]:
    """`text`'s content words, diacritics folded: "thời_hiệu" whether or not it is written with its marks, and not
    the "hiệu" of "dấu_hiệu" (whole pyvi words, unlike `content_syllables`)."""
    return {fold(w) for w in content_words(text)}


def content_syllables(text: str) -> frozenset[str]:
    """The syllables of `text`'s content words, diacritics folded (`folded_syllables` of `content_words`)."""
    return frozenset(folded_syllables(content_words(text)))


def phrase_pattern(phrase: str) -> str:
    """A regex for `phrase` as whole words, any white space between its syllables."""
    return r"(?<!\w)" + r"\s+".join(re.escape(s) for s in phrase.split()) + r"(?!\w)"


def phrases_pattern(phrases: Sequence[str]) -> str:
    """A regex for any of `phrases` as whole words (`phrase_pattern`), the longest tried first.

    >>> re.findall(phrases_pattern(["cơ quan", "cơ quan có thẩm quyền"]), "là cơ quan  có thẩm quyền")
    ['cơ quan  có thẩm quyền']
    """
    return "(?:" + "|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


# ------------------------------------------------------------------------------------------------ sentences

# An answer sentence ends at . ! ? ; : before white space, or at a newline (list items are lines of their own) —
# but markers after its full stop that end the line are still its own ("… thời hạn. [1]\n", as the model writes).
_TRAILING_MARKERS = r"(?:\[\d{1,2}\][ \t]*)+[.;:]?[ \t]*(?:\n|$)"
# A lettered item the model starts after a marker on the same line ("… các thành phần chính [2] a) Quốc hiệu …", the
# 1.5B model's habit, live) starts a line of its own, as it would after a newline; a line that opens with its marker
# ("[2] b) …", a list numbered with markers: assistant/verify.py `MarkerLines`) is left whole.
_ITEM_AFTER_MARKER = r"(?:(?<=\S \[\d\])|(?<=\S \[\d\d\]))[ \t]+(?=[a-zđ]\)\s)"
_ANSWER_END = re.compile(rf"(?<=[.!?;:])\s+(?=\S)(?!{_TRAILING_MARKERS})|\n+|{_ITEM_AFTER_MARKER}")
# The start of a marker still being streamed ("[", "[1"): a sentence end before it is not settled yet.
_OPEN_MARKER = re.compile(r"\s*\[\d{0,2}")
# A provision ends at . ; : before white space, or at a newline; "?" and "!" inside a provision do not end it.
_SOURCE_END = re.compile(r"(?<=[.;:])\s+|\n+")
# A clause label on its own: "2.", "1.2.", "a)", "IV.".
_CLAUSE_LABEL = re.compile(r"^(\d+(\.\d+)*\.?|[a-zđ]\)|[IVXLC]+\.)$", re.IGNORECASE)
# A piece ends at . ! ? followed by white space (so "thongtin.vn/x" and "1.000.000" stay whole) or at a newline.
_PIECE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+[.!?]*|[.!?]+|\n")


# An item's caption: its label and a few words before a ":" ("a) Tết Âm lịch:", "b) Kết hôn:"). What follows it on
# the same line is the item's provision ("a) Tết Âm lịch: 05 ngày;"), one sentence with it, as in the law: cut at
# its ":", the caption was verified, and marked, on its own ("a) Tết Âm lịch [1]: 05 ngày [1];").
_CAPTION = re.compile(r"(?:\d+(?:\.\d+)*\.|[a-zđ]\))\s+(?:[^\s\[\]:;.]+\s+){0,4}[^\s\[\]:;.]+:", re.IGNORECASE)


def _captions(piece: str, end: str) -> bool:
    """Whether `piece`, ended by `end` (what `_ANSWER_END` matched after it), is an item's caption that the rest of
    its line completes: not one ending its line (the lead-in of a list below)."""
    return "\n" not in end and _CAPTION.fullmatch(piece) is not None


def split_answer_sentences(text: str) -> list[str]:
    """Sentences (and list lines) of a model's answer, stripped; markers stay with the sentence they end. An item's
    caption stays with the provision after it on its line (`_CAPTION`).

    >>> split_answer_sentences("Báo trước 45 ngày. [1]\\n- Hai [2]. [3] Ba.")
    ['Báo trước 45 ngày. [1]', '- Hai [2].', '[3] Ba.']
    >>> split_answer_sentences("Gồm [1]:\\n1. Trốn tránh [1].\\n2. Sử dụng [1].")
    ['Gồm [1]:', '1. Trốn tránh [1].', '2. Sử dụng [1].']
    >>> split_answer_sentences("Gồm các thành phần chính [2] a) Quốc hiệu.\\n[2] b) Nơi nhận.")
    ['Gồm các thành phần chính [2]', 'a) Quốc hiệu.', '[2] b) Nơi nhận.']
    >>> split_answer_sentences("Nghỉ lễ, tết [1]:\\na) Tết Âm lịch: 05 ngày [1];\\n2. Thể thức:\\na) Quốc hiệu.")
    ['Nghỉ lễ, tết [1]:', 'a) Tết Âm lịch: 05 ngày [1];', '2. Thể thức:', 'a) Quốc hiệu.']
    """
    out: list[str] = []
    carry = ""
    start = 0
    for end in [*_ANSWER_END.finditer(text), None]:
        part = text[start : end.start() if end else len(text)].strip()
        start = end.end() if end else len(text)
        if part and is_clause_label(part):
            carry = f"{carry}{part} "  # "2." cut off at its ". ": it labels what follows
        elif part and end is not None and _captions(f"{carry}{part}", end.group(0)):
            carry = f"{carry}{part} "
        elif part:
            out.append(f"{carry}{part}")
            carry = ""
    return [*out, carry.strip()] if carry else out


class SentenceSplitter:
    """Cuts streamed text into the sentences `split_answer_sentences` would find in the whole of it.

    >>> s = SentenceSplitter()
    >>> s.push("Viên chức thử việc 12 th"), s.push("áng [1]. Công"), s.finish()
    ([], ['Viên chức thử việc 12 tháng [1].'], ['Công'])
    >>> s.push("Thời hạn 45 ngày. ["), s.push("1]\\n- Hai"), s.finish()
    ([], ['Thời hạn 45 ngày. [1]'], ['- Hai'])
    """

    def __init__(self) -> None:
        self._buffer = ""

    def push(self, delta: str) -> list[str]:
        """The sentences that `delta` completes: a sentence is complete once what follows it shows it ended (the
        next sentence's first character, or a newline), not while a marker that would still be its own streams."""
        self._buffer += delta
        done, start = [], 0
        for end in _ANSWER_END.finditer(self._buffer):
            rest = self._buffer[end.end() :]
            if _OPEN_MARKER.fullmatch(rest):
                break
            piece = self._buffer[start : end.start()].strip()
            if is_clause_label(piece) or _captions(piece, end.group(0)):
                continue  # "2." labels the sentence that follows, "a) Tết Âm lịch:" opens it: it goes with it
            if piece:
                done.append(piece)
            start = end.end()
        self._buffer = self._buffer[start:]
        return done

    def finish(self) -> list[str]:
        """What is left when the stream ends."""
        rest, self._buffer = self._buffer, ""
        return split_answer_sentences(rest)


_SENTENCE_ENDED = re.compile(r"[.!?;:…)\]»”\"]\s*$")


def sentence_ended(piece: str) -> bool:
    """Whether an answer's piece ends as a finished sentence does: at . ! ? ; : …, a closing bracket or quote, or
    its markers — not mid-phrase, where a token limit cuts it.

    >>> sentence_ended("c) … thì cũng chỉ được ký thêm 01 lần [1];"), sentence_ended("… trợ cấp thất nghiệp [1]")
    (True, True)
    >>> sentence_ended("c) Trường hợp hai bên ký kết hợp đồng lao động mới thì cũng")
    False
    """
    return bool(_SENTENCE_ENDED.search(piece))


def is_clause_label(piece: str) -> bool:
    """Whether `piece` is a clause label and nothing else ("2.", "1.2.", "a)", "IV.").

    >>> is_clause_label("2."), is_clause_label("a)"), is_clause_label("2. Hai")
    (True, True, False)
    """
    return bool(_CLAUSE_LABEL.match(piece.strip()))


def split_source_sentences(text: str) -> list[str]:
    """Sentences and list lines of a legal text, stripped; a clause label ("2.", "a)") stays with its sentence."""
    out: list[str] = []
    carry = ""
    for piece in _SOURCE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if is_clause_label(piece):
            carry = f"{carry}{piece} "
            continue
        out.append(carry + piece)
        carry = ""
    return out


def sentence_pieces(text: str) -> Iterator[str]:
    """`text` cut into sentences and newlines, white space kept, in order: joined, the pieces give `text` back."""
    for m in _PIECE.finditer(text):
        yield m.group(0)

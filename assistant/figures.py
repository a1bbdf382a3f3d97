"""The law's own figures, quoted, where the model gave figures no source states.

Asked "Thời hiệu xử lý kỷ luật viên chức là bao lâu?", the small model wrote "Thời hiệu xử lý kỷ luật viên chức là
24 tháng, kể từ thời điểm có hành vi vi phạm [1]." twice (live, a retry asking for the sources' figures changed
nothing): Luật Viên chức as enacted, from its own memory. The cited Điều 53, as amended by Luật 52/2019/QH14 and in
force since 01/07/2020, gives "a) 02 năm …; b) 05 năm …". Verification withheld the claim ("numbers not in the cited
text: 24") and the answer was the refusal, while the law in force was in the prompt.

When every claim of an answer was withheld and one for figures no source states (`Verified.unstated_figures`), the
provision of the prompt's sources that states figures and most of what the question asks is quoted verbatim
instead (`quote_figures`): a list whose lead-in or items hold the question's words, quoted whole ("Trừ trường hợp
quy định tại khoản 2 Điều này, thời hiệu xử lý kỷ luật được quy định như sau [2]:\na) 02 năm …"), else one line. It
must hold `MIN_ASKED` of the question's words (its question words left out), and when the question asks about one
person, come from a source that names them (the labour code's "06 tháng" is the thời hiệu of a người lao động's
discipline, not a viên chức's). Labels are no figures: "3. Mở hồ sơ:" (Điều 29 Nghị định 30/2020) was quoted, at
first, for "Thời hạn bảo quản hồ sơ nhân sự là bao lâu?", whose answer the sources do not hold. The pipeline
verifies the quote like any answer and keeps it only when verified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.actor import ActorLexicon
from assistant.answer import CitedSource
from assistant.closed import Cues
from assistant.injection import law_words
from assistant.lists import SourceList, marked, source_lists
from assistant.polarity import without_label
from assistant.references import measure_asked, person_and_matter, states_a_measure
from assistant.verify import figures_in
from core.text import contains_run, folded_runs

# Share of the question's words (`references.matter_of`: its question words left out) the quoted provision must hold.
MIN_ASKED = 0.8
MIN_LINE_CHARS = 20  # a shorter line is a heading or a label
# The kind of question word that asks for a figure ("bao nhiêu", "bao lâu", "mấy": `same_kind` in
# assistant/data/closed_cues_vi.toml). Only such a question gets a figure quoted: "… chấm dứt hợp đồng trong trường
# hợp nào?" with a made-up "99 ngày" stays refused (a list of cases chosen for its figures could be the cases where
# the act may NOT be done).
HOW_MUCH = "bao nhiêu"


def quote_figures(
    question: str, sources: Sequence[CitedSource], actors: ActorLexicon | None = None, cues: Cues | None = None
) -> str | None:
    """The provision of `sources` that states figures and most of what `question` asks, verbatim with its marker
    (see the module docstring); None when none does.

    >>> from types import SimpleNamespace
    >>> text = ("Điều 53. Thời hiệu, thời hạn xử lý kỷ luật\\n1. Thời hiệu xử lý kỷ luật được tính từ thời điểm có"
    ...         " hành vi vi phạm.\\nThời hiệu xử lý kỷ luật được quy định như sau:\\na) 02 năm đối với khiển trách;\\n"
    ...         "b) 05 năm đối với hành vi khác.")
    >>> law = SimpleNamespace(marker=2, hit=SimpleNamespace(text=text, heading_path=["Luật Viên chức"]))
    >>> print(quote_figures("Thời hiệu xử lý kỷ luật viên chức là bao lâu?", [law]))
    Thời hiệu xử lý kỷ luật được quy định như sau [2]:
    a) 02 năm đối với khiển trách [2];
    b) 05 năm đối với hành vi khác [2].
    >>> quote_figures("Thời hiệu xử lý kỷ luật viên chức được tính thế nào?", [law]) is None
    True

    A figure that is no length of time does not answer "bao lâu":

    >>> text = ("Điều 31. Điều kiện hưởng chế độ thai sản\\n1. Lao động nữ được nghỉ hưởng chế độ thai sản khi:\\n"
    ...         "a) Lao động nữ sinh con;\\nb) Lao động nữ nhận nuôi con nuôi dưới 06 tháng tuổi.")
    >>> kids = SimpleNamespace(marker=4, hit=SimpleNamespace(text=text, heading_path=["Luật Bảo hiểm xã hội"]))
    >>> quote_figures("Lao động nữ sinh con được nghỉ thai sản bao lâu?", [kids]) is None
    True
    """
    cues = cues or Cues.default()
    if HOW_MUCH not in cues.asked_kinds(question):
        return None  # a question for the cases, the way, the body: its answer is no figure
    actors = actors or ActorLexicon.default()
    # each word asked, a run of syllables the provision must hold ("nhân sự", not "cá nhân" and "sự nghiệp"; two
    # one-syllable words side by side as their pair: "lương hưu", not "tiền lương" and "hưu"); the person, checked
    # on the whole article (its title, its other clauses), counts as held
    person, asked = person_and_matter(question, actors, cues, paired=True)
    # what the figure must be: a length of time for "bao lâu" — not an age (live: for how long maternity leave lasts,
    # "d) Người lao động nhận nuôi con nuôi dưới 06 tháng tuổi" was quoted, with its list, as the answer)
    measure = measure_asked(question)
    total = len(asked) + (person is not None)
    if not asked:
        return None
    best: tuple[float, int, str] | None = None
    for source in sources:
        text = law_words(source.hit.text)
        if person is not None and not actors.names_person(f"{' '.join(source.hit.heading_path)}\n{text}", person[0]):
            continue
        # what each says, without its labels: "3. Mở hồ sơ:" states no figure. Of those holding as much, a list
        # quoted whole first; a lead-in with some of its items (`_items_asked`) or one clause of an article
        # (`_provision_of`) is one provision, as a line is: the first found, in the sources' order, is kept (asked
        # the one-off maternity grant, the lead-in of Điều 39 Luật Bảo hiểm xã hội with its "c) Mức hưởng chế độ
        # khi sinh con …" had been quoted, verified, over [1]'s Điều 38 "… trợ cấp một lần … bằng 02 lần mức lương
        # cơ sở")
        candidates = [
            (quoted, "\n".join(without_label(x) for x in [listed.lead, *listed.items]), int(quoted == listed.quoted()))
            for listed in source_lists(source.hit.text, source.marker)
            if not listed.cut and (quoted := _provision_of(listed, asked, measure))
        ]
        candidates += [
            (marked(piece, source.marker), without_label(piece), 0)
            for line in text.split("\n")
            if len(line.strip()) >= MIN_LINE_CHARS
            for piece in [_statement_of(line.strip(), asked, measure)]
        ]
        for quoted, said, is_list in candidates:
            if not _states_figure(said, measure):  # "Điều 2. Thời gian thử việc" is a heading, not a figure
                continue
            score = (_held(said, asked) + (person is not None)) / total
            if score >= MIN_ASKED and (best is None or (score, is_list) > best[:2]):
                best = (score, is_list, quoted)
    return best[2] if best else None


def _provision_of(listed: SourceList, asked: Sequence[Sequence[str]], measure: str | None) -> str:
    """What `quote_figures` quotes of a list that holds what was asked: the list whole, under its lead-in — or, for
    an article's clauses under its title (`SourceList.titled`), the one clause that states a figure and the most of
    what was asked: the title says the article rules on it, a clause says it. All four Khoản of Điều 82 Luật Cán bộ,
    công chức had been quoted for how long a warning delays a công chức's pay rise, which Khoản 1 states. "" when no
    clause of it states such a figure (or the one that does only leads into a list of its own, quoted as that list).

    >>> text = ("Điều 82. Các quy định khác liên quan đến cán bộ, công chức bị kỷ luật\\n1. Cán bộ, công chức bị cảnh"
    ...         " cáo thì thời gian nâng lương bị kéo dài 06 tháng.\\n2. Cán bộ, công chức bị kỷ luật thì không được bổ"
    ...         " nhiệm trong thời hạn 12 tháng.\\n3. Cán bộ, công chức bị kỷ luật không được ứng cử.")
    >>> titled = source_lists(text, 2)[0]
    >>> _provision_of(titled, [("canh", "cao"), ("keo", "dai"), ("nang", "luong")], "tháng")
    '1. Cán bộ, công chức bị cảnh cáo thì thời gian nâng lương bị kéo dài 06 tháng [2].'
    """
    if not listed.titled:
        return _items_asked(listed, asked)
    best: tuple[int, str] | None = None
    for item in listed.items:
        said = without_label(item)
        if item.rstrip().endswith(":") or not _states_figure(said, measure):
            continue
        held = _held(said, asked)
        if best is None or held > best[0]:
            best = (held, item)
    return marked(_statement_of(best[1], asked, measure), listed.marker) if best else ""


def _items_asked(listed: SourceList, asked: Sequence[Sequence[str]]) -> str:
    """A list as `quote_figures` quotes it: whole — or, when some of its items (not all) name all that was asked
    that its lead-in does not, and state a figure, its lead-in with those items only: asked how many days off Tết Âm
    lịch gives, the six holidays of Khoản 1 Điều 112 Bộ luật Lao động had been quoted for "b) Tết Âm lịch: 05
    ngày;". An item naming only some of it is no answer alone (asked the one-off maternity grant, "c) Mức hưởng chế
    độ khi sinh con …" of Điều 39 Luật Bảo hiểm xã hội names no "một lần"); a list with an item that opens a list of
    its own is quoted whole.

    >>> text = "1. Người lao động được nghỉ những ngày lễ, tết sau đây:\\na) Tết Dương lịch: 01 ngày;"
    >>> text += "\\nb) Tết Âm lịch: 05 ngày;"
    >>> print(_items_asked(source_lists(text, 1)[0], [("nghi",), ("ngay",), ("tet", "am", "lich")]))
    Người lao động được nghỉ những ngày lễ, tết sau đây [1]:
    b) Tết Âm lịch: 05 ngày [1];
    >>> print(_items_asked(source_lists(text, 1)[0], [("nghi",), ("ngay",)]))
    Người lao động được nghỉ những ngày lễ, tết sau đây [1]:
    a) Tết Dương lịch: 01 ngày [1];
    b) Tết Âm lịch: 05 ngày [1];
    """
    lead = without_label(listed.lead)
    own = set(range(len(asked))) - _held_runs(lead, asked)
    named = [_held_runs(f"{lead}\n{without_label(item)}", asked) for item in listed.items]
    kept = [item for item, n in zip(listed.items, named, strict=True) if own and own <= n]
    if not kept or len(kept) == len(listed.items) or len(listed.lines) != len(listed.items):
        return listed.quoted()
    if not all(figures_in(without_label(item)) for item in kept):
        return listed.quoted()
    return SourceList(listed.marker, listed.lead, kept, kept, colon_added=listed.colon_added).quoted()


_STATEMENT_END = re.compile(r"(?<=[.;])\s+")


def _statement_of(line: str, asked: Sequence[Sequence[str]], measure: str | None) -> str:
    """What `quote_figures` quotes of a line: the one sentence of it (to its "." or ";") that states a figure and
    holds all that the line holds of what was asked, else the line. Asked how long a công chức's suspension lasts,
    the four sentences of Khoản 1 Điều 81 Luật Cán bộ, công chức had been quoted for its second.

    >>> line = "1. Cơ quan có thể tạm đình chỉ. Thời hạn tạm đình chỉ không quá 15 ngày; hết thời hạn thì thôi."
    >>> _statement_of(line, [("tam", "dinh", "chi"), ("thoi", "han")], "ngày")
    'Thời hạn tạm đình chỉ không quá 15 ngày;'
    """
    body = without_label(line)
    pieces = _STATEMENT_END.split(body)
    if len(pieces) < 2:
        return line
    pieces[0] = f"{line[: len(line) - len(body)]}{pieces[0]}"  # the first keeps the line's label ("1.")
    whole = _held(line, asked)
    for piece in pieces:
        said = without_label(piece)
        if _states_figure(said, measure) and _held(said, asked) == whole:
            return piece
    return line


def _states_figure(said: str, measure: str | None) -> bool:
    """Whether `said` (a provision without its label) states a figure — of the `measure` asked, when one is."""
    return bool(figures_in(said)) and (measure is None or states_a_measure(said, measure))


def _held(text: str, asked: Sequence[Sequence[str]]) -> int:
    """How many of the runs `asked` (folded syllables, `matter_units`) `text` holds (`_held_runs`)."""
    return len(_held_runs(text, asked))


def _held_runs(text: str, asked: Sequence[Sequence[str]]) -> set[int]:
    """Which of the runs `asked` (`matter_units`: in the question's order) `text` holds: those it says, and a pair
    that only joins two it says — `matter_units` pairs every two one-syllable words side by side, and where they
    run on ("trả lương làm thêm giờ vào ngày lễ": "trả lương", "lương làm", "làm thêm", "thêm giờ", "giờ vào", …), a
    pair across the words' boundary ("lương làm", "giờ vào") is no word a provision says. Live: asked the overtime
    rate on a public holiday, Điểm c Khoản 1 Điều 98 Bộ luật Lao động under its lead-in held all but those two, and
    the question was refused. A pair beside no held neighbour still counts only when said ("lương hưu" is not held
    by "tiền lương" and "hưu").

    >>> asked = [("tra", "luong"), ("luong", "lam"), ("lam", "them"), ("them", "gio"), ("gio", "vao")]
    >>> sorted(_held_runs("Người làm thêm giờ được trả lương", asked))
    [0, 1, 2, 3]
    >>> sorted(_held_runs("Được trả lương khi làm việc vào ban đêm", asked))
    [0]
    """
    said = folded_runs(text)
    held = {i for i, run in enumerate(asked) if contains_run(said, run)}
    for i in range(1, len(asked) - 1):
        before, run, after = asked[i - 1], asked[i], asked[i + 1]
        joins = len(run) == 2 and before[-1] == run[0] and after[0] == run[1]
        if joins and i - 1 in held and i + 1 in held:
            held.add(i)
    return held

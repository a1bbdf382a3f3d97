"""Whole-rule context: the model reads the governing article whole, within the budget, in a stable order.

A real index (Qdrant Edge, BM25) over a fixture law written for these tests (tests/fixtures/context/): its Điều 29
is longer than a chunk (700 characters here), so search returns one chunk of it — the question on when a unit may
end a contract matches Khoản 3 (when it may NOT) best, while the answer is Khoản 1, in another chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from assistant.context import ContextBudget, ContextBuilder, asked_claim, runs, says_as_asked
from assistant.pipeline import AskOptions, Assistant
from assistant.prompts import answer_messages
from core.settings import Settings
from index.indexer import Indexer
from index.payload import ACCESS_RANK
from index.search import Hit, Searcher
from index.store import Filters, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel, Citation
from ingest.registry import Registry
from tests.test_memo import hit as memo_hit

LAW = Path(__file__).with_name("fixtures") / "context" / "luat-vien-chuc-58-2090.txt"
ENDING = "Đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc với viên chức trong trường hợp nào?"
KHOAN_1 = "Viên chức có 02 năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ"
PUBLIC = Filters(max_access_rank=ACCESS_RANK[AccessLevel.PUBLIC])


@dataclass
class World:
    searcher: Searcher
    registry: Registry
    settings: Settings
    text: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from built_world(tmp_path_factory.mktemp("context"), LAW)


def built_world(
    root: Path, law: Path | Sequence[Path], context_chars: int | None = None, chunk_chars: int = 700
) -> Iterator[World]:
    """One fixture law (or several) ingested and indexed (real registry, Qdrant Edge, BM25) under `root`, searched
    as the pipeline searches, the model reading `context_chars` of it (None: the default); closed after."""
    settings = Settings(
        data_dir=root / "data",
        qdrant_engine="edge",
        llm_url=None,
        answer_context_chars=context_chars,
        chunk_max_chars=chunk_chars,
    )
    settings.data_dir.mkdir(parents=True)
    registry = Registry.from_settings(settings)
    run_ingest([law] if isinstance(law, Path) else list(law), registry, settings, progress=False)
    store = open_store(settings)
    Indexer(registry, store, settings).ensure()
    doc = registry.list_documents()[0]
    record = registry.get_document(doc.id)
    assert record is not None and record.text is not None
    yield World(Searcher(store, settings), registry, settings, record.text)
    store.close()
    registry.close()


def _hits(world: World, question: str) -> list:
    return world.searcher.search(question, k=8, mode="bm25", filters=PUBLIC).hits


def test_search_alone_shows_only_the_exception_clause_of_the_governing_article(world: World) -> None:
    """The premise: the best chunk of Điều 29 is the one with Khoản 3, and it lacks Khoản 1."""
    best = _hits(world, ENDING)[0]
    assert best.citation.article == "29"
    assert "không được đơn phương" in best.text and KHOAN_1 not in best.text


def test_the_governing_article_goes_to_the_model_whole(world: World) -> None:
    picked = ContextBuilder(world.searcher, ContextBudget(6000, 3)).pick(ENDING, _hits(world, ENDING), PUBLIC)
    first = picked[0]
    assert first.citation.article == "29" and first.citation.clause is None
    assert first.anchor.startswith("Điều 29 ")
    assert KHOAN_1 in first.text and "không được đơn phương" in first.text and "có quyền đơn phương" in first.text
    # offsets are the document's: every character but the whitespace between chunks is the stored text's
    stored = world.text[first.start : first.end]
    assert len(stored) == len(first.text)
    assert all(a == b or (a.isspace() and b.isspace()) for a, b in zip(first.text, stored, strict=True))


def test_the_answer_prompt_holds_the_clause_that_answers(world: World) -> None:
    """What failed before: the prompt had Khoản 3 (may not) and never Khoản 1 (may)."""
    assistant = Assistant(world.searcher)
    _, ev, sources = assistant.gather(ENDING, AskOptions(mode="bm25", filters=PUBLIC))
    assert ev.enough
    prompt = "\n".join(content for _, content in answer_messages(ENDING, sources))
    assert KHOAN_1 in prompt


def test_an_article_longer_than_the_budget_gives_the_clause_the_question_names(world: World) -> None:
    question = "Khoản 4 Điều 29 quy định viên chức báo trước bao nhiêu ngày khi chấm dứt hợp đồng làm việc?"
    budget = ContextBudget(600, 3)
    picked = ContextBuilder(world.searcher, budget).pick(question, _hits(world, question), PUBLIC)
    article = [p for p in picked if p.citation.article == "29"]
    assert any("có quyền đơn phương" in p.text for p in article)  # Khoản 4, named, is in
    assert sum(len(p.text) for p in article) <= 700  # within the room (a chunk at most over it)
    assert all(p.anchor.startswith("Khoản ") and "Điều 29" in p.anchor for p in article)


def test_without_a_named_clause_the_found_clauses_come_with_the_first_ones_in_text_order(world: World) -> None:
    hits = _hits(world, ENDING)
    chunks = world.searcher.article(hits[0], PUBLIC)
    found = next(c for c in chunks if c.chunk_id == hits[0].chunk_id)
    assert chunks[0] is not found and len(chunks) > 2
    room = (found.end - found.start) + (chunks[0].end - chunks[0].start)
    picked = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=1)).pick(ENDING, hits, PUBLIC)
    article = [p for p in picked if p.citation.article == "29"]
    assert any("không được đơn phương" in p.text for p in article)  # the chunk search found
    assert any(KHOAN_1 in p.text for p in article)  # and Khoản 1, first in the text
    assert [p.start for p in article] == sorted(p.start for p in article)
    assert all(p.citation.clause for p in article)  # cited as the clauses they are, not as the whole article


def test_a_following_article_that_does_not_fit_whole_is_passed_over(world: World) -> None:
    hits = _hits(world, ENDING)
    article29 = world.searcher.article(hits[0], PUBLIC)
    size = article29[-1].end - article29[0].start
    picked = ContextBuilder(world.searcher, ContextBudget(size + 200, 3, reserved=1)).pick(ENDING, hits, PUBLIC)
    assert picked[0].citation.article == "29"
    for source in picked[1:]:  # only whole short articles after it, nothing cut
        assert source.citation.clause is None and len(source.text) <= 200


def test_the_runner_up_article_keeps_its_place_when_the_top_one_is_long(world: World) -> None:
    """The top hit is not always the governing article: the second ranked article is never crowded out."""
    hits = _hits(world, ENDING)
    chunks = world.searcher.article(hits[0], PUBLIC)
    runner_up = world.searcher.article(hits[1], PUBLIC)
    budget = (chunks[-1].end - chunks[0].start) + 10  # the top article alone would fill it
    picked = ContextBuilder(world.searcher, ContextBudget(budget, 3)).pick(ENDING, hits, PUBLIC)
    assert any(p.document_id == hits[1].document_id and p.citation.article == hits[1].citation.article for p in picked)
    assert any(c.text in "".join(p.text for p in picked) for c in runner_up)
    assert sum(len(p.text) for p in picked) <= budget


def test_the_last_found_fragment_gives_way_for_an_article_above_it_to_go_whole(world: World) -> None:
    """Fewer, complete articles: three fragments left no room to make the governing article whole, so the model
    read part of it beside two other fragments (live: "Viên chức có được hưởng lương trong thời gian tập sự
    không?" got Khoản 3-5 of Điều 23 NĐ 115/2020 — no Khoản 1, the 85 % pay — beside two runners-up's chunks, and
    was answered "Có." on a circular's pay-grading clause). The third article's fragment gives way; the first two
    keep their place."""
    hits = _hits(world, ENDING)
    sizes = []
    for hit in hits[:3]:
        chunks = world.searcher.article(hit, PUBLIC)
        found = next(c for c in chunks if c.chunk_id == hit.chunk_id)
        sizes.append((chunks, found.end - found.start))
    top_chunks = sizes[0][0]
    assert len(top_chunks) > 1  # the premise: Điều 29 is cut to its found chunk
    clauses = sum(c.end - c.start for c in top_chunks)
    budget = clauses + sizes[1][1] + sizes[2][1] - 1  # Điều 29 whole beside the runner-up, not beside both
    picked = ContextBuilder(world.searcher, ContextBudget(budget, 3)).pick(ENDING, hits, PUBLIC)
    assert picked[0].citation.article == "29" and picked[0].citation.clause is None and KHOAN_1 in picked[0].text
    keys = [(p.document_id, p.citation.article) for p in picked]
    assert (hits[1].document_id, hits[1].citation.article) in keys
    assert (hits[2].document_id, hits[2].citation.article) not in keys
    assert sum(len(p.text) for p in picked) <= budget


def _chunk(doc: str, article: str, clause: str, start: int, size: int, stored: str = "text") -> Hit:
    """One chunk of an article of document number `doc`, `size` characters from `start`, in the stored text
    `stored` (another text of the article — the original beside the consolidated one — is another stored one)."""
    return memo_hit(
        f"{clause}. " + "x" * (size - len(clause) - 2),
        chunk_id=f"{stored}|{doc}|{article}|{clause}",
        document_id=f"{stored}|{doc}",
        anchor=f"Khoản {clause} Điều {article} {doc}",
        citation=Citation(document=doc, title=doc, article=article, clause=clause),
        heading_path=[doc, f"Điều {article}. Thử nghiệm"],
        start=start,
        end=start + size,
        so_hieu=doc,
        loai=None,
        title=doc,
    )


@dataclass
class _Articles:
    """An in-memory `ArticleReader`: each article's chunks, keyed by the chunk search found (no index needed to
    pin which article gives way)."""

    chunks: dict[str, list[Hit]]

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = 0) -> list[Hit]:
        return self.chunks[hit.chunk_id]


def _three(third: str, article: str = "9") -> tuple[_Articles, list[Hit]]:
    """A first article of two 1000-character clauses (the second found), a second and a third of one 900-character
    clause each; the third is Điều `article` of document `third`."""
    first = [_chunk("05/2099/NĐ-CP", "23", "1", 0, 1000), _chunk("05/2099/NĐ-CP", "23", "2", 1001, 1000)]
    second = [_chunk("06/2099/TT-BNV", "4", "1", 0, 900)]
    last = [_chunk(third, article, "1", 0, 900, stored="other")]
    hits = [first[1], second[0], last[0]]
    return _Articles({first[1].chunk_id: first, second[0].chunk_id: second, last[0].chunk_id: last}), hits


def test_the_third_fragment_gives_way_only_for_the_first_article_and_never_a_higher_law() -> None:
    """The first article whole (2001 characters) beside the second (900) fits 3000, beside both (3801) it does not:
    the third — a circular's — gives way. A law's article found third is never pushed out by a decree's (legal
    force), and the second article never makes the third give way (with the real model, Điều 25 Luật Viên chức,
    found third after two circulars', gave way to the second's and the answer was refused:
    tests/test_ask_generative.py)."""
    articles, hits = _three("07/2099/TT-BNV")
    picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick("Câu hỏi?", hits)
    assert [(p.citation.article, p.citation.clause) for p in picked] == [("23", None), ("4", None)]
    articles, hits = _three("58/2099/QH99")  # a law's article third
    picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick("Câu hỏi?", hits)
    assert [p.citation.article for p in picked] == ["23", "4", "9"] and picked[0].citation.clause is not None
    articles, hits = _three("05/2099/NĐ-CP", "23")  # another text of the first article (every version searched)
    picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick("Câu hỏi?", hits)
    assert len(picked) == 3 and picked[0].citation.clause is not None
    articles, hits = _three("07/2099/TT-BNV")
    picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick("Câu hỏi?", [hits[1], hits[0], hits[2]])
    assert [(p.citation.article, p.citation.clause) for p in picked] == [("4", None), ("23", "2"), ("9", None)]


def _titled(chunks: list[Hit], title: str) -> list[Hit]:
    return [replace(c, heading_path=[c.heading_path[0], title]) for c in chunks]


def test_for_a_question_asking_who_the_article_titled_for_the_power_is_read_first_and_whole() -> None:
    """Live, "Ai có thẩm quyền quyết định kỷ luật viên chức?" found first Khoản 4 Điều 40 Nghị định 112/2020 (what
    follows a decision) and second Điều 31, "Thẩm quyền xử lý kỷ luật đối với viên chức", by its Khoản 3-4: Điều 40
    was made whole and left no room for Khoản 1-2 of Điều 31, which name who decides. The article titled for the
    power asked goes first, and whole; a question not asking who, or not naming that power, keeps search's order."""
    after = _titled(
        [_chunk("112/2099/NĐ-CP", "40", "1", 0, 1000), _chunk("112/2099/NĐ-CP", "40", "4", 1001, 1000)],
        "Điều 40. Các quy định liên quan sau khi có quyết định kỷ luật đối với viên chức",
    )
    power = _titled(
        [_chunk("112/2099/NĐ-CP", "31", "1", 0, 900), _chunk("112/2099/NĐ-CP", "31", "3", 901, 600)],
        "Điều 31. Thẩm quyền xử lý kỷ luật đối với viên chức",
    )
    articles = _Articles({after[1].chunk_id: after, power[1].chunk_id: power})
    hits = [after[1], power[1]]
    asked = "Ai có thẩm quyền quyết định kỷ luật viên chức?"
    picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick(asked, hits)
    assert [(p.citation.article, p.citation.clause) for p in picked][0] == ("31", None)
    assert "1. " in picked[0].text and "3. " in picked[0].text
    for other in ("Viên chức bị kỷ luật khi nào, và thẩm quyền thế nào?", "Ai quyết định kỷ luật viên chức?"):
        picked = ContextBuilder(articles, ContextBudget(3000, 3)).pick(other, hits)
        assert [(p.citation.article, p.citation.clause) for p in picked] == [("40", None), ("31", "3")], other


def test_an_article_is_read_under_the_readers_filter(world: World) -> None:
    """Another reader's filter (here: a document fence elsewhere) lets no other chunk of the article in."""
    hit = _hits(world, ENDING)[0]
    assert len(world.searcher.article(hit, PUBLIC)) > 1
    fenced = replace(PUBLIC, max_access_rank=-1)  # cleared for nothing
    assert world.searcher.article(hit, fenced) == [hit]
    assert len(runs(world.searcher.article(hit, PUBLIC))) == 1


def test_a_follow_up_keeps_the_previous_sources_first_so_the_prompt_prefix_is_reused(world: World) -> None:
    assistant = Assistant(world.searcher)
    options = AskOptions(mode="bm25", filters=PUBLIC)
    previous = assistant.context_of(ENDING, options)
    follow = "Trợ cấp thôi việc khi chấm dứt hợp đồng làm việc được tính thế nào?"
    alone = assistant.gather(follow, options)[2]
    _, _, sources = assistant.gather(follow, options, previous)
    assert [s.hit.text for s in sources[: len(previous)]] == [p.text for p in previous]  # unchanged, same order
    assert [s.hit.text for s in alone][0] != previous[0].text  # read alone, it would start elsewhere
    first_prompt = answer_messages(ENDING, assistant.gather(ENDING, options)[2])[1][1]
    second_prompt = answer_messages(follow, sources)[1][1]
    common = 0
    while common < min(len(first_prompt), len(second_prompt)) and first_prompt[common] == second_prompt[common]:
        common += 1
    assert common >= first_prompt.rindex("</tai_lieu>")  # every source block of the first prompt is shared


def test_a_follow_up_keeps_no_previous_source_its_own_search_does_not_find(world: World) -> None:
    assistant = Assistant(world.searcher)
    options = AskOptions(mode="bm25", filters=PUBLIC)
    previous = assistant.context_of(ENDING, options)
    gone = [replace(previous[0], document_id="a-document-removed-since"), *previous[1:]]
    builder = ContextBuilder(world.searcher, ContextBudget(3600, 3))
    hits = _hits(world, ENDING)
    assert builder.pick(ENDING, hits, PUBLIC, previous)[: len(previous)] == previous
    # the prefix ends at the first source no longer found: nothing after it is kept out of order either
    assert builder.pick(ENDING, hits, PUBLIC, gone) == builder.pick(ENDING, hits, PUBLIC)


def test_the_cpu_budget_is_smaller_than_a_servers() -> None:
    assert Settings(llm_url=None, answer_context_chars=None).context_chars == 3600
    assert Settings(llm_url="http://gpu-host:8000", answer_context_chars=None).context_chars == 12000
    assert Settings(llm_url=None, answer_context_chars=5000).context_chars == 5000


class _Leaning:
    """A stand-in for the model's label probabilities (every statement leans "Đúng"): this test pins which source
    an evaluated answer cites, not the verdict (calibration cancels a constant lean anyway); the real model is
    tested in tests/test_ask_generative.py."""

    name = "stand-in"

    def label_probs(self, messages: object, labels: object, timeout_s: float = 120.0) -> dict[str, float]:
        return {"Đúng": 0.7, "Sai": 0.3}


def test_an_evaluated_true_false_item_cites_the_source_of_its_deciding_quote(world: World) -> None:
    from eval.answers import judge_item
    from eval.retrieval import EvalQuestion, GoldItem

    item = EvalQuestion(
        "t1",
        "Người tập sự được hưởng 85% mức lương của chức danh nghề nghiệp tương ứng, đúng hay sai?",
        "true_false",
        "fixture",
        (GoldItem("58/2090/QH90", "27"),),
        answer="Đúng",
    )
    result = judge_item(item, world.searcher, _Leaning(), PUBLIC, mode="bm25")  # type: ignore[arg-type]
    assert len(result.cited) == 1 and result.cited[0][1] == "gold"  # the quote deciding it is Điều 27's
    assert "85%" in result.trace["deciding_quote"][0]  # type: ignore[index]


def test_a_follow_up_reads_the_clauses_the_previous_prompt_cut_from_its_best_article(world: World) -> None:
    """Live (the bench's tập sự pay follow-up): the previous prompt held Khoản 3-5 of the pay article, and the
    follow-up's search found that article first, so nothing more of it was added and Khoản 1 (85 %), the answer,
    never reached the model. The clauses the kept source cut now follow the kept sources, which stay first."""
    asked = ENDING.replace("công lập đơn phương", "công lập không được đơn phương")  # Khoản 3's own words
    hits = _hits(world, asked)
    chunks = world.searcher.article(hits[0], PUBLIC)
    found = next(c for c in chunks if c.chunk_id == hits[0].chunk_id)
    tight = ContextBudget(found.end - found.start, 3, reserved=1)
    previous = ContextBuilder(world.searcher, tight).pick(asked, hits, PUBLIC)
    assert len(previous) == 1 and KHOAN_1 not in previous[0].text  # the previous prompt: Khoản 3 alone
    follow = "Khi đó đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    follow_hits = _hits(world, follow)
    assert follow_hits[0].citation.article == "29"
    picked = ContextBuilder(world.searcher, tight).pick(follow, follow_hits, PUBLIC, previous)
    assert picked[0] == previous[0]  # the prefix, unchanged
    rest = [p for p in picked[1:] if p.citation.article == "29"]
    assert rest and any(KHOAN_1 in p.text for p in rest)  # the first clause cut, even over a room of 0
    assert all(p.start >= previous[0].end or p.end <= previous[0].start for p in rest)  # nothing read twice


LEAD_1 = "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:"
DISASTER = "Do thiên tai, hỏa hoạn buộc phải thu hẹp quy mô, vị trí việc làm của viên chức không còn thì sao?"


def test_a_found_list_item_goes_to_the_model_with_its_lead_in(world: World) -> None:
    """Live: asked when an employer may end a labour contract, search found Khoản 1's points đ-g of Điều 36 Bộ luật
    Lao động; the budget, spent on two runners-up, gave the model that chunk and Khoản 2-3 (the notice periods),
    never Khoản 1's "Người sử dụng lao động có quyền đơn phương chấm dứt … trong trường hợp sau đây:" — and the
    answer was three lines pointing to "các điểm a, b, c, đ và g khoản 1 Điều này", verified. An item is never given
    without its lead-in: who may, or may not, do what is said there."""
    hits = _hits(world, DISASTER)
    chunks = world.searcher.article(hits[0], PUBLIC)
    found = next(c for c in chunks if c.chunk_id == hits[0].chunk_id)
    assert hits[0].citation.article == "29" and LEAD_1 not in found.text  # the premise: an item without its lead-in
    assert found.citation.clause == "1" and found.citation.point
    lead = next(c for c in chunks if LEAD_1 in c.text)
    room = (found.end - found.start) + (lead.end - lead.start)  # the two, not the whole article
    assert room < chunks[-1].end - chunks[0].start
    picked = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=1)).pick(DISASTER, hits, PUBLIC)
    article = [p for p in picked if p.citation.article == "29"]
    assert any(LEAD_1 in p.text for p in article) and any(found.text in p.text for p in article)
    # a runner-up's chunk does not take the place of the first article's lead-in
    tight = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=3)).pick(DISASTER, hits, PUBLIC)
    assert any(LEAD_1 in p.text for p in tight if p.citation.article == "29")


def test_a_cut_article_gives_first_the_clause_that_names_what_the_question_asks(world: World) -> None:
    """Live: "Thời hiệu xử lý kỷ luật viên chức là bao lâu?" — search found Khoản 3-4 of Điều 53 Luật Viên chức (the
    thời HẠN), the budget held one more chunk of it at most, and text order gave none: Khoản 1-2, the thời HIỆU, never
    reached the model, and the answer was refused. A clause naming more of the question's words than the found chunk
    goes first (and in its place, when only one fits)."""
    hits = _hits(world, ENDING)
    chunks = world.searcher.article(hits[0], PUBLIC)
    found = next(c for c in chunks if "không được đơn phương" in c.text)
    naming = next(c for c in chunks if KHOAN_1 in c.text)
    assert found is not naming and "phân loại đánh giá" not in found.text
    question = "Viên chức 02 năm liên tiếp bị phân loại đánh giá không hoàn thành nhiệm vụ thì sao?"
    room = naming.end - naming.start  # one chunk
    picked = ContextBuilder._selection(question, replace(hits[0], chunk_id=found.chunk_id), chunks, room)
    assert naming in picked and found not in picked


def test_of_clauses_naming_the_question_alike_the_one_saying_it_of_whom_it_asks_is_given(world: World) -> None:
    """Live, the issue's own question: Khoản 2-4 of Điều 29 (the notice, when the unit may NOT, the viên chức's own
    right) was found and given alone, the budget holding no second clause; Khoản 1, "Đơn vị sự nghiệp công lập được
    đơn phương chấm dứt …", names every word of the question as they do and says what it asks of whom it asks it.
    Asked the other way round, or asked of the viên chức, it is not the one given (a first version, preferring the
    clause that does not negate the question, gave the unit's cases to "Viên chức được đơn phương chấm dứt … khi
    nào?", live)."""
    asked = ENDING.replace("công lập đơn phương", "công lập được đơn phương")
    hits = _hits(world, asked)
    chunks = world.searcher.article(hits[0], PUBLIC)
    found = next(c for c in chunks if c.chunk_id == hits[0].chunk_id)
    assert KHOAN_1 not in found.text
    opening = next(c for c in chunks if KHOAN_1 in c.text)
    room = max(found.end - found.start, opening.end - opening.start)  # one of them, not both
    picked = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=1)).pick(asked, hits, PUBLIC)
    article = "".join(p.text for p in picked if p.citation.article == "29")
    assert KHOAN_1 in article and "không được đơn phương" not in article
    negative = asked.replace("được đơn phương", "không được đơn phương")
    picked = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=1)).pick(negative, hits, PUBLIC)
    assert "không được đơn phương" in "".join(p.text for p in picked if p.citation.article == "29")
    own = "Viên chức được đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    picked = ContextBuilder(world.searcher, ContextBudget(room, 3, reserved=1)).pick(own, _hits(world, own), PUBLIC)
    given = "".join(p.text for p in picked if p.citation.article == "29")
    assert "có quyền đơn phương" in given and KHOAN_1 not in given


def test_a_negation_before_the_words_that_carry_the_act_negates_the_act() -> None:
    """Live: Điều 37 Bộ luật Lao động's "… không được thực hiện quyền đơn phương chấm dứt …" puts three words between
    its "không" and the act, and was read as not negating it: asked when the employer may NOT end a contract, the
    rule that says it was not found. "không cần báo trước khi đơn phương …" still does not negate the act."""
    claim = asked_claim("Người sử dụng lao động không được đơn phương chấm dứt hợp đồng lao động trong trường hợp nào?")
    assert claim is not None and claim[1] == ("don", "phuong") and claim[2]
    lead = "Trường hợp người sử dụng lao động không được thực hiện quyền đơn phương chấm dứt hợp đồng lao động:"
    assert says_as_asked(lead, *claim)
    may = "3. Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng lao động không cần báo trước:"
    assert not says_as_asked(may, *claim)
    assert (
        asked_claim("Người sử dụng lao động không được thực hiện quyền đơn phương chấm dứt hợp đồng khi nào?") == claim
    )

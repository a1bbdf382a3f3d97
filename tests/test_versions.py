"""Article versions and the law in force on a date: derived from the texts, carried into Qdrant, used by search."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.lineage import article_versions, inline_diff, lineage, word_diff
from core.settings import Settings
from index.indexer import Indexer
from index.search import Searcher
from index.store import Filters, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel, Article, DocumentMeta, SourceRef, Validity
from ingest.registry import Registry
from ingest.relations import LegalRef, Relation, RelationKind, RelationStatus
from ingest.versions import (
    OPEN_END,
    ArticleVersion,
    Change,
    StoredArticles,
    day_number,
    derive_versions,
    standing_on,
)

D = dt.date

# Two small texts written for these tests: Luật Viên chức's Điều 25 as enacted (36 months) and its pháp điển
# article as amended by Luật 52/2019/QH14 (60 months), in the real files' layout.
ENACTED = """QUỐC HỘI
Luật số: 58/2010/QH12

LUẬT
VIÊN CHỨC

Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 1992;
Quốc hội ban hành Luật viên chức.

Điều 25. Các loại hợp đồng làm việc
1. Hợp đồng làm việc xác định thời hạn là hợp đồng trong khoảng thời gian từ đủ 12 tháng đến 36 tháng.
2. Hợp đồng làm việc không xác định thời hạn là hợp đồng mà hai bên không xác định thời hạn.

Điều 26. Nội dung của hợp đồng làm việc
1. Hợp đồng làm việc có các nội dung chủ yếu về công việc và thời gian làm việc của viên chức.

Điều 27. Chế độ tập sự
1. Chế độ tập sự được áp dụng đối với người được tuyển dụng vào viên chức.
2. Thời gian tập sự từ 03 tháng đến 12 tháng.

Điều 28. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2012.
"""

CONSOLIDATED = """---
layout: page
title: Viên chức
---

## VĂN BẢN
# Viên chức

Chương I

HỢP ĐỒNG LÀM VIỆC

Điều 5.2.LQ.25. Các loại hợp đồng làm việc

{source_25}

1. Hợp đồng làm việc xác định thời hạn là hợp đồng trong khoảng thời gian từ đủ 12 tháng đến 60 tháng.

2. Hợp đồng làm việc không xác định thời hạn áp dụng đối với viên chức được tuyển dụng trước ngày 01 tháng 7 năm 2020.

Điều 5.2.LQ.27. Chế độ tập sự

{source_27}

1. Chế độ tập sự được áp dụng đối với người được tuyển dụng vào viên chức.
""".format(
    source_25="(Điều 25 Luật số 58/2010/QH12, có hiệu lực thi hành kể từ ngày 01/01/2012, có nội dung được sửa đổi, "
    "có nội dung được bổ sung bởi Điều 2 Luật số 52/2019/QH14 có hiệu lực thi hành kể từ ngày 01/07/2020)",
    source_27="(Điều 27 Luật số 58/2010/QH12, có hiệu lực thi hành kể từ ngày 01/01/2012, có nội dung bị bãi bỏ "
    "bởi Điều 2 Luật số 52/2019/QH14 có hiệu lực thi hành kể từ ngày 01/07/2020)",
)

QUESTION = "Hợp đồng làm việc xác định thời hạn của viên chức từ đủ 12 tháng đến bao nhiêu tháng?"


def _amend(target_article: str | None, kind: RelationKind = RelationKind.AMEND, clause: str | None = None,
           when: D | None = D(2020, 7, 1), status: RelationStatus = RelationStatus.APPLIED) -> Relation:  # fmt: skip
    text = "sửa đổi"
    return Relation(
        kind=kind,
        source_document="52/2019/QH14",
        target=LegalRef("58/2010/QH12", target_article, clause),
        text=text,
        start=0,
        end=len(text),
        effective=when,
        status=status,
        reason=None if status is RelationStatus.APPLIED else "date not resolved",
    )


def _law(doc_id: str = "law", ngay_hieu_luc: D | None = D(2012, 1, 1), articles: tuple[str, ...] = ("25", "26"),
         hieu_luc: Validity = Validity.CHUA_XAC_DINH) -> StoredArticles:  # fmt: skip
    meta = DocumentMeta(title="Luật Viên chức", so_hieu="58/2010/QH12", ngay_hieu_luc=ngay_hieu_luc, hieu_luc=hieu_luc)
    return StoredArticles(
        doc_id, meta, [Article(start=i * 100, end=i * 100 + 99, number=n) for i, n in enumerate(articles)]
    )


def _consolidated(doc_id: str = "pd") -> StoredArticles:
    src = SourceRef(document="58/2010/QH12", article="25", ngay_hieu_luc=D(2012, 1, 1))
    art = Article(start=1000, end=1500, number="5.2.LQ.25", source=src)
    return StoredArticles(doc_id, DocumentMeta(title="Pháp điển — Viên chức"), [art])


def _by_article(versions: list[ArticleVersion]) -> dict[tuple[str, str], ArticleVersion]:
    return {(v.document_id, v.article): v for v in versions}


# ------------------------------------------------------------------------------------------- derivation (pure)


def test_a_consolidated_text_supersedes_the_enacted_one_from_the_amendment_date() -> None:
    inside = _amend("25")
    inside = Relation(**{**inside.__dict__, "start": 1010, "end": 1017})  # read from the pháp điển source line
    v = _by_article(derive_versions([_law(), _consolidated()], [("pd", inside)]))
    enacted, consolidated = v[("law", "25")], v[("pd", "5.2.LQ.25")]
    assert (enacted.kind, enacted.valid_from, enacted.valid_to) == ("enacted", D(2012, 1, 1), D(2020, 7, 1))
    assert enacted.superseded_by == "pd"
    assert (consolidated.kind, consolidated.valid_from, consolidated.valid_to) == ("consolidated", D(2020, 7, 1), None)
    assert [c.included for c in consolidated.changes] == [True]
    old = standing_on(enacted, D(2026, 1, 1))  # listed (kho versions), not searched today: it says what replaced it
    assert old.badge == "superseded" and old.notice and "kho có văn bản hợp nhất" in old.notice
    assert standing_on(consolidated, D(2026, 1, 1)).badge == "amended"
    assert standing_on(consolidated, D(2015, 1, 1)).badge == "not_yet_in_force"
    # an article the amendment does not touch is neither ended nor flagged
    assert v[("law", "26")].valid_to is None and standing_on(v[("law", "26")], D(2026, 1, 1)).badge == "unknown"


def test_an_amended_text_with_no_newer_text_in_the_corpus_stays_but_carries_a_notice_naming_the_amendment() -> None:
    v = _by_article(derive_versions([_law()], [("amending", _amend("25"))]))[("law", "25")]
    assert v.valid_to is None  # still retrievable: it is the only text the corpus holds
    before, after = standing_on(v, D(2019, 12, 31)), standing_on(v, D(2020, 7, 1))
    assert (before.badge, before.notice) == ("unknown", None)
    assert after.badge == "superseded"
    assert after.notice is not None and "52/2019/QH14" in after.notice and "01/07/2020" in after.notice


def test_a_relation_waiting_for_review_is_never_applied() -> None:
    pending = _amend("25", status=RelationStatus.NEEDS_REVIEW)
    v = _by_article(derive_versions([_law()], [("amending", pending)]))[("law", "25")]
    assert v.changes == [] and standing_on(v, D(2026, 1, 1)).badge == "unknown"


def test_amending_some_articles_of_a_law_does_not_flag_every_article() -> None:
    whole = _amend(None)  # "sửa đổi, bổ sung một số điều của Luật …" names no article
    v = _by_article(derive_versions([_law()], [("amending", whole)]))
    assert all(standing_on(x, D(2026, 1, 1)).badge == "unknown" for x in v.values())


def test_a_whole_document_repeal_ends_every_article_and_says_so() -> None:
    repeal = _amend(None, kind=RelationKind.REPEAL, when=D(2021, 1, 1))
    v = _by_article(derive_versions([_law()], [("new-law", repeal)]))
    for x in v.values():
        assert x.valid_to == D(2021, 1, 1)
        st = standing_on(x, D(2021, 1, 1))
        assert st.badge == "repealed" and st.notice and "Văn bản" in st.notice
    assert standing_on(v[("law", "25")], D(2020, 12, 31)).badge == "unknown"


def test_a_repealed_clause_ends_only_the_chunk_that_is_that_clause() -> None:
    part = _amend("25", kind=RelationKind.REPEAL, clause="2")
    v = _by_article(derive_versions([_law()], [("amending", part)]))[("law", "25")]
    assert v.valid_to is None
    assert v.range_for("2", None) == (day_number(D(2012, 1, 1)), day_number(D(2020, 7, 1)))
    assert v.range_for("1", None) == (day_number(D(2012, 1, 1)), OPEN_END)
    assert v.range_for(None, None)[1] == OPEN_END  # a chunk holding the whole article stays
    st = standing_on(v, D(2026, 1, 1), clause="2")
    assert st.badge == "partly_repealed" and st.notice and "khoản 2" in st.notice


def test_an_export_saying_in_force_is_the_only_way_to_get_the_current_badge() -> None:
    v = _by_article(derive_versions([_law(hieu_luc=Validity.CON_HIEU_LUC)], []))[("law", "25")]
    assert standing_on(v, D(2026, 1, 1)).badge == "current"


def test_a_version_survives_its_json_form() -> None:
    v = ArticleVersion("d", "25", "58/2010/QH12", "25", "enacted", D(2012, 1, 1), D(2020, 7, 1),
                       changes=[Change("amend", "52/2019/QH14", D(2020, 7, 1), "câu", "1", None)])  # fmt: skip
    assert ArticleVersion.from_json(v.to_json()) == v


def test_word_diff_marks_the_changed_number_only() -> None:
    pieces = word_diff("từ đủ 12 tháng đến 36 tháng.", "từ đủ 12 tháng\nđến 60 tháng.")
    assert [(op, t) for op, t in pieces if op != "="] == [("-", "36"), ("+", "60")]
    assert inline_diff(pieces) == "từ đủ 12 tháng đến [-36-]{+60+} tháng."


# ------------------------------------------------------------------------- the registry, the index and the CLI


@pytest.fixture()
def corpus(tmp_path: Path) -> list[Path]:
    enacted = tmp_path / "corpus" / "Luat-vien-chuc-2010.txt"
    consolidated = tmp_path / "corpus" / "phapdien" / "vien-chuc.md"
    consolidated.parent.mkdir(parents=True)
    enacted.write_text(ENACTED, encoding="utf-8")
    consolidated.write_text(CONSOLIDATED, encoding="utf-8")
    return [enacted, consolidated]


def _search(settings: Settings, filters: Filters) -> list[str]:
    store = open_store(settings)
    try:
        hits = Searcher(store, settings).search(QUESTION, k=5, mode="bm25", filters=filters).hits
    finally:
        store.close()
    return [h.text for h in hits if h.citation.article == "25"]


def test_search_on_a_date_quotes_the_text_in_force_that_day_filtered_inside_qdrant(
    settings: Settings, reg: Registry, corpus: list[Path]
) -> None:
    run_ingest(corpus, reg, settings, progress=False)
    store = open_store(settings)
    try:
        Indexer(reg, store, settings).ensure()
    finally:
        store.close()
    today = _search(settings, Filters(as_of=D(2026, 12, 1)))
    past = _search(settings, Filters(as_of=D(2015, 1, 1)))
    every = _search(settings, Filters())
    assert today and all("60 tháng" in t for t in today) and not any("36 tháng" in t for t in today)
    assert past and all("36 tháng" in t for t in past) and not any("60 tháng" in t for t in past)
    assert every  # without a date both texts are searchable (one hit per article: the better one)
    # a date before the law took effect: no text of it was the law
    assert _search(settings, Filters(as_of=D(2011, 1, 1))) == []
    # "có nội dung bị bãi bỏ" on a source line: part of Điều 27 went; the consolidated text (which no longer has
    # it) is today's law, the enacted one ends that day — neither is treated as a repeal of the whole article
    versions = {v.kind: v for v in reg.versions("58/2010/QH12", "27")}
    assert versions["enacted"].valid_to == D(2020, 7, 1)
    assert versions["consolidated"].valid_to is None
    assert standing_on(versions["consolidated"], D(2026, 12, 1)).badge == "amended"


def test_a_new_amending_text_re_queues_the_amended_document_for_the_index(
    settings: Settings, reg: Registry, corpus: list[Path]
) -> None:
    enacted, consolidated = corpus
    run_ingest([enacted], reg, settings, progress=False)
    store = open_store(settings)
    try:
        indexer = Indexer(reg, store, settings)
        indexer.ensure()
        law = next(d.id for d in reg.list_documents() if d.meta.so_hieu == "58/2010/QH12")
        assert reg.version(law, "25") is not None and reg.version(law, "25").valid_to is None  # type: ignore[union-attr]
        run_ingest([consolidated], reg, settings, progress=False)
        pending = {op.document_id for op in reg.pending_ops(consumer=indexer.current())}
        assert law in pending  # its payload (valid_to) must follow, though its own file did not change
        indexer.sync()
    finally:
        store.close()
    assert reg.version(law, "25").valid_to == D(2020, 7, 1)  # type: ignore[union-attr]
    assert not any("36 tháng" in t for t in _search(settings, Filters(as_of=D(2026, 12, 1))))


def test_versions_and_lineage_hide_what_the_reader_is_not_cleared_for(
    settings: Settings, reg: Registry, corpus: list[Path]
) -> None:
    enacted, consolidated = corpus
    run_ingest([enacted], reg, settings, progress=False)
    run_ingest([consolidated], reg, settings, access_level=AccessLevel.RESTRICTED, progress=False)
    everyone = article_versions(reg, AccessLevel.RESTRICTED, "58/2010/QH12", "Điều 25", D(2026, 12, 1))
    public = article_versions(reg, AccessLevel.PUBLIC, "58/2010/QH12", "25", D(2026, 12, 1))
    assert [v.version.kind for v in everyone] == ["enacted", "consolidated"]
    assert [v.version.kind for v in public] == ["enacted"]
    assert "60 tháng" in everyone[1].body and "(Điều 25" not in everyone[1].body  # the source line is not wording
    cleared = lineage(reg, AccessLevel.RESTRICTED, "58/2010/QH12", "25").to_json()
    assert any(g["group"] == "amended_by" for g in cleared["groups"])
    # the relation was read from the restricted pháp điển text: a public reader does not see it
    assert lineage(reg, AccessLevel.PUBLIC, "58/2010/QH12", "25").to_json()["groups"] == []


def test_kho_ask_and_versions_state_the_law_of_the_day_they_are_asked_for(data_dir: Path, corpus: list[Path]) -> None:
    from tests.conftest import kho_json, run_kho

    run_kho("ingest", *map(str, corpus))
    today = kho_json("ask", "--extractive", QUESTION)
    cited = [c for c in today["citations"] if c["citation"]["article"] == "25"]
    assert cited and all(c["version"]["kind"] == "consolidated" for c in cited)
    assert cited[0]["version"]["badge"] == "amended" and "60 tháng" in today["answer"]
    assert "36 tháng" not in today["answer"]
    assert any(ch["by"] == "52/2019/QH14" for ch in cited[0]["version"]["changes"])
    past = kho_json("ask", "--extractive", "--as-of", "2015-01-01", QUESTION)
    assert past["as_of"] == "2015-01-01" and "36 tháng" in past["answer"] and "60 tháng" not in past["answer"]
    text = run_kho("ask", "--extractive", QUESTION).stdout
    assert "52/2019/QH14" in text  # the amending law is named beside the citation
    versions = kho_json("versions", "Điều 25", "-d", "58/2010/QH12")
    assert [v["kind"] for v in versions["versions"]] == ["enacted", "consolidated"]
    assert [(v["valid_from"], v["valid_to"]) for v in versions["versions"]] == [
        ("2012-01-01", "2020-07-01"),
        ("2020-07-01", None),
    ]
    changed = [(d["op"], d["text"]) for d in versions["diffs"][0] if d["op"] != "="]
    assert ("-", "36") in changed and ("+", "60") in changed
    bad = run_kho("ask", "--extractive", "--as-of", "2015-13-01", QUESTION, check=False)
    assert bad.returncode == 2 and "--as-of" in bad.stderr


def test_an_administrators_decision_overrides_the_extraction_and_says_so(
    settings: Settings, reg: Registry, corpus: list[Path]
) -> None:
    run_ingest(corpus, reg, settings, progress=False)
    on_25 = [s for s in reg.relations("58/2010/QH12", "25") if s.relation.kind is RelationKind.AMEND]
    assert on_25 and on_25[0].relation.found_by.value == "rule"
    assert {v.kind: v.valid_to for v in reg.versions("58/2010/QH12", "25")}["enacted"] == D(2020, 7, 1)
    supplement = [s for s in reg.relations("58/2010/QH12", "25") if s.relation.kind is RelationKind.SUPPLEMENT]
    for s in on_25 + supplement:
        decided = reg.decide_relation(s.key, "reject", "kiểm tra lại: văn bản không sửa Điều này")
        assert decided.relation.status is RelationStatus.REJECTED and decided.relation.found_by.value == "admin"
    # nothing amends Điều 25 any more: the 2010 text is no longer superseded, and the Lược đồ says who decided
    versions = {v.kind: v for v in reg.versions("58/2010/QH12", "25")}
    assert versions["enacted"].valid_to is None and versions["consolidated"].changes == []
    rows = lineage(reg, AccessLevel.RESTRICTED, "58/2010/QH12", "25").to_json()["groups"]
    amended_by = next(g for g in rows if g["group"] == "amended_by")["relations"]
    assert {(r["status"], r["found_by"]) for r in amended_by} == {("rejected", "admin")}
    # a decision survives a re-ingest of the same text (the key is the span, the act and the target)
    run_ingest(corpus, reg, settings, progress=False)
    assert {s.relation.status for s in reg.relations("58/2010/QH12", "25") if s.key == on_25[0].key} == {
        RelationStatus.REJECTED
    }
    applied = reg.decide_relation(on_25[0].key, "apply", "đã đối chiếu", effective=D(2020, 8, 1))
    assert applied.relation.effective == D(2020, 8, 1) and applied.relation.status is RelationStatus.APPLIED
    with pytest.raises(ValueError, match="reason"):
        reg.decide_relation(on_25[0].key, "reject", "  ")
    with pytest.raises(KeyError):
        reg.decide_relation("0" * 16, "reject", "x")


def test_only_an_administrator_decides_and_the_decision_is_audited(settings: Settings, corpus: list[Path]) -> None:
    from app.services import Forbidden, NotFound, Principal, Services

    with Services(settings) as services:
        run_ingest(corpus, services.registry, settings, progress=False)
        key = next(s.key for s in services.registry.relations("58/2010/QH12", "25"))
        staff = Principal("staff-1", "staff", AccessLevel.RESTRICTED)
        with pytest.raises(Forbidden):
            services.decide_relation(staff, key, "reject", "không")
        admin = Principal("admin-1", "admin", AccessLevel.RESTRICTED)
        with pytest.raises(NotFound):
            services.decide_relation(admin, "f" * 16, "reject", "không có")
        services.decide_relation(admin, key, "reject", "gọi 0912345678 để hỏi")
        events = [e for e in services.audit.events() if e.event == "relation_decision"]
        assert len(events) == 1 and events[0].ref == key
        kept = next(s for s in services.registry.relations() if s.key == key)
        assert "0912345678" not in (kept.relation.reason or "")  # personal data masked before it is stored

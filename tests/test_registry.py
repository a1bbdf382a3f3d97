"""The document registry: migrations, atomic replace, failures never delete, duplicates, outbox, checks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.ids import chunk_id, doc_id
from ingest.model import (
    AccessLevel,
    Article,
    Chunk,
    Citation,
    Clause,
    DocState,
    DocumentMeta,
    LegalDocument,
    Point,
    SourceRef,
    Validity,
)
from ingest.registry import Registry, articles_from_json, articles_to_json

HASH_A = "a" * 64
HASH_B = "b" * 64
OPTS = "o" * 64


def make_doc(
    so_hieu: str = "99/2099/QH99", key: str = "", n_articles: int = 2, level: AccessLevel = AccessLevel.PUBLIC
) -> LegalDocument:
    """A small law with `n_articles` articles, each with one clause holding two points."""
    parts = [f"Luật số: {so_hieu}\nLUẬT\nTHỬ NGHIỆM\n"]
    articles = []
    pos = len(parts[0])
    for n in range(1, n_articles + 1):
        head = f"Điều {n}. Nội dung {n}\n"
        clause = "1. Khoản một.\n"
        pa, pb = "a) Điểm a;\n", "b) Điểm b.\n"
        block = head + clause + pa + pb
        c0 = pos + len(head)
        p_a = Point(start=c0 + len(clause), end=c0 + len(clause) + len(pa), letter="a")
        p_b = Point(start=p_a.end, end=p_a.end + len(pb), letter="b")
        cl = Clause(start=c0, end=pos + len(block), number="1", points=[p_a, p_b])
        articles.append(
            Article(
                start=pos,
                end=pos + len(block),
                number=str(n),
                title=f"Nội dung {n}",
                heading_end=pos + len(head) - 1,
                clauses=[cl],
                chapter="Chương I. QUY ĐỊNH CHUNG",
            )
        )
        parts.append(block)
        pos += len(block)
    meta = DocumentMeta(title="Luật Thử nghiệm", so_hieu=so_hieu, loai="Luật", access_level=level)
    return LegalDocument(meta=meta, text="".join(parts), articles=articles, fmt="text", key=key)


def make_chunks(doc: LegalDocument, did: str) -> list[Chunk]:
    """One chunk per article, like the chunker does for short articles."""
    out = []
    for i, art in enumerate(doc.articles):
        cit = Citation(document=doc.meta.so_hieu or "", title=doc.meta.title, article=art.number)
        out.append(
            Chunk(
                id=chunk_id(did, i),
                ordinal=i,
                anchor=f"Điều {art.number} Luật Thử nghiệm {doc.meta.so_hieu}",
                citation=cit,
                heading_path=[doc.meta.title, art.chapter or "", f"Điều {art.number}"],
                start=art.start,
                end=art.end,
                text=doc.text[art.start : art.end],
                article_number=art.number,
            )
        )
    return out


def bundle(content_hash: str, *docs: LegalDocument) -> list[tuple[LegalDocument, list[Chunk]]]:
    return [(d, make_chunks(d, doc_id(content_hash, d.key))) for d in docs]


@pytest.fixture()
def reg(tmp_path: Path) -> Iterator[Registry]:
    r = Registry(tmp_path / "data" / "registry.sqlite3")
    yield r
    r.close()


def store(reg: Registry, path: Path, content_hash: str, *docs: LegalDocument, options: str = OPTS) -> None:
    reg.store_file(path, content_hash, options, 100, 1.0, "text", bundle(content_hash, *docs))


MIGRATIONS_NOW = [
    "m001_initial",
    "m002_outbox",
    "m003_index_failures",
    "m004_relations",
    "m005_versions",
    "m006_relation_decisions",
]


def test_migrations_are_named_applied_once_and_pragmas_set(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with Registry(path) as r:
        assert r.applied_migrations() == MIGRATIONS_NOW
        assert r.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert r.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert r.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    with Registry(path) as r:  # reopening applies nothing twice
        assert r.applied_migrations() == MIGRATIONS_NOW
        assert r.db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS_NOW)


def test_ids_are_stable_and_distinct() -> None:
    assert doc_id(HASH_A, "") == doc_id(HASH_A, "")
    assert doc_id(HASH_A, "") != doc_id(HASH_B, "")
    assert doc_id(HASH_A, "x") != doc_id(HASH_A, "y")
    d = doc_id(HASH_A, "")
    assert chunk_id(d, 0) == chunk_id(d, 0) != chunk_id(d, 1)


def test_store_file_roundtrips_documents_and_chunks(reg: Registry, tmp_path: Path) -> None:
    doc = make_doc()
    doc.articles[0].source = SourceRef(document="30/2020/NĐ-CP", article="33", ngay_ban_hanh=None)
    doc.warnings.append("một cảnh báo")
    f = tmp_path / "luat.txt"
    rec = reg.store_file(f, HASH_A, OPTS, 123, 4.5, "text", bundle(HASH_A, doc))
    assert rec.state is DocState.INDEXED and rec.indexed_hash == HASH_A
    assert (rec.n_documents, rec.n_chunks, rec.size, rec.mtime) == (1, 2, 123, 4.5)

    did = doc_id(HASH_A, "")
    got = reg.get_document(did)
    assert got is not None
    assert got.file_path == str(f.resolve())
    assert got.meta == doc.meta
    assert got.text == doc.text
    assert got.warnings == ["một cảnh báo"]
    assert got.articles() == doc.articles
    assert got.to_legal_document().articles[0].source == doc.articles[0].source

    chunks = list(reg.iter_chunks(did))
    assert [c.to_chunk() for c in chunks] == make_chunks(doc, did)
    assert all(got.text[c.start : c.end] == c.text for c in chunks)
    assert chunks[0].access_level is AccessLevel.PUBLIC and chunks[0].so_hieu == "99/2099/QH99"
    assert [(o.op, o.document_id) for o in reg.pending_ops()] == [("upsert", did)]
    assert reg.check_consistency() == []


def test_articles_json_roundtrip_keeps_dates() -> None:
    import datetime as dt

    art = make_doc().articles[0]
    art.source = SourceRef(document="1/2020/QH14", article="2", ngay_hieu_luc=dt.date(2020, 7, 1))
    assert articles_from_json(articles_to_json([art])) == [art]


def test_changed_content_replaces_documents_atomically_with_outbox(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "many.json"
    store(reg, f, HASH_A, make_doc(key="a"), make_doc(key="b", n_articles=3))
    old_ids = {doc_id(HASH_A, "a"), doc_id(HASH_A, "b")}
    assert set(reg.document_ids(f)) == old_ids
    seq = reg.max_seq()

    store(reg, f, HASH_B, make_doc(key="a", n_articles=1))
    new_id = doc_id(HASH_B, "a")
    assert reg.document_ids(f) == [new_id]
    assert [c.document_id for c in reg.iter_chunks()] == [new_id]  # no stale chunk left
    ops = [(o.op, o.document_id) for o in reg.pending_ops(after_seq=seq)]
    assert sorted(ops) == sorted([("delete", i) for i in old_ids] + [("upsert", new_id)])
    rec = reg.file_record(f)
    assert rec is not None and (rec.n_documents, rec.n_chunks, rec.indexed_hash) == (1, 1, HASH_B)
    assert reg.check_consistency() == []


def test_same_content_new_options_keeps_ids_and_only_upserts(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "luat.txt"
    store(reg, f, HASH_A, make_doc())
    seq = reg.max_seq()
    store(reg, f, HASH_A, make_doc(level=AccessLevel.INTERNAL), options="p" * 64)
    did = doc_id(HASH_A, "")
    assert reg.document_ids() == [did]
    assert [(o.op, o.document_id) for o in reg.pending_ops(after_seq=seq)] == [("upsert", did)]
    got = reg.get_document(did)
    assert got is not None and got.meta.access_level is AccessLevel.INTERNAL


def test_failed_store_rolls_back_and_keeps_previous_version(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "luat.txt"
    store(reg, f, HASH_A, make_doc())
    before = (reg.counts(), reg.document_ids(), reg.max_seq())
    doc = make_doc()
    bad = make_chunks(doc, doc_id(HASH_B, ""))
    bad[1].id = bad[0].id  # a duplicate chunk id fails the second INSERT, after the deletes already ran
    with pytest.raises(sqlite3.IntegrityError):
        reg.store_file(f, HASH_B, OPTS, 1, 1.0, "text", [(doc, bad)])
    with pytest.raises(ValueError, match="distinct keys"):
        reg.store_file(f, HASH_B, OPTS, 1, 1.0, "text", bundle(HASH_B, make_doc(), make_doc()))
    assert (reg.counts(), reg.document_ids(), reg.max_seq()) == before
    rec = reg.file_record(f)
    assert rec is not None and rec.state is DocState.INDEXED and rec.indexed_hash == HASH_A
    assert reg.check_consistency() == []


def test_mark_failed_never_deletes_stored_documents(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "luat.txt"
    store(reg, f, HASH_A, make_doc())
    ids, seq = reg.document_ids(), reg.max_seq()
    reg.mark_failed(f, DocState.FAILED_NO_TEXT, "no text", content_hash=HASH_B, size=0, mtime=9.0)
    rec = reg.file_record(f)
    assert rec is not None
    assert (rec.state, rec.reason) == (DocState.FAILED_NO_TEXT, "no text")
    assert (rec.content_hash, rec.size) == (HASH_B, 0)
    assert (rec.indexed_hash, rec.n_documents, rec.n_chunks) == (HASH_A, 1, 2)
    assert reg.document_ids() == ids and len(list(reg.iter_chunks())) == 2
    assert reg.max_seq() == seq  # nothing for the index to do
    assert reg.check_consistency() == []
    with pytest.raises(ValueError):
        reg.mark_failed(f, DocState.INDEXED, "nope")


def test_mark_failed_and_skipped_for_unknown_files(reg: Registry, tmp_path: Path) -> None:
    reg.mark_failed(tmp_path / "x.pdf", "failed", "corrupt PDF")
    reg.mark_skipped(tmp_path / "y.txt", reason="whatever")
    states = {Path(r.path).name: (r.state, r.n_chunks, r.indexed_hash) for r in reg.list_files()}
    assert states == {
        "x.pdf": (DocState.FAILED, 0, None),
        "y.txt": (DocState.SKIPPED_UNCHANGED, 0, None),
    }
    assert [r.path for r in reg.list_files(DocState.FAILED)] == [str((tmp_path / "x.pdf").resolve())]
    assert reg.check_consistency() == []


def test_same_content_at_another_path_is_a_duplicate(reg: Registry, tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    store(reg, one, HASH_A, make_doc())
    assert reg.duplicate_of(two, HASH_A) == str(one.resolve())
    assert reg.duplicate_of(one, HASH_A) is None  # its own content is not a duplicate
    rec = reg.store_file(two, HASH_A, OPTS, 1, 1.0, "text", bundle(HASH_A, make_doc()))
    assert rec.state is DocState.SKIPPED_UNCHANGED and rec.reason == f"duplicate of {one.resolve()}"
    assert reg.document_ids(two) == [] and reg.document_ids(one) == [doc_id(HASH_A, "")]
    assert reg.check_consistency() == []


def test_file_that_becomes_a_duplicate_drops_its_old_content(reg: Registry, tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    store(reg, one, HASH_A, make_doc())
    store(reg, two, HASH_B, make_doc(so_hieu="1/2001/QH10"))
    seq = reg.max_seq()
    rec = reg.mark_duplicate(two, HASH_A)
    assert rec is not None and rec.state is DocState.SKIPPED_UNCHANGED
    assert reg.document_ids(two) == []
    assert [(o.op, o.document_id) for o in reg.pending_ops(seq)] == [("delete", doc_id(HASH_B, ""))]
    assert reg.mark_duplicate(tmp_path / "three.txt", "c" * 64) is None
    assert reg.check_consistency() == []


def test_access_level_filter_and_changes_follow_to_outbox(reg: Registry, tmp_path: Path) -> None:
    store(reg, tmp_path / "pub.txt", HASH_A, make_doc())
    store(reg, tmp_path / "sec.txt", HASH_B, make_doc(so_hieu="2/2002/QH11", level=AccessLevel.RESTRICTED))
    pub, sec = doc_id(HASH_A, ""), doc_id(HASH_B, "")
    public_only = [AccessLevel.PUBLIC]
    assert [d.id for d in reg.list_documents(access_levels=public_only)] == [pub]
    assert {c.document_id for c in reg.iter_chunks(access_levels=public_only)} == {pub}
    assert {d.id for d in reg.list_documents(access_levels=AccessLevel.RESTRICTED.allowed())} == {pub, sec}
    assert reg.list_documents(access_levels=[]) == []
    assert reg.list_documents()[0].text is None  # listing does not load texts

    seq = reg.max_seq()
    reg.set_access_level(pub, AccessLevel.INTERNAL)
    reg.set_validity(pub, Validity.HET_HIEU_LUC, "bị thay thế bởi Luật số 3/2003/QH11")
    assert [(o.op, o.document_id) for o in reg.pending_ops(seq)] == [("upsert", pub), ("upsert", pub)]
    got = reg.get_document(pub)
    assert got is not None
    assert got.meta.access_level is AccessLevel.INTERNAL and got.meta.hieu_luc is Validity.HET_HIEU_LUC
    assert got.meta.hieu_luc_reason == "bị thay thế bởi Luật số 3/2003/QH11"
    meta_json = reg.db.execute("SELECT meta_json FROM documents WHERE id = ?", (pub,)).fetchone()[0]
    assert json.loads(meta_json)["access_level"] == "internal"  # meta_json follows the columns
    assert json.loads(meta_json)["hieu_luc"] == "het_hieu_luc"
    assert {c.document_id for c in reg.iter_chunks(access_levels=public_only)} == set()
    with pytest.raises(KeyError):
        reg.set_access_level("no-such-id", AccessLevel.PUBLIC)


def test_remove_file_deletes_documents_chunks_and_queues_deletes(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "luat.txt"
    store(reg, f, HASH_A, make_doc())
    seq = reg.max_seq()
    assert reg.remove_file(f) == 1
    assert reg.file_record(f) is None
    c = reg.counts()
    assert (c["files"], c["documents"], c["chunks"]) == (0, 0, 0)
    assert [(o.op, o.document_id) for o in reg.pending_ops(seq)] == [("delete", doc_id(HASH_A, ""))]


def test_outbox_consumers_ack_prune_and_max_seq(reg: Registry, tmp_path: Path) -> None:
    store(reg, tmp_path / "a.txt", HASH_A, make_doc())
    store(reg, tmp_path / "b.txt", HASH_B, make_doc(so_hieu="2/2002/QH11"))
    ops = reg.pending_ops(consumer="qdrant")
    assert [o.seq for o in ops] == sorted(o.seq for o in ops) and len(ops) == 2
    assert reg.pending_ops(limit=1) == ops[:1]
    reg.ack("qdrant", ops[0].seq)
    assert reg.pending_ops(consumer="qdrant") == ops[1:]
    reg.ack("qdrant", ops[0].seq - 1)  # an ack never moves a consumer backwards
    assert reg.consumer_seq("qdrant") == ops[0].seq
    reg.ack("qdrant", ops[1].seq)
    assert reg.pending_ops(consumer="qdrant") == []
    assert reg.prune_outbox() == 2
    assert reg.max_seq() == ops[1].seq  # remembered after pruning
    assert reg.pending_ops(consumer="new-consumer") == []


def test_counts(reg: Registry, tmp_path: Path) -> None:
    store(reg, tmp_path / "a.txt", HASH_A, make_doc(n_articles=3))
    reg.mark_failed(tmp_path / "b.pdf", DocState.FAILED, "corrupt")
    c = reg.counts()
    assert (c["files"], c["documents"], c["chunks"], c["outbox"]) == (2, 1, 3, 1)
    assert (c["files_indexed"], c["files_failed"], c["files_failed_no_text"]) == (1, 1, 0)


def test_check_consistency_reports_damage(reg: Registry, tmp_path: Path) -> None:
    f = tmp_path / "luat.txt"
    store(reg, f, HASH_A, make_doc())
    assert reg.check_consistency() == []
    reg.db.execute("PRAGMA foreign_keys = OFF")
    reg.db.execute(
        'INSERT INTO chunks (id, document_id, ordinal, anchor, citation_json, heading_path_json, "start",'
        " \"end\", text) VALUES ('orphan', 'gone', 0, '', '{}', '[]', 0, 0, '')"
    )
    reg.db.execute("UPDATE files SET n_chunks = 7")
    reg.db.execute("UPDATE documents SET file_path = '/nowhere'")
    problems = reg.check_consistency()
    text = "\n".join(problems)
    assert "chunk orphan has no document" in text
    assert "has no file (/nowhere)" in text
    assert "records 7 chunks but has 0" in text


def test_relative_and_absolute_paths_are_the_same_file(
    reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store(reg, Path("luat.txt"), HASH_A, make_doc())
    rec = reg.file_record(tmp_path / "luat.txt")
    assert rec is not None and rec.path == str((tmp_path / "luat.txt").resolve())

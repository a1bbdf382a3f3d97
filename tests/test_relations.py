"""Legal relations read at ingest: each rule on real corpus sentences, review when unresolved, stored per file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from core.settings import Settings
from ingest.job import run_ingest
from ingest.model import LegalDocument
from ingest.parse import parse_file
from ingest.registry import Registry
from ingest.relations import (
    EXTRACTORS,
    LegalRef,
    Relation,
    RelationKind,
    RelationStatus,
    effect_article,
    extract_relations,
    in_text_reference,
    parts_of,
    source_line_relations,
)
from tests.conftest import kho_json, run_kho, shared_path

# phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md
VIEN_CHUC_29 = (
    "(Điều 29 Luật số 58/2010/QH12, có hiệu lực thi hành kể từ ngày 01/01/2012, có nội dung được sửa đổi, có nội "
    "dung được bổ sung bởi Điều 2 Luật số 52/2019/QH14 có hiệu lực thi hành kể từ ngày 01/07/2020)"
)
# two amending decrees and two acts: the line does not say which decree did what
TWO_ACTORS = (
    "(Điều 4 Nghị định số 20/2006/NĐ-CP, có hiệu lực thi hành kể từ ngày 16/03/2006, có nội dung được sửa đổi, có "
    "nội dung bị bãi bỏ bởi Điều 4 Nghị định số 120/2011/NĐ-CP có hiệu lực thi hành kể từ ngày 01/02/2012; Điều 2 "
    "Nghị định số 125/2014/NĐ-CP có hiệu lực thi hành kể từ ngày 20/02/2015)"
)
# laws/Bo-Luat-lao-dong-2019-333670.txt
BLLD_REPEAL = "Bộ luật Lao động số 10/2012/QH13 hết hiệu lực thi hành kể từ ngày Bộ luật này có hiệu lực."
# laws/Luat-an-toan-ve-sinh-lao-dong-2015-281961.txt
ATVSLD_PARTIAL = (
    "2. Các quy định về bảo hiểm tai nạn lao động, bệnh nghề nghiệp tại Mục 3 Chương III, khoản 4 Điều 84, điểm b "
    "khoản 1 và điểm a khoản 2 Điều 86, các điều 104, 105, 106, 107, 116 và 117 của Luật bảo hiểm xã hội số "
    "58/2014/QH13 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."
)
# laws/Luat-Cac-cong-cu-chuyen-nhuong-2005-49-2005-QH11-7023.txt
THUONG_PHIEU = (
    "2. Pháp lệnh thương phiếu ngày 24 tháng 12 năm 1999 và các văn bản quy phạm pháp luật khác về thương phiếu "
    "và séc hết hiệu lực từ ngày Luật này có hiệu lực."
)
# laws/Luat-vien-chuc-2010-115271.txt and laws/Luat-Cong-an-nhan-dan-384487.txt
SELF_REF = "c) Chấm dứt hợp đồng làm việc theo quy định tại khoản 5 Điều 28 của Luật này."
BY_NAME = (
    "1. Sĩ quan, hạ sĩ quan, chiến sĩ và công nhân công an đang công tác được nghỉ ngơi theo quy định của Bộ luật "
    "Lao động và quy định của Bộ trưởng Bộ Công an."
)


def law_file(tmp_path: Path, body: str, effective: str | None = "01 tháng 01 năm 2021", n: int = 45) -> Path:
    """A small law whose last article is "Hiệu lực thi hành"; `body` goes into the article before it."""
    eff = f"1. Luật này có hiệu lực thi hành từ ngày {effective}.\n" if effective else "1. Luật này được thi hành.\n"
    text = (
        f"Luật số: {n}/2019/QH14\nHà Nội, ngày 20 tháng 11 năm 2019\nLUẬT\nTHỬ NGHIỆM QUAN HỆ\n"
        "Điều 1. Phạm vi điều chỉnh\n" + body + "\nĐiều 2. Hiệu lực thi hành\n" + eff + "\n"
    )
    p = tmp_path / f"law{n}.txt"
    p.write_text(text, encoding="utf-8")
    return p


def parse_one(path: Path) -> LegalDocument:
    (doc,) = parse_file(path, Settings(data_dir=path.parent / "data"))
    return doc


def assert_spans(doc: LegalDocument, rels: list[Relation]) -> None:
    for r in rels:
        assert doc.text[r.start : r.end] == r.text


def test_extractors_are_registered_by_name() -> None:
    assert list(EXTRACTORS) == ["phapdien_source", "effect_article", "in_text_reference"]


def test_kind_from_str_lists_valid_values() -> None:
    assert RelationKind.from_str(" Amend ") is RelationKind.AMEND
    with pytest.raises(ValueError, match="amend, supplement, repeal, replace, reference, guide"):
        RelationKind.from_str("sửa đổi")


def test_applied_relation_without_target_is_refused() -> None:
    with pytest.raises(ValueError, match="applied relation needs a target"):
        Relation(kind=RelationKind.REPEAL, source_document="x", target=LegalRef(), text="", start=0, end=0)


def test_source_line_amend_and_supplement_by_amending_law() -> None:
    rels = source_line_relations(VIEN_CHUC_29, 100)
    assert [(r.kind, r.source_document, r.source_article) for r in rels] == [
        (RelationKind.AMEND, "52/2019/QH14", "2"),
        (RelationKind.SUPPLEMENT, "52/2019/QH14", "2"),
    ]
    for r in rels:
        assert r.target == LegalRef("58/2010/QH12", "29")
        assert r.effective == dt.date(2020, 7, 1)
        assert r.status is RelationStatus.APPLIED
        assert (r.start, r.end, r.text) == (100, 100 + len(VIEN_CHUC_29), VIEN_CHUC_29)


def test_source_line_with_several_actors_and_acts_needs_review() -> None:
    rels = source_line_relations(TWO_ACTORS, 0)
    assert {(r.kind, r.source_document) for r in rels} == {
        (k, d) for k in (RelationKind.AMEND, RelationKind.REPEAL) for d in ("120/2011/NĐ-CP", "125/2014/NĐ-CP")
    }
    assert all(r.status is RelationStatus.NEEDS_REVIEW and "which did what" in (r.reason or "") for r in rels)
    assert {r.effective for r in rels} == {dt.date(2012, 2, 1), dt.date(2015, 2, 20)}


def test_plain_source_line_states_no_relation() -> None:
    line = "(Điều 1 Nghị định số 27/2012/NĐ-CP, có hiệu lực thi hành kể từ ngày 25/05/2012)"
    assert source_line_relations(line, 0) == []


def test_effect_article_repeals_whole_law_from_this_laws_date(tmp_path: Path) -> None:
    # outside the "Hiệu lực thi hành" article, "hết hiệu lực" is about something else
    assert list(effect_article(parse_one(law_file(tmp_path, "Giấy phép hết hiệu lực sau 12 tháng.", n=45)))) == []
    path = tmp_path / "law47.txt"
    path.write_text(
        "Luật số: 47/2019/QH14\nHà Nội, ngày 20 tháng 11 năm 2019\nLUẬT\nTHỬ NGHIỆM QUAN HỆ\n"
        "Điều 1. Phạm vi\nNội dung.\nĐiều 2. Hiệu lực thi hành\n1. Luật này có hiệu lực thi hành từ ngày 01 tháng "
        f"01 năm 2021.\n2. {BLLD_REPEAL}\n",
        encoding="utf-8",
    )
    doc = parse_one(path)
    (rel,) = effect_article(doc)
    assert rel.kind is RelationKind.REPEAL
    assert rel.target == LegalRef("10/2012/QH13")
    assert rel.effective == dt.date(2021, 1, 1) == doc.meta.ngay_hieu_luc
    assert (rel.source_document, rel.source_article, rel.status) == ("47/2019/QH14", "2", RelationStatus.APPLIED)
    assert rel.text == BLLD_REPEAL.rstrip(".")
    assert_spans(doc, [rel])


def _effect_law(tmp_path: Path, sentence: str, effective: str | None = "01 tháng 07 năm 2016") -> LegalDocument:
    eff = f"1. Luật này có hiệu lực thi hành từ ngày {effective}.\n" if effective else "1. Luật này được thi hành.\n"
    path = tmp_path / "effect.txt"
    path.write_text(
        "Luật số: 84/2015/QH13\nHà Nội, ngày 25 tháng 6 năm 2015\nLUẬT\nAN TOÀN, VỆ SINH LAO ĐỘNG\n"
        f"Điều 1. Phạm vi\nNội dung.\nĐiều 93. Hiệu lực thi hành\n{eff}{sentence}\n",
        encoding="utf-8",
    )
    return parse_one(path)


def test_effect_article_partial_repeal_down_to_point(tmp_path: Path) -> None:
    doc = _effect_law(tmp_path, ATVSLD_PARTIAL)
    rels = list(effect_article(doc))
    assert [(r.target.article, r.target.clause, r.target.point) for r in rels] == [
        ("84", "4", None),
        ("86", "1", "b"),
        ("86", "2", "a"),
        *[(a, None, None) for a in ("104", "105", "106", "107", "116", "117")],
    ]
    assert {r.target.document for r in rels} == {"58/2014/QH13"}
    assert {r.effective for r in rels} == {dt.date(2016, 7, 1)}
    assert {r.source_clause for r in rels} == {"2"}
    # "Mục 3 Chương III" is repealed too but not resolved to articles: a person must look
    assert all(r.status is RelationStatus.NEEDS_REVIEW and "Mục/Chương" in (r.reason or "") for r in rels)
    assert_spans(doc, rels)


def test_effect_article_unresolved_target_or_date_needs_review(tmp_path: Path) -> None:
    (rel,) = effect_article(_effect_law(tmp_path, THUONG_PHIEU))
    assert rel.target.document == "Pháp lệnh thương phiếu ngày 24 tháng 12 năm 1999"
    assert rel.status is RelationStatus.NEEDS_REVIEW and "without a number" in (rel.reason or "")
    assert rel.effective == dt.date(2016, 7, 1)
    (rel,) = effect_article(_effect_law(tmp_path, BLLD_REPEAL, effective=None))
    assert rel.effective is None
    assert rel.status is RelationStatus.NEEDS_REVIEW and "effective date is not known" in (rel.reason or "")


def test_in_text_references_same_document_and_by_name(tmp_path: Path) -> None:
    doc = parse_one(law_file(tmp_path, f"{SELF_REF}\n{BY_NAME}", n=48))
    rels = list(in_text_reference(doc))
    same = [r for r in rels if r.status is RelationStatus.APPLIED]
    assert [(r.target, r.text) for r in same] == [(LegalRef("48/2019/QH14", "28", "5"), "khoản 5 Điều 28 của Luật này")]
    (named,) = [r for r in rels if r.status is RelationStatus.NEEDS_REVIEW]
    assert named.target == LegalRef("Bộ luật Lao động")
    assert named.kind is RelationKind.REFERENCE
    assert_spans(doc, rels)


def test_parts_hold_points_and_clauses_until_their_article() -> None:
    assert parts_of("điểm a và điểm b khoản 2 Điều 5") == [LegalRef(None, "5", "2", "a"), LegalRef(None, "5", "2", "b")]
    assert parts_of("các khoản 1, 2 Điều 7") == [LegalRef(None, "7", "1"), LegalRef(None, "7", "2")]


# ---------------------------------------------------------------------------------------------- storage


def _rows(reg: Registry) -> list[tuple[str, str, LegalRef, int, str]]:
    return [
        (s.document_id, s.relation.kind.value, s.relation.target, s.relation.start, s.relation.status.value)
        for s in reg.relations()
    ]


def test_relations_stored_with_the_file_idempotent_and_replaced(
    tmp_path: Path, settings: Settings, reg: Registry
) -> None:
    src = tmp_path / "corpus"
    src.mkdir()
    path = src / "law.txt"
    path.write_text(
        "Luật số: 47/2019/QH14\nHà Nội, ngày 20 tháng 11 năm 2019\nLUẬT\nTHỬ NGHIỆM QUAN HỆ\n"
        f"Điều 1. Phạm vi\n{SELF_REF}\nĐiều 2. Hiệu lực thi hành\n1. Luật này có hiệu lực thi hành từ ngày 01 "
        f"tháng 01 năm 2021.\n2. {BLLD_REPEAL}\n",
        encoding="utf-8",
    )
    assert "m004_relations" in reg.applied_migrations()
    run_ingest([src], reg, settings)
    first = _rows(reg)
    assert {(k, t.document) for _, k, t, _, _ in first} == {("reference", "47/2019/QH14"), ("repeal", "10/2012/QH13")}
    assert [s.relation.kind for s in reg.relations("10/2012/QH13", direction="target")] == [RelationKind.REPEAL]
    assert reg.relations("10/2012/QH13", direction="source") == []
    assert len(reg.relations("47/2019/qh14")) == 2  # number matched however it is spelled
    run_ingest([src], reg, settings)
    assert _rows(reg) == first  # re-ingest: same rows, nothing doubled
    path.write_text(path.read_text(encoding="utf-8").replace(BLLD_REPEAL, "Không còn điều khoản bãi bỏ."), "utf-8")
    run_ingest([src], reg, settings)
    kinds = [k for _, k, _, _, _ in _rows(reg)]
    assert kinds == ["reference"]  # the changed file left no stale repeal behind
    assert reg.relations("10/2012/QH13") == []


def test_failed_store_keeps_no_relations(tmp_path: Path, reg: Registry) -> None:
    doc = parse_one(law_file(tmp_path, SELF_REF, n=49))
    with pytest.raises(ValueError, match="relation lists"):
        reg.store_file(tmp_path / "x.txt", "a" * 64, "o", 1, 1.0, "text", [(doc, [])], [[], []])
    assert reg.relations() == []


# ---------------------------------------------------------------------------------------------- CLI acceptance
@pytest.mark.shared
def test_cli_relations_lists_amendments_of_luat_vien_chuc(data_dir: Path) -> None:
    md = shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    run_kho("ingest", str(md))
    out = kho_json("relations", "58/2010/QH12")["relations"]
    by_52 = [r for r in out if r["source"]["document"] == "52/2019/QH14" and r["target"]["document"] == "58/2010/QH12"]
    touched = {r["target"]["article"] for r in by_52}
    assert {"25", "29"} <= touched
    assert {r["effective"] for r in by_52} == {"2020-07-01"}
    assert {r["kind"] for r in by_52} >= {"amend", "supplement"}
    assert all(r["status"] == "applied" and r["found_by"] == "rule" for r in by_52)
    art29 = kho_json("relations", "58/2010/QH12", "--article", "29")["relations"]
    assert {(r["kind"], r["source"]["document"]) for r in art29} >= {("amend", "52/2019/QH14")}
    text = run_kho("relations", "58/2010/QH12", "--article", "Điều 29").stdout
    assert "amend      2020-07-01  Điều 29 58/2010/QH12  ← Điều 2 52/2019/QH14" in text
    assert json.loads(run_kho("relations", "52/2019/QH14", "--json", "--direction", "target").stdout) == {
        "relations": []
    }


def test_extract_relations_runs_every_extractor(tmp_path: Path) -> None:
    doc = parse_one(law_file(tmp_path, SELF_REF, n=50))
    assert [r.kind for r in extract_relations(doc)] == [RelationKind.REFERENCE]

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
    guide,
    in_text_reference,
    parts_of,
    repeal_clause,
    replace,
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
    assert list(EXTRACTORS)[:3] == ["phapdien_source", "effect_article", "in_text_reference"]


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


BY_FIELD = (
    "1. Khi chấm dứt hợp đồng làm việc, viên chức được hưởng trợ cấp thôi việc theo quy định của pháp luật về lao "
    "động và pháp luật về bảo hiểm xã hội, trừ trường hợp quy định tại khoản 2 Điều này.\n"
    "2. Viên chức được nghỉ hằng năm theo quy định của pháp luật về cán bộ, công chức, viên chức.\n"
    "3. Việc khen thưởng thực hiện theo quy định của pháp luật."
)


def test_a_field_of_law_is_a_reference_to_resolve_each_field_by_itself(tmp_path: Path) -> None:
    doc = parse_one(law_file(tmp_path, BY_FIELD, n=49))
    fields = [r for r in in_text_reference(doc) if r.target.document and r.target.document.startswith("pháp luật")]
    assert [r.target for r in fields] == [
        LegalRef("pháp luật về lao động"),
        LegalRef("pháp luật về bảo hiểm xã hội"),
        LegalRef("pháp luật về cán bộ, công chức, viên chức"),
    ]
    assert all(r.status is RelationStatus.NEEDS_REVIEW and "field of law" in (r.reason or "") for r in fields)
    assert [r.source_clause for r in fields] == ["1", "1", "2"]
    assert_spans(doc, fields)


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


# ---------------------------------------------------------------------------------------------- replace, guide, bãi bỏ
# laws/Luat-to-chuc-Toa-an-nhan-dan-2014-259724.txt
REPLACES_LAW = "2. Luật này thay thế Luật tổ chức Tòa án nhân dân số 33/2002/QH10."
# laws/Luat-xuat-ban-2012-19-2012-QH13-152712.txt: the amending law named in passing is not replaced
REPLACES_DATED = (
    "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2013 và thay thế Luật xuất bản số 30/2004/QH11 đã được "
    "sửa đổi, bổ sung một số điều theo Luật số 12/2008/QH12."
)
# laws/Luat-hang-khong-dan-dung-Viet-Nam-2006-66-2006-QH11-12983.txt
REPLACES_NAMED = (
    "2. Luật này thay thế Luật hàng không dân dụng Việt Nam ngày 26 tháng 12 năm 1991 và Luật sửa đổi, bổ sung một "
    "số điều của Luật hàng không dân dụng Việt Nam ngày 20 tháng 4 năm 1995."
)
# a circular's reference clause (many circulars): what happens to the texts it cites, not a replacement
REPLACED_PASSIVE = (
    "2. Trường hợp các văn bản quy phạm pháp luật dẫn chiếu tại Thông tư này được sửa đổi, bổ sung hoặc thay thế "
    "thì thực hiện theo văn bản mới ban hành."
)
# laws/Luat-Kien-truc-2019-384114.txt
REPLACES_WORDS = (
    "b) Thay thế cụm từ “quy chế quản lý quy hoạch kiến trúc đô thị” bằng cụm từ “quy chế quản lý kiến trúc” tại "
    "khoản 2 Điều 20 của Luật Nhà ở số 65/2014/QH13;"
)
# phapdien/thuong-mai-dau-tu-chung-khoan/canh-tranh.md (Điều 1 Nghị định số 35/2020/NĐ-CP)
GUIDES_NAMED = "Nghị định này quy định chi tiết các Điều 9, 10, 13, 26, 31, 32, 33, 36, 56 và 82 của Luật Cạnh tranh."
# phapdien/tai-nguyen/hoat-dong-vien-tham.md: the guided decree's own description names no second target
GUIDES_NUMBERED = (
    "1. Thông tư này quy định chi tiết khoản 5 Điều 10 Nghị định số 73/2017/NĐ-CP ngày 14 tháng 6 năm 2017 của "
    "Chính phủ về thu thập, quản lý, khai thác và sử dụng thông tin, dữ liệu tài nguyên và môi trường."
)
# laws/Luat-Dau-tu-theo-hinh-thuc-doi-tac-cong-tu-so-64-2020-QH14-374160.txt
REPEALS_PARTS = (
    "7. Bãi bỏ điểm c khoản 4 và khoản 5 Điều 30, khoản 4 Điều 51 của Luật Quản lý, sử dụng tài sản công số "
    "15/2017/QH14."
)
# laws/Bo-luat-to-tung-dan-su-2015-296861.txt: "Mục 5 Chương XIV" only says where the articles stand
REPEALS_LOCATED = (
    "2. Bãi bỏ các điều 223, 224, 225, 226, 227, 228, 229, 230, 231, 232 và 234 Mục 5 Chương XIV của Bộ luật lao "
    "động số 10/2012/QH13."
)
# laws/Luat-dat-dai-2013-215836.txt (shortened): each ";" item names its own law
REPEALS_ITEMS = (
    "2. Bãi bỏ Điều 57 của Luật hàng không dân dụng Việt Nam số 66/2006/QH11; Điều 2 của Luật số 34/2009/QH12 sửa "
    "đổi, bổ sung Điều 126 của Luật nhà ở và Điều 121 của Luật đất đai; Điều 264 của Luật tố tụng hành chính số "
    "64/2010/QH12."
)
# laws/Luat-Quan-ly-ngoai-thuong-2017-322219.txt (Ð is the look-alike capital eth of the original)
REPEALS_LIST = (
    "2. Các pháp lệnh sau đây hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành, trừ trường hợp quy định tại "
    "Ðiều 113 của Luật này:\n"
    "a) Pháp lệnh về Tự vệ trong nhập khẩu hàng hóa nước ngoài vào Việt Nam số 42/2002/PL-UBTVQH10;\n"
    "b) Pháp lệnh Chống bán phá giá hàng hóa nhập khẩu vào Việt Nam số 20/2004/PL-UBTVQH11;\n"
    "c) Pháp lệnh Chống trợ cấp hàng hóa nhập khẩu vào Việt Nam số 22/2004/PL-UBTVQH11."
)
# laws/Luat-Doanh-nghiep-so-59-2020-QH14-427301.txt: the article is titled "Điều khoản thi hành"
DN_REPEAL = "2. Luật Doanh nghiệp số 68/2014/QH13 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."


def _doc(tmp_path: Path, body: str, *, kind: str = "Luật", so: str = "59/2020/QH14", effect: str = "Hiệu lực thi hành",
         effective: str = "01 tháng 01 năm 2021", tail: str = "") -> LegalDocument:  # fmt: skip
    path = tmp_path / f"{so.replace('/', '-')}.txt"
    path.write_text(
        f"{'Luật số' if kind == 'Luật' else 'Số'}: {so}\nHà Nội, ngày 17 tháng 6 năm 2020\n{kind.upper()}\n"
        "THỬ NGHIỆM QUAN HỆ\n"
        f"Điều 1. Phạm vi điều chỉnh\n{body}\nĐiều 2. {effect}\n1. {kind} này có hiệu lực thi hành từ ngày "
        f"{effective}.\n{tail}\n",
        encoding="utf-8",
    )
    return parse_one(path)


def test_new_extractors_are_registered() -> None:
    assert {"replace", "guide", "repeal_clause"} <= set(EXTRACTORS)


def test_replace_whole_document_from_its_date_or_the_replacing_documents(tmp_path: Path) -> None:
    doc = _doc(tmp_path, f"{REPLACES_LAW}\n{REPLACES_DATED}", so="62/2014/QH13", effective="01 tháng 6 năm 2015")
    rels = list(replace(doc))
    assert [(r.target.document, r.effective, r.status) for r in rels] == [
        ("33/2002/QH10", dt.date(2015, 6, 1), RelationStatus.APPLIED),  # the replacing law's own date
        ("30/2004/QH11", dt.date(2013, 7, 1), RelationStatus.APPLIED),  # the date its sentence states
    ]
    assert all(r.kind is RelationKind.REPLACE and r.source_document == "62/2014/QH13" for r in rels)
    assert_spans(doc, rels)


def test_replace_named_without_number_needs_review_and_passive_is_no_replace(tmp_path: Path) -> None:
    doc = _doc(tmp_path, f"{REPLACES_NAMED}\n{REPLACED_PASSIVE}", so="66/2006/QH11")
    rels = list(replace(doc))
    assert [r.target.document for r in rels] == [
        "Luật hàng không dân dụng Việt Nam ngày 26 tháng 12 năm 1991",
        "Luật sửa đổi, bổ sung một số điều của Luật hàng không dân dụng Việt Nam ngày 20 tháng 4 năm 1995",
    ]
    assert all(r.status is RelationStatus.NEEDS_REVIEW and "without a number" in (r.reason or "") for r in rels)


def test_replace_words_in_a_clause_of_another_law(tmp_path: Path) -> None:
    doc = _doc(tmp_path, REPLACES_WORDS, so="40/2019/QH14", effective="01 tháng 7 năm 2020")
    (rel,) = replace(doc)
    assert rel.target == LegalRef("65/2014/QH13", "20", "2")
    assert (rel.effective, rel.status) == (dt.date(2020, 7, 1), RelationStatus.APPLIED)
    assert_spans(doc, [rel])


def test_guide_named_law_needs_review_numbered_decree_applied(tmp_path: Path) -> None:
    doc = _doc(tmp_path, GUIDES_NAMED, kind="Nghị định", so="35/2020/NĐ-CP", effective="15 tháng 5 năm 2020")
    rels = list(guide(doc))
    assert [r.target.article for r in rels] == ["9", "10", "13", "26", "31", "32", "33", "36", "56", "82"]
    assert {(r.kind, r.target.document, r.source_document, r.effective) for r in rels} == {
        (RelationKind.GUIDE, "Luật Cạnh tranh", "35/2020/NĐ-CP", dt.date(2020, 5, 15))
    }
    assert all(r.status is RelationStatus.NEEDS_REVIEW for r in rels)
    doc = _doc(tmp_path, GUIDES_NUMBERED, kind="Thông tư", so="03/2019/TT-BTNMT", effective="20 tháng 02 năm 2019")
    (rel,) = guide(doc)
    assert rel.target == LegalRef("73/2017/NĐ-CP", "10", "5")
    assert (rel.effective, rel.status) == (dt.date(2019, 2, 20), RelationStatus.APPLIED)
    assert_spans(doc, [rel])


def test_repeal_clause_down_to_point_and_located_articles(tmp_path: Path) -> None:
    doc = _doc(tmp_path, f"{REPEALS_PARTS}\n{REPEALS_LOCATED}", so="64/2020/QH14")
    rels = list(repeal_clause(doc))
    assert [(r.target.document, r.target.article, r.target.clause, r.target.point) for r in rels[:3]] == [
        ("15/2017/QH14", "30", "4", "c"),
        ("15/2017/QH14", "30", "5", None),  # point c belongs to khoản 4 only
        ("15/2017/QH14", "51", "4", None),
    ]
    assert [r.target.article for r in rels[3:]] == [str(n) for n in (*range(223, 233), 234)]
    assert {r.target.document for r in rels[3:]} == {"10/2012/QH13"}
    assert all(r.status is RelationStatus.APPLIED and r.effective == dt.date(2021, 1, 1) for r in rels)
    assert_spans(doc, rels)


def test_repeal_clause_items_each_name_their_law(tmp_path: Path) -> None:
    rels = list(repeal_clause(_doc(tmp_path, REPEALS_ITEMS, so="45/2013/QH13")))
    assert [(r.target.document, r.target.article, r.status) for r in rels] == [
        ("66/2006/QH11", "57", RelationStatus.APPLIED),
        ("34/2009/QH12", "2", RelationStatus.APPLIED),
        (None, "121", RelationStatus.NEEDS_REVIEW),  # "Luật đất đai": no number, not the next item's law
        ("64/2010/QH12", "264", RelationStatus.APPLIED),
    ]


def test_effect_article_list_of_points_and_dieu_khoan_thi_hanh(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "Nội dung.", so="05/2017/QH14", effective="01 tháng 01 năm 2018", tail=REPEALS_LIST)
    rels = list(effect_article(doc))
    assert [r.target.document for r in rels] == ["42/2002/PL-UBTVQH10", "20/2004/PL-UBTVQH11", "22/2004/PL-UBTVQH11"]
    assert {r.text for r in rels} == {REPEALS_LIST}  # the whole clause, its list included
    assert all(r.effective == dt.date(2018, 1, 1) and "trừ" in (r.reason or "") for r in rels)
    assert_spans(doc, rels)
    doc = _doc(tmp_path, "Nội dung.", effect="Điều khoản thi hành", tail=DN_REPEAL)
    (rel,) = effect_article(doc)
    assert (rel.target, rel.effective) == (LegalRef("68/2014/QH13"), dt.date(2021, 1, 1))
    assert rel.status is RelationStatus.APPLIED


@pytest.mark.shared
def test_guide_and_replace_in_compiled_text_take_the_original_documents_date() -> None:
    doc = parse_one(shared_path("phapdien/thuong-mai-dau-tu-chung-khoan/canh-tranh.md"))
    by_35 = [r for r in guide(doc) if r.source_document == "35/2020/NĐ-CP" and r.target.document == "Luật Cạnh tranh"]
    assert {r.target.article for r in by_35} >= {"9", "82"}
    assert {r.effective for r in by_35} == {dt.date(2020, 5, 15)}
    assert_spans(doc, by_35)


# -- a document's standing, derived from the corpus (ingest/standing.py, `kho docs --as-of`) ----------------------


@pytest.mark.shared
def test_kho_docs_shows_68_2014_repealed_from_2021_with_the_sentence_of_59_2020(tmp_path: Path) -> None:
    from tests.conftest import kho_json

    old = shared_path("laws/Luat-Doanh-nghiep-2014-259730.txt")
    new = shared_path("laws/Luat-Doanh-nghiep-so-59-2020-QH14-427301.txt")
    env = {"KHO_DATA_DIR": str(tmp_path / "data"), "KHO_EMBEDDINGS_CACHE_DIR": str(tmp_path / "emb")}
    kho_json("ingest", str(old), str(new), "--no-index", env=env)
    docs = {d["so_hieu"]: d for d in kho_json("docs", env=env)["documents"]}
    ended = docs["68/2014/QH13"]["standing"]
    assert ended["status"] == "het_hieu_luc_toan_bo" and ended["since"] == "2021-01-01"
    assert ended["by"] == "59/2020/QH14"
    assert "68/2014/QH13 hết hiệu lực" in ended["reason"]
    # nobody in this corpus repeals 59/2020/QH14: that is said, not "còn hiệu lực"
    assert docs["59/2020/QH14"]["standing"]["status"] == "khong_co_van_ban_bai_bo"
    before = {d["so_hieu"]: d for d in kho_json("docs", "--as-of", "2019-06-01", env=env)["documents"]}
    assert before["68/2014/QH13"]["standing"]["status"] == "khong_co_van_ban_bai_bo"  # not yet repealed then
    earlier = {d["so_hieu"]: d for d in kho_json("docs", "--as-of", "2014-12-31", env=env)["documents"]}
    assert earlier["68/2014/QH13"]["standing"]["status"] == "chua_co_hieu_luc"  # in force from 2015-07-01


def test_an_export_or_admin_validity_wins_over_the_derivation_and_says_so() -> None:
    import datetime as dt

    from ingest.model import DocumentMeta, Validity
    from ingest.relations import LegalRef, Relation, RelationKind
    from ingest.standing import standing

    text = "Luật số 1/2000/QH10 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."
    repeal = Relation(
        RelationKind.REPEAL, "2/2010/QH12", LegalRef("1/2000/QH10"), text, 0, len(text), dt.date(2011, 1, 1)
    )
    meta = DocumentMeta(title="Luật X", so_hieu="1/2000/QH10")
    assert standing(meta, [repeal], dt.date(2012, 1, 1)).status.value == "het_hieu_luc_toan_bo"
    meta.hieu_luc, meta.hieu_luc_reason = Validity.CON_HIEU_LUC, "theo CSDL quốc gia"
    said = standing(meta, [repeal], dt.date(2012, 1, 1))
    assert said.status.value == "con_hieu_luc" and said.found_by == "export" and said.reason == "theo CSDL quốc gia"

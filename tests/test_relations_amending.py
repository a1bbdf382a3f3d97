"""Amending documents' own items — "1. Khoản 1 Điều 29 được sửa đổi, bổ sung như sau:" — read from their heading
sentences, never from the new wording they quote; and guidance stated only by a decree's title."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.settings import Settings
from ingest.model import LegalDocument
from ingest.parse import parse_file
from ingest.relations import (
    EXTRACTORS,
    LegalRef,
    Relation,
    RelationKind,
    RelationStatus,
    amended_wording,
    amending_items,
    extract_relations,
    guide,
    parts_of,
)

A, S, R = RelationKind.AMEND, RelationKind.SUPPLEMENT, RelationKind.REPEAL


def make_doc(
    tmp_path: Path,
    articles: str,
    *,
    kind: str = "Luật",
    so: str = "52/2019/QH14",
    effective: str | None = "01 tháng 7 năm 2020",
    subject: str = "THỬ NGHIỆM SỬA ĐỔI",
) -> LegalDocument:
    """A document of `kind` with `articles` ("Điều 1. …") and, last, its "Hiệu lực thi hành" article."""
    eff = f"{kind} này có hiệu lực thi hành từ ngày {effective}." if effective else f"{kind} này được thi hành."
    n = articles.count("\nĐiều ") + 2
    path = tmp_path / f"{so.replace('/', '-')}.txt"
    path.write_text(
        f"{'Luật số' if kind == 'Luật' else 'Số'}: {so}\nHà Nội, ngày 25 tháng 11 năm 2019\n{kind.upper()}\n{subject}\n"
        f"{articles}\nĐiều {n}. Hiệu lực thi hành\n{eff}\n",
        encoding="utf-8",
    )
    (doc,) = parse_file(path, Settings(data_dir=tmp_path / "data"))
    return doc


def facts(rels: list[Relation]) -> list[tuple[str, str | None, str | None, str | None, str | None]]:
    return [(r.kind.value, r.target.document, r.target.article, r.target.clause, r.target.point) for r in rels]


def assert_spans(doc: LegalDocument, rels: list[Relation]) -> None:
    for r in rels:
        assert doc.text[r.start : r.end] == r.text


# A stand-alone amending law: the amended law is named once, in Điều 1's heading. The quoted new wording holds
# "Bãi bỏ …", "… hết hiệu lực …", "… của Luật này" and "1. …" lines that are the amended law's, not events.
AMENDING_LAW = """Điều 1. Sửa đổi, bổ sung một số điều của Luật Cán bộ, công chức số 22/2008/QH12
1. Khoản 1 Điều 29 được sửa đổi, bổ sung như sau:
“1. Cán bộ được bầu cử theo quy định tại khoản 2 Điều 7 của Luật này.”.
2. Sửa đổi, bổ sung khoản 2 Điều 5 như sau:
“2. Việc quản lý cán bộ thực hiện theo quy định của Bộ luật Lao động số 45/2019/QH14.”.
3. Bổ sung Điều 29a vào sau Điều 29 như sau:
“Điều 29a. Cán bộ dôi dư
1. Bãi bỏ khoản 4 Điều 8 của Luật Viên chức số 58/2010/QH12.
2. Luật Cán bộ số 11/2003/QH11 hết hiệu lực kể từ ngày Luật này có hiệu lực.”.
4. Bổ sung điểm e vào sau điểm đ khoản 1 Điều 10 như sau:
“e) Đối tượng khác.”.
5. Sửa đổi, bổ sung khoản 1 và khoản 3 Điều 9 như sau:
“1. Cán bộ cấp tỉnh.
3. Cán bộ cấp xã.”.
6. Bãi bỏ khoản 3 Điều 7."""


def test_amending_items_is_registered_after_the_other_rules() -> None:
    assert list(EXTRACTORS)[-1] == "amending_items"


def test_each_item_heading_amends_or_supplements_the_law_named_by_its_article(tmp_path: Path) -> None:
    doc = make_doc(tmp_path, AMENDING_LAW)
    rels = list(amending_items(doc))
    assert facts(rels) == [
        ("amend", "22/2008/QH12", "29", "1", None),
        ("supplement", "22/2008/QH12", "29", "1", None),
        ("amend", "22/2008/QH12", "5", "2", None),
        ("supplement", "22/2008/QH12", "5", "2", None),
        ("supplement", "22/2008/QH12", "29a", None, None),  # the new article, not Điều 29 it follows
        ("supplement", "22/2008/QH12", "10", "1", "e"),  # the new point, in the clause of the one it follows
        ("amend", "22/2008/QH12", "9", "1", None),
        ("amend", "22/2008/QH12", "9", "3", None),
        ("supplement", "22/2008/QH12", "9", "1", None),
        ("supplement", "22/2008/QH12", "9", "3", None),
        ("repeal", "22/2008/QH12", "7", "3", None),  # repeal_clause cannot: the item names no law
    ]
    assert [r.text for r in rels[:1]] == ["1. Khoản 1 Điều 29 được sửa đổi, bổ sung như sau:"]
    assert {r.text for r in rels[4:5]} == {"3. Bổ sung Điều 29a vào sau Điều 29 như sau:"}
    assert [r.source_clause for r in rels[::2]] == ["1", "2", "3", "5", "5", "6"]
    assert all(r.status is RelationStatus.APPLIED and r.effective == dt.date(2020, 7, 1) for r in rels)
    assert {(r.source_document, r.source_article) for r in rels} == {("52/2019/QH14", "1")}
    assert_spans(doc, rels)


def test_quoted_new_wording_states_no_relation_of_the_amending_law(tmp_path: Path) -> None:
    doc = make_doc(tmp_path, AMENDING_LAW)
    rels = extract_relations(doc)
    wording = amended_wording(doc)
    assert len(wording) == 5
    assert all(doc.text[s : e + 1].startswith("“") for s, e in wording)
    # the quoted "Bãi bỏ …", "… hết hiệu lực", "khoản 2 Điều 7 của Luật này", "Bộ luật Lao động số …" are not events
    assert {r.target.document for r in rels} == {"22/2008/QH12"}
    assert not any(s <= r.start < e for r in rels for s, e in wording)
    assert [r for r in rels if r.kind is R] == [r for r in amending_items(doc) if r.kind is R]


# laws/Bo-Luat-lao-dong-2019-333670.txt, Điều 219 (shortened): each numbered item names its law, the lettered items
# under it name only parts; "tên điều, khoản 1" and "các khoản 1a, 1b và 1c" are parts of Điều 32 of item 2
BLLD_219 = """Điều 1. Sửa đổi, bổ sung một số điều của các luật có liên quan đến lao động
1. Sửa đổi, bổ sung một số điều của Luật Bảo hiểm xã hội số 58/2014/QH13 đã được sửa đổi, bổ sung theo Luật số 84/2015/QH13 và Luật số 35/2018/QH14:
a) Sửa đổi, bổ sung Điều 54 như sau:
“Điều 54. Điều kiện hưởng lương hưu
1. Người lao động quy định tại các điểm a, b, c, d, g, h và i khoản 1 Điều 2 của Luật này được hưởng lương hưu:
a) Đủ tuổi theo quy định tại khoản 2 Điều 169 của Bộ luật Lao động;
b) Bổ sung hồ sơ theo quy định.”;
b) Sửa đổi, bổ sung khoản 1 Điều 73 như sau:
“1. Người lao động hưởng lương hưu khi đủ tuổi.”.
2. Sửa đổi, bổ sung Điều 32 của Bộ luật Tố tụng dân sự số 92/2015/QH13 như sau:
a) Sửa đổi, bổ sung tên điều, khoản 1; bổ sung các khoản 1a, 1b và 1c vào sau khoản 1 như sau:
“Điều 32. Những tranh chấp về lao động thuộc thẩm quyền giải quyết của Tòa án
1a. Tranh chấp lao động cá nhân.
1b. Tranh chấp lao động tập thể về quyền.
1c. Tranh chấp lao động tập thể về lợi ích.”;
b) Bãi bỏ khoản 2 Điều 32."""  # noqa: E501


def test_lettered_items_take_the_law_and_article_of_the_item_above_them(tmp_path: Path) -> None:
    doc = make_doc(tmp_path, BLLD_219, so="45/2019/QH14", effective="01 tháng 01 năm 2021")
    rels = extract_relations(doc)
    assert {f for f in facts(rels) if f[0] == "amend"} == {
        ("amend", "58/2014/QH13", "54", None, None),  # not 84/2015/QH13, which amended it earlier
        ("amend", "58/2014/QH13", "73", "1", None),
        ("amend", "92/2015/QH13", "32", None, None),  # "tên điều"
        ("amend", "92/2015/QH13", "32", "1", None),
    }
    added = [f[3] for f in facts(rels) if f[0] == "supplement" and f[1] == "92/2015/QH13"]
    assert added == [None, "1", "1a", "1b", "1c"]
    assert [f for f in facts(rels) if f[0] == "repeal"] == [("repeal", "92/2015/QH13", "32", "2", None)]
    assert [r.kind for r in rels if r.kind not in (A, S, R)] == []  # the quoted "Luật này", "Bộ luật Lao động"
    assert all(r.effective == dt.date(2021, 1, 1) and r.status is RelationStatus.APPLIED for r in rels)
    assert_spans(doc, rels)


# laws/Luat-Hai-quan-2014-238637.txt, Điều 101: the heading breaks after its verb; "bỏ cụm từ" amends a point, and
# the words it drops quote the amended law ("… khoản 2 Điều 34 của Luật này") — no reference of the customs law
HAI_QUAN_101 = """Điều 1. Sửa đổi, bổ sung một số điều của Luật quản lý thuế số 78/2006/QH11 đã được sửa đổi, bổ sung một số điều theo Luật số 21/2012/QH13
1. Sửa đổi
khoản 5 Điều 4 như sau:
“5. Áp dụng chế độ ưu tiên khi thực hiện các thủ tục về thuế.”
2. Bãi bỏ
điểm d khoản 3 Điều 77; bỏ cụm từ “tại trụ sở người nộp thuế theo quy định tại khoản 2 Điều 34 của Luật này” tại điểm a khoản 1 Điều 78.
3. Sửa cụm từ “kể từ ngày đăng ký tờ khai” tại điểm a khoản 2 Điều 107 thành cụm từ “kể từ ngày thông quan”."""  # noqa: E501


def test_heading_split_over_lines_and_dropped_words(tmp_path: Path) -> None:
    doc = make_doc(tmp_path, HAI_QUAN_101, so="54/2014/QH13", effective="01 tháng 01 năm 2015")
    rels = extract_relations(doc)
    assert facts(rels) == [
        ("amend", "78/2006/QH11", "4", "5", None),
        ("repeal", "78/2006/QH11", "77", "3", "d"),
        ("amend", "78/2006/QH11", "78", "1", "a"),
        ("amend", "78/2006/QH11", "107", "2", "a"),
    ]
    assert rels[0].text == "1. Sửa đổi\nkhoản 5 Điều 4 như sau:"
    assert_spans(doc, rels)


def test_unresolved_law_date_or_annex_needs_review(tmp_path: Path) -> None:
    body = (
        "Điều 1. Sửa đổi, bổ sung quy định của một số luật khác\n"
        "1. Sửa đổi khoản 2 Điều 5 như sau:\n“2. Nội dung mới.”.\n"
        # laws/Luat-Dau-tu-cong-2019-362113.txt: the law is named without its number
        "2. Sửa đổi điểm a khoản 2 Điều 25 của Luật Bảo vệ môi trường như sau:\n“a) Nội dung mới;”.\n"
        # laws/Luat-khi-tuong-thuy-van-2015-298371.txt: an annex, not an article
        "3. Bổ sung vào Phụ lục 4 Danh mục ngành, nghề đầu tư kinh doanh có điều kiện của Luật đầu tư số "
        "67/2014/QH13 như sau:\n“Kinh doanh dịch vụ dự báo, cảnh báo khí tượng thủy văn.”."
    )
    rels = list(amending_items(make_doc(tmp_path, body, effective=None)))
    assert facts(rels) == [
        ("amend", None, "5", "2", None),
        ("amend", "Luật Bảo vệ môi trường", "25", "2", "a"),
        ("supplement", "67/2014/QH13", None, None, None),
    ]
    assert all(r.status is RelationStatus.NEEDS_REVIEW and r.effective is None for r in rels)
    assert ["not named" in (r.reason or "") for r in rels] == [True, False, False]
    assert "without a number" in (rels[1].reason or "")
    assert "annex" in (rels[2].reason or "")
    assert all("effective date is not known" in (r.reason or "") for r in rels)


def test_items_that_name_their_law_are_read_once(tmp_path: Path) -> None:
    body = (
        "Điều 1. Sửa đổi, bổ sung, bãi bỏ một số điều của các luật có liên quan đến quản lý cư trú\n"
        # laws/Luat-68-2020-QH14-cu-tru-435315.txt and laws/Luat-Kien-truc-2019-384114.txt
        "1. Bãi bỏ điểm b khoản 1 Điều 45 của Luật Lý lịch tư pháp số 28/2009/QH12.\n"
        "2. Thay thế cụm từ “quy chế quản lý quy hoạch kiến trúc đô thị” bằng cụm từ “quy chế quản lý kiến trúc” "
        "tại khoản 2 Điều 20 của Luật Nhà ở số 65/2014/QH13."
    )
    rels = extract_relations(make_doc(tmp_path, body, so="68/2020/QH14"))
    assert facts(rels) == [
        ("repeal", "28/2009/QH12", "45", "1", "b"),  # by repeal_clause
        ("replace", "65/2014/QH13", "20", "2", None),  # by replace
    ]


def test_article_about_amending_a_contract_is_no_amending_article(tmp_path: Path) -> None:
    # laws/Bo-Luat-lao-dong-2019-333670.txt, Điều 33: "sửa đổi, bổ sung" a contract, not a law
    body = (
        "Điều 1. Sửa đổi, bổ sung hợp đồng lao động\n"
        "1. Sửa đổi, bổ sung khoản 2 Điều 5 như sau:\n“2. Nội dung mới.”.\n"
        "2. Việc sửa đổi, bổ sung hợp đồng lao động được tiến hành bằng việc ký kết phụ lục hợp đồng."
    )
    doc = make_doc(tmp_path, body)
    assert list(amending_items(doc)) == [] and amended_wording(doc) == []


def test_parts_read_clauses_added_by_an_amendment() -> None:
    assert [(r.article, r.clause) for r in parts_of("các khoản 1a, 1b và 1c Điều 32")] == [
        ("32", "1a"),
        ("32", "1b"),
        ("32", "1c"),
    ]


# ---------------------------------------------------------------------------------------------- guide by title
def test_decree_title_states_what_it_details(tmp_path: Path) -> None:
    # originals/nghi_dinh/nghi_dinh_356_2025_ND_CP.docx: the title runs over two lines, the body says nothing more
    doc = make_doc(
        tmp_path,
        "Điều 1. Đối tượng áp dụng\nNghị định này áp dụng đối với cơ quan, tổ chức, cá nhân.",
        kind="Nghị định",
        so="356/2025/NĐ-CP",
        effective="01 tháng 01 năm 2026",
        subject="Quy định chi tiết một số điều và biện pháp thi hành\nLuật Bảo vệ dữ liệu cá nhân",
    )
    (rel,) = guide(doc)
    assert (rel.kind, rel.target, rel.effective) == (
        RelationKind.GUIDE,
        LegalRef("Luật Bảo vệ dữ liệu cá nhân"),
        dt.date(2026, 1, 1),
    )
    assert rel.status is RelationStatus.NEEDS_REVIEW and "without a number" in (rel.reason or "")
    assert rel.text == "Quy định chi tiết một số điều và biện pháp thi hành\nLuật Bảo vệ dữ liệu cá nhân"
    assert_spans(doc, [rel])


def test_upper_case_title_with_a_number_is_applied_and_a_body_sentence_wins(tmp_path: Path) -> None:
    title = "QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU CỦA LUẬT VIÊN CHỨC SỐ 58/2010/QH12"
    doc = make_doc(tmp_path, "Điều 1. Đối tượng\nÁp dụng chung.", kind="Nghị định", so="115/2020/NĐ-CP",
                   subject=title)  # fmt: skip
    (rel,) = guide(doc)
    assert (rel.target, rel.status, rel.text) == (LegalRef("58/2010/QH12"), RelationStatus.APPLIED, title)
    body = "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định chi tiết Điều 9 của Luật Viên chức số 58/2010/QH12."
    doc = make_doc(tmp_path, body, kind="Nghị định", so="115/2020/NĐ-CP", subject=title)
    assert [(r.target.article, r.source_article) for r in guide(doc)] == [("9", "1")]


def test_title_guiding_the_law_in_general_names_no_document(tmp_path: Path) -> None:
    # originals/nghi_quyet/nghi_quyet_01_2019_NQ_HDTP.docx: "pháp luật" is no law's name
    title = "HƯỚNG DẪN ÁP DỤNG MỘT SỐ QUY ĐỊNH CỦA PHÁP LUẬT VỀ LÃI, LÃI SUẤT, PHẠT VI PHẠM"
    doc = make_doc(tmp_path, "Điều 1. Phạm vi\nÁp dụng chung.", kind="Nghị quyết", so="01/2019/NQ-HĐTP",
                   subject=title)  # fmt: skip
    assert list(guide(doc)) == []

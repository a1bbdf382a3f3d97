"""The parse contract on real documents of ../shared: what `kho parse --json` promises reviewers."""

from __future__ import annotations

import unicodedata

from tests.conftest import kho_json, shared_path

VIEN_CHUC = "laws/Luat-vien-chuc-2010-115271.txt"


def test_luat_vien_chuc_has_its_number_62_articles_and_article_29_structure() -> None:
    out = kho_json("parse", str(shared_path(VIEN_CHUC)))
    doc = out["document"]
    assert doc["so_hieu"] == "58/2010/QH12"
    assert doc["loai"] == "Luật"
    assert doc["co_quan"] == "Quốc hội"
    assert doc["ngay_ban_hanh"] == "2010-11-15"
    assert doc["ngay_hieu_luc"] == "2012-01-01"
    assert doc["title"] == "Luật Viên chức"
    assert len(out["articles"]) == 62
    art29 = next(a for a in out["articles"] if a["number"] == "29")
    assert art29["title"] == "Đơn phương chấm dứt hợp đồng làm việc"
    assert [c["number"] for c in art29["clauses"]] == ["1", "2", "3", "4", "5", "6"]
    assert [p["letter"] for p in art29["clauses"][0]["points"]] == ["a", "b", "c", "d", "đ"]
    assert [p["letter"] for p in art29["clauses"][4]["points"]] == ["a", "b", "c", "d", "đ", "e"]


def test_chunks_cite_the_article_and_their_offsets_point_at_their_text() -> None:
    path = shared_path(VIEN_CHUC)
    out = kho_json("parse", str(path))
    from core.text import clean_extracted

    text = clean_extracted(path.read_text(encoding="utf-8"))
    art29 = [c for c in out["chunks"] if c["citation"]["article"] == "29"]
    assert art29, "Điều 29 has chunks"
    for c in out["chunks"]:
        assert text[c["start"] : c["end"]] == c["text"]
        assert c["citation"]["document"] == "58/2010/QH12"
        assert c["heading_path"][0] == "Luật Viên chức"
    first = art29[0]
    assert first["anchor"].startswith("Khoản 1 Điều 29") or first["anchor"].startswith("Điều 29")
    assert first["anchor"].endswith("58/2010/QH12")
    assert any("Điều 29. Đơn phương chấm dứt hợp đồng làm việc" in h for h in first["heading_path"])
    ids = [c["id"] for c in out["chunks"]]
    assert len(ids) == len(set(ids))


def test_parse_is_deterministic_same_content_same_ids() -> None:
    path = str(shared_path(VIEN_CHUC))
    a = kho_json("parse", path)
    b = kho_json("parse", path)
    assert [c["id"] for c in a["chunks"]] == [c["id"] for c in b["chunks"]]


def test_phapdien_article_33_of_decree_30_2020_has_its_source_and_dates() -> None:
    out = kho_json("parse", str(shared_path("phapdien/van-thu-luu-tru/cong-tac-van-thu.md")))
    art = next(
        a
        for a in out["articles"]
        if a["source"] and a["source"]["document"] == "30/2020/NĐ-CP" and a["source"]["article"] == "33"
    )
    assert art["number"] == "42.1.NĐ.33"
    assert art["source"]["ngay_hieu_luc"] == "2020-03-05"
    # the decree's issue date is written only in the source line of its first compiled article
    assert art["source"]["ngay_ban_hanh"] == "2020-03-05"
    assert [c["number"] for c in art["clauses"]][:2] == ["1", "2"]
    assert [p["letter"] for p in art["clauses"][0]["points"]][:5] == ["a", "b", "c", "d", "đ"]
    chunk = next(
        c for c in out["chunks"] if c["citation"]["document"] == "30/2020/NĐ-CP" and c["citation"]["article"] == "33"
    )
    assert "Điều 33 Nghị định 30/2020/NĐ-CP" in chunk["anchor"]
    # the unreliable table at the top is not part of the text, and the trailing heading list is not parsed twice
    assert not any("Đang cập nhật" in c["text"] for c in out["chunks"])
    numbers = [a["number"] for a in out["articles"]]
    assert len(numbers) == len(set(numbers))


def test_phapdien_cross_references_are_kept_as_links() -> None:
    out = kho_json("parse", str(shared_path("phapdien/van-thu-luu-tru/cong-tac-van-thu.md")))
    art1 = next(a for a in out["articles"] if a["number"] == "42.1.NĐ.1")
    assert art1["links"] == ["Điều 39.12.NĐ.1. Phạm vi điều chỉnh"]
    chunk = next(
        c for c in out["chunks"] if c["citation"]["article"] == "1" and c["citation"]["document"] == "30/2020/NĐ-CP"
    )
    assert "có nội dung liên quan" not in chunk["text"]


def test_phapdien_appendix_file_names_are_not_law_text() -> None:
    # the export prints "Phu luc kem theo Nghi dinh so 30_2020.NĐ-CP.doc" (a link to the appendix file) after an
    # article: it was parsed as the last words of its last Khoản and quoted to readers as the law
    out = kho_json("parse", str(shared_path("phapdien/van-thu-luu-tru/cong-tac-van-thu.md")))
    assert not any(".doc" in c["text"] for c in out["chunks"])
    copies = next(
        c for c in out["chunks"] if c["citation"]["document"] == "30/2020/NĐ-CP" and c["citation"]["article"] == "25"
    )
    assert copies["text"].rstrip().endswith("trích sao được thực hiện theo quy định tại Phụ lục I Nghị định này.")


def test_decree_356_2025_docx_has_number_articles_and_diacritics() -> None:
    out = kho_json("parse", str(shared_path("originals/nghi_dinh/nghi_dinh_356_2025_ND_CP.docx")))
    doc = out["document"]
    assert doc["so_hieu"] == "356/2025/NĐ-CP"
    assert doc["loai"] == "Nghị định"
    assert doc["co_quan"] == "Chính phủ"
    assert len(out["articles"]) >= 20
    assert out["articles"][0]["number"] == "1"
    text = " ".join(c["text"] for c in out["chunks"])
    assert "dữ liệu cá nhân" in text
    assert unicodedata.is_normalized("NFC", text)


def test_ministry_plan_sections_are_anchored_by_section_path() -> None:
    out = kho_json("parse", str(shared_path("ministry/ke-hoach-chuyen-doi-so-bnv-2024.txt")))
    doc = out["document"]
    assert doc["loai"] == "Kế hoạch"
    assert doc["co_quan"] == "Bộ Nội vụ"
    assert [a["number"] for a in out["articles"]][:3] == ["I", "II", "III"]
    assert all(a["label"] == "Mục" for a in out["articles"])
    anchors = [c["anchor"] for c in out["chunks"]]
    assert any(a.startswith("Mục III.1") for a in anchors)
    # hard-wrapped PDF lines are joined back into sentences
    assert any(
        "Căn cứ Nghị quyết số 52-NQ/TW ngày 27 tháng 9 năm 2019 của Bộ Chính trị" in c["text"] for c in out["chunks"]
    )


def test_alqac_json_gives_one_document_per_law_named_by_title() -> None:
    out = kho_json("parse", str(shared_path("alqac/law.json")))
    assert isinstance(out, list) and len(out) == 17
    vc = next(d for d in out if d["document"]["title"] == "Luật Viên chức")
    assert vc["document"]["loai"] == "Luật"
    art = next(a for a in vc["articles"] if a["number"] == "29")
    assert art["clauses"], "ALQAC article text keeps its clauses"
    chunk = next(c for c in vc["chunks"] if c["citation"]["article"] == "29")
    assert chunk["citation"]["document"] == "Luật Viên chức"
    assert len({d["id"] for d in out}) == 17


def test_phapdien_headings_glued_to_the_line_before_are_articles_of_their_own() -> None:
    """One compiled heading in five is printed glued to the end of the line before it ("… quản lý viên chức.Điều
    5.2.NĐ.11.32. Trình tự, …"): the article lost its title and the article before it was quoted ending with its
    neighbour's heading (live, Khoản 4 Điều 31 Nghị định 112/2020/NĐ-CP); so are "(Điều này có nội dung liên quan
    đến …)" notes, which were quoted as the law's words, and some source lines are wrapped."""
    import re

    from core.settings import get_settings
    from ingest.parse import parse_file

    doc = parse_file(shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md"), get_settings())[0]
    by_number = {a.number: a for a in doc.articles}
    procedure = by_number["5.2.NĐ.11.32"]
    assert procedure.title == "Trình tự, thủ tục xử lý kỷ luật đối với viên chức"
    assert procedure.source is not None and (procedure.source.document, procedure.source.article) == (
        "112/2020/NĐ-CP",
        "32",
    )
    authority = doc.text[by_number["5.2.NĐ.11.31"].start : by_number["5.2.NĐ.11.31"].end]
    assert authority.rstrip().endswith("theo quy định của cơ quan có thẩm quyền quản lý viên chức.")
    glued = re.compile(r"[^\s(]Điều\s+\d+(?:\.\d+)*\.[A-ZĐ]+(?:\.\d+)+\.\s|\S\(Điều này có nội dung liên quan")
    assert not [a.number for a in doc.articles if glued.search(doc.text[a.heading_end : a.end])]
    # a source line wrapped over two lines: the article had no source, so no document, dates or validity
    scope = by_number["5.2.TT.26.1"].source
    assert scope is not None and (scope.document, scope.article) == ("145/2017/TT-BTC", "1")

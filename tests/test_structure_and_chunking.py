"""Legal structure and chunking on small texts written for the test: the rules that real documents rely on."""

from __future__ import annotations

import datetime as dt

from ingest.chunking import chunk_document
from ingest.metadata import find_effective_date, parse_header, parse_source_line
from ingest.model import DocumentMeta, LegalDocument
from ingest.structure import needs_reflow, parse_articles, parse_sections, reflow

LAW = """QUỐC HỘI
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc
Luật số: 99/2099/QH99
Hà Nội, ngày 01 tháng 07 năm 2099
LUẬT
THỬ NGHIỆM
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Phần thứ nhất
NHỮNG QUY ĐỊNH CHUNG
Chương I
PHẠM VI
Mục 1. ĐIỀU CHỈNH
Điều 1. Phạm vi điều chỉnh
1. Khoản một gồm:
a) điểm a;
b) điểm b;
2020. Một dòng bắt đầu bằng số năm không phải khoản.
2. Khoản hai.
c) dòng c lạc không theo thứ tự điểm của khoản hai.
Điều 2
Nội dung điều hai không có tiêu đề.
Điều 5 của Luật này được viện dẫn ở đầu dòng nhưng không phải tiêu đề điều.
Điều 3. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2100.
Luật này đã được Quốc hội khóa XV, kỳ họp thứ 9 thông qua ngày 01 tháng 07 năm 2099.
CHỦ TỊCH QUỐC HỘI
"""


def test_articles_clauses_and_points_follow_the_numbering_sequence() -> None:
    arts = parse_articles(LAW)
    assert [a.number for a in arts] == ["1", "2", "3"]
    a1 = arts[0]
    assert a1.part == "Phần thứ nhất. NHỮNG QUY ĐỊNH CHUNG"
    assert a1.chapter == "Chương I. PHẠM VI"
    assert a1.section == "Mục 1. ĐIỀU CHỈNH"
    assert [c.number for c in a1.clauses] == ["1", "2"]
    assert [p.letter for p in a1.clauses[0].points] == ["a", "b"]
    # "2020." is not clause 2 and "c)" under clause 2 is not its first point
    assert "2020. Một dòng" in LAW[a1.clauses[0].start : a1.clauses[0].end]
    assert a1.clauses[1].points == []


def test_bare_article_heading_without_full_stop_is_an_article_and_a_mention_is_not() -> None:
    arts = parse_articles(LAW)
    a2 = arts[1]
    assert a2.title == ""
    assert "Điều 5 của Luật này" in LAW[a2.start : a2.end]


def test_adoption_formula_and_signature_are_not_part_of_the_last_article() -> None:
    a3 = parse_articles(LAW)[-1]
    assert LAW[a3.start : a3.end].endswith("năm 2100.")


def test_header_gives_number_type_issuer_dates_and_title() -> None:
    arts = parse_articles(LAW)
    head = parse_header(LAW, arts[0].start)
    assert head.so_hieu == "99/2099/QH99"
    assert head.loai == "Luật"
    assert head.co_quan == "Quốc hội"
    assert head.ngay_ban_hanh == dt.date(2099, 7, 1)
    effect = arts[-1]
    assert find_effective_date(LAW[effect.start : effect.end], head.ngay_ban_hanh) == dt.date(2100, 1, 1)
    assert find_effective_date("có hiệu lực thi hành kể từ ngày ký.", dt.date(2020, 3, 5)) == dt.date(2020, 3, 5)
    assert head.title == "Luật Thử nghiệm"


def test_source_line_of_a_compiled_article_names_the_original() -> None:
    src = parse_source_line(
        "(Điều 1 Thông tư số 06/2015/TT-BNV Hướng dẫn chức năng của tổ chức văn thư "
        "ngày 08/12/2015 của Bộ Nội vụ, có hiệu lực thi hành kể từ ngày 15/02/2016 )"
    )
    assert src is not None
    assert (src.document, src.article, src.loai) == ("06/2015/TT-BNV", "1", "Thông tư")
    assert src.ngay_ban_hanh == dt.date(2015, 12, 8)
    assert src.ngay_hieu_luc == dt.date(2016, 2, 15)
    assert src.co_quan == "Bộ Nội vụ"
    assert src.trich_yeu == "Hướng dẫn chức năng của tổ chức văn thư"
    assert parse_source_line("(Điều này có nội dung liên quan đến Điều 39.12.NĐ.1. Phạm vi)") is None


def _doc(text: str) -> LegalDocument:
    arts = parse_articles(text)
    meta = DocumentMeta(title="Luật Thử nghiệm", so_hieu="99/2099/QH99", loai="Luật")
    return LegalDocument(meta=meta, text=text, articles=arts, fmt="text")


def test_long_article_splits_at_clause_boundaries_and_never_inside_a_point() -> None:
    body = "\n".join(
        [f"{i}. Khoản số {i} quy định như sau: " + "nội dung dài " * 30 for i in range(1, 6)]
        + ["6. Khoản sáu gồm các điểm:"]
        + [f"{ch}) Điểm {ch} " + "chi tiết " * 60 for ch in "abcdđ"]
    )
    text = f"Điều 1. Điều dài\nCác quy định sau đây:\n{body}\n"
    doc = _doc(text)
    chunks = chunk_document(doc, "doc", max_chars=900)
    assert len(chunks) > 3
    pts = doc.articles[0].clauses[5].points
    for c in chunks:
        assert text[c.start : c.end] == c.text
        for p in pts:  # a chunk either contains a whole point or none of it
            inside = c.start <= p.start < c.end
            assert not inside or p.end <= c.end
    assert chunks[0].start == doc.articles[0].start  # heading + lead-in travel with the first chunk
    assert chunks[0].anchor.startswith("Khoản 1")
    later = chunks[1]
    assert later.lead == "Các quy định sau đây:"
    assert later.heading_path[-1].startswith("Khoản ")
    point_chunks = [c for c in chunks if c.citation.point]
    assert point_chunks and all(c.citation.clause == "6" for c in point_chunks)
    assert point_chunks[0].anchor.startswith("Điểm ")
    assert "Khoản 6" in point_chunks[0].anchor


def test_short_article_is_one_chunk_with_the_whole_article() -> None:
    doc = _doc("Điều 7. Ngắn\n1. Một.\n2. Hai.\n")
    chunks = chunk_document(doc, "doc", max_chars=1500)
    assert len(chunks) == 1
    assert chunks[0].citation.clause is None
    assert chunks[0].anchor == "Điều 7 Luật Thử nghiệm 99/2099/QH99"


def test_plan_sections_roman_then_numbers_then_letters() -> None:
    text = "KẾ HOẠCH\nI. Mục tiêu\n1. Chung\na) Ý một;\nb) Ý hai.\n2. Cụ thể\nII. Nhiệm vụ\n1. Việc một.\n"
    arts = parse_sections(text)
    assert [(a.label, a.number, a.title) for a in arts] == [
        ("Mục", "I", "Mục tiêu"),
        ("Mục", "II", "Nhiệm vụ"),
    ]
    assert [p.letter for p in arts[0].clauses[0].points] == ["a", "b"]


def test_hard_wrapped_text_is_reflowed_but_headings_stay_on_their_lines() -> None:
    wrapped = "\n\n".join(
        ["KẾ HOẠCH", "I. Căn cứ lập kế hoạch", "1. Các văn bản của Chính phủ"]
        + [
            "Căn cứ Nghị quyết số 17/NQ-CP ngày 09 tháng 3 năm 2020 của Chính phủ về một số nhiệm",
            "vụ, giải pháp trọng tâm phát triển Chính phủ điện tử giai đoạn 2019 - 2020, định hướng",
            "đến năm 2025 và các văn bản có liên quan khác của các cơ quan nhà nước ở trung ương;",
        ]
        * 8
    )
    assert needs_reflow(wrapped)
    out = reflow(wrapped)
    lines = out.splitlines()
    assert lines[:3] == ["KẾ HOẠCH", "I. Căn cứ lập kế hoạch", "1. Các văn bản của Chính phủ"]
    assert lines[3].startswith("Căn cứ Nghị quyết số 17/NQ-CP") and lines[3].endswith("trung ương;")


def test_the_paragraph_after_a_khoans_last_diem_belongs_to_the_khoan_and_stays_in_its_chunks() -> None:
    text = (
        "Điều 7. Thủ tục\n1. Hồ sơ gồm:\na) Tờ khai.\nTờ khai làm bằng tiếng Việt.\nb) Bản sao giấy tờ.\n"
        "Trường hợp quy định tại điểm b khoản này thì nộp bản chính để đối chiếu.\n"
        "2. Hồ sơ khác gồm:\na) Đơn;\nb) Giấy tờ.\nChính phủ quy định chi tiết điểm này.\n3. Lệ phí do Bộ quy định."
    )
    [art] = parse_articles(text)
    k1, k2, _ = art.clauses
    spans = {p.letter: text[p.start : p.end] for p in k1.points}
    assert spans == {"a": "a) Tờ khai.\nTờ khai làm bằng tiếng Việt.", "b": "b) Bản sao giấy tờ."}
    assert text[k1.start : k1.end].endswith("thì nộp bản chính để đối chiếu.")
    # a paragraph that says "điểm này" is its Điểm's own; one after a ";" or ":" line continues the Điểm too
    assert text[k2.points[-1].start : k2.points[-1].end] == "b) Giấy tờ.\nChính phủ quy định chi tiết điểm này."
    # cut between its points, Khoản 1's closing paragraph is still in a chunk (the one with its last Điểm)
    chunks = chunk_document(_doc(text), "d", max_chars=120)
    assert any(c.citation.point for c in chunks)  # Khoản 1 was cut between its points
    assert any("nộp bản chính để đối chiếu" in c.text for c in chunks)
    covered = "".join(c.text for c in chunks)
    assert all(line in covered for line in text.splitlines()[1:])

"""Clause-exact citations (issue 14, item 3): a supported claim binds to the Khoản/Điểm that states it, the anchor
names that level and the span is exactly that unit — through the real verifier, on real parsed text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.answer import Answer, CitedSource, Verification
from assistant.clauses import ClauseRef, Level, SourceOutline
from assistant.verify import verify
from core.settings import Settings
from eval.highlight import chunk_hit
from index.search import Hit
from ingest.chunking import chunk_document
from ingest.model import Article, Citation, LegalDocument
from ingest.parse import parse_file
from ui.cli.search import grounds_lines

# A decree written after Nghị định 30/2020/NĐ-CP (its Điều 8, 31 and 33), under a number no real text has.
DECREE = """\
CHÍNH PHỦ
Số: 12/2098/NĐ-CP

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 10 tháng 03 năm 2098

NGHỊ ĐỊNH
VỀ CÔNG TÁC VĂN THƯ THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Nghị định này quy định về thể thức văn bản, sử dụng con dấu và nộp lưu hồ sơ.

Điều 2. Thể thức văn bản
1. Thể thức văn bản hành chính được áp dụng thống nhất trong các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước.
2. Thể thức văn bản hành chính bao gồm các thành phần chính
a) Quốc hiệu và Tiêu ngữ.
b) Tên cơ quan, tổ chức ban hành văn bản.
c) Số, ký hiệu của văn bản.
d) Địa danh và thời gian ban hành văn bản.
đ) Chức vụ, họ tên và chữ ký của người có thẩm quyền.
e) Dấu, chữ ký số của cơ quan, tổ chức.
3. Ngoài các thành phần quy định tại khoản 2 Điều này, văn bản có thể bổ sung phụ lục và dấu chỉ độ mật, mức độ khẩn.

Điều 3. Sử dụng con dấu
1. Sử dụng con dấu
a) Dấu đóng phải rõ ràng, ngay ngắn, đúng chiều và dùng đúng mực dấu màu đỏ.
b) Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.
c) Các văn bản ban hành kèm theo văn bản chính hoặc phụ lục: Dấu được đóng lên trang đầu, trùm một phần tên cơ quan.
d) Việc đóng dấu treo, dấu giáp lai do người đứng đầu cơ quan, tổ chức quy định.
đ) Dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản; mỗi dấu đóng tối đa 05 tờ văn bản.
2. Thiết bị lưu khóa bí mật được sử dụng để ký số các văn bản điện tử do cơ quan, tổ chức ban hành.

Điều 4. Nộp lưu hồ sơ
1. Đơn vị, cá nhân có trách nhiệm nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan theo Danh mục hồ sơ của cơ quan, tổ chức.
2. Thời hạn nộp lưu hồ sơ là 01 năm kể từ ngày công việc kết thúc.
3. Hồ sơ xây dựng cơ bản được nộp lưu trong thời hạn 03 tháng kể từ ngày công trình được quyết toán.

Điều 5. Lập hồ sơ
Cơ quan, tổ chức phải lập hồ sơ về công việc được giao.
Hồ sơ được nộp lưu vào Lưu trữ cơ quan trong thời hạn 01 năm kể từ ngày công việc kết thúc.
"""


def parsed(tmp_path: Path, text: str = DECREE) -> LegalDocument:
    path = tmp_path / "decree.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, Settings(data_dir=tmp_path / "data"))[0]


def article(doc: LegalDocument, number: str) -> Article:
    return next(a for a in doc.articles if a.number == number)


def source(doc: LegalDocument, number: str, marker: int = 1, max_chars: int = 10**9) -> CitedSource:
    """Điều `number` as the assistant cites it: the whole article (or, with `max_chars`, the chunk holding it)."""
    chunk = next(c for c in chunk_document(doc, "doc-1", max_chars) if c.article_number == number)
    hit = chunk_hit(doc, "doc-1", chunk)
    return CitedSource(marker, hit, hit.text, hit.start, hit.end)


def bound(sentence: str, src: CitedSource) -> ClauseRef:
    """The clause the real verifier binds a supported `sentence` to."""
    checked = verify(sentence, [src])
    assert checked.sentences and checked.sentences[0].supported, checked.sentences
    clause = checked.sentences[0].clause
    assert clause is not None
    return clause


def span_of(doc: LegalDocument, number: str, clause: str, point: str | None = None) -> tuple[int, int]:
    c = next(c for c in article(doc, number).clauses if c.number == clause)
    if point is None:
        return c.start, c.end
    p = next(p for p in c.points if p.letter == point)
    return p.start, p.end


def test_a_claim_stated_by_diem_dd_binds_to_diem_dd_not_diem_d(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    # Điểm d also speaks of "dấu giáp lai"; only Điểm đ says where it is stamped
    ref = bound("Dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản [1].", source(doc, "3"))
    assert (ref.start, ref.end) == span_of(doc, "3", "1", "đ") and ref.level is Level.DIEM
    assert ref.anchor == "Điểm đ Khoản 1 Điều 3 Nghị định 12/2098/NĐ-CP"
    assert doc.text[ref.start : ref.end] == ref.quote and ref.quote.startswith("đ) Dấu giáp lai được đóng")
    ref_d = bound("Việc đóng dấu giáp lai do người đứng đầu cơ quan quy định [1].", source(doc, "3"))
    assert (ref_d.start, ref_d.end) == span_of(doc, "3", "1", "d")
    assert ref_d.anchor == "Điểm d Khoản 1 Điều 3 Nghị định 12/2098/NĐ-CP"


def test_numbers_bind_to_the_clause_stating_them_not_to_a_neighbour_sharing_more_words(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    # Khoản 1 shares "đơn vị, cá nhân … nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan"; only Khoản 2 states 01 năm
    ref = bound(
        "Đơn vị, cá nhân phải nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan trong thời hạn 01 năm [1].",
        source(doc, "4"),
    )
    assert (ref.start, ref.end) == span_of(doc, "4", "2") and ref.anchor.startswith("Khoản 2 Điều 4 ")
    third = bound("Dấu đóng lên chữ ký phải trùm khoảng 1/3 chữ ký về phía bên trái [1].", source(doc, "3"))
    assert (third.start, third.end) == span_of(doc, "3", "1", "b")


def test_a_source_anchored_to_a_clause_range_names_the_single_clause_that_states_the_claim(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    whole = source(doc, "4")
    chunks = [c for c in chunk_document(doc, "doc-1", 200) if c.article_number == "4"]
    ranged = next(c for c in chunks if c.citation.clause and "-" in c.citation.clause)  # Điều 4 cut at its clauses
    assert ranged.anchor == "Khoản 2-3 Điều 4 Nghị định 12/2098/NĐ-CP"
    hit = replace(
        whole.hit,
        anchor=ranged.anchor,
        citation=ranged.citation,
        text=ranged.text,
        start=ranged.start,
        end=ranged.end,
    )
    src = CitedSource(1, hit, hit.text, hit.start, hit.end)
    ref = bound("Hồ sơ xây dựng cơ bản nộp lưu trong 03 tháng kể từ ngày công trình được quyết toán [1].", src)
    assert ref.anchor == "Khoản 3 Điều 4 Nghị định 12/2098/NĐ-CP"
    assert (ref.start, ref.end) == span_of(doc, "4", "3")


CONTRACT = """\
QUỐC HỘI
Luật số: 58/2097/QH99

LUẬT VIÊN CHỨC THỬ NGHIỆM

Điều 29. Đơn phương chấm dứt hợp đồng làm việc
1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:
a) Viên chức có 02 năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ;
b) Viên chức bị buộc thôi việc.
2. Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:
a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp;
b) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản.
"""


def test_a_lead_in_binds_to_the_khoan_whose_polarity_it_keeps_not_the_shorter_one_with_the_same_words(
    tmp_path: Path,
) -> None:
    """Khoản 1 and Khoản 2 share every content word of their lead-ins ("không" is none); Khoản 2 is shorter, so its
    words were "restated" more and it took both highlights."""
    doc = parsed(tmp_path, CONTRACT)
    may = (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
        "sau [1]:"
    )
    ref = bound(may, source(doc, "29"))
    assert ref.anchor.startswith("Khoản 1 Điều 29 ") and (ref.start, ref.end) == span_of(doc, "29", "1")
    may_not = may.replace(" được ", " không được ", 1)
    assert bound(may_not, source(doc, "29")).anchor.startswith("Khoản 2 Điều 29 ")


def test_the_heading_is_never_the_highlight(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    art = article(doc, "2")
    # shares "thể thức văn bản" with the heading, and is stated by Khoản 1
    ref = bound("Thể thức văn bản hành chính được áp dụng thống nhất trong các cơ quan nhà nước [1].", source(doc, "2"))
    assert (ref.start, ref.end) == span_of(doc, "2", "1")
    # words only the heading gives: bound to the body as a whole, never to the heading line
    only = SourceOutline.of(1, source(doc, "2").hit).bind("Điều 2 nói về thể thức văn bản [1].")
    assert only is not None and only.start > art.heading_end and "Điều 2. Thể thức" not in only.quote
    # an article without Khoản: the body paragraph that states it
    body = bound("Hồ sơ được nộp lưu trong thời hạn 01 năm kể từ ngày công việc kết thúc [1].", source(doc, "5"))
    assert body.level is Level.ARTICLE and body.quote.startswith("Hồ sơ được nộp lưu")
    assert body.anchor == "Điều 5 Nghị định 12/2098/NĐ-CP"


def test_a_list_item_whose_letter_differs_from_the_laws_binds_to_the_laws_item_by_content(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    # the model letters its list a, b, c, d, e, f (no đ): its "e)" is the law's Điểm đ, its "f)" the law's Điểm e
    ref = bound("e) Chức vụ, họ tên và chữ ký của người có thẩm quyền [1].", source(doc, "2"))
    assert (ref.start, ref.end) == span_of(doc, "2", "2", "đ") and ref.anchor.startswith("Điểm đ Khoản 2 ")
    ref = bound("f) Dấu, chữ ký số của cơ quan, tổ chức [1].", source(doc, "2"))
    assert (ref.start, ref.end) == span_of(doc, "2", "2", "e")


def test_a_claim_over_the_whole_list_binds_to_the_clause_not_one_of_its_points(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    ref = bound(
        "Thể thức văn bản hành chính gồm quốc hiệu, tên cơ quan ban hành, số và ký hiệu, địa danh, chữ ký "
        "và dấu của cơ quan [1].",
        source(doc, "2"),
    )
    assert (ref.start, ref.end) == span_of(doc, "2", "2") and ref.level is Level.KHOAN


def test_answer_grounds_are_the_bound_clauses_in_answer_order_and_kho_ask_prints_them(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    sources = [source(doc, "2", 1), source(doc, "3", 2)]
    text = (
        "Thiết bị lưu khóa bí mật dùng để ký số văn bản điện tử [2]. Văn bản phải ghi địa danh và thời gian ban "
        "hành [1]. Văn bản điện tử do cơ quan ban hành được ký số bằng thiết bị lưu khóa bí mật [2]."
    )
    checked = verify(text, sources)
    answer = Answer("?", checked.text, sources, checked.status, False, "generative", sentences=checked.sentences)
    grounds = answer.grounds()
    assert [g.anchor for g in grounds] == [
        "Khoản 2 Điều 3 Nghị định 12/2098/NĐ-CP",
        "Điểm d Khoản 2 Điều 2 Nghị định 12/2098/NĐ-CP",
    ]
    js = answer.to_json()
    assert [g["anchor"] for g in js["grounds"]] == [g.anchor for g in grounds]
    assert js["sentences"][1]["clause"]["quote"] == "d) Địa danh và thời gian ban hành văn bản."
    assert {"start", "end", "level", "document_id", "marker"} <= js["grounds"][0].keys()
    lines = grounds_lines(answer, None)
    assert lines[1] == "Căn cứ:"
    assert "  [2] Khoản 2 Điều 3 Nghị định 12/2098/NĐ-CP" in lines
    assert "      «d) Địa danh và thời gian ban hành văn bản.»" in lines
    assert answer.verification is Verification.VERIFIED


def test_a_refusal_and_an_extractive_answer_have_no_grounds(tmp_path: Path) -> None:
    doc = parsed(tmp_path)
    src = source(doc, "2")
    quoted = Answer("?", "Các quy định liên quan: …", [src], Verification.VERIFIED, False, "extractive")
    assert quoted.grounds() == [] and quoted.to_json()["grounds"] == []
    assert grounds_lines(quoted, None)[2] == f"  [1] {src.hit.anchor}"  # the citation's own anchor, as before


def test_a_quoted_answer_that_replaced_the_models_keeps_its_checks_for_the_record_but_not_as_grounds(
    tmp_path: Path,
) -> None:
    """Live: the model's list, true and cited but on another matter, was replaced by the quoted provisions, and
    "Căn cứ" still listed the model's claim's Điểm — a ground of nothing shown."""
    doc = parsed(tmp_path)
    src = source(doc, "2")
    checked = verify("Văn bản phải ghi địa danh và thời gian ban hành [1].", [src])
    assert checked.sentences[0].clause is not None
    quoted = Answer(
        "?", "Các quy định liên quan: …", [src], Verification.VERIFIED, False, "extractive", sentences=checked.sentences
    )
    assert quoted.grounds() == [] and quoted.to_json()["sentences"][0]["supported"]
    assert "Điểm d" not in "\n".join(grounds_lines(quoted, None))


def test_a_source_starting_among_the_points_of_a_clause_binds_its_points(tmp_path: Path) -> None:
    text = "đ) Chức vụ, họ tên và chữ ký.\ne) Dấu, chữ ký số của cơ quan, tổ chức."
    anchor = "Điểm đ-e Khoản 2 Điều 2 Nghị định 12/2098/NĐ-CP"
    citation = Citation("12/2098/NĐ-CP", "", "2", "2", "đ-e")
    hit = Hit(
        "c", "doc-1", anchor, citation, 1.0, text, [], 50, 50 + len(text), None, None, None, None, "", "public", ""
    )
    ref = SourceOutline.of(1, hit).bind("Văn bản phải có chữ ký số của cơ quan [1].")
    assert ref is not None and ref.anchor == "Điểm e Khoản 2 Điều 2 Nghị định 12/2098/NĐ-CP"
    assert (ref.start, ref.end) == (50 + text.index("e)"), 50 + len(text))


# Điều 6 of a decree written for this test: Khoản 1 closes its list with a paragraph of its own after Điểm b (as
# "Trường hợp quy định tại điểm b khoản này …" does in many laws); Điểm a runs over two paragraphs.
CLOSING = """\
CHÍNH PHỦ
Số: 13/2098/NĐ-CP

NGHỊ ĐỊNH
VỀ HỒ SƠ THỬ NGHIỆM

Điều 6. Hồ sơ đăng ký
1. Hồ sơ đăng ký gồm:
a) Tờ khai đăng ký theo mẫu.
Tờ khai phải được làm bằng tiếng Việt và có chữ ký của người đăng ký.
b) Bản sao giấy chứng nhận quyền sử dụng đất.
Trường hợp hồ sơ gửi qua dịch vụ bưu chính thì thời hạn giải quyết là 15 ngày làm việc kể từ ngày nhận đủ hồ sơ.
2. Cơ quan tiếp nhận hồ sơ phải cấp giấy biên nhận cho người nộp.
"""


def test_a_claim_stated_by_a_khoans_closing_paragraph_binds_to_the_khoan_not_its_last_diem(tmp_path: Path) -> None:
    doc = parsed(tmp_path, CLOSING)
    ref = bound("Hồ sơ gửi qua dịch vụ bưu chính thì thời hạn giải quyết là 15 ngày làm việc [1].", source(doc, "6"))
    assert ref.level is Level.KHOAN and ref.point is None
    assert ref.anchor == "Khoản 1 Điều 6 Nghị định 13/2098/NĐ-CP"  # the parser gave it "Điểm b Khoản 1" before
    assert (ref.start, ref.end) == span_of(doc, "6", "1")
    # "Căn cứ" quotes the Khoản's lead-in and the paragraph that states the claim, not the list in between
    assert ref.quote == (
        "1. Hồ sơ đăng ký gồm: … Trường hợp hồ sơ gửi qua dịch vụ bưu chính thì thời hạn giải quyết là 15 ngày "
        "làm việc kể từ ngày nhận đủ hồ sơ."
    )
    point_b = span_of(doc, "6", "1", "b")
    assert doc.text[point_b[0] : point_b[1]] == "b) Bản sao giấy chứng nhận quyền sử dụng đất."


def test_a_diem_of_several_paragraphs_keeps_them_when_another_diem_follows(tmp_path: Path) -> None:
    doc = parsed(tmp_path, CLOSING)
    ref = bound("Tờ khai phải được làm bằng tiếng Việt và có chữ ký của người đăng ký [1].", source(doc, "6"))
    assert ref.anchor == "Điểm a Khoản 1 Điều 6 Nghị định 13/2098/NĐ-CP"
    assert (ref.start, ref.end) == span_of(doc, "6", "1", "a") and ref.quote.endswith("của người đăng ký.")


# A pháp điển article as the index holds it: the heading path above gives "ký", "hiệu", "hành chính" and "số", the
# source line "có hiệu lực"; Khoản 1 defines the term with the lead-in's words but "hành chính"; two lists share
# "ký hiệu". Written for this test after Điều 8 Nghị định 30/2020/NĐ-CP, under a number no real text has.
PHAP_DIEN_ARTICLE = """\
Điều 42.1.NĐ.8. Thể thức văn bản
(Điều 8 Nghị định số 12/2098/NĐ-CP, có hiệu lực thi hành kể từ ngày 10/03/2098)
1. Thể thức văn bản là tập hợp các thành phần cấu thành văn bản, bao gồm những thành phần chính áp dụng cho mọi loại \
văn bản và các thành phần bổ sung trong trường hợp cụ thể.
2. Thể thức văn bản hành chính bao gồm các thành phần chính
a) Quốc hiệu và Tiêu ngữ.
b) Số, ký hiệu của văn bản.
c) Tên loại và trích yếu nội dung văn bản.
d) Nội dung văn bản.
đ) Chức vụ, họ tên và chữ ký của người có thẩm quyền.
e) Nơi nhận.
3. Ngoài các thành phần quy định tại khoản 2 Điều này, văn bản có thể bổ sung các thành phần khác
a) Phụ lục.
b) Ký hiệu người soạn thảo văn bản và số lượng bản phát hành."""


def phap_dien_source() -> CitedSource:
    text = PHAP_DIEN_ARTICLE
    hit = Hit(
        "c", "doc-8", "Điều 8 Nghị định 12/2098/NĐ-CP", Citation("12/2098/NĐ-CP", "", "8"), 1.0, text,
        ["Pháp điển — Công tác văn thư", "Chương II. SOẠN THẢO, KÝ BAN HÀNH VĂN BẢN HÀNH CHÍNH",
         "Mục 1. THỂ THỨC, KỸ THUẬT TRÌNH BÀY VĂN BẢN HÀNH CHÍNH", "Điều 8 Nghị định 12/2098/NĐ-CP. Thể thức văn bản"],
        0, len(text), "12/2098/NĐ-CP", "Nghị định", "Chính phủ", 2098, "còn hiệu lực", "public", "",
    )  # fmt: skip
    return CitedSource(1, hit, text, 0, len(text))


def test_a_lead_in_and_an_item_bind_to_their_own_clause_though_the_heading_gives_their_words() -> None:
    """Live, on Điều 8 Nghị định 30/2020: the lead-in "Thể thức văn bản hành chính bao gồm các thành phần chính" was
    highlighted on Khoản 1 (the definition; the heading gives "hành chính", and Khoản 2's list makes it the less
    restated), and "c) Số, ký hiệu của văn bản" on the whole article ("ký" and "hiệu" were taken from the heading's
    "KÝ BAN HÀNH" and the source line's "hiệu lực", so the claim had no word of its own)."""
    src = phap_dien_source()
    checked = verify(
        "Thể thức văn bản hành chính bao gồm các thành phần chính [1]:\nb) Số, ký hiệu của văn bản [1].", [src]
    )
    anchors = [s.clause.anchor if s.clause else None for s in checked.sentences]
    assert anchors == ["Khoản 2 Điều 8 Nghị định 12/2098/NĐ-CP", "Điểm b Khoản 2 Điều 8 Nghị định 12/2098/NĐ-CP"]


def test_a_list_item_shows_the_letter_of_the_diem_it_is_bound_to() -> None:
    """The small model letters a, b, c, d, e, f; the law a, b, c, d, đ, e. Live, "e) Tên loại và trích yếu …" and
    "f) Nội dung văn bản." were shown, each cited to the right Điểm (đ, e): "f)" is a Điểm the article lacks."""
    src = phap_dien_source()
    answer = (
        "Gồm [1]:\nc) Tên loại và trích yếu nội dung văn bản [1].\n"
        "e) Chức vụ, họ tên và chữ ký của người có thẩm quyền [1].\nf) Nơi nhận [1]."
    )
    checked = verify(answer, [src])
    assert checked.text.splitlines()[1:] == [
        "c) Tên loại và trích yếu nội dung văn bản [1].",
        "đ) Chức vụ, họ tên và chữ ký của người có thẩm quyền [1].",
        "e) Nơi nhận [1].",
    ]
    assert [s.clause.point for s in checked.sentences[1:] if s.clause] == ["c", "đ", "e"]


# After Điều 20 Bộ luật Lao động 45/2019/QH14, under a number no real text has: Khoản 2's Điểm b holds every content
# word of Điểm a's first sentence ("hết thời hạn 30 ngày … không ký kết …"), and fewer words of its own.
RENEWAL_ARTICLE = """\
Điều 20. Loại hợp đồng lao động
1. Hợp đồng lao động phải được giao kết theo một trong các loại sau đây:
a) Hợp đồng lao động không xác định thời hạn;
b) Hợp đồng lao động xác định thời hạn, không quá 36 tháng.
2. Khi hợp đồng lao động quy định tại điểm b khoản 1 Điều này hết hạn mà người lao động vẫn tiếp tục làm việc thì \
thực hiện như sau:
a) Trong thời hạn 30 ngày kể từ ngày hợp đồng lao động hết hạn, hai bên phải ký kết hợp đồng lao động mới; trong \
thời gian chưa ký kết hợp đồng lao động mới thì quyền, nghĩa vụ và lợi ích của hai bên được thực hiện theo hợp đồng \
đã giao kết;
b) Nếu hết thời hạn 30 ngày kể từ ngày hợp đồng lao động hết hạn mà hai bên không ký kết hợp đồng lao động mới thì \
hợp đồng đã giao kết theo quy định tại điểm b khoản 1 Điều này trở thành hợp đồng lao động không xác định thời hạn;"""


def test_a_claim_stated_word_for_word_by_one_point_binds_there_and_shows_its_letter() -> None:
    """Live, "Hợp đồng lao động có những loại nào?": the model wrote Điểm a Khoản 2 as "b) Trong thời hạn 30 ngày …
    hai bên phải ký kết hợp đồng lao động mới [1];", and it was bound to — and kept the letter of — Điểm b, which
    holds the same content words around "không ký kết" and has fewer of its own: the lawyer opening it read the
    opposite rule. The point that says it word for word binds it, and the line shows that point's letter."""
    path = ["Bộ luật Lao động", "Điều 20. Loại hợp đồng lao động"]
    hit = article_hit(RENEWAL_ARTICLE, "Điều 20 Bộ luật 45/2098/QH14", "45/2098/QH14", "20", path, loai="Bộ luật")
    said = "Trong thời hạn 30 ngày kể từ ngày hợp đồng lao động hết hạn, hai bên phải ký kết hợp đồng lao động mới"
    for label in ("b) ", "a) ", "- "):
        ref = SourceOutline.of(1, hit).bind(f"{label}{said} [1];")
        assert ref is not None and ref.anchor == "Điểm a Khoản 2 Điều 20 Bộ luật 45/2098/QH14", (label, ref)
    source = CitedSource(marker=1, hit=hit, text=RENEWAL_ARTICLE, start=0, end=len(RENEWAL_ARTICLE))
    lead = "Khi hợp đồng xác định thời hạn hết hạn mà người lao động vẫn làm việc [1]:"
    checked = verify(f"{lead}\nb) {said} [1];", [source])
    assert f"a) {said} [1];" in checked.text.splitlines(), checked.text
    # … while the words of Điểm b, said as a claim, still bind to Điểm b
    other = "Nếu hết thời hạn 30 ngày mà hai bên không ký kết hợp đồng lao động mới thì hợp đồng trở thành"
    ref = SourceOutline.of(1, hit).bind(f"- {other} không xác định thời hạn [1].")
    assert ref is not None and ref.point == "b", ref


# After Điều 36 Bộ luật Lao động 45/2019/QH14, under a number no real text has: the source as the context gave it,
# opening on Khoản 1's points past its lead-in.
NOTICE_TEXT = """\
đ) Người lao động đủ tuổi nghỉ hưu theo quy định tại Điều 169 của Bộ luật này;
e) Người lao động tự ý bỏ việc mà không có lý do chính đáng từ 05 ngày làm việc liên tục trở lên.
2. Khi đơn phương chấm dứt hợp đồng lao động, người sử dụng lao động phải báo trước cho người lao động như sau:
a) Ít nhất 45 ngày đối với hợp đồng lao động không xác định thời hạn;
b) Ít nhất 30 ngày đối với hợp đồng lao động xác định thời hạn có thời hạn từ 12 tháng đến 36 tháng.
3. Khi đơn phương chấm dứt hợp đồng lao động quy định tại điểm e khoản 1 Điều này thì không phải báo trước."""


def test_a_source_opening_on_a_clauses_points_keeps_its_clauses_numbered() -> None:
    """Live: asked how much notice the employer gives, the answer's "45 ngày" was cited "Điểm a Điều 36" — no
    Khoản: the source ("Khoản 1-3 Điều 36", made whole from its chunks) opened on Khoản 1's "đ)", so its "2." was
    read as no clause and Khoản 2's points as the article's own."""
    anchor = "Khoản 1-3 Điều 36 Bộ luật 45/2098/QH14"
    hit = Hit(
        "c", "doc-36", anchor, Citation("45/2098/QH14", "Bộ luật", "36", "1-3"), 1.0, NOTICE_TEXT,
        ["Bộ luật Lao động", "Điều 36. Quyền đơn phương chấm dứt hợp đồng lao động của người sử dụng lao động"],
        0, len(NOTICE_TEXT), "45/2098/QH14", "Bộ luật", "Quốc hội", 2098, "còn hiệu lực", "public", "",
    )  # fmt: skip
    outline = SourceOutline.of(1, hit)
    notice = outline.bind("Người sử dụng lao động phải báo trước 45 ngày đối với hợp đồng không xác định thời hạn [1].")
    assert notice is not None and notice.anchor == "Điểm a Khoản 2 Điều 36 Bộ luật 45/2098/QH14", notice
    assert NOTICE_TEXT[notice.start : notice.end].startswith("a) Ít nhất 45 ngày")
    retired = outline.bind("Người lao động đủ tuổi nghỉ hưu theo quy định tại Điều 169 [1].")
    assert retired is not None and retired.anchor == "Điểm đ Khoản 1 Điều 36 Bộ luật 45/2098/QH14", retired
    none = outline.bind("Không phải báo trước khi người lao động tự ý bỏ việc quy định tại điểm e khoản 1 [1].")
    assert none is not None and none.clause == "3", none


def article_hit(text: str, anchor: str, document: str, article: str, path: list[str], loai: str = "Nghị định") -> Hit:
    """A hit holding a whole article `text`, anchored "Điều N …" (no Khoản range: its numbers are not context)."""
    issuer = "Quốc hội" if loai == "Luật" else "Chính phủ"
    return Hit(
        "c", f"doc-{article}", anchor, Citation(document, "", article), 1.0, text, path,
        0, len(text), document, loai, issuer, 2098, "còn hiệu lực", "public", "",
    )  # fmt: skip


# After Điều 20 Nghị định 115/2020/NĐ-CP, under a number no real text has: Khoản 2 names "khoản 4" and shares
# nearly every word of Khoản 4's first sentence.
CONTRACT_ARTICLE = """\
Điều 42.2.NĐ.20. Các nội dung liên quan đến hợp đồng làm việc
(Điều 20 Nghị định số 13/2098/NĐ-CP, có hiệu lực thi hành kể từ ngày 10/03/2098)
1. Hợp đồng làm việc được ký kết bằng văn bản giữa viên chức với người đứng đầu đơn vị sự nghiệp công lập.
2. Viên chức được tuyển dụng trước ngày 01 tháng 7 năm 2097 nhưng đang thực hiện hợp đồng làm việc xác định thời \
hạn thì tiếp tục thực hiện hợp đồng làm việc đã ký kết, kể cả trường hợp viên chức chuyển đến đơn vị sự nghiệp công \
lập khác theo quy định tại khoản 4 Điều này, sau khi kết thúc thời hạn của hợp đồng làm việc đã ký kết thì được ký \
kết hợp đồng làm việc không xác định thời hạn nếu đáp ứng đầy đủ các yêu cầu theo quy định của pháp luật.
3. Trong quá trình thực hiện hợp đồng làm việc, nếu có thay đổi nội dung thì ký kết phụ lục hợp đồng làm việc.
4. Trường hợp viên chức được cấp có thẩm quyền đồng ý chuyển đến đơn vị sự nghiệp công lập khác thì không thực \
hiện việc tuyển dụng mới và không giải quyết chế độ thôi việc, nhưng phải ký kết hợp đồng làm việc mới với người \
đứng đầu đơn vị sự nghiệp công lập hoặc cơ quan có thẩm quyền quản lý đơn vị sự nghiệp công lập; đồng thời thực \
hiện chế độ tiền lương phù hợp."""


def test_a_verbatim_quote_binds_to_the_clause_it_stands_in_not_the_one_sharing_its_words() -> None:
    """Live, "Viên chức được ký hợp đồng làm việc với đơn vị khác không?" was answered with «4. Trường hợp viên chức
    … phải ký kết hợp đồng làm việc mới …», and "Căn cứ" showed it as Khoản 2 (which names "khoản 4" and shares its
    words) with Khoản 2's text: the lawyer opening the citation read another clause than the quote. The quote's
    label "4." was read as a number the claim states, and Khoản 2 is the one unit that states a 4."""
    text = CONTRACT_ARTICLE
    path = ["Pháp điển — Viên chức", "Điều 20 Nghị định 13/2098/NĐ-CP. Các nội dung liên quan đến hợp đồng làm việc"]
    hit = article_hit(text, "Điều 20 Nghị định 13/2098/NĐ-CP", "13/2098/NĐ-CP", "20", path)
    quoted = (
        "4. Trường hợp viên chức được cấp có thẩm quyền đồng ý chuyển đến đơn vị sự nghiệp công lập khác thì không "
        "thực hiện việc tuyển dụng mới và không giải quyết chế độ thôi việc, nhưng phải ký kết hợp đồng làm việc mới "
        "với người đứng đầu đơn vị sự nghiệp công lập hoặc cơ quan có thẩm quyền quản lý đơn vị sự nghiệp công lập;"
    )
    ref = SourceOutline.of(1, hit).bind(f"Theo [1]: «{quoted}»")
    assert ref is not None and ref.anchor == "Khoản 4 Điều 20 Nghị định 13/2098/NĐ-CP", ref
    assert ref.quote.startswith("4. Trường hợp viên chức") and text[ref.start : ref.end] == ref.quote
    # a point quoted whole binds to that point; a passage quoted with "…" (not verbatim) is read by its words
    point = SourceOutline.of(1, phap_dien_source().hit).bind("Theo [1]: «c) Tên loại và trích yếu nội dung văn bản.»")
    assert point is not None and point.anchor == "Điểm c Khoản 2 Điều 8 Nghị định 12/2098/NĐ-CP"
    elided = SourceOutline.of(1, hit).bind("Theo [1]: «4. … phải ký kết hợp đồng làm việc mới …»")
    assert elided is not None and elided.anchor != ""


# Written after Điều 3 Nghị định 30/2020/NĐ-CP, under a number no real text has: Khoản 11 defines another term in
# Khoản 10's words, and is shorter.
DEFINITIONS_ARTICLE = """\
Điều 42.1.NĐ.3. Giải thích từ ngữ
(Điều 3 Nghị định số 12/2098/NĐ-CP, có hiệu lực thi hành kể từ ngày 10/03/2098)
9. “Bản chính văn bản giấy” là bản hoàn chỉnh về nội dung, thể thức văn bản, được tạo từ bản có chữ ký trực tiếp.
10. “Bản sao y” là bản sao đầy đủ, chính xác nội dung của bản gốc hoặc bản chính văn bản, được trình bày theo \
thể thức và kỹ thuật quy định.
11. “Bản sao lục” là bản sao đầy đủ, chính xác nội dung của bản sao y, được trình bày theo thể thức và kỹ thuật \
quy định."""


def test_a_claim_binds_to_the_definition_of_its_own_term_not_a_shorter_one_of_another_term() -> None:
    """Live, "Bản sao y được trình bày theo thể thức và kỹ thuật quy định [1]." was highlighted on Khoản 11 («“Bản
    sao lục” là … của bản sao y, được trình bày theo thể thức …»): the same words, a shorter unit — and another
    term's definition. The lawyer opening it read what a "bản sao lục" is."""
    text = DEFINITIONS_ARTICLE
    hit = Hit(
        "c", "doc-3", "Khoản 9-11 Điều 3 Nghị định 12/2098/NĐ-CP", Citation("12/2098/NĐ-CP", "", "3", "9-11"), 1.0,
        text, ["Pháp điển — Công tác văn thư", "Điều 3 Nghị định 12/2098/NĐ-CP. Giải thích từ ngữ"],
        0, len(text), "12/2098/NĐ-CP", "Nghị định", "Chính phủ", 2098, "còn hiệu lực", "public", "",
    )  # fmt: skip
    outline = SourceOutline.of(1, hit)
    y = outline.bind("Bản sao y được trình bày theo thể thức và kỹ thuật quy định [1].")
    assert y is not None and y.anchor == "Khoản 10 Điều 3 Nghị định 12/2098/NĐ-CP", y
    # the other term's claim still binds to its own definition
    lục = outline.bind("Bản sao lục là bản sao đầy đủ, chính xác nội dung của bản sao y [1].")
    assert lục is not None and lục.anchor == "Khoản 11 Điều 3 Nghị định 12/2098/NĐ-CP", lục


# Written after Điều 28 Luật Bảo hiểm xã hội 2014, under a number no real text has: Khoản 1 states the rate in a
# long sentence; Khoản 2's points share nearly all of a claim's words and state other rates.
SICKNESS_ARTICLE = """\
Điều 28. Mức hưởng chế độ ốm đau
1. Người lao động hưởng chế độ ốm đau theo quy định tại khoản 1 Điều 26 của Luật này thì mức hưởng tính theo tháng \
bằng 75% mức tiền lương đóng bảo hiểm xã hội của tháng liền kề trước khi nghỉ việc.
2. Người lao động hưởng tiếp chế độ ốm đau quy định tại khoản 2 Điều 26 của Luật này thì mức hưởng như sau:
a) Bằng 65% mức tiền lương đóng bảo hiểm xã hội của tháng liền kề trước khi nghỉ việc nếu đã đóng từ đủ 30 năm trở lên;
b) Bằng 50% mức tiền lương đóng bảo hiểm xã hội của tháng liền kề trước khi nghỉ việc nếu đã đóng dưới 15 năm.
3. Mức hưởng trợ cấp ốm đau một ngày được tính bằng mức trợ cấp ốm đau theo tháng chia cho 24 ngày."""


def test_a_bulleted_claim_binds_to_the_clause_stating_its_number_not_the_point_sharing_its_words() -> None:
    """Live, "- Mức hưởng chế độ ốm đau của người lao động là 75% mức tiền lương … [1]." was verified and highlighted
    on "c) Bằng 50% mức tiền lương …": a bulleted line is read as a list item, compared with the law's points first,
    and the point with most of its words was taken whatever number it stated."""
    text = SICKNESS_ARTICLE
    path = ["Luật Bảo hiểm xã hội thử nghiệm", "Điều 28. Mức hưởng chế độ ốm đau"]
    hit = article_hit(text, "Điều 28 Luật 58/2098/QH13", "58/2098/QH13", "28", path, loai="Luật")
    outline = SourceOutline.of(1, hit)
    claim = "Mức hưởng chế độ ốm đau của người lao động là {} mức tiền lương đóng bảo hiểm xã hội của tháng liền kề {}"
    ref = outline.bind("- " + claim.format("75%", "trước khi nghỉ việc [1]."))
    assert ref is not None and ref.anchor == "Khoản 1 Điều 28 Luật 58/2098/QH13", ref
    # a bulleted line that states a point's number still binds to that point
    ref = outline.bind("- " + claim.format("50%", "trước khi nghỉ việc nếu đã đóng dưới 15 năm [1]."))
    assert ref is not None and ref.anchor == "Điểm b Khoản 2 Điều 28 Luật 58/2098/QH13", ref


# Written after Điều 44 Luật Thi đua, khen thưởng 2022, under a number no real text has: Khoản 2's Điểm b shares
# "Chính phủ" and "tặng" with Khoản 3, a provision without points that a bulleted claim restates word for word.
MEDAL_ARTICLE = """\
Điều 44. Huân chương Lao động thử nghiệm
1. Huân chương Lao động thử nghiệm để tặng cho cá nhân đạt một trong các tiêu chuẩn sau đây:
a) Có thành tích xuất sắc đột xuất trong lao động, công tác;
b) Có quá trình cống hiến lâu dài trong cơ quan, tổ chức, đơn vị.
2. Huân chương Lao động thử nghiệm để tặng cho tập thể đạt một trong các tiêu chuẩn sau đây:
a) Có nội bộ đoàn kết, hoàn thành xuất sắc nhiệm vụ;
b) Đã được tặng Bằng khen của Thủ tướng Chính phủ và có 01 lần được tặng Cờ thi đua của Chính phủ.
3. Chính phủ quy định chi tiết đối tượng, tiêu chuẩn khen thưởng Huân chương Lao động thử nghiệm đối với trường \
hợp quy định tại điểm b khoản 1 Điều này."""


def test_a_bulleted_claim_binds_to_the_clause_without_points_that_states_it_not_a_point_sharing_some_words() -> None:
    """Live, "- Chính phủ quy định chi tiết đối tượng, tiêu chuẩn khen thưởng “Huân chương Lao động” hạng Ba … [3]."
    — Khoản 7 Điều 44 Luật Thi đua, khen thưởng word for word — was highlighted on Điểm đ of Khoản 4: a bulleted
    line was compared with the law's points only, and the point sharing "Chính phủ" and "tặng" won."""
    path = ["Luật Thi đua, khen thưởng thử nghiệm", "Điều 44. Huân chương Lao động thử nghiệm"]
    hit = article_hit(MEDAL_ARTICLE, "Điều 44 Luật 6/2098/QH15", "6/2098/QH15", "44", path, loai="Luật")
    outline = SourceOutline.of(1, hit)
    claim = (
        "- Chính phủ quy định chi tiết đối tượng, tiêu chuẩn khen thưởng Huân chương Lao động thử nghiệm đối với "
        "trường hợp quy định tại điểm b khoản 1 Điều này [1]."
    )
    ref = outline.bind(claim)
    assert ref is not None and ref.anchor == "Khoản 3 Điều 44 Luật 6/2098/QH15", ref
    # a bulleted item of the law's list still binds to its point
    ref = outline.bind("- Có quá trình cống hiến lâu dài trong cơ quan, tổ chức, đơn vị [1].")
    assert ref is not None and ref.anchor == "Điểm b Khoản 1 Điều 44 Luật 6/2098/QH15", ref


# Written after Điều 52 Luật Viên chức 2010, under a number no real text has: Khoản 1 lists the forms, Khoản 2 points
# to them ("… quy định tại khoản 1 Điều này …").
FORMS_ARTICLE = """\
Điều 52. Các hình thức kỷ luật đối với người lao động thử nghiệm
1. Người lao động thử nghiệm vi phạm nội quy thì tuỳ theo tính chất, mức độ vi phạm, phải chịu một trong các hình \
thức kỷ luật sau:
a) Khiển trách;
b) Cảnh cáo;
c) Cách chức;
d) Buộc thôi việc.
2. Người lao động thử nghiệm bị kỷ luật bằng một trong các hình thức quy định tại khoản 1 Điều này còn có thể bị \
hạn chế thực hiện hoạt động nghề nghiệp."""


def test_a_claim_naming_the_forms_binds_to_the_clause_listing_them_not_the_one_pointing_to_it() -> None:
    """Live, "- Các hình thức kỷ luật đối với viên chức gồm các hình thức kỷ luật bằng một trong các hình thức quy
    định tại khoản 1 Điều này, bao gồm khiển trách, cảnh cáo, cách chức, buộc thôi việc [1]." was verified and
    highlighted on Khoản 2 Điều 52 Luật Viên chức, which names none of the forms: it holds the pointer word for
    word, and the pointer's "1" was read as a number the claim states."""
    path = ["Luật thử nghiệm", "Điều 52. Các hình thức kỷ luật đối với người lao động thử nghiệm"]
    hit = article_hit(FORMS_ARTICLE, "Điều 52 Luật 58/2098/QH12", "58/2098/QH12", "52", path, loai="Luật")
    outline = SourceOutline.of(1, hit)
    ref = outline.bind(
        "- Các hình thức kỷ luật đối với người lao động thử nghiệm gồm các hình thức kỷ luật bằng một trong các hình"
        " thức quy định tại khoản 1 Điều này, bao gồm khiển trách, cảnh cáo, cách chức, buộc thôi việc [1]."
    )
    assert ref is not None and ref.anchor == "Khoản 1 Điều 52 Luật 58/2098/QH12", ref
    # the clause that points, restated, is still its own
    ref = outline.bind(
        "Người lao động thử nghiệm bị kỷ luật bằng một trong các hình thức quy định tại khoản 1 Điều này còn có thể"
        " bị hạn chế thực hiện hoạt động nghề nghiệp [1]."
    )
    assert ref is not None and ref.anchor == "Khoản 2 Điều 52 Luật 58/2098/QH12", ref

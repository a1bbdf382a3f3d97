"""The answer outside the workdesk: formal citations, the "Sao chép" text and the DOCX memo — every field known
and nothing invented, no markup in the plain text, and document text that cannot break the DOCX."""

from __future__ import annotations

import datetime as dt
import doctest
import io
import unicodedata

import docx
import pytest

import ui.memo
from assistant.answer import REFUSAL, Answer, CitedSource, SentenceCheck, Verification
from assistant.clauses import ClauseRef, Level
from index.search import Hit
from ingest.model import Citation, DocumentMeta, Validity
from ui.memo import FOOTER, MEMO_TITLE, formal_citation, formal_citation_of_ground, memo_docx, plain_text

LAW_TEXT = (
    "Điều 29. Đơn phương chấm dứt hợp đồng làm việc\n"
    "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức.\n"
    "2. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
    "nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 ngày."
)
CLAUSE_2 = LAW_TEXT[LAW_TEXT.index("2. Viên chức") :]
LAW_FORMAL = "Khoản 2 Điều 29 Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 của Quốc hội"


def law_meta(**over: object) -> DocumentMeta:
    fields: dict[str, object] = dict(
        title="Luật Viên chức",
        so_hieu="58/2010/QH12",
        loai="Luật",
        co_quan="Quốc hội",
        ngay_ban_hanh=dt.date(2010, 11, 15),
        ngay_hieu_luc=dt.date(2012, 1, 1),
        hieu_luc=Validity.CON_HIEU_LUC,
    )
    fields.update(over)
    return DocumentMeta(**fields)  # type: ignore[arg-type]


def hit(text: str = LAW_TEXT, **over: object) -> Hit:
    fields: dict[str, object] = dict(
        chunk_id="c1",
        document_id="law",
        anchor="Khoản 2 Điều 29 Luật Viên chức 58/2010/QH12",
        citation=Citation(document="58/2010/QH12", title="Luật Viên chức", article="29", clause="2"),
        score=1.0,
        text=text,
        heading_path=["Luật Viên chức", "Điều 29"],
        start=1000,
        end=1000 + len(text),
        so_hieu="58/2010/QH12",
        loai="Luật",
        co_quan="Quốc hội",
        year=2010,
        hieu_luc="con_hieu_luc",
        access_level="public",
        title="Luật Viên chức",
    )
    fields.update(over)
    return Hit(**fields)  # type: ignore[arg-type]


def source(marker: int = 1, text: str = CLAUSE_2, **over: object) -> CitedSource:
    h = hit(text, **over)
    return CitedSource(marker=marker, hit=h, text=text, start=h.start, end=h.end)


def answer(text: str = "Viên chức phải báo trước ít nhất 45 ngày [1].", **over: object) -> Answer:
    fields: dict[str, object] = dict(
        question="Viên chức muốn nghỉ việc phải báo trước bao lâu?",
        answer=text,
        citations=[source()],
        verification=Verification.VERIFIED,
        refused=False,
        mode="generative",
        as_of=dt.date(2024, 3, 1),
    )
    fields.update(over)
    return Answer(**fields)  # type: ignore[arg-type]


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in d.paragraphs)


METAS = {"law": law_meta()}


# --- formal citations -------------------------------------------------------------------------------------


def test_formal_citation_names_provision_type_number_date_and_issuer() -> None:
    assert formal_citation(source(), law_meta()) == LAW_FORMAL


def test_formal_citation_of_a_decree_names_its_type_and_subject() -> None:
    meta = DocumentMeta(
        title="Nghị định 30/2020/NĐ-CP về công tác văn thư",
        so_hieu="30/2020/NĐ-CP",
        loai="Nghị định",
        co_quan="Chính phủ",
        ngay_ban_hanh=dt.date(2020, 3, 5),
        trich_yeu="Về công tác văn thư",
    )
    src = source(anchor="Điểm a Khoản 1 Điều 8 Nghị định 30/2020/NĐ-CP", so_hieu="30/2020/NĐ-CP", loai="Nghị định")
    assert formal_citation(src, meta) == (
        "Điểm a Khoản 1 Điều 8 Nghị định số 30/2020/NĐ-CP ngày 05/03/2020 của Chính phủ về công tác văn thư"
    )


def test_missing_metadata_is_left_out_not_invented() -> None:
    meta = law_meta(co_quan=None, ngay_ban_hanh=None)
    got = formal_citation(source(co_quan=None), meta)
    assert got == "Khoản 2 Điều 29 Luật Viên chức số 58/2010/QH12"
    # Without a registry record: what the hit carries, and no date made up from its year.
    bare = formal_citation(source(co_quan=None), None)
    assert bare == "Khoản 2 Điều 29 Luật Viên chức số 58/2010/QH12"
    for text in (got, bare):
        assert "None" not in text and "ngày" not in text and "của" not in text and "—" not in text


def test_a_document_without_type_or_number_is_named_by_its_title() -> None:
    meta = DocumentMeta(title="Quy chế nội bộ về văn thư")
    src = source(anchor="Điều 3 Quy chế nội bộ về văn thư", so_hieu=None, loai=None, co_quan=None)
    assert formal_citation(src, meta) == "Điều 3 Quy chế nội bộ về văn thư"


def test_ground_citation_names_the_more_precise_clause() -> None:
    src = source(text=LAW_TEXT, anchor="Điều 29 Luật Viên chức 58/2010/QH12")
    ground = ClauseRef(1, "law", 1100, 1200, Level.KHOAN, "Khoản 2 Điều 29 Luật Viên chức 58/2010/QH12", CLAUSE_2, "2")
    assert formal_citation(src, law_meta()).startswith("Điều 29 Luật Viên chức số")
    assert formal_citation_of_ground(ground, src, law_meta()) == LAW_FORMAL


# --- the clipboard ----------------------------------------------------------------------------------------


def test_plain_text_has_question_answer_and_reference_list_without_markup() -> None:
    text = plain_text(answer(), METAS)
    lines = text.splitlines()
    assert lines[0] == "Câu hỏi: Viên chức muốn nghỉ việc phải báo trước bao lâu?"
    assert "Viên chức phải báo trước ít nhất 45 ngày [1]." in lines
    assert "Pháp luật áp dụng tại ngày: 01/03/2024" in lines
    refs = lines[lines.index("Căn cứ:") + 1 :]
    assert refs[0] == f"[1] {LAW_FORMAL}"
    assert refs[1] == f"«{' '.join(CLAUSE_2.split())}»"
    assert "<" not in text and ">" not in text and "&" not in text


def test_plain_text_keeps_document_text_verbatim_not_escaped() -> None:
    raw = "2. Nội dung <b>đậm</b> & “trích” [x](y)"
    text = plain_text(answer(citations=[source(text=raw)]), METAS)
    assert f"«{raw}»" in text
    assert "&lt;" not in text and "&amp;" not in text and "&#" not in text


def test_plain_text_lists_the_grounds_clause_when_the_answer_binds_one() -> None:
    src = source(text=LAW_TEXT, anchor="Điều 29 Luật Viên chức 58/2010/QH12")
    ground = ClauseRef(1, "law", 1100, 1200, Level.KHOAN, "Khoản 2 Điều 29 Luật Viên chức 58/2010/QH12", CLAUSE_2, "2")
    claim = "Viên chức phải báo trước ít nhất 45 ngày [1]."
    ans = answer(claim, citations=[src], sentences=[SentenceCheck(claim, (1,), True, 0.9, (), ground)])
    text = plain_text(ans, METAS)
    assert f"[1] {LAW_FORMAL}" in text
    assert "Điều 29. Đơn phương" not in text and "1. Đơn vị sự nghiệp" not in text  # the clause, not the article


def test_plain_text_of_a_refusal_has_no_reference_list() -> None:
    ans = answer(REFUSAL, refused=True, citations=[], verification=Verification.UNVERIFIED, closest=[hit()])
    text = plain_text(ans, METAS)
    assert REFUSAL in text
    assert "Căn cứ:" not in text and "«" not in text


# --- the DOCX memo ----------------------------------------------------------------------------------------


def test_memo_opens_and_holds_question_answer_citations_and_quotes() -> None:
    second = source(
        2,
        "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức.",
        anchor="Khoản 1 Điều 29 Luật Viên chức 58/2010/QH12",
    )
    ans = answer("Viên chức phải báo trước 45 ngày [1]. Đơn vị cũng được chấm dứt [2].", citations=[source(), second])
    data = memo_docx(ans, METAS)
    d = docx.Document(io.BytesIO(data))
    text = docx_text(data)
    assert d.paragraphs[0].text == MEMO_TITLE
    assert "Câu hỏi: Viên chức muốn nghỉ việc phải báo trước bao lâu?" in text
    assert "Viên chức phải báo trước 45 ngày [1]. Đơn vị cũng được chấm dứt [2]." in text
    assert "Pháp luật áp dụng tại ngày: 01/03/2024" in text
    assert "Tình trạng kiểm chứng: Đã kiểm chứng" in text
    assert "Căn cứ pháp lý" in text
    assert f"[1] {LAW_FORMAL}" in text
    assert "[2] Khoản 1 Điều 29 Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 của Quốc hội" in text
    assert f"«{' '.join(CLAUSE_2.split())}»" in text
    assert f"«{second.text}»" in text
    assert "Hiệu lực: Còn hiệu lực (có hiệu lực từ ngày 01/01/2012)" in text
    assert FOOTER in "\n".join(p.text for p in d.sections[0].footer.paragraphs)
    assert d.styles["Normal"].font.name == "Times New Roman"
    assert d.styles["Normal"].font.size is not None and d.styles["Normal"].font.size.pt == 13


def test_memo_text_is_nfc_even_from_decomposed_input() -> None:
    nfd = unicodedata.normalize("NFD", CLAUSE_2)
    assert nfd != CLAUSE_2
    ans = answer(
        unicodedata.normalize("NFD", "Viên chức phải báo trước [1]."),
        question=unicodedata.normalize("NFD", "Báo trước bao lâu?"),
        citations=[source(text=nfd)],
    )
    text = docx_text(memo_docx(ans, METAS))
    assert unicodedata.is_normalized("NFC", text)
    assert "Câu hỏi: Báo trước bao lâu?" in text and "Viên chức phải báo trước [1]." in text
    assert " ".join(CLAUSE_2.split()) in text


def test_memo_says_partially_verified_in_words() -> None:
    text = docx_text(memo_docx(answer(verification=Verification.PARTIALLY_VERIFIED), METAS))
    assert "Tình trạng kiểm chứng: Kiểm chứng một phần" in text


def test_memo_shows_an_expired_document_and_who_asked_when() -> None:
    metas = {"law": law_meta(hieu_luc=Validity.HET_HIEU_LUC)}
    at = dt.datetime(2024, 3, 1, 9, 30)
    text = docx_text(memo_docx(answer(), metas, asked_by="Nguyễn Văn A", asked_at=at))
    assert "Hiệu lực: Hết hiệu lực" in text
    assert "Người tra cứu: Nguyễn Văn A" in text
    assert "Thời điểm tra cứu: 09:30 ngày 01/03/2024" in text


def test_control_characters_and_tags_in_a_source_do_not_break_the_memo() -> None:
    raw = "2. Khoản có\x0bký tự điều khiển\x00 và <script>alert(1)</script> & thẻ\x1f."
    with pytest.raises(ValueError):  # what the memo must guard against: python-docx refuses such text
        docx.Document().add_paragraph(raw)
    ans = answer("Trả lời\x0b có <b>thẻ</b> [1].", question="Hỏi\x07 gì?", citations=[source(text=raw)])
    data = memo_docx(ans, METAS)
    text = docx_text(data)
    assert "<script>alert(1)</script> & thẻ." in text
    assert "Trả lời có <b>thẻ</b> [1]." in " ".join(text.split())
    assert "Câu hỏi: Hỏi gì?" in text
    assert not any(c in text for c in "\x00\x07\x0b\x1f")
    assert "\x0b" not in plain_text(ans, METAS) and "\x00" not in plain_text(ans, METAS)


def test_refused_memo_says_no_legal_basis_and_lists_no_citations() -> None:
    closest = hit("Điều 5. Một điều gần nhưng không trả lời câu hỏi.", anchor="Điều 5 Luật Viên chức 58/2010/QH12")
    said = f"{REFUSAL} Các điều gần nhất để tham khảo: {closest.anchor}."  # as assistant/pipeline.py `_refusal`
    # Even a refusal that still carries a source (the pipeline drops them) must not present it as a basis.
    ans = answer(said, refused=True, citations=[source()], verification=Verification.UNVERIFIED, closest=[closest])
    text = docx_text(memo_docx(ans, METAS))
    assert "Căn cứ:" not in plain_text(ans, METAS)
    assert REFUSAL in text
    assert "Tình trạng kiểm chứng: Không tìm thấy căn cứ" in text
    assert "Căn cứ pháp lý" not in text and "«" not in text
    assert "Một điều gần nhưng không trả lời" not in text  # the closest article is named, never quoted as a basis
    assert "Điều 5 Luật Viên chức 58/2010/QH12" in text


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(ui.memo)
    assert result.attempted > 0 and result.failed == 0


def test_a_memo_kept_as_json_with_a_conversation_is_written_again_the_same() -> None:
    """The workdesk keeps `memo_content(...).to_json()` with each answer, so "Xuất DOCX" works after a reload."""
    import json

    from ui.memo import MemoContent, memo_content, write_memo

    content = memo_content(answer(), METAS)
    kept = json.loads(json.dumps(content.to_json(), ensure_ascii=False))  # as the conversation store holds it
    assert MemoContent.from_json(kept) == content
    again = docx.Document(io.BytesIO(write_memo(MemoContent.from_json(kept))))
    first = docx.Document(io.BytesIO(memo_docx(answer(), METAS)))
    assert [p.text for p in again.paragraphs] == [p.text for p in first.paragraphs]

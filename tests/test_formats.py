"""Format readers on real files: diacritics survive every format, scans are OCR'd, bad files fail clearly.

The DOCX and PDF originals come from ../shared (override with KHO_SHARED_DIR); fixtures for TXT, HTML, scanned
and broken files are written into tmp_path by the tests themselves.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

import docx
import pypdf
import pypdfium2 as pdfium
import pytest

from ingest.formats.base import IngestError, NoTextError, RawText
from ingest.formats.docx import DocxReader
from ingest.formats.html import HtmlReader
from ingest.formats.pdf import PdfReader
from ingest.formats.registry import MB, READERS, read_file, reader_for
from ingest.formats.text import TextReader

SHARED = Path(os.environ.get("KHO_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
ORIGINALS = SHARED / "corpus" / "originals"
DECREE_356 = ORIGINALS / "nghi_dinh" / "nghi_dinh_356_2025_ND_CP.docx"
AN_LE_55 = ORIGINALS / "an_le" / "an_le_so_552022AL.pdf"

LIMIT = 50 * MB

needs_shared = pytest.mark.skipif(
    not ORIGINALS.is_dir(), reason=f"shared corpus not found at {ORIGINALS} (set KHO_SHARED_DIR)"
)
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract not on PATH (make system-deps)"
)

SENTENCE = "Điều 1. Nghị định này quy định chi tiết về bảo vệ dữ liệu cá nhân của công dân Việt Nam."
WORDS = ["Điều 1.", "Nghị định", "dữ liệu cá nhân", "Việt Nam"]

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: base letters (ă, â, ê, ơ, ư, đ...) + combining tones."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:  # a toned letter: cp1258 has no precomposed form, only base + tone mark
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


def assert_vietnamese(raw: RawText, words: list[str] = WORDS) -> None:
    assert unicodedata.is_normalized("NFC", raw.text)
    for word in words:
        assert word in raw.text, f"{word!r} missing from {raw.text[:300]!r}"


def ingest_error(path: Path, max_bytes: int = LIMIT) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_file(path, max_bytes)
    assert str(path) in str(info.value), "the message must name the file"
    return info.value


# --- TXT -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16"],  # utf-16 writes a BOM
)
def test_txt_unicode_encodings_keep_diacritics(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "van_ban.txt"
    path.write_bytes(f"{SENTENCE}\r\n\r\n   Khoản 2.\tNội dung  \r\n".encode(encoding))
    raw = read_file(path, LIMIT)
    assert raw.fmt == "txt"
    assert raw.text == f"{SENTENCE}\nKhoản 2. Nội dung"
    assert_vietnamese(raw)


def test_txt_utf16_without_bom_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes(((SENTENCE + "\n") * 5).encode("utf-16-le"))
    raw = read_file(path, LIMIT)
    assert_vietnamese(raw)
    assert raw.warnings == ["decoded as utf_16_le"]


def test_txt_cp1258_combining_tones_are_composed(tmp_path: Path) -> None:
    data = encode_cp1258(SENTENCE)
    assert b"\xf2" in data  # the dot-below tone byte (combining U+0323): the file really is decomposed
    path = tmp_path / "cp1258.txt"
    path.write_bytes(data)
    raw = read_file(path, LIMIT)
    assert raw.text == SENTENCE
    assert_vietnamese(raw)
    assert raw.warnings == ["decoded as cp1258"]


# --- DOCX ----------------------------------------------------------------------------------------------


@pytest.mark.shared
@needs_shared
def test_docx_real_decree_keeps_header_table_and_diacritics() -> None:
    raw = read_file(DECREE_356, LIMIT)
    assert raw.fmt == "docx"
    assert_vietnamese(raw, ["Điều 1.", "Nghị định", "dữ liệu cá nhân", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    lines = raw.text.split("\n")
    # The header block is a 2-column table; "Số: ..." must start a line for the metadata regex (^Số:).
    assert "Số: 356/2025/NĐ-CP" in lines[:10]
    assert lines[0] == "CHÍNH PHỦ"
    assert re.search(r"^Điều 1\. Phạm vi điều chỉnh$", raw.text, re.M)
    assert "" not in lines  # no empty-line noise
    # Table header text comes before the body, in document order.
    assert raw.text.index("Số: 356/2025/NĐ-CP") < raw.text.index("Điều 1.")
    # Each paragraph once (python-docx's XML iteration can repeat text; this reader must not).
    assert raw.text.count("NGHỊ ĐỊNH\n") == 1


def test_docx_tables_line_breaks_and_nfc(tmp_path: Path) -> None:
    document = docx.Document()
    row = document.add_table(rows=1, cols=2).rows[0]
    row.cells[0].text = "BỘ NỘI VỤ"
    row.cells[0].add_paragraph("Số: 12/2025/TT-BNV")
    row.cells[1].text = "Hà Nội, ngày 01 tháng 7 năm 2025"
    document.add_paragraph("")
    run = document.add_paragraph().add_run(unicodedata.normalize("NFD", "Điều 1. Phạm vi"))
    run.add_break()
    run.add_text("Thông tư này quy định về công chức.")
    document.add_paragraph("   ")
    path = tmp_path / "thong_tu.docx"
    document.save(str(path))

    raw = read_file(path, LIMIT)
    assert raw.text.split("\n") == [
        "BỘ NỘI VỤ",
        "Số: 12/2025/TT-BNV",
        "Hà Nội, ngày 01 tháng 7 năm 2025",
        "Điều 1. Phạm vi",
        "Thông tư này quy định về công chức.",
    ]
    assert unicodedata.is_normalized("NFC", raw.text)


# --- HTML ----------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">
<title>Văn bản</title><style>p {{ color: red }}</style><script>var menu = "Trang chủ";</script></head>
<body><form id="aspnetForm"><header>Cổng thông tin điện tử</header><nav><a href="/">Trang chủ</a></nav>
<!-- quảng cáo -->
<table><tr><td>CHÍNH PHỦ<br>Số: 356/2025/NĐ-CP</td><td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr></table>
<h2>NGHỊ ĐỊNH</h2>
<p>Điều <b>1</b>.   Phạm vi
   điều chỉnh</p><div>{sentence}</div><ul><li>a) Cá nhân;</li><li>b) Tổ chức.</li></ul>
<footer>© Bộ Nội vụ</footer></form></body></html>"""


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258"])
def test_html_visible_text_one_block_per_line(tmp_path: Path, encoding: str) -> None:
    page = PAGE.format(sentence=SENTENCE)
    path = tmp_path / "nd356.html"
    path.write_bytes(page.encode("utf-8") if encoding == "utf-8" else encode_cp1258(page))
    raw = read_file(path, LIMIT)
    assert raw.fmt == "html"
    assert raw.text.split("\n") == [
        "CHÍNH PHỦ",
        "Số: 356/2025/NĐ-CP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "NGHỊ ĐỊNH",
        "Điều 1. Phạm vi điều chỉnh",
        SENTENCE,
        "a) Cá nhân;",
        "b) Tổ chức.",
    ]
    assert_vietnamese(raw)
    # A page declaring windows-1258 but saved as UTF-8 is read as UTF-8, with a warning.
    assert bool(raw.warnings) == (encoding == "utf-8")


def test_htm_without_charset_is_guessed(tmp_path: Path) -> None:
    path = tmp_path / "cu.htm"
    path.write_bytes(encode_cp1258(f"<html><body><p>{SENTENCE}</p><p>{SENTENCE}</p></body></html>"))
    raw = read_file(path, LIMIT)
    assert raw.text == f"{SENTENCE}\n{SENTENCE}"


# --- PDF -----------------------------------------------------------------------------------------------


@pytest.mark.shared
@needs_shared
def test_pdf_text_layer_keeps_diacritics_and_page_starts() -> None:
    raw = read_file(AN_LE_55, LIMIT)
    assert raw.fmt == "pdf"
    assert_vietnamese(raw, ["ÁN LỆ SỐ 55/2022/AL", "Hội đồng Thẩm phán Tòa án nhân dân tối cao", "Điều 129"])
    assert re.search(r"^- Điều 129, khoản 1 Điều 502", raw.text, re.M)
    assert raw.warnings == []  # text layer only, no OCR
    assert len(raw.page_starts) == len(pdfium.PdfDocument(AN_LE_55)) == 9
    assert raw.page_starts[0] == 0
    assert raw.page_starts == sorted(set(raw.page_starts))
    # Each page starts on a line boundary, and page 2 starts with its own text layer's first line.
    assert all(raw.text[s - 1] == "\n" for s in raw.page_starts[1:])
    page2 = pdfium.PdfDocument(AN_LE_55)[1].get_textpage().get_text_range().strip().split("\r\n")[0].strip()
    assert raw.text[raw.page_starts[1] :].startswith(page2)


@pytest.mark.shared
@needs_shared
def test_pdf_with_owner_password_only_is_readable(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=AN_LE_55)
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-256")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert "ÁN LỆ SỐ 55/2022/AL" in read_file(path, LIMIT).text


def _font() -> Path:
    for name in ("DejaVuSans.ttf", "DejaVuSerif.ttf", "LiberationSerif-Regular.ttf", "NotoSans-Regular.ttf"):
        for found in Path("/usr/share/fonts").rglob(name):
            return found
    pytest.skip("no TrueType font with Vietnamese glyphs (apt-get install fonts-dejavu-core)")


def make_scanned_pdf(path: Path, lines: list[str]) -> Path:
    """An image-only A4 page at 300 dpi (what a scanner produces): text drawn into pixels, no text layer."""
    pytest.importorskip("PIL", reason="Pillow is needed to draw the scanned test page")
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_font()), 44) if lines else None
    for i, line in enumerate(lines):
        draw.text((200, 250 + 110 * i), line, font=font, fill=0)
    image.save(path, "PDF", resolution=300)
    return path


SCANNED_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "NGHỊ ĐỊNH",
    "Điều 1. Phạm vi điều chỉnh",
    "Nghị định này quy định về bảo vệ dữ liệu cá nhân",
    "và trách nhiệm của cơ quan nhà nước.",
]


@needs_tesseract
def test_scanned_pdf_is_ocrd_with_diacritics(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", SCANNED_LINES)
    assert pdfium.PdfDocument(path)[0].get_textpage().get_text_range().strip() == ""  # really no text layer
    raw = read_file(path, LIMIT)
    assert unicodedata.is_normalized("NFC", raw.text)
    expected = ["CỘNG HÒA", "Độc lập", "NGHỊ ĐỊNH", "Điều 1.", "Phạm vi điều chỉnh", "dữ liệu", "trách nhiệm"]
    found = [w for w in expected if w in raw.text]
    assert len(found) >= 5, f"OCR recovered only {found} from {raw.text!r}"
    assert raw.page_starts == [0]
    assert any("OCR" in w for w in raw.warnings)


@needs_tesseract
def test_blank_scanned_pdf_has_no_text(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path / "blank.pdf", [])
    with pytest.raises(NoTextError) as info:
        read_file(path, LIMIT)
    assert info.value.state == "failed_no_text"
    assert "no text layer and OCR found no text" in str(info.value)
    assert str(path) in str(info.value)


def test_scanned_pdf_without_tesseract_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", SCANNED_LINES[:1])
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no tesseract on it
    err = ingest_error(path)
    assert "tesseract" in err.reason and "make system-deps" in err.reason


@needs_tesseract
def test_scanned_pdf_with_missing_ocr_language_says_how_to_install(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", SCANNED_LINES[:1])
    with pytest.raises(IngestError, match=r"no language data for xyz; run `make system-deps`"):
        read_file(path, LIMIT, ocr_lang="xyz")


# --- Bad inputs ----------------------------------------------------------------------------------------


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(os.urandom(4096))
    assert "corrupt or unreadable PDF" in ingest_error(path).reason


@pytest.mark.shared
@needs_shared
def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=AN_LE_55)
    writer.encrypt(user_password="mat-khau", algorithm="AES-256")
    path = tmp_path / "mat.pdf"
    writer.write(path)
    assert ingest_error(path).reason.startswith("encrypted PDF")


def test_encrypted_pdf_without_shared(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="mat-khau", algorithm="AES-128")
    path = tmp_path / "mat.pdf"
    writer.write(path)
    assert ingest_error(path).reason.startswith("encrypted PDF")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "rong.docx"
    path.touch()
    assert ingest_error(path).reason == "empty file"


@pytest.mark.parametrize(
    "data",
    [os.urandom(4096), b"\x00\x01\x02\x03 ELF binary header" * 64],  # the second one is valid UTF-8
    ids=["random", "valid-utf8-controls"],
)
def test_binary_junk_txt(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "rac.txt"
    path.write_bytes(data)
    assert "not readable text: looks binary" in ingest_error(path).reason


def test_txt_in_unknown_encoding(tmp_path: Path) -> None:
    # Valid text characters (no controls) in an encoding the reader does not guess: Shift-JIS Japanese.
    path = tmp_path / "nhat.txt"
    path.write_bytes(("日本語のテキストです。法律の条文。" * 20).encode("shift_jis"))
    assert "unknown text encoding" in ingest_error(path).reason


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "gia.docx"
    path.write_text("Đây không phải tệp Word", encoding="utf-8")
    assert "not a zip archive" in ingest_error(path).reason


def test_docx_in_ole_container(tmp_path: Path) -> None:
    # Password-protected .docx files (and legacy .doc) are OLE compound files; this one has only the header.
    path = tmp_path / "bao_ve.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    reason = ingest_error(path).reason
    assert "OLE container" in reason and "password" in reason


@pytest.mark.shared
@needs_shared
def test_docx_truncated_zip(tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(DECREE_356.read_bytes()[:5000])
    assert ingest_error(path).reason.startswith("corrupt .docx")


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    assert ingest_error(tmp_path / "khong_co.pdf").reason == "file does not exist"


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "thu_muc.pdf"
    path.mkdir()
    assert ingest_error(path).reason == "not a regular file"


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "lon.pdf"
    with path.open("wb") as f:
        f.truncate(110_000_000)  # sparse: no 110 MB written
    reason = ingest_error(path, max_bytes=LIMIT).reason
    assert reason == "file is too large: 104.9 MB > limit 50 MB (KHO_MAX_FILE_MB)"


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "bang.xyz"
    path.write_text("x")
    supported = ".docx, .htm, .html, .pdf, .txt"
    assert ingest_error(path).reason == f"unsupported file type '.xyz' (supported: {supported})"


# --- Registry ------------------------------------------------------------------------------------------


def test_registry_maps_suffixes_case_insensitively() -> None:
    assert sorted(READERS) == [".docx", ".htm", ".html", ".pdf", ".txt"]
    assert isinstance(reader_for("A.PDF"), PdfReader)
    assert isinstance(reader_for("b.Docx"), DocxReader)
    assert isinstance(reader_for("c.htm"), HtmlReader)
    assert isinstance(reader_for("d.txt"), TextReader)


class _CrashingReader:
    """A reader with a bug: proves read_file turns any exception into an IngestError naming the file."""

    fmt = "txt"
    suffixes = (".txt",)

    def read(self, path: Path) -> RawText:
        return RawText(text=str(1 // 0), fmt=self.fmt)


def test_unexpected_reader_exception_is_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(READERS, ".txt", _CrashingReader())
    path = tmp_path / "a.txt"
    path.write_text("Điều 1.", encoding="utf-8")
    err = ingest_error(path)
    assert "ZeroDivisionError" in err.reason
    assert isinstance(err.__cause__, ZeroDivisionError)

"""PDF reader: the text layer via pypdfium2, with OCR (tesseract) for pages that are scans.

pypdfium2 was chosen over pdfminer.six and pypdf on the án lệ PDFs of the shared corpus: all three keep the
Vietnamese diacritics and the "Điều ..." line starts, but pdfium is 20-30x faster (0.03-0.06 s vs 1.0-1.4 s
for pdfminer per 6-9 page file) and does not pad justified lines with double spaces ("Hợp  đồng").

A page is OCR'd when its text layer is (almost) empty but something is drawn on it, or when a large image
covers it and the text layer is short (a scanned page whose only text is the e-signature stamp "Ký bởi: ...").
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.formats.base import IngestError, NoTextError, RawText
from ingest.formats.ocr import DEFAULT_DPI, DEFAULT_LANG, ocr_pdf_pages
from ingest.formats.text import clean_lines

# A page whose text layer has fewer letters/digits than this holds no real text (a page number, a stamp).
MIN_PAGE_CHARS = 30
# ... and a page mostly covered by one image (a scan) with fewer than this is OCR'd as well: e-signed scans of
# Vietnamese documents carry a text layer of only the signature stamp (~150 characters).
MIN_SCANNED_PAGE_CHARS = 300
# "Mostly covered": the image's box is at least half the page's area.
SCAN_AREA_RATIO = 0.5

# pdfium reports a hyphen at a line break as U+0002 (and some producers as U+FFFE); other control characters
# are never content.
_PDFIUM_HYPHENS = str.maketrans({"\x02": "-", "\ufffe": "-"})
_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _clean_page(text: str) -> str:
    return clean_lines(_CONTROLS_RE.sub("", text.translate(_PDFIUM_HYPHENS)))


class PdfReader:
    """Reads PDFs: the text layer page by page, OCR for scanned pages, `page_starts` for every page.

    >>> PdfReader(ocr_lang="vie+eng").ocr_lang
    'vie+eng'
    """

    fmt = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)

    def __init__(self, ocr_lang: str = DEFAULT_LANG, ocr_dpi: int = DEFAULT_DPI) -> None:
        self.ocr_lang = ocr_lang
        self.ocr_dpi = ocr_dpi

    def read(self, path: Path) -> RawText:
        """Extract every page's text (OCR where needed); `page_starts[i]` is where page i+1 begins in `text`.

        Raises `IngestError` for an encrypted or corrupt PDF, or when OCR is needed but tesseract is missing;
        `NoTextError` when neither the text layer nor OCR yields any text.
        """
        path = Path(path)
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise IngestError(path, "encrypted PDF: it needs a password; save an unprotected copy") from e
            raise IngestError(path, f"corrupt or unreadable PDF: {e}") from e
        try:
            return self._read_open(pdf, path)
        except pdfium.PdfiumError as e:
            raise IngestError(path, f"corrupt or unreadable PDF: {e}") from e
        finally:
            pdf.close()

    def _read_open(self, pdf: pdfium.PdfDocument, path: Path) -> RawText:
        n_pages = len(pdf)
        if n_pages == 0:
            raise NoTextError(path, "the PDF has no pages")
        pages: list[str] = []
        to_ocr: list[int] = []
        for i in range(n_pages):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    text = _clean_page(textpage.get_text_range())
                finally:
                    textpage.close()
                if _needs_ocr(page, text):
                    to_ocr.append(i)
            finally:
                page.close()
            pages.append(text)

        warnings: list[str] = []
        if to_ocr:
            ocr = ocr_pdf_pages(pdf, to_ocr, path, lang=self.ocr_lang, dpi=self.ocr_dpi)
            empty = []
            for i, raw in ocr.items():
                ocr_text = _clean_page(raw)
                if _letters(ocr_text) == 0:
                    empty.append(i + 1)
                    continue
                # Keep the (short) text layer too: it is exact, e.g. a signature stamp or the page number.
                pages[i] = f"{pages[i]}\n{ocr_text}" if pages[i] else ocr_text
            warnings.append(
                f"OCR (tesseract -l {self.ocr_lang}) used on {len(to_ocr)} of {n_pages} pages: "
                f"{_page_list([i + 1 for i in to_ocr])}; OCR text may contain recognition errors"
            )
            if empty:
                warnings.append(f"OCR found no text on pages {_page_list(empty)}")

        parts: list[str] = []
        page_starts: list[int] = []
        pos = 0
        for text in pages:
            page_starts.append(pos)
            if text:
                parts.append(text)
                pos += len(text) + 1  # the "\n" joining it to the next page
        full = "\n".join(parts)
        page_starts = [min(s, len(full)) for s in page_starts]
        if _letters(full) == 0:
            reason = (
                "no text layer and OCR found no text" if to_ocr else "no text layer and nothing drawn to OCR"
            )
            raise NoTextError(path, reason)
        return RawText(text=full, fmt=self.fmt, page_starts=page_starts, warnings=warnings)


def _needs_ocr(page: pdfium.PdfPage, text: str) -> bool:
    """Whether a page looks scanned: little text but something drawn, or a page-sized image and short text."""
    letters = _letters(text)
    if letters >= MIN_SCANNED_PAGE_CHARS:
        return False
    width, height = page.get_size()
    page_area = max(width * height, 1.0)
    drawn = False
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT or obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            continue
        drawn = True
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= SCAN_AREA_RATIO * page_area:
                return True
    return drawn and letters < MIN_PAGE_CHARS


def _page_list(pages: list[int]) -> str:
    """1-based page numbers as '1-3, 7' (readable in a warning)."""
    runs: list[str] = []
    for p in pages:
        if runs and p == int(runs[-1].split("-")[-1]) + 1:
            runs[-1] = f"{runs[-1].split('-')[0]}-{p}"
        else:
            runs.append(str(p))
    return ", ".join(runs)

"""OCR for scanned PDF pages: render them with pypdfium2, read them with the `tesseract` command.

Everything runs locally: tesseract is a program on this machine with its language data installed by
`make system-deps` (apt-get install tesseract-ocr tesseract-ocr-vie); nothing is downloaded.

Each tesseract runs with `OMP_THREAD_LIMIT=1` and pages run side by side, one process per CPU: with OpenMP
threads on, one A4 page took 4-5 s wall on a 2-core machine, with one thread 1.2 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium

from ingest.formats.base import IngestError

DEFAULT_LANG = "vie"
# 300 dpi, the resolution tesseract's documentation recommends: stacked diacritics (ệ, ổ) need the pixels.
DEFAULT_DPI = 300
# One page normally takes 1-3 s; a page still running after this is stuck (or absurdly large).
PAGE_TIMEOUT_S = 180

_INSTALL_HINT = "run `make system-deps` (apt-get install tesseract-ocr tesseract-ocr-vie)"


def _installed_langs(exe: str) -> frozenset[str]:
    # Not cached (it takes ~10 ms): after `make system-deps` a running app sees the new languages at once.
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    # First line is 'List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (3):'.
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def find_tesseract(path: Path | str, lang: str = DEFAULT_LANG) -> str:
    """The tesseract executable, after checking it has every language in `lang` ("vie" or "vie+eng").

    Raises `IngestError` naming `path` (the document that needed OCR) and how to install what is missing.
    """
    exe = shutil.which("tesseract")
    if exe is None:
        raise IngestError(
            path, f"scanned pages need OCR but the `tesseract` program is not installed; {_INSTALL_HINT}"
        )
    missing = [code for code in lang.split("+") if code not in _installed_langs(exe)]
    if missing:
        raise IngestError(
            path,
            f"scanned pages need OCR but tesseract has no language data for {'+'.join(missing)}; "
            + _INSTALL_HINT,
        )
    return exe


def _write_pgm(bitmap: pdfium.PdfBitmap, dest: Path) -> None:
    """Write a grayscale pdfium bitmap as binary PGM, a format tesseract reads without Pillow."""
    if bitmap.n_channels != 1:
        raise ValueError(f"expected a grayscale bitmap, got {bitmap.mode}")
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    buf = memoryview(bitmap.buffer).cast("B")
    with dest.open("wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (width, height))
        if stride == width:
            f.write(buf[: width * height])
        else:  # rows are padded to `stride` bytes
            for y in range(height):
                f.write(buf[y * stride : y * stride + width])


def ocr_image(
    exe: str, image: Path, path: Path | str, lang: str = DEFAULT_LANG, dpi: int = DEFAULT_DPI
) -> str:
    """Run tesseract on one image file and return its text; `IngestError` naming `path` if tesseract fails."""
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    try:
        proc = subprocess.run(
            [exe, str(image), "stdout", "-l", lang, "--dpi", str(dpi)],
            capture_output=True,
            timeout=PAGE_TIMEOUT_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise IngestError(path, f"OCR of {image.stem} took longer than {PAGE_TIMEOUT_S} s") from e
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IngestError(
            path, f"OCR of {image.stem} failed: tesseract exited {proc.returncode}: {' / '.join(err[-3:])}"
        )
    return proc.stdout.decode("utf-8", "replace").replace("\f", "")


def ocr_pdf_pages(
    pdf: pdfium.PdfDocument,
    indices: Sequence[int],
    path: Path | str,
    lang: str = DEFAULT_LANG,
    dpi: int = DEFAULT_DPI,
    workers: int | None = None,
) -> dict[int, str]:
    """OCR the given 0-based pages of an open PDF; returns {page index: raw tesseract text}.

    Pages are rendered in the calling thread (pdfium is not thread-safe) in batches of `workers` pages, and
    each batch is OCR'd by that many tesseract processes at once, keeping at most `workers` images on disk.
    """
    if not indices:
        return {}
    exe = find_tesseract(path, lang)
    workers = max(1, workers or os.cpu_count() or 1)
    results: dict[int, str] = {}
    with (
        tempfile.TemporaryDirectory(prefix="kho-ocr-") as tmp,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        for start in range(0, len(indices), workers):
            batch: dict[int, Path] = {}
            for i in indices[start : start + workers]:
                page = pdf[i]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    try:
                        image = Path(tmp) / f"page-{i + 1}.pgm"
                        _write_pgm(bitmap, image)
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                batch[i] = image
            futures = {i: pool.submit(ocr_image, exe, image, path, lang, dpi) for i, image in batch.items()}
            for i, fut in futures.items():
                results[i] = fut.result()
                batch[i].unlink()
    return results

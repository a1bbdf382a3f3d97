"""Masking of personal data before anything is logged: CCCD/CMND numbers, Vietnamese phone numbers, e-mails.

The audit log and every log line that carries a question go through `mask_pii`, so the database and the log
files never hold these in clear. Masking errs on the side of caution: any stand-alone run of 9 or 12 digits is
treated as an identity number (CMND has 9 digits, CCCD 12), whatever else it might be.

>>> mask_pii("CCCD 001203004567 của tôi")
'CCCD [số định danh] của tôi'
>>> mask_pii("CMND số 123456789, gọi 0912 345 678 hoặc +84 91.234.5678")
'CMND số [số định danh], gọi [số điện thoại] hoặc [số điện thoại]'
>>> mask_pii("Liên hệ nguyen.van.a@noivu.gov.vn hoặc 024.3823.4567")
'Liên hệ [email] hoặc [số điện thoại]'
>>> mask_pii("Điều 29 Luật Viên chức 58/2010/QH12, năm 2020")
'Điều 29 Luật Viên chức 58/2010/QH12, năm 2020'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ID_MASK = "[số định danh]"
PHONE_MASK = "[số điện thoại]"
EMAIL_MASK = "[email]"


@dataclass(frozen=True)
class Masker:
    """One kind of personal data: a pattern and what replaces each match."""

    name: str
    pattern: re.Pattern[str]
    replacement: str


# Order matters: e-mails first (their local part may hold digits), then identity numbers (runs of exactly 9 or
# 12 digits, which a phone never has), then phones: 0 + 9-10 digits or (+)84 + 9-10 digits, with spaces, dots
# or hyphens between groups ("0912 345 678", "+84 91.234.5678", "024-3823-4567").
MASKERS: tuple[Masker, ...] = (
    Masker("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), EMAIL_MASK),
    Masker("cccd_cmnd", re.compile(r"(?<![\d/.,-])(?:\d{12}|\d{9})(?![\d/]|[.,-]\d)"), ID_MASK),
    Masker(
        "phone",
        re.compile(r"(?<![\w+/.-])(?:\+84|84|0)(?:[ .-]?\d){9,10}(?![\d/]|[.,-]\d)"),
        PHONE_MASK,
    ),
)


def mask_pii(text: str) -> str:
    """`text` (NFC) with every CCCD/CMND number, phone number and e-mail address replaced by a label."""
    out = unicodedata.normalize("NFC", text)
    for m in MASKERS:
        out = m.pattern.sub(m.replacement, out)
    return out


def found_pii(text: str) -> list[str]:
    """The names of the kinds of personal data `text` holds (what `mask_pii` would replace)."""
    norm = unicodedata.normalize("NFC", text)
    return [m.name for m in MASKERS if m.pattern.search(norm)]

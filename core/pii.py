"""Masking of personal data before anything is logged: CCCD/CMND numbers, phone numbers, e-mails, bank accounts.

The audit log and every log line that carries a question go through `mask_pii`, so the database and the log
files never hold these in clear. Masking errs on the side of caution: any stand-alone run of 9 or 12 digits is
treated as an identity number (CMND has 9 digits, CCCD 12), whatever else it might be, grouped or not
(`038 099 001 133`, `038.099.001.133`) and whatever label comes before it (`CCCD-038099001144`, `CMND:`).
Legal references stay readable: document numbers (`58/2010/QH12`), dates, article numbers and money amounts
(`2.000.000 đồng`, `100.000.000`) are not personal data.

>>> mask_pii("CCCD 001203004567 của tôi")
'CCCD [số định danh] của tôi'
>>> mask_pii("CMND số 123456789, gọi 0912 345 678 hoặc +84 91.234.5678")
'CMND số [số định danh], gọi [số điện thoại] hoặc [số điện thoại]'
>>> mask_pii("Liên hệ nguyen.van.a@noivu.gov.vn hoặc 024.3823.4567")
'Liên hệ [email] hoặc [số điện thoại]'
>>> mask_pii("CCCD-038099001144, 038 099 001 133, (+84) 987 654 322, STK 1903 5678 9012 34 Techcombank")
'CCCD-[số định danh], [số định danh], [số điện thoại], STK [số tài khoản] Techcombank'
>>> mask_pii("Điều 29 Luật Viên chức 58/2010/QH12, năm 2020, phạt 100.000.000 đồng từ 01/07/2020")
'Điều 29 Luật Viên chức 58/2010/QH12, năm 2020, phạt 100.000.000 đồng từ 01/07/2020'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.text import nfc

ID_MASK = "[số định danh]"
PHONE_MASK = "[số điện thoại]"
EMAIL_MASK = "[email]"
BANK_MASK = "[số tài khoản]"

KIND_MASKS: dict[str, str] = {"email": EMAIL_MASK, "cccd_cmnd": ID_MASK, "phone": PHONE_MASK, "bank_account": BANK_MASK}

# Starts only where a run of address characters starts, possessive: linear time on long runs without "@".
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")

# A run of digit groups joined by one separator each: a space, a dot, a hyphen or dash (all but spaces "hard":
# a number is never split there), or a parenthesis with optional spaces, as in "(024) 3823 4567", "+84 (0) 912".
# Spaces include no-break and thin spaces; zero-width characters count as separators so they cannot hide a number.
_SPACE = r"[^\S\n]"
_SEP = rf"(?:{_SPACE}?[()]{_SPACE}?|{_SPACE}|[.\-\u2010-\u2013\u200b-\u200d\u2060\ufeff])"
CHAIN_RE = re.compile(rf"\d+(?:{_SEP}\d+)*")
_GROUP_RE = re.compile(r"\d+")
_SOFT_SEP = re.compile(r"[\s()]")  # a window of groups may start or end at these, never inside "038.099"

# The longest window looked at: 19 digits of a bank account plus a country code; bounds the work per chain.
MAX_WINDOW_DIGITS = 24
BANK_DIGITS = range(6, 20)  # Vietnamese bank accounts run from 6 to 19 digits
MIN_DIGITS = BANK_DIGITS.start  # nothing shorter is personal data here
CONTEXT_CHARS = 40  # how far before a number a "STK" or bank name is looked for

_BANKS = (
    r"vietcombank|vcb|bidv|agribank|techcombank|tcb|vietinbank|mb ?bank|mb|acb|sacombank|tpbank|vpbank|shb|"
    r"hdbank|ocb|scb|eximbank|msb|seabank|lienvietpostbank|lpbank|vib|abbank|namabank|bac a bank|pvcombank|"
    r"kienlongbank|oceanbank|baovietbank|vietbank|ncb|saigonbank|ngân hàng"
)
BANK_CONTEXT_RE = re.compile(
    rf"(?:\bstk|\bs[ốo] t(?:ài|ai) kho[ảa]n|\bt(?:ài|ai) kho[ảa]n(?: s[ốo])?|\btk|\b(?:{_BANKS}))(?![^\W\d])"
    rf"[^\d\n]{{0,{CONTEXT_CHARS}}}$",
    re.IGNORECASE,
)
# A label written straight against the number ("CCCD038099001133", "SĐT0912345678"): the only letters a number
# may follow and still be masked (a code such as "QH12" or "TCVN5574" is not personal data).
GLUED_LABEL_RE = re.compile(r"(?:cccd|cmnd|cmt|sđt|đt|dt|stk|tk|no|tel|phone)$", re.IGNORECASE)
CURRENCY_RE = re.compile(r"[ \u00a0]?(?:đồng|đ\b|vnđ|vnd|usd|eur|triệu|tỷ|nghìn|ngàn|%)", re.IGNORECASE)
# dd.mm.yyyy / dd-mm-yyyy inside a run of digits: a date, not a phone number
DATE_RE = re.compile(r"(?<!\d)\d{1,2}([./-])\d{1,2}\1(?:19|20)\d{2}(?!\d)")
# 1-3 digits then groups of exactly 3, all joined by dots (or all by commas): how amounts are written
THOUSANDS_RE = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?:,\d{3})+")


@dataclass(frozen=True)
class Found:
    """One piece of personal data in a text: where it is and what kind it is (a key of `KIND_MASKS`)."""

    start: int
    end: int
    kind: str


def _is_amount(window: str, after: str) -> bool:
    """A number written as money: a currency word after it, or thousands grouping ending in 000 ("500.000.000")."""
    if CURRENCY_RE.match(after):
        return True
    parts = re.split(r"[\-\u2010-\u2013]", window)  # a range, "100.000-500.000"
    return all(THOUSANDS_RE.fullmatch(p) and p.endswith("000") for p in parts)


def _intl_phone(digits: str, plus: bool) -> bool:
    """+84 / 0084 / 84 followed by a national number without its leading 0 (an optional "(0)" dropped)."""
    if digits.startswith("0084"):
        rest = digits[4:]
    elif digits.startswith("84"):
        rest = digits[2:]
    else:
        return False
    if rest.startswith("0"):
        rest = rest[1:]
    ok = len(rest) in (9, 10) and rest[0] in "23456789"
    return ok and (plus or digits.startswith("0084") or len(digits) >= 11)


def _classify(digits: str, window: str, bank: bool, after: str, plus: bool) -> str | None:
    """What kind of personal data a window of digit groups is (`bank`: a bank label comes before it), or None."""
    if DATE_RE.search(window) or _is_amount(window, after):
        return None
    if bank and len(digits) in BANK_DIGITS:
        return "bank_account"
    if plus or digits.startswith(("84", "0084")):
        if _intl_phone(digits, plus):
            return "phone"
        if plus:  # another country's number: E.164 allows 8 to 15 digits after the "+"
            return "phone" if 8 <= len(digits) <= 15 else None
    if len(digits) in (9, 12):
        return "cccd_cmnd"
    if digits[0] == "0" and len(digits) in (10, 11) and digits[1] in "23456789":
        return "phone"
    return None


def _left_ok(text: str, start: int) -> bool:
    """A number may start here: not glued to a word or a code ("QH12", "58/2010"), unless to a known label."""
    if start == 0:
        return True
    prev = text[start - 1]
    if prev == "/" or (prev in ".,-" and start >= 2 and text[start - 2].isdigit()):
        return False
    if prev.isalnum() or prev == "_":
        return bool(GLUED_LABEL_RE.search(text[max(0, start - 8) : start]))
    return True


def _right_ok(text: str, end: int) -> bool:
    """A number may end here: not followed by a letter, "/", or a decimal part ("123456789,5")."""
    if end >= len(text):
        return True
    nxt = text[end]
    if nxt.isalnum() or nxt in "/_":
        return False
    return not (nxt in ".,-/" and end + 1 < len(text) and text[end + 1].isdigit())


def _numbers(text: str) -> list[Found]:
    """Identity, phone and bank account numbers in `text`, left to right, not overlapping."""
    found: list[Found] = []
    for chain in CHAIN_RE.finditer(text):
        groups = list(_GROUP_RE.finditer(chain.group()))
        base = chain.start()
        i = 0
        while i < len(groups):
            g0 = base + groups[i].start()
            if i > 0 and not _SOFT_SEP.search(text[base + groups[i - 1].end() : g0]):
                i += 1
                continue
            if not _left_ok(text, g0):
                i += 1
                continue
            start = g0
            plus = False
            if text[max(0, g0 - 1) : g0] == "+":
                plus, start = True, g0 - 1
                if text[max(0, g0 - 2) : g0 - 1] == "(":
                    start = g0 - 2
            elif text[max(0, g0 - 1) : g0] == "(" and text[base + groups[i].end() : base + groups[i].end() + 1] == ")":
                start = g0 - 1  # an area code in brackets, "(024) 3823 4567", goes with the number
            hit: Found | None = None
            last_j = i
            bank: bool | None = None  # a bank label before the number; looked up once, when needed
            digits = ""
            singles = 0
            for j in range(i, len(groups)):
                group = groups[j].group()
                singles += len(group) == 1
                if singles > 1 or len(digits) + len(group) > MAX_WINDOW_DIGITS:
                    break  # "1 2 3 4 5 6 7 8 9" is a list of numbers, not one; longer windows only get longer
                digits += "".join(str(unicodedata.digit(c)) for c in group)  # "０９１２" too
                end = base + groups[j].end()
                if j + 1 < len(groups) and not _SOFT_SEP.search(text[end : base + groups[j + 1].start()]):
                    continue
                if len(digits) < MIN_DIGITS or not _right_ok(text, end):
                    continue
                if bank is None:
                    bank = bool(BANK_CONTEXT_RE.search(text[max(0, start - CONTEXT_CHARS - 20) : start]))
                window = text[g0:end]
                if text[end : end + 1] == ")" and "(" in text[start:g0]:
                    end += 1  # "(+84 987 654 322)": the bracket opened before the number goes with it
                kind = _classify(digits, window, bank, text[end : end + 16], plus)
                if kind is not None:
                    hit = Found(start, end, kind)  # keep looking: the longest window wins
                    last_j = j
            if hit is not None:
                found.append(hit)
                i = last_j + 1
            else:
                i += 1
    return found


def find_pii(text: str) -> list[Found]:
    """Every piece of personal data in `text` (NFC), left to right, not overlapping."""
    norm = nfc(text)
    spans = [Found(m.start(), m.end(), "email") for m in EMAIL_RE.finditer(norm)]
    masked = EMAIL_RE.sub(lambda m: " " * len(m.group()), norm)  # e-mail local parts hold digits: look past them
    spans += _numbers(masked)
    return sorted(spans, key=lambda f: f.start)


def mask_pii(text: str) -> str:
    """`text` (NFC) with every CCCD/CMND number, phone number, e-mail and bank account replaced by a label."""
    norm = nfc(text)
    out, pos = [], 0
    for f in find_pii(norm):
        out += [norm[pos : f.start], KIND_MASKS[f.kind]]
        pos = f.end
    out.append(norm[pos:])
    return "".join(out)


def found_pii(text: str) -> list[str]:
    """The names of the kinds of personal data `text` holds (what `mask_pii` would replace), each once."""
    return list(dict.fromkeys(f.kind for f in find_pii(text)))

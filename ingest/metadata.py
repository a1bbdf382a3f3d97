"""Document metadata from the text itself: số hiệu, loại, cơ quan ban hành, dates, trích yếu, and source lines.

Vietnamese legal documents open with a fixed header block (Decree 30/2020/NĐ-CP, Phụ lục I): issuing body, "Số:",
place and date, the document type in capitals, then its subject (trích yếu). Compiled pháp điển articles carry a
source line naming the original document and article. Everything here is a pure function of text.

>>> parse_vn_date("Hà Nội, ngày 15 tháng 11 năm 2010")
datetime.date(2010, 11, 15)
>>> parse_source_line("(Điều 33 Nghị định số 30/2020/NĐ-CP, có hiệu lực thi hành kể từ ngày 05/03/2020)").document
'30/2020/NĐ-CP'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.model import SourceRef

# Document types in the order of the Law on Promulgation of Legal Documents; upper-case heading → display form.
DOC_TYPES: dict[str, str] = {
    "HIẾN PHÁP": "Hiến pháp",
    "BỘ LUẬT": "Bộ luật",
    "LUẬT": "Luật",
    "PHÁP LỆNH": "Pháp lệnh",
    "NGHỊ QUYẾT LIÊN TỊCH": "Nghị quyết liên tịch",
    "NGHỊ QUYẾT": "Nghị quyết",
    "NGHỊ ĐỊNH": "Nghị định",
    "QUYẾT ĐỊNH": "Quyết định",
    "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch",
    "THÔNG TƯ": "Thông tư",
    "CHỈ THỊ": "Chỉ thị",
    "KẾ HOẠCH": "Kế hoạch",
    "CHIẾN LƯỢC": "Chiến lược",
    "ĐỀ ÁN": "Đề án",
    "CÔNG VĂN": "Công văn",
    "QUY CHẾ": "Quy chế",
    "QUY ĐỊNH": "Quy định",
    "HƯỚNG DẪN": "Hướng dẫn",
    "ÁN LỆ": "Án lệ",
    "LỆNH": "Lệnh",
}

# The code after the number names the type and the issuer: "30/2020/NĐ-CP" is a Chính phủ decree.
_SUFFIX_TYPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/QH\d*$|^\d+-L/"), "Luật"),
    (re.compile(r"NĐ-"), "Nghị định"),
    (re.compile(r"TTLT-"), "Thông tư liên tịch"),
    (re.compile(r"TT-"), "Thông tư"),
    (re.compile(r"NQLT-"), "Nghị quyết liên tịch"),
    (re.compile(r"NQ-|/NQ"), "Nghị quyết"),
    (re.compile(r"QĐ-"), "Quyết định"),
    (re.compile(r"CT-|/CT"), "Chỉ thị"),
    (re.compile(r"KH-|/KH"), "Kế hoạch"),
    (re.compile(r"/AL$"), "Án lệ"),
    (re.compile(r"UBTVQH"), "Pháp lệnh"),
]

_ISSUERS: dict[str, str] = {
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "BNV": "Bộ Nội vụ",
    "BTC": "Bộ Tài chính",
    "BTP": "Bộ Tư pháp",
    "BCA": "Bộ Công an",
    "BQP": "Bộ Quốc phòng",
    "BYT": "Bộ Y tế",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BCT": "Bộ Công Thương",
    "BXD": "Bộ Xây dựng",
    "BGTVT": "Bộ Giao thông vận tải",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "HĐTP": "Hội đồng Thẩm phán Tòa án nhân dân tối cao",
    "TANDTC": "Tòa án nhân dân tối cao",
    "VKSNDTC": "Viện kiểm sát nhân dân tối cao",
    "KTNN": "Kiểm toán nhà nước",
}

# "30/2020/NĐ-CP", "06/2015/TT-BNV", "749/QĐ-TTg", "18-L/CTN", "52-NQ/TW", "02/2007/QH12", "26/2018/AL".
SO_HIEU = r"\d{1,4}[a-z]?(?:-[A-ZĐ]+)?/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐa-z0-9]+)*"
_HEADER_NUMBER_RE = re.compile(rf"^(?:(?:Bộ\s+)?[Ll]uật\s+)?[Ss]ố\s*:?\s*({SO_HIEU})", re.M)
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_DMY_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_EFFECTIVE_RE = re.compile(
    r"(?:có\s+)?hiệu\s+lực(?:\s+thi\s+hành)?(?:\s+kể)?\s+từ\s+ngày\s+"
    r"(?:(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})|(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(ký|ban\s+hành))",
    re.I,
)


def parse_vn_date(text: str) -> dt.date | None:
    """The first "ngày 15 tháng 11 năm 2010" or "15/11/2010" date in `text`, or None."""
    for rx in (_DATE_RE, _DMY_RE):
        m = rx.search(text)
        if m:
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
    return None


def type_from_number(so_hieu: str | None) -> str | None:
    """The document type its number implies ("30/2020/NĐ-CP" → "Nghị định")."""
    if not so_hieu:
        return None
    for rx, loai in _SUFFIX_TYPES:
        if rx.search(so_hieu):
            return loai
    return None


# The order of legal force among the types a number names (Luật Ban hành văn bản quy phạm pháp luật 2015, Điều 4):
# lower is higher. A type not here has none that can be compared: "Nghị quyết" (of the Quốc hội or of a council),
# "Quyết định" (the Prime Minister's or a province's), "Kế hoạch" (not normative).
_FORCE = {"Luật": 1, "Pháp lệnh": 2, "Nghị định": 4, "Thông tư liên tịch": 6, "Thông tư": 6}


def legal_force(so_hieu: str | None) -> int | None:
    """Where the document numbered `so_hieu` stands in the hierarchy of legal force (lower is higher: a law over a
    decree over a circular); None when its number names no type that can be compared.

    >>> legal_force("58/2010/QH12"), legal_force("115/2020/NĐ-CP"), legal_force("05/2024/TT-BNV")
    (1, 4, 6)
    >>> legal_force("Bộ luật dân sự") is None
    True
    """
    loai = type_from_number(so_hieu)
    return _FORCE.get(loai) if loai else None


def issuer_from_number(so_hieu: str | None) -> str | None:
    """The issuing body its number implies ("06/2015/TT-BNV" → "Bộ Nội vụ", "58/2010/QH12" → "Quốc hội")."""
    if not so_hieu:
        return None
    tail = so_hieu.rsplit("/", 1)[-1]
    if re.fullmatch(r"QH\d*", tail):
        return _ISSUERS["QH"]
    code = tail.split("-")[-1]
    return _ISSUERS.get(code)


def normalise_so_hieu(s: str) -> str:
    """Comparison key for document numbers: upper case, no spaces ("30/2020/nđ-cp" == "30/2020/NĐ-CP")."""
    return re.sub(r"\s+", "", s).upper()


def _title_case_vn(upper: str) -> str:
    """ "VIÊN CHỨC" → "Viên chức": Vietnamese titles capitalise only the first word."""
    s = re.sub(r"\s+", " ", upper.strip()).lower()
    return s[:1].upper() + s[1:]


@dataclass
class HeaderInfo:
    """What the header block of an official document says."""

    so_hieu: str | None = None
    loai: str | None = None
    co_quan: str | None = None
    ngay_ban_hanh: dt.date | None = None
    trich_yeu: str | None = None
    title: str | None = None


_HEADER_STOP = re.compile(r"^(Căn cứ|Chương\s|CHƯƠNG\s|Phần\s|PHẦN\s|Điều\s+\d|Theo đề nghị|Để\s)")


def parse_header(text: str, body_start: int | None = None) -> HeaderInfo:
    """Read số hiệu, type, issuer, date and trích yếu from the header block (the text before `body_start`).

    Falls back on what the number implies when a field is not written out.
    """
    head = text[: body_start if body_start is not None else 3000][:3000]
    info = HeaderInfo()
    m = _HEADER_NUMBER_RE.search(head)
    if m:
        info.so_hieu = m.group(1)
    date_line = re.search(r"^.*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}.*$", head, re.M)
    if date_line:
        info.ngay_ban_hanh = parse_vn_date(date_line.group(0))

    lines = [ln.strip() for ln in head.split("\n")]
    type_idx = None
    for i, ln in enumerate(lines):
        key = re.sub(r"\s+", " ", ln).rstrip(":").strip()
        if key in DOC_TYPES:
            info.loai, type_idx = DOC_TYPES[key], i
            break
    if type_idx is not None:
        subject: list[str] = []
        for ln in lines[type_idx + 1 : type_idx + 6]:
            if not ln or _HEADER_STOP.match(ln) or ln[:1] in "-*_(":
                if subject:
                    break
                continue
            subject.append(ln)
            if not ln.isupper() and ln[-1:] in ".;":
                break
        if subject:
            trich = " ".join(subject)
            if trich.isupper():
                trich = _title_case_vn(trich)
            info.trich_yeu = trich
            if info.loai in ("Luật", "Bộ luật", "Pháp lệnh") and not re.match(r"(?i)số\s", trich):
                info.title = f"{info.loai} {trich[:1].upper()}{trich[1:]}"
            else:
                num = f" {info.so_hieu}" if info.so_hieu else ""
                info.title = f"{info.loai}{num} {trich[:1].lower()}{trich[1:]}" if info.loai else trich
    if not info.loai:
        info.loai = type_from_number(info.so_hieu)
    issuer_line = next(
        (
            ln
            for ln in lines[:4]
            if ln and ln.isupper() and "CỘNG HÒA" not in ln.upper() and ln.strip() not in DOC_TYPES
        ),
        None,
    )
    info.co_quan = issuer_from_number(info.so_hieu)
    if info.co_quan is None and issuer_line:
        first = re.split(r"\s{2,}|\s[-*_]{3,}|\s\|", issuer_line)[0].strip(" -*_")
        if first and "CỘNG HÒA" not in first and "CỘNG HOÀ" not in first and len(first) < 80:
            info.co_quan = _title_case_vn(first)
    return info


def find_effective_date(text: str, issued: dt.date | None) -> dt.date | None:
    """The first effective date stated in `text` ("kể từ ngày ký" = the issue date), or None.

    Give it the "Hiệu lực thi hành" article, not the whole document: elsewhere such phrases are about other acts.
    """
    for m in _EFFECTIVE_RE.finditer(text):
        if m.group(7):
            return issued
        groups = m.groups()
        d, mth, y = (groups[0], groups[1], groups[2]) if groups[0] else (groups[3], groups[4], groups[5])
        try:
            return dt.date(int(y), int(mth), int(d))
        except (TypeError, ValueError):
            continue
    return None


# "(Điều 33 Nghị định số 30/2020/NĐ-CP Về công tác văn thư ngày 05/03/2020 của Chính phủ, có hiệu lực thi hành kể
# từ ngày 05/03/2020 )" — the title, date and issuer appear only on a document's first compiled article.
_SOURCE_RE = re.compile(
    r"^\(\s*Điều\s+(?P<article>\d+[a-zđ]?)\s+(?P<loai>[^\d()]*?)\s*(?:số\s+)?(?P<so>" + SO_HIEU + r")"
    r"(?P<rest>.*)\)\s*$",
    re.S,
)
_SOURCE_DATE_RE = re.compile(r"\s*ngày\s+(\d{1,2}/\d{1,2}/\d{4})\s*(?:của\s+(.+))?$", re.S)


def parse_source_line(line: str) -> SourceRef | None:
    """Parse a pháp điển source line into the original document and article, or None if it is not one."""
    m = _SOURCE_RE.match(line.strip())
    if not m:
        return None
    loai = m.group("loai").strip() or None
    if loai:
        loai = loai[:1].upper() + loai[1:]
    rest = m.group("rest")
    effective = None
    eff = re.search(r"hiệu lực(?: thi hành)?(?: kể)? từ ngày\s+(\d{1,2}/\d{1,2}/\d{4})", rest)
    if eff:
        effective = parse_vn_date(eff.group(1))
    head = re.split(r",\s*có hiệu lực", rest)[0].strip()
    issued = None
    issuer = None
    dm = _SOURCE_DATE_RE.search(head)
    if dm:  # "<trích yếu> ngày 05/03/2020 của Chính phủ"
        issued = parse_vn_date(dm.group(1))
        issuer = (dm.group(2) or "").strip() or None
        head = head[: dm.start()]
    trich = head.strip(" ,") or None
    return SourceRef(
        document=m.group("so"),
        article=m.group("article"),
        loai=loai or type_from_number(m.group("so")),
        trich_yeu=trich,
        co_quan=issuer or issuer_from_number(m.group("so")),
        ngay_ban_hanh=issued,
        ngay_hieu_luc=effective,
    )

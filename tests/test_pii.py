"""Personal-data masking (`core.pii.mask_pii`): what must be hidden, and what legal text must keep readable.

Each positive names the digits (or address) that must not survive masking; each negative is a piece of real
legal text (document numbers, dates, articles, amounts) that must come back unchanged.
"""

from __future__ import annotations

import re

import pytest

from core.pii import BANK_MASK, EMAIL_MASK, ID_MASK, PHONE_MASK, found_pii, mask_pii

# (text, what must disappear, the label that must replace it)
POSITIVES: list[tuple[str, str, str]] = [
    # CCCD (12 digits) / CMND (9 digits), grouped and prefixed
    ("số CCCD 001203004567 của tôi", "001203004567", ID_MASK),
    ("CCCD của tôi là 038 099 001 133", "038 099 001 133", ID_MASK),
    ("mã 038.099.001.133 nhé", "038.099.001.133", ID_MASK),
    ("số 038-099-001-133", "038-099-001-133", ID_MASK),
    ("CCCD-038099001144 hết hạn", "038099001144", ID_MASK),
    ("CMND:123456789 cấp năm 2010", "123456789", ID_MASK),
    ("CMND: 123 456 789", "123 456 789", ID_MASK),
    ("số CCCD: 0380 9900 1133", "0380 9900 1133", ID_MASK),
    ("No. 038099001133", "038099001133", ID_MASK),
    ("No.038-099-001-133", "038-099-001-133", ID_MASK),
    ("CCCD038099001133", "038099001133", ID_MASK),
    ("căn cước công dân số 079\u00a0201\u00a0000\u00a0123", "079\u00a0201\u00a0000\u00a0123", ID_MASK),
    ("chứng minh thư 123.456.789 cũ", "123.456.789", ID_MASK),
    ("Điều 12 với CCCD 038 099 001 133", "038 099 001 133", ID_MASK),
    ("CCCD 038\u200b099\u200b001\u200b133", "099", ID_MASK),  # zero-width spaces do not hide it
    ("CCCD 038\u2009099\u2009001\u2009133", "099", ID_MASK),  # thin spaces
    # phones: mobile, landline, international
    ("gọi 0912345678", "0912345678", PHONE_MASK),
    ("gọi 0912 345 678 giờ hành chính", "0912 345 678", PHONE_MASK),
    ("di động 091-234-5678.", "091-234-5678", PHONE_MASK),
    ("SĐT: 0987.654.321", "0987.654.321", PHONE_MASK),
    ("liên hệ (+84) 987 654 322", "987 654 322", PHONE_MASK),
    ("liên hệ +84 987 654 322", "987 654 322", PHONE_MASK),
    ("liên hệ +84987654322", "84987654322", PHONE_MASK),
    ("liên hệ 0084 987 654 322", "987 654 322", PHONE_MASK),
    ("liên hệ 0084987654322", "0084987654322", PHONE_MASK),
    ("số +84 (0) 912 345 678", "912 345 678", PHONE_MASK),
    ("số 84912345678", "84912345678", PHONE_MASK),
    ("máy bàn 024.3823.4567", "3823.4567", PHONE_MASK),
    ("máy bàn (024) 3823 4567", "3823 4567", PHONE_MASK),
    ("máy bàn (028)3829-1234", "3829-1234", PHONE_MASK),
    ("văn phòng +84 24 3823 4567", "3823 4567", PHONE_MASK),
    ("số cũ 04 3823 4567", "3823 4567", PHONE_MASK),
    ("ĐT0912345678", "0912345678", PHONE_MASK),
    ("gọi ０９１２３４５６７８", "５６７８", PHONE_MASK),  # full-width digits
    ("gọi 091\u2013234\u20135678", "5678", PHONE_MASK),  # en dashes
    # e-mail
    ("thư Nguyen.Van-A+hr@noivu.gov.vn nhé", "noivu.gov.vn", EMAIL_MASK),
    ("gửi an123456789@gmail.com", "an123456789", EMAIL_MASK),
    # bank accounts: context word or bank name, 6-19 digits, grouped or not
    ("STK 1903 5678 9012 34 Techcombank", "1903 5678 9012 34", BANK_MASK),
    ("số tài khoản 0071000123456 tại Vietcombank", "0071000123456", BANK_MASK),
    ("tài khoản số: 12345678", "12345678", BANK_MASK),
    ("TK: 1234567", "1234567", BANK_MASK),
    ("stk 1234-5678-9012", "1234-5678-9012", BANK_MASK),
    ("chuyển vào Vietcombank 0011.0045.67890", "0011.0045.67890", BANK_MASK),
    ("BIDV chi nhánh Hà Nội, số 21510000123456", "21510000123456", BANK_MASK),
    ("Agribank 1500205123456789", "1500205123456789", BANK_MASK),
    ("Số tài khoản: 1234 5678 9012 3456 789", "1234 5678 9012 3456 789", BANK_MASK),
    ("STK0071000123456", "0071000123456", BANK_MASK),
    ("gọi +1 202 555 0100 ở Mỹ", "555 0100", PHONE_MASK),
]

NEGATIVES: list[str] = [
    "Điều 29 Luật Viên chức số 58/2010/QH12",
    "Nghị định 30/2020/NĐ-CP ngày 05/03/2020 về công tác văn thư",
    "Nghị định số 115/2020/NĐ-CP ngày 25 tháng 9 năm 2020 của Chính phủ",
    "Thông tư số 01/2021/TT-BNV ngày 11/01/2021",
    "Quyết định số 1847/QĐ-TTg ngày 27/12/2018",
    "Luật số 45/2019/QH14 có hiệu lực từ ngày 01/01/2021",
    "Bộ luật Lao động số 45/2019/QH14",
    "Thông tư 39/2016/TT-NHNN của Ngân hàng Nhà nước Việt Nam",
    "Nghị quyết số 27-NQ/TW ngày 21/5/2018",
    "Công văn số 1234/BNV-CCVC",
    "có hiệu lực thi hành kể từ ngày 01/07/2020",
    "ngày 01-07-2020 và ngày 01.07.2020",
    "ngày 05.03.2020 15 giờ",
    "Khoản 2 Điều 12, năm 2019, 12 tháng",
    "Điểm a khoản 1 Điều 84 Bộ luật Hình sự",
    "từ Điều 1 đến Điều 200",
    "mức phạt 100.000.000 đồng",
    "Phạt tiền từ 2.000.000 đồng đến 5.000.000 đồng",
    "mức lương cơ sở 1.800.000 đồng/tháng",
    "vốn pháp định 3.000.000.000.000 đồng",
    "vốn điều lệ 500.000.000",
    "100.000.000.000 đồng",
    "tổng mức đầu tư 123.456.789 VNĐ",
    "từ 150 triệu đồng đến 300 triệu đồng",
    "hệ số lương 2,34 và 4,98",
    "tỷ lệ 12,5%",
    "Mã ngạch 01.003, chuyên viên chính 01.002",
    "TCVN 5574:2018 và ISO 9001:2015",
    "từ 03 tháng đến 12 tháng",
    "Chương IV, Mục 2, Điều 45",
    "năm 2020, năm 2021 và năm 2022",
    "các cột (1) (2) (3) (4) (5) (6) (7) (8) (9)",
    "1 2 3 4 5 6 7 8 9 10 11 12",
    "Tài khoản 1111 - Tiền Việt Nam, tài khoản cấp 2 số 33311",
    "tăng 25.000 người so với 2019",
    "Phụ lục số 02 ban hành kèm theo Thông tư 08/2023/TT-BNV",
    "lúc 14:30 ngày 15/8/2023",
    "Mẫu số 01a/BNV",
    "Điều 1. Phạm vi điều chỉnh",
    "kích thước 210 x 297 mm",
    "tệp lớn hơn 50 MB",
    "thu nhập từ 100.000.000-500.000.000 đồng",
    "quy mô từ 100.000–500.000 người",
]


@pytest.mark.parametrize(("text", "hidden", "label"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_personal_data_is_masked(text: str, hidden: str, label: str) -> None:
    masked = mask_pii(text)
    assert hidden not in masked and label in masked, masked


@pytest.mark.parametrize("text", NEGATIVES)
def test_legal_text_is_left_alone(text: str) -> None:
    assert mask_pii(text) == text
    assert found_pii(text) == []


def test_the_table_is_large_enough() -> None:
    assert len(POSITIVES) >= 30 and len(NEGATIVES) >= 30


def test_no_digit_run_of_an_identity_number_survives() -> None:
    text = "Tôi là Nguyễn Văn A, CCCD 038 099 001 133, (+84) 987 654 322, STK 0071000123456 VCB, a.b@c.vn."
    masked = mask_pii(text)
    assert not re.search(r"\d{3}", masked.replace(" ", "").replace(".", "").replace("-", "")), masked
    assert found_pii(text) == ["cccd_cmnd", "phone", "bank_account", "email"]


def test_masking_is_idempotent_and_normalises() -> None:
    decomposed = "so\u0302\u0301 CCCD 038099001133"  # "số" written with combining marks
    once = mask_pii(decomposed)
    assert once == "số CCCD " + ID_MASK and mask_pii(once) == once


def test_surrounding_legal_text_survives_next_to_masked_data() -> None:
    text = "Theo Điều 29 Luật 58/2010/QH12, ông A (CCCD 038099001133) bị phạt 2.000.000 đồng ngày 01/07/2020."
    assert mask_pii(text) == (
        "Theo Điều 29 Luật 58/2010/QH12, ông A (CCCD [số định danh]) bị phạt 2.000.000 đồng ngày 01/07/2020."
    )

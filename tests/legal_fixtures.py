"""Small legal documents written for the tests (not taken from ../shared): numbers in the 2090s never collide
with real ones. `write_corpus` puts them in a folder; each is returned with the access level it is ingested at."""

from __future__ import annotations

from pathlib import Path

NGHI_DINH = """\
CHÍNH PHỦ
Số: 12/2098/NĐ-CP

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 10 tháng 03 năm 2098

NGHỊ ĐỊNH
VỀ CÔNG TÁC VĂN THƯ THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Nghị định này quy định về soạn thảo, ký ban hành văn bản và quản lý con dấu.

Điều 2. Đóng dấu giáp lai
1. Việc đóng dấu giáp lai đối với văn bản, phụ lục kèm theo được thực hiện theo quy định sau:
a) Dấu được đóng vào khoảng giữa mép phải của văn bản hoặc phụ lục;
b) Mỗi dấu đóng tối đa 05 tờ văn bản.
2. Người có thẩm quyền chịu trách nhiệm về việc sử dụng con dấu.

Điều 3. Lập hồ sơ
Cơ quan, tổ chức phải lập hồ sơ về công việc và nộp lưu hồ sơ vào lưu trữ cơ quan.
"""

LUAT = """\
QUỐC HỘI
Luật số: 77/2099/QH99

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 15 tháng 06 năm 2099

LUẬT
VIÊN CHỨC THỬ NGHIỆM

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định về viên chức; quyền, nghĩa vụ của viên chức.

Điều 2. Thời gian thử việc
1. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng.
2. Người tập sự được hưởng lương theo quy định của Chính phủ.
"""

THONG_TU = """\
BỘ NỘI VỤ
Số: 8/2096/TT-BNV

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 01 tháng 02 năm 2096

THÔNG TƯ
HƯỚNG DẪN NỘI BỘ VỀ CHẤM CÔNG

Điều 1. Chấm công điện tử
Việc chấm công của công chức được thực hiện bằng thẻ điện tử tại cổng cơ quan.
"""

# Restricted: shares words with the public documents ("đóng dấu giáp lai", "văn bản") so that, unfiltered, it
# would compete for the same queries; "Hoa Sen" appears nowhere else.
MAT = """\
BỘ NỘI VỤ
Số: 5/2097/QĐ-BNV

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 20 tháng 11 năm 2097

QUYẾT ĐỊNH
VỀ PHƯƠNG ÁN BẢO MẬT THỬ NGHIỆM

Điều 1. Phương án Hoa Sen
Mật danh Hoa Sen áp dụng cho việc đóng dấu giáp lai văn bản mật, phụ lục mật và con dấu thu hồi.

Điều 2. Viên chức được tiếp cận
Chỉ viên chức được giao nhiệm vụ bảo mật được biết phương án Hoa Sen và thời gian thử việc đặc biệt.
"""

DOCUMENTS: dict[str, tuple[str, str]] = {
    # file name: (text, access level)
    "nghi-dinh-12-2098.txt": (NGHI_DINH, "public"),
    "luat-77-2099.txt": (LUAT, "public"),
    "thong-tu-8-2096.txt": (THONG_TU, "internal"),
    "quyet-dinh-mat-5-2097.txt": (MAT, "restricted"),
}


def write_corpus(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write the documents under `folder`; file name -> (path, access level)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (text, level) in DOCUMENTS.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out[name] = (path, level)
    return out

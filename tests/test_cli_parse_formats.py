"""`kho parse` end to end on other formats: an HTML decree, a real án lệ PDF, and an unsupported file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import kho_json, run_kho, shared_path

DECREE_HTML = """\
<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Nghị định 12/2024/NĐ-CP</title></head>
<body>
<table><tr>
<td><p><b>CHÍNH PHỦ</b></p><p>Số: 12/2024/NĐ-CP</p></td>
<td><p><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p><p>Độc lập - Tự do - Hạnh phúc</p>
<p><i>Hà Nội, ngày 05 tháng 02 năm 2024</i></p></td>
</tr></table>
<p><b>NGHỊ ĐỊNH</b></p>
<p><b>Quy định chi tiết một số điều của Luật Lưu trữ thử nghiệm</b></p>
<p><i>Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;</i></p>
<p>Chính phủ ban hành Nghị định quy định chi tiết một số điều của Luật Lưu trữ thử nghiệm.</p>
<p><b>Chương I</b></p>
<p><b>QUY ĐỊNH CHUNG</b></p>
<p><b>Điều 1. Phạm vi điều chỉnh</b></p>
<p>Nghị định này quy định chi tiết về công tác lưu trữ tài liệu điện tử.</p>
<p><b>Điều 2. Đối tượng áp dụng</b></p>
<p>1. Nghị định này áp dụng đối với cơ quan nhà nước.</p>
<p>2. Tổ chức, cá nhân có liên quan:</p>
<p>a) Doanh nghiệp nhà nước;</p>
<p>b) Đơn vị sự nghiệp công lập.</p>
<p><b>Điều 3. Hiệu lực thi hành</b></p>
<p>Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 4 năm 2024.</p>
</body></html>
"""


def test_parse_of_an_html_decree_reads_its_header_metadata_articles_clauses_and_points(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nghi-dinh-12-2024.html"
    path.write_text(DECREE_HTML, encoding="utf-8")

    out = kho_json("parse", str(path), env={"KHO_DATA_DIR": str(tmp_path / "data")})

    assert out["format"] == "html"
    doc = out["document"]
    assert doc["so_hieu"] == "12/2024/NĐ-CP"
    assert doc["loai"] == "Nghị định"
    assert doc["co_quan"] == "Chính phủ"
    assert doc["ngay_ban_hanh"] == "2024-02-05"
    assert doc["trich_yeu"] == "Quy định chi tiết một số điều của Luật Lưu trữ thử nghiệm"
    assert "12/2024/NĐ-CP" in doc["title"]
    arts = out["articles"]
    assert [(a["number"], a["title"]) for a in arts] == [
        ("1", "Phạm vi điều chỉnh"),
        ("2", "Đối tượng áp dụng"),
        ("3", "Hiệu lực thi hành"),
    ]
    assert all(a["chapter"] == "Chương I. QUY ĐỊNH CHUNG" for a in arts)
    art2 = arts[1]
    assert [c["number"] for c in art2["clauses"]] == ["1", "2"]
    assert [p["letter"] for p in art2["clauses"][1]["points"]] == ["a", "b"]
    cited = {c["citation"]["article"] for c in out["chunks"]}
    assert cited == {"1", "2", "3"}
    assert all(c["citation"]["document"] == "12/2024/NĐ-CP" for c in out["chunks"])
    assert not any("<p>" in c["text"] or "</b>" in c["text"] for c in out["chunks"]), "no markup in the text"


@pytest.mark.shared
def test_parse_of_a_real_precedent_pdf_gives_its_number_type_and_several_chunks_with_diacritics(
    tmp_path: Path,
) -> None:
    path = shared_path("originals/an_le/an_le_so_432021AL.pdf")

    out = kho_json("parse", str(path), env={"KHO_DATA_DIR": str(tmp_path / "data")})

    assert out["format"] == "pdf"
    doc = out["document"]
    assert re.fullmatch(r"\d+/20\d\d/AL", doc["so_hieu"] or ""), doc["so_hieu"]
    assert doc["so_hieu"] == "43/2021/AL"
    assert doc["loai"] == "Án lệ"
    assert doc["co_quan"] == "Hội đồng Thẩm phán Tòa án nhân dân tối cao"
    chunks = out["chunks"]
    assert len(chunks) >= 3
    text = "\n".join(c["text"] for c in chunks)
    assert all(unicodedata.is_normalized("NFC", c["text"]) for c in chunks)
    assert "hợp đồng thế chấp" in text
    assert "Tòa án nhân dân tối cao" in text
    assert all(c["citation"]["document"] == "43/2021/AL" for c in chunks)


def test_parse_of_an_unsupported_file_exits_2_naming_the_type_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bang-tinh.xyz"
    path.write_text("cột 1;cột 2\n", encoding="utf-8")

    proc = run_kho("parse", str(path), "--json", env={"KHO_DATA_DIR": str(tmp_path / "data")}, check=False)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "unsupported file type '.xyz'" in proc.stderr
    assert proc.stdout == ""


def test_a_text_of_only_links_is_refused_as_no_text_not_indexed(tmp_path: Path) -> None:
    urls = tmp_path / "list_urls.txt"
    urls.write_text("\n".join(f"https://example.vn/van-ban/luat-{i}.aspx" for i in range(40)), encoding="utf-8")
    proc = run_kho("parse", str(urls), "--json", check=False)
    assert proc.returncode == 2
    assert "FAILED_NO_TEXT" in proc.stderr and "only links" in proc.stderr

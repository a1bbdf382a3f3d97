"""Gradio's own words on the workdesk, in Vietnamese, whatever the browser's language.

How Gradio 6.31 translates (templates/frontend/assets/core-*.js, runtime-*.js — svelte-i18n):
- `gr.mount_gradio_app(..., i18n=gr.I18n(**{locale: {key: text}}))` sends the dictionaries in the config
  (`i18n_translations`); the page adds each with svelte-i18n `addMessages(locale, dict)`.
- The page's locale is `navigator.language` (or its base language) only if Gradio ships it; Gradio ships no "vi",
  so a Vietnamese browser gets "en". A custom "vi" alone is therefore never shown.
- svelte-i18n looks a dotted key up flat first (`if (key in dict) return dict[key]`), and Gradio's own messages
  are nested, so a flat "upload_text.drop_file" given for a locale wins over Gradio's text for that locale.
So the same Vietnamese dictionary is given for "vi" and for every locale Gradio ships: every browser sees it.

A few strings are hard-coded English in Gradio's bundle (the "Invalid file type…" toast of gr.File, toast titles,
tooltips such as "Copy"/"Search"): `HEAD` holds a small script that rewrites them in the page (text and
title/aria-label/placeholder), for `mount_gradio_app(head=...)`.
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

# The locales Gradio 6.31 ships (core-*.js, `./lang/*.json` plus the static "en").
GRADIO_LOCALES = (
    "ar", "ca", "ckb", "de", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja", "ko", "lt", "nb",
    "nl", "pl", "pt-BR", "pt", "ro", "ru", "sv", "ta", "th", "tr", "uk", "ur", "uz", "zh-CN", "zh-TW",
)  # fmt: skip

VI: dict[str, str] = {
    "_name": "Tiếng Việt",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể ngắt khi rời thẻ này hoặc máy ngủ.",
    "blocks.long_requests_queue": "Đang có nhiều yêu cầu chờ xử lý, xin đợi.",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang kết nối lại…",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp xong, xin thử lại.",
    "chatbot.edit": "Sửa",
    "chatbot.retry": "Hỏi lại",
    "chatbot.undo": "Hoàn tác",
    "chatbot.submit": "Gửi",
    "chatbot.cancel": "Hủy",
    "chatbot.like": "Hữu ích",
    "chatbot.dislike": "Chưa đúng",
    "chatbot.clear": "Xóa hội thoại",
    "chatbot.complete": "Xong",
    "chatbot.copy_message": "Sao chép câu trả lời",
    "chatbot.copied_message": "Đã sao chép",
    "chat_interface.new_chat": "Hội thoại mới",
    "chat_interface.message_placeholder": "Nhập câu hỏi…",
    "chat_interface.additional_inputs": "Tùy chọn thêm",
    "chat_interface.chatbot": "Hội thoại",
    "chat_interface.conversation": "Hội thoại",
    "common.built_with": "xây dựng bằng",
    "common.built_with_gradio": "Kho tri thức",
    "common.clear": "Xóa",
    "common.download": "Tải xuống",
    "common.download_all": "Tải xuống tất cả",
    "common.edit": "Sửa",
    "common.empty": "Trống",
    "common.error": "Lỗi",
    "common.hosted_on": "Đặt tại",
    "common.loading": "Đang tải",
    "common.logo": "biểu trưng",
    "common.or": "hoặc",
    "common.remove": "Gỡ bỏ",
    "common.runs": "Lượt chạy",
    "common.runs_description": "Xem các lượt chạy lưu trong trình duyệt",
    "common.back_to_app": "Ứng dụng",
    "common.back_to_app_description": "Quay lại ứng dụng",
    "common.settings": "Cài đặt",
    "common.share": "Chia sẻ",
    "common.submit": "Gửi",
    "common.undo": "Hoàn tác",
    "common.no_devices": "Không tìm thấy thiết bị",
    "common.language": "Ngôn ngữ",
    "common.display_theme": "Giao diện",
    "common.pwa": "Ứng dụng web",
    "common.progress": "Tiến độ",
    "common.record": "Ghi",
    "common.stop_recording": "Dừng ghi",
    "common.screen_studio": "Quay màn hình",
    "common.share_gradio_tab": "Chia sẻ thẻ",
    "common.run": "Chạy",
    "dataframe.incorrect_format": "Sai định dạng: chỉ nhận tệp CSV và TSV",
    "dataframe.new_column": "Thêm cột",
    "dataframe.new_row": "Thêm dòng",
    "dataframe.add_row_above": "Thêm dòng phía trên",
    "dataframe.add_row_below": "Thêm dòng phía dưới",
    "dataframe.delete_row": "Xóa dòng",
    "dataframe.delete_column": "Xóa cột",
    "dataframe.add_column_left": "Thêm cột bên trái",
    "dataframe.add_column_right": "Thêm cột bên phải",
    "dataframe.sort_column": "Sắp xếp cột",
    "dataframe.sort_ascending": "Sắp xếp tăng dần",
    "dataframe.sort_descending": "Sắp xếp giảm dần",
    "dataframe.drop_to_upload": "Thả tệp CSV hoặc TSV vào đây để nhập dữ liệu",
    "dataframe.import_empty_file": "Tệp được thả vào đang trống.",
    "dataframe.import_no_column_names": "Tệp được thả vào không có tên cột.",
    "dataframe.import_ragged_row": "Dòng {line} của tệp có {fields} trường, dòng tiêu đề có {columns}.",
    "dataframe.import_static_columns": "Không thể nhập vào bảng có cột chỉ đọc.",
    "dataframe.import_fixed_columns": "Bảng này cần đúng {expected} cột, tệp có {actual}.",
    "dataframe.import_fixed_rows": "Bảng này cần đúng {expected} dòng, tệp có {actual}.",
    "dataframe.clear_sort": "Bỏ sắp xếp",
    "dataframe.filter": "Lọc",
    "dataframe.clear_filter": "Bỏ lọc",
    "dropdown.dropdown": "Danh sách chọn",
    "errors.build_error": "có lỗi khi dựng ứng dụng",
    "errors.config_error": "có lỗi cấu hình",
    "errors.contact_page_author": "Xin báo cho quản trị viên.",
    "errors.no_app_file": "không có tệp ứng dụng",
    "errors.runtime_error": "có lỗi khi chạy",
    "errors.space_not_working": "Ứng dụng không hoạt động vì {0}",
    "errors.space_paused": "ứng dụng đang tạm dừng",
    "errors.use_via_api": "Dùng qua API",
    "errors.use_via_api_or_mcp": "Dùng qua API",
    "file.uploading": "Đang tải lên…",
    "login.incorrect_credentials": "Sai thông tin đăng nhập",
    "login.username": "tên đăng nhập",
    "login.password": "mật khẩu",
    "login.login": "Đăng nhập",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "upload_text.drop_audio": "Thả tệp âm thanh vào đây",
    "upload_text.drop_csv": "Thả tệp CSV vào đây",
    "upload_text.drop_file": "Thả tệp vào đây",
    "upload_text.drop_image": "Thả ảnh vào đây",
    "upload_text.drop_video": "Thả video vào đây",
    "upload_text.drop_gallery": "Thả tệp vào đây",
    "upload_text.paste_clipboard": "Dán từ bộ nhớ tạm",
}


def gradio_i18n() -> gr.I18n:
    """`i18n=` for `gr.mount_gradio_app`: the Vietnamese dictionary for "vi" and for every locale Gradio ships."""
    return gr.I18n(vi=VI, **{locale: VI for locale in GRADIO_LOCALES})


# Hard-coded English in Gradio's bundle: exact texts (text nodes and title/aria-label/placeholder) …
EXACT: dict[str, str] = {
    "Copy": "Sao chép",
    "Copied": "Đã sao chép",
    "Copied!": "Đã sao chép",
    "Copy message": "Sao chép câu trả lời",
    "Search": "Tìm kiếm",
    "Search...": "Tìm trong bảng…",
    "Search…": "Tìm trong bảng…",
    "Filter...": "Lọc…",
    "Clear": "Xóa",
    "Clear search": "Xóa ô tìm",
    "Loading": "Đang tải",
    "Loading...": "Đang tải…",
    "Error": "Lỗi",
    "Warning": "Cảnh báo",
    "Info": "Thông báo",
    "Success": "Thành công",
    "Close": "Đóng",
    "Upload": "Tải lên",
    "Download": "Tải xuống",
    "Remove": "Gỡ bỏ",
    "Clear file": "Gỡ tệp",
    "Fullscreen": "Toàn màn hình",
    "Exit fullscreen mode": "Thoát toàn màn hình",
    "Like": "Hữu ích",
    "Dislike": "Chưa đúng",
    "Retry": "Hỏi lại",
    "Undo": "Hoàn tác",
    "Edit": "Sửa",
    "Submit": "Gửi",
    "Stop": "Dừng",
    "Sort column": "Sắp xếp cột",
    "Sort ascending": "Sắp xếp tăng dần",
    "Sort descending": "Sắp xếp giảm dần",
    "Clear sort": "Bỏ sắp xếp",
    "Empty": "Trống",
    "Settings": "Cài đặt",
    "Use via API": "Dùng qua API",
    "Built with Gradio": "",
    "Click to upload or drop files": "Bấm để chọn tệp hoặc thả tệp vào đây",
    "Copy table data": "Sao chép dữ liệu bảng",
    "Enter text to search the table": "Nhập chữ để tìm trong bảng",
}

# … and patterns (JavaScript regular expressions → replacement), for messages that carry a file name or size.
PATTERNS: list[tuple[str, str]] = [
    (r"^Invalid file types?: (.*)\. Only (.*) allowed\.$", "Không nhận loại tệp này: $1. Chỉ nhận tệp $2."),
    (r"^(.*) and (\d+) more$", "$1 và $2 tệp khác"),
    (
        r"^File size exceeded maximum allowed size of (\d+) bytes\.?$",
        "Tệp vượt quá dung lượng cho phép ($1 byte).",
    ),
    (r"^File exceeds maximum allowed size.*$", "Tệp vượt quá dung lượng cho phép."),
    (r"^(.*) exceeds? the maximum file size of (.*)$", "Tệp $1 vượt quá dung lượng cho phép ($2)."),
    (r"^Connection errored out\.?$", "Mất kết nối tới máy chủ."),
    (r"^Error$", "Lỗi"),
]

_SCRIPT = """
<script>
(() => {
  const EXACT = %s;
  const PATTERNS = %s.map(([p, r]) => [new RegExp(p), r]);
  const ATTRS = ['title', 'aria-label', 'placeholder', 'alt'];
  const vi = (s) => {
    if (!s) return null;
    const t = s.trim();
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return s.replace(t, EXACT[t]);
    for (const [re, rep] of PATTERNS) if (re.test(t)) return s.replace(t, t.replace(re, rep));
    return null;
  };
  const fix = (root) => {
    if (root.nodeType === Node.TEXT_NODE) {
      const v = vi(root.nodeValue);
      if (v !== null && v !== root.nodeValue) root.nodeValue = v;
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const els = [root, ...root.querySelectorAll('*')];
    for (const el of els) {
      if (el.closest && el.closest('.kho-no-i18n, pre, code')) continue;
      for (const a of ATTRS) {
        const v = vi(el.getAttribute(a));
        if (v !== null && v !== el.getAttribute(a)) el.setAttribute(a, v);
      }
      for (const n of el.childNodes) if (n.nodeType === Node.TEXT_NODE) fix(n);
    }
  };
  const start = () => {
    document.documentElement.setAttribute('lang', 'vi');
    fix(document.body);
    new MutationObserver((ms) => {
      for (const m of ms) {
        if (m.type === 'characterData') fix(m.target);
        else if (m.type === 'attributes') fix(m.target);
        else m.addedNodes.forEach(fix);
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ATTRS});
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
</script>
"""


def head() -> str:
    """`head=` for `gr.mount_gradio_app`: the script that puts Gradio's hard-coded English into Vietnamese."""
    return _SCRIPT % (json.dumps(EXACT, ensure_ascii=False), json.dumps(PATTERNS, ensure_ascii=False))


def mount_options() -> dict[str, Any]:
    """What `gr.mount_gradio_app` needs for a Vietnamese workdesk: `i18n` and `head`."""
    return {"i18n": gradio_i18n(), "head": head()}

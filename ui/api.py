"""The REST API (FastAPI, under `/v1`): ask, search, documents, upload, feedback, and an OpenAI-compatible chat.

Every route but `/healthz` needs `Authorization: Bearer <API key>` (`kho users add`); the key names a user with a
role and a clearance. A missing or wrong key gets 401, a role that may not do this 403, a document above the
caller's clearance 404 (as if it did not exist), a malformed body 422, a body over the limit 413 (before the key is
even looked at: `ui.security`), too many requests from one user 429 with `Retry-After`, and no request a 500 with
details: an unexpected error is logged and answered with a bare 500.

`POST /v1/ask` streams when the body says `"stream": true` or the client sends `Accept: text/event-stream`: Server-Sent
Events `token` (`{"text": ...}`) carrying only text that verification has kept, sentence by sentence (nothing
before the first supported sentence; their concatenation is exactly the final answer's text, and a refused answer
streams none), then one `answer` event with the whole JSON answer, or `error`. `POST /v1/chat/completions` speaks
OpenAI's format (model `kho` answers with the LLM, `kho-extractive` only quotes); unlike other RAG servers it keeps the
citations: `citations` at the top level and in `choices[0].message`, with `verification` and `refused`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.conversations import MAX_TITLE_CHARS
from app.limits import RateLimited
from app.services import AskResult, Forbidden, NotFound, Principal, SearchFilters, Services, allowed
from assistant.answer import Answer, Verification
from index.search import Hit
from ingest.model import AccessLevel, Validity
from ingest.registry import DocumentRecord

log = logging.getLogger(__name__)

MODEL_GENERATIVE = "kho"
MODEL_EXTRACTIVE = "kho-extractive"
MODELS = {MODEL_GENERATIVE: False, MODEL_EXTRACTIVE: True}  # model id → extractive?
SSE = "text/event-stream"
UPLOAD_MAX_FILES = 20

ResolvePrincipal = Callable[[Request, str | None], Principal | None]


class ApiError(Exception):
    """An error with its HTTP status and a Vietnamese message for the caller."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


# ------------------------------------------------------------------------------------------------ schemas


CONVERSATION_ID = r"^[0-9a-f]{32}$"  # app/conversations.py: uuid4 hex


ConversationPath = Annotated[str, PathParam(pattern=CONVERSATION_ID, description="Mã cuộc hỏi đáp")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(Strict):
    """Bộ lọc do người dùng chọn (quyền truy cập luôn lấy từ tài khoản, không nằm ở đây)."""

    types: list[Annotated[str, Field(max_length=100)]] = Field(
        default=[], max_length=20, description="Loại văn bản: Luật, Nghị định, Thông tư…"
    )
    issuers: list[Annotated[str, Field(max_length=200)]] = Field(
        default=[], max_length=20, description="Cơ quan ban hành: Quốc hội, Chính phủ, Bộ Nội vụ…"
    )
    year_from: int | None = Field(default=None, ge=1900, le=2200, description="Ban hành từ năm")
    year_to: int | None = Field(default=None, ge=1900, le=2200, description="Ban hành đến năm")
    validity: list[Validity] = Field(default=[], max_length=3, description="Tình trạng hiệu lực")
    as_of: dt.date | None = Field(default=None, description="Áp dụng pháp luật tại ngày (YYYY-MM-DD); mặc định hôm nay")
    all_versions: bool = Field(
        default=False, description="Tìm trong mọi phiên bản, kể cả văn bản đã bị sửa đổi hoặc chưa có hiệu lực"
    )

    def to_filters(self) -> SearchFilters:
        return SearchFilters(
            types=tuple(self.types),
            issuers=tuple(self.issuers),
            year_from=self.year_from,
            year_to=self.year_to,
            validity=tuple(v.value for v in self.validity),
            as_of=self.as_of,
            all_versions=self.all_versions,
        )


class AskIn(Strict):
    """Một câu hỏi cho trợ lý."""

    question: str = Field(min_length=1, max_length=2000, description="Câu hỏi, bằng tiếng Việt")
    history: list[Annotated[str, Field(max_length=2000)]] = Field(
        default=[], max_length=10, description="Các câu hỏi trước trong cuộc trò chuyện (cũ → mới)"
    )
    filters: FiltersIn | None = None
    extractive: bool = Field(default=False, description="Chỉ trích dẫn nguyên văn, không dùng mô hình ngôn ngữ")
    stream: bool = Field(default=False, description="Trả về luồng SSE (token rồi câu trả lời đầy đủ)")
    topic: Literal["auto", "follow_up", "new_topic"] = Field(
        default="auto",
        description="auto: tự nhận biết câu hỏi tiếp hay câu hỏi mới; follow_up: đọc cùng các câu trước; "
        "new_topic: đọc riêng",
    )
    conversation_id: str | None = Field(
        default=None,
        pattern=CONVERSATION_ID,
        description="Lưu câu hỏi và câu trả lời vào cuộc hỏi đáp này (của chính người hỏi); khi không gửi `history`, "
        "các câu hỏi trước của cuộc hỏi đáp được dùng làm lịch sử",
    )


class ConversationIn(Strict):
    """Tên một cuộc hỏi đáp."""

    title: str = Field(default="", max_length=MAX_TITLE_CHARS, description="Tên (để trống: lấy câu hỏi đầu tiên)")


class ConversationSummaryOut(BaseModel):
    """Một cuộc hỏi đáp trong danh sách lịch sử."""

    id: str
    title: str
    created: str
    updated: str
    n_turns: int


class ConversationsOut(BaseModel):
    conversations: list[ConversationSummaryOut]


class TurnOut(BaseModel):
    """Một câu hỏi và câu trả lời đã nhận (như `/v1/ask` trả về; bị ẩn khi người xem không còn quyền với văn bản)."""

    seq: int
    at: str
    question: str
    answer: dict[str, Any]


class ConversationOut(ConversationSummaryOut):
    turns: list[TurnOut]


class CitationJson(BaseModel):
    """Một Điều/Khoản được trích làm căn cứ; `start`/`end` là vị trí ký tự trong toàn văn văn bản."""

    marker: int
    anchor: str
    citation: dict[str, Any]
    document_id: str
    so_hieu: str | None
    hieu_luc: str
    text: str
    start: int
    end: int
    version: dict[str, Any] | None = Field(
        description="Phiên bản của văn bản được trích (gốc/hợp nhất), ngày hiệu lực, tình trạng (badge) tại ngày "
        "áp dụng, các văn bản sửa đổi/bãi bỏ và lưu ý khi văn bản trích không còn là pháp luật hiện hành"
    )


class AnswerOut(BaseModel):
    """Câu trả lời có trích dẫn đã kiểm chứng; `answer_id` dùng để gửi phản hồi."""

    answer_id: str
    answer: str
    as_of: str | None = Field(description="Ngày áp dụng pháp luật của câu trả lời (YYYY-MM-DD)")
    notices: list[str] = Field(description="Lưu ý về hiệu lực của các văn bản được trích (đã bị sửa đổi, bãi bỏ…)")
    citations: list[CitationJson]
    verification: Verification
    refused: bool = Field(description='true khi không tìm thấy căn cứ ("không tìm thấy")')
    latency_s: float
    ttft_s: float | None
    mode: str
    query: str | None = Field(description="Câu hỏi như đã được hiểu (gộp với câu trước nếu là câu hỏi tiếp)")
    topic: str | None = Field(description='Sau các câu hỏi trước: "follow_up" (đọc cùng) hoặc "new_topic" (đọc riêng)')
    evidence: dict[str, Any] = Field(
        description="Căn cứ để trả lời hay từ chối: `coverage`, `similarity`, `enough`; `search` là cách tìm đã "
        'chạy (`mode` "hybrid" hoặc "bm25" khi vector ngữ nghĩa chưa đủ, `dense_points`/`points`, `filling`)'
    )
    sentences: list[dict[str, Any]]
    closest: list[dict[str, Any]]


class SearchIn(Strict):
    """Tìm kiếm các Điều liên quan."""

    query: str = Field(min_length=1, max_length=2000, description="Nội dung tìm kiếm")
    k: int = Field(default=10, ge=1, le=50, description="Số kết quả")
    filters: FiltersIn | None = None


class SearchOut(BaseModel):
    # The domain's dataclass is the schema (its `to_json` is what pydantic writes: every field, the citation as
    # `Citation`'s fields), so a field added to `Hit` reaches the API and its documentation together.
    hits: list[Hit] = Field(description="Một kết quả: đoạn văn bản, nơi trích dẫn và thứ hạng")
    retrieval: dict[str, Any] | None = Field(
        default=None,
        description='Cách tìm đã chạy: `mode` "hybrid" (BM25 + ngữ nghĩa) hoặc "bm25" khi vector ngữ nghĩa chưa đủ '
        "(`reason`, `dense_points`/`points`, `filling`: đang tính trong nền); null khi chưa có chỉ mục",
    )


class DocumentOut(BaseModel):
    """Thông tin một văn bản (không kèm toàn văn)."""

    id: str
    title: str
    so_hieu: str | None
    loai: str | None
    co_quan: str | None
    ngay_ban_hanh: str | None
    ngay_hieu_luc: str | None
    trich_yeu: str | None
    access_level: str
    hieu_luc: str
    hieu_luc_reason: str | None
    file_name: str
    format: str | None
    n_chunks: int
    created_at: str


class DecisionIn(Strict):
    """Quyết định của quản trị viên về một quan hệ đã trích xuất."""

    decision: Literal["apply", "reject"] = Field(description="apply: áp dụng; reject: bác bỏ")
    reason: str = Field(min_length=1, max_length=1000, description="Lý do (lưu cùng quyết định)")
    target_document: str | None = Field(default=None, max_length=100, description="Sửa số hiệu văn bản đích")
    target_article: str | None = Field(default=None, max_length=20)
    target_clause: str | None = Field(default=None, max_length=20)
    target_point: str | None = Field(default=None, max_length=5)
    effective: dt.date | None = Field(default=None, description="Sửa ngày có hiệu lực")


class VersionsOut(BaseModel):
    """Các phiên bản của một Điều (cũ → mới) và phần thay đổi giữa hai phiên bản liền nhau."""

    versions: list[dict[str, Any]]
    diffs: list[list[dict[str, str]]] = Field(description='Từng đoạn: op "=" giữ, "-" bỏ, "+" thêm')


class LineageOut(BaseModel):
    """Lược đồ: các nhóm quan hệ và số quan hệ còn chờ rà soát."""

    document: str
    article: str | None
    groups: list[dict[str, Any]]
    to_review: int


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class DocumentDetailOut(DocumentOut):
    """Văn bản với toàn văn và cấu trúc Điều/Khoản/Điểm (vị trí ký tự trong `text`)."""

    text: str
    articles: list[dict[str, Any]]


class UploadResultOut(BaseModel):
    file: str
    state: str = Field(description="rejected | indexed | skipped_unchanged | failed | failed_no_text")
    reason: str | None
    documents: list[str]
    access_level: str | None = Field(
        default=None, description="Cấp truy cập của văn bản đã lưu (không bao giờ thấp hơn cấp của bản đã có)"
    )


class UploadOut(BaseModel):
    files: list[UploadResultOut]


class DocumentPatch(Strict):
    """Thay đổi cấp truy cập và/hoặc hiệu lực của văn bản (chỉ quản trị viên)."""

    access_level: AccessLevel | None = None
    hieu_luc: Validity | None = None
    hieu_luc_reason: str | None = Field(default=None, max_length=1000, description="Lý do, ví dụ: bị thay thế bởi …")


class FeedbackIn(Strict):
    """Đánh giá một câu trả lời: đúng/sai, nhận xét, trích dẫn bị cho là sai."""

    answer_id: str = Field(min_length=1, max_length=64)
    correct: bool
    comment: str = Field(default="", max_length=4000)
    wrong_citation: int | None = Field(default=None, ge=1, le=100, description="Số thứ tự [n] của trích dẫn sai")
    wrong_citations: list[Annotated[int, Field(ge=1, le=100)]] = Field(
        default=[], max_length=100, description="Các trích dẫn [n] bị cho là sai (có thể nhiều)"
    )


class OkOut(BaseModel):
    status: Literal["ok"] = "ok"


class ChatContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["text"]
    text: str = Field(max_length=2000)


CHAT_MESSAGE_MAX_CHARS = 8000  # earlier assistant answers come back in the history; questions are held to 2000


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[ChatContentPart] | None = Field(default=None)

    @field_validator("content")
    @classmethod
    def _bounded(cls, v: str | list[ChatContentPart] | None) -> str | list[ChatContentPart] | None:
        if isinstance(v, str) and len(v) > CHAT_MESSAGE_MAX_CHARS:
            raise ValueError(f"dài quá {CHAT_MESSAGE_MAX_CHARS} ký tự")
        if isinstance(v, list) and len(v) > 20:
            raise ValueError("tối đa 20 phần nội dung")
        return v

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content)


class ChatIn(BaseModel):
    """Yêu cầu theo chuẩn OpenAI; câu hỏi là tin nhắn `user` cuối cùng, các tin nhắn `user` trước là lịch sử."""

    model_config = ConfigDict(extra="ignore")
    model: Literal["kho", "kho-extractive"] = Field(
        default="kho", description="kho (mô hình ngôn ngữ) | kho-extractive (chỉ trích dẫn)"
    )
    messages: list[ChatMessageIn] = Field(min_length=1, max_length=50)
    stream: bool = False


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    citations: list[CitationJson]


class ChatChoice(BaseModel):
    index: int
    message: ChatMessageOut
    finish_reason: Literal["stop"]


class ChatOut(BaseModel):
    """Câu trả lời theo chuẩn OpenAI, giữ nguyên trích dẫn (`citations`) và trạng thái kiểm chứng."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[CitationJson]
    verification: str
    refused: bool
    answer_id: str


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelsOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class ErrorOut(BaseModel):
    detail: Any


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    """Sẵn sàng phục vụ: chỉ mục mở được và mô hình ngôn ngữ trả lời được; `failing` nêu phần chưa sẵn sàng."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, Literal["ok", "fail"]] = Field(description="index: chỉ mục; model: mô hình ngôn ngữ")
    failing: list[str]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Yêu cầu không hợp lệ",
        401: "Thiếu hoặc sai khóa API",
        403: "Vai trò không được phép",
        404: "Không tìm thấy (hoặc không đủ quyền xem)",
        413: "Nội dung gửi lên quá lớn",
        429: "Quá nhiều yêu cầu; thử lại sau số giây trong Retry-After",
        422: "Dữ liệu gửi lên không hợp lệ",
        503: "Chỉ mục hoặc mô hình ngôn ngữ chưa sẵn sàng",
    }
    return {c: {"model": ErrorOut, "description": text[c]} for c in codes}


# ------------------------------------------------------------------------------------------------ helpers


def answer_json(result: AskResult) -> dict[str, Any]:
    return {"answer_id": result.answer_id, **result.answer.to_json()}


def document_json(doc: DocumentRecord) -> dict[str, Any]:
    meta = doc.meta.to_json()
    return {
        "id": doc.id,
        "title": meta["title"],
        "so_hieu": meta["so_hieu"],
        "loai": meta["loai"],
        "co_quan": meta["co_quan"],
        "ngay_ban_hanh": meta["ngay_ban_hanh"],
        "ngay_hieu_luc": meta["ngay_hieu_luc"],
        "trich_yeu": meta["trich_yeu"],
        "access_level": meta["access_level"],
        "hieu_luc": meta["hieu_luc"],
        "hieu_luc_reason": meta["hieu_luc_reason"],
        "file_name": doc.file_path.replace("\\", "/").rsplit("/", 1)[-1],  # never the server's folders
        "format": doc.fmt,
        "n_chunks": doc.n_chunks,
        "created_at": doc.created_at,
    }


def hit_json(h: Hit) -> dict[str, Any]:
    return h.to_json()


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event (`data` as one line of JSON)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _public_error(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and message for an error raised while answering."""
    from assistant.llm import LLMError
    from index.store import StoreError

    if isinstance(exc, RateLimited):
        return 429, str(exc)
    if isinstance(exc, NotFound):
        return 404, str(exc)
    if isinstance(exc, Forbidden):
        return 403, str(exc)
    if isinstance(exc, LLMError):
        log.warning("LLM unavailable: %s", exc)
        return 503, "Mô hình ngôn ngữ chưa sẵn sàng; hãy dùng chế độ chỉ trích dẫn (extractive)"
    if isinstance(exc, StoreError):
        log.warning("index unavailable: %s", exc)
        return 503, "Chỉ mục chưa sẵn sàng"
    if isinstance(exc, ValueError):
        return 422, str(exc)
    log.error("unexpected error", exc_info=exc)
    return 500, "Lỗi nội bộ"


_R = TypeVar("_R")


def stream_ask(
    run: Callable[[Callable[[str], None]], _R],
    render_token: Callable[[str], str],
    render_final: Callable[[_R], list[str]],
    render_error: Callable[[int, str], str],
    public_error: Callable[[BaseException], tuple[int, str]] | None = None,
) -> AsyncIterator[str]:
    """Run a blocking ask in a thread; yield its tokens as they come, then the final event(s). A failure becomes
    `render_error(status, detail)` as `public_error` words it (default: what the public API may say)."""
    word_error = public_error or _public_error

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def put(item: tuple[str, Any]) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                put(("done", run(lambda t: put(("token", t)))))
            except BaseException as exc:  # reported to the client as an error event
                put(("error", exc))

        threading.Thread(target=work, name="kho-ask-stream", daemon=True).start()
        while True:
            kind, value = await queue.get()
            if kind == "token":
                yield render_token(value)
            elif kind == "done":
                for chunk in render_final(value):
                    yield chunk
                return
            else:
                status, detail = word_error(value)
                yield render_error(status, detail)
                return

    return events()


# ------------------------------------------------------------------------------------------------ the router


_bearer = HTTPBearer(auto_error=False, description="Khóa API do `kho users add` cấp")


def principal(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The caller, named by `app.state.resolve_principal(request, bearer key)`; 401 when nobody."""
    resolve: ResolvePrincipal = request.app.state.resolve_principal
    who = resolve(request, creds.credentials if creds else None)
    if who is None:
        raise ApiError(401, "Thiếu hoặc sai khóa API", {"WWW-Authenticate": "Bearer"})
    return who


Who = Annotated[Principal, Depends(principal)]


def api_router(services: Services) -> APIRouter:
    """The `/v1` routes over `services`. The app names callers with `app.state.resolve_principal(request, key)`
    (a `ResolvePrincipal`); None means 401."""
    router = APIRouter(prefix="/v1")

    def call(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except RateLimited as exc:
            raise ApiError(429, str(exc), {"Retry-After": str(max(1, round(exc.retry_after)))}) from None
        except (NotFound, Forbidden, ValueError) as exc:
            status, detail = _public_error(exc)
            raise ApiError(status, detail) from None
        except Exception as exc:
            status, detail = _public_error(exc)
            if status == 500:
                raise
            raise ApiError(status, detail) from None

    @router.post(
        "/ask",
        response_model=AnswerOut,
        tags=["Hỏi đáp"],
        summary="Hỏi trợ lý pháp lý",
        description="Trả lời từ các văn bản người hỏi được phép xem, mỗi ý có trích dẫn Điều/Khoản đã kiểm chứng; "
        '"không tìm thấy" khi kho không có căn cứ. Với `stream: true` hoặc `Accept: text/event-stream`: luồng SSE '
        "gồm các sự kiện `token` rồi một sự kiện `answer` chứa toàn bộ câu trả lời.",
        responses={**_errors(400, 401, 403, 404, 413, 422, 429, 503), 200: {"content": {SSE: {}}}},
    )
    def ask(body: AskIn, who: Who, request: Request) -> Any:
        filters = body.filters.to_filters() if body.filters else None
        streaming = body.stream or SSE in request.headers.get("accept", "")
        if not streaming:
            return call(
                lambda: answer_json(
                    services.ask(
                        who,
                        body.question,
                        body.history,
                        filters,
                        body.extractive,
                        topic=body.topic,
                        conversation_id=body.conversation_id,
                    )
                )
            )

        def run(on_token: Callable[[str], None]) -> AskResult:
            return services.ask(
                who, body.question, body.history, filters, body.extractive, on_token, body.topic, body.conversation_id
            )

        events = stream_ask(
            run,
            lambda t: sse("token", {"text": t}),
            lambda r: [sse("answer", answer_json(r))],
            lambda status, detail: sse("error", {"status": status, "detail": detail}),
        )
        return StreamingResponse(events, media_type=SSE, headers={"Cache-Control": "no-cache"})

    @router.post(
        "/search",
        response_model=SearchOut,
        tags=["Hỏi đáp"],
        summary="Tìm kiếm Điều/Khoản",
        description="Tìm kiếm kết hợp (BM25 + ngữ nghĩa), lọc theo quyền truy cập ngay trong Qdrant; "
        "mỗi Điều một kết quả.",
        responses=_errors(400, 401, 403, 413, 422, 429, 503),
    )
    def search(body: SearchIn, who: Who) -> Any:
        filters = body.filters.to_filters() if body.filters else None
        found = call(lambda: services.find(who, body.query, body.k, filters))
        retrieval = found.retrieval.to_json() if found.retrieval is not None else None
        return {"hits": [hit_json(h) for h in found.hits], "retrieval": retrieval}

    @router.get(
        "/documents",
        response_model=DocumentsOut,
        tags=["Văn bản"],
        summary="Danh sách văn bản",
        description="Các văn bản người gọi được phép xem, kèm thông tin số hiệu, loại, cơ quan, ngày và hiệu lực.",
        responses=_errors(401, 403),
    )
    def documents(who: Who) -> Any:
        return {"documents": [document_json(d) for d in call(lambda: services.list_documents(who))]}

    @router.get(
        "/documents/{doc_id}",
        response_model=DocumentDetailOut,
        tags=["Văn bản"],
        summary="Toàn văn một văn bản",
        description="Toàn văn và các Điều/Khoản/Điểm với vị trí ký tự; 404 nếu không có hoặc vượt quyền xem.",
        responses=_errors(401, 403, 404),
    )
    def document(doc_id: Annotated[str, PathParam(max_length=100, description="Mã văn bản")], who: Who) -> Any:
        doc = call(lambda: services.get_document(who, doc_id))
        return {**document_json(doc), "text": doc.text or "", "articles": json.loads(doc.articles_json or "[]")}

    @router.get(
        "/versions",
        response_model=VersionsOut,
        tags=["Văn bản"],
        summary="Các phiên bản của một Điều",
        description="Mọi văn bản của một Điều trong kho (khi ban hành, hợp nhất), ngày hiệu lực của từng phiên bản, "
        "tình trạng tại ngày `as_of`, các văn bản sửa đổi/bãi bỏ (kèm câu trích) và phần lời văn thay đổi giữa "
        "các phiên bản. Chỉ các phiên bản người gọi được phép xem.",
        responses=_errors(401, 403, 422),
    )
    def versions(
        who: Who,
        document: Annotated[str, Query(min_length=1, max_length=200, description="Số hiệu hoặc tên văn bản")],
        article: Annotated[str, Query(min_length=1, max_length=20, description='Điều, ví dụ "25"')],
        as_of: Annotated[dt.date | None, Query(description="Ngày xét tình trạng (mặc định hôm nay)")] = None,
    ) -> Any:
        from app.lineage import word_diff

        found = call(lambda: services.versions(who, document, article, as_of))
        diffs = [
            [{"op": op, "text": t} for op, t in word_diff(a.body, b.body)]
            for a, b in zip(found, found[1:], strict=False)
        ]
        return {"versions": [v.to_json() for v in found], "diffs": diffs}

    @router.get(
        "/lineage",
        response_model=LineageOut,
        tags=["Văn bản"],
        summary="Lược đồ văn bản",
        description="Quan hệ của một văn bản (hoặc một Điều): sửa đổi / được sửa đổi, bãi bỏ / bị bãi bỏ, thay thế, "
        "dẫn chiếu, hướng dẫn — mỗi quan hệ có ngày hiệu lực, câu văn làm căn cứ, cách xác định (quy tắc, danh "
        "mục, quản trị viên) và trạng thái (đã áp dụng / chờ rà soát).",
        responses=_errors(401, 403, 422),
    )
    def lineage_route(
        who: Who,
        document: Annotated[str, Query(min_length=1, max_length=200, description="Số hiệu hoặc tên văn bản")],
        article: Annotated[str | None, Query(max_length=20, description="Chỉ một Điều")] = None,
    ) -> Any:
        return call(lambda: services.lineage(who, document, article)).to_json()

    @router.post(
        "/relations/{key}/decision",
        response_model=dict[str, Any],
        tags=["Quản trị"],
        summary="Quyết định về một quan hệ pháp lý đã trích xuất",
        description="Quản trị viên áp dụng (có thể sửa văn bản/Điều/Khoản/Điểm đích hoặc ngày hiệu lực) hoặc bác bỏ "
        "một quan hệ (sửa đổi, bãi bỏ, dẫn chiếu…) do quy tắc trích xuất; quyết định ghi nhật ký, được ghi rõ là "
        "của quản trị viên và ghi đè kết quả trích xuất; hiệu lực các phiên bản được tính lại.",
        responses=_errors(400, 401, 403, 404, 422),
    )
    def decide_relation(
        key: Annotated[str, PathParam(min_length=16, max_length=16, pattern="^[0-9a-f]{16}$")],
        body: DecisionIn,
        who: Who,
    ) -> Any:
        from ingest.relations import LegalRef

        target = LegalRef(body.target_document, body.target_article, body.target_clause, body.target_point)
        decided = call(lambda: services.decide_relation(who, key, body.decision, body.reason, target, body.effective))
        return decided.to_json()

    @router.post(
        "/documents",
        response_model=UploadOut,
        tags=["Quản trị"],
        summary="Tải văn bản lên (quản trị viên)",
        description="Nhận PDF/DOCX/HTML/TXT, lưu, phân tích và lập chỉ mục; trả về trạng thái từng tệp.",
        responses=_errors(400, 401, 403, 404, 413, 422, 429),
    )
    async def upload(
        who: Who,
        files: Annotated[list[UploadFile], File(description="Các tệp văn bản")],
        access_level: Annotated[AccessLevel, Form(description="Cấp truy cập của văn bản")] = AccessLevel.PUBLIC,
        replace: Annotated[
            str | None,
            Form(max_length=100, description="Mã văn bản được thay thế bằng tệp này (một tệp); trống = văn bản mới"),
        ] = None,
    ) -> Any:
        if not allowed(who, "upload"):
            raise ApiError(403, "Chỉ quản trị viên được tải văn bản lên")
        if len(files) > UPLOAD_MAX_FILES:
            raise ApiError(422, f"files: tối đa {UPLOAD_MAX_FILES} tệp mỗi lần")
        limit = services.settings.max_file_bytes
        payload: list[tuple[str, bytes]] = []
        for f in files:
            data = await f.read(limit + 1)  # one byte more than allowed is enough to refuse it
            payload.append((f.filename or "", data))
        level = access_level
        target = replace or None
        results = await asyncio.to_thread(lambda: call(lambda: services.upload(who, payload, level, replace=target)))
        return {"files": [r.to_json() for r in results]}

    @router.delete(
        "/documents/{doc_id}",
        response_model=OkOut,
        tags=["Quản trị"],
        summary="Xóa một văn bản (quản trị viên)",
        description="Xóa văn bản khỏi sổ đăng ký và chỉ mục (ghi nhật ký kiểm toán); tệp đã tải lên bị xóa khi "
        "không còn văn bản nào của nó.",
        responses=_errors(401, 403, 404),
    )
    def delete_document(doc_id: Annotated[str, PathParam(max_length=100, description="Mã văn bản")], who: Who) -> Any:
        if not allowed(who, "delete"):
            raise ApiError(403, "Chỉ quản trị viên được xóa văn bản")
        call(lambda: services.delete_document(who, doc_id))
        return {"status": "ok"}

    @router.patch(
        "/documents/{doc_id}",
        response_model=DocumentOut,
        tags=["Quản trị"],
        summary="Đổi cấp truy cập / hiệu lực (quản trị viên)",
        description="Cập nhật sổ đăng ký và chỉ mục Qdrant trước khi trả lời: thay đổi có hiệu lực ngay với tìm kiếm.",
        responses=_errors(400, 401, 403, 404, 422),
    )
    def patch_document(
        doc_id: Annotated[str, PathParam(max_length=100, description="Mã văn bản")], body: DocumentPatch, who: Who
    ) -> Any:
        if not allowed(who, "set_access"):
            raise ApiError(403, "Chỉ quản trị viên được thay đổi văn bản")
        if body.access_level is None and body.hieu_luc is None:
            raise ApiError(422, "cần ít nhất một trong access_level, hieu_luc")
        if body.access_level is not None:
            level = body.access_level
            call(lambda: services.set_access_level(who, doc_id, level))
        if body.hieu_luc is not None:
            validity = body.hieu_luc.value
            call(lambda: services.set_validity(who, doc_id, validity, body.hieu_luc_reason))
        return document_json(call(lambda: services.get_document(who, doc_id)))

    @router.get(
        "/conversations",
        response_model=ConversationsOut,
        tags=["Lịch sử"],
        summary="Các cuộc hỏi đáp của tôi",
        description="Mới dùng gần nhất trước. Mỗi người chỉ thấy cuộc hỏi đáp của chính mình.",
        responses=_errors(401, 403),
    )
    def conversations(who: Who) -> Any:
        return {"conversations": [c.to_json() for c in call(lambda: services.list_conversations(who))]}

    @router.post(
        "/conversations",
        response_model=ConversationSummaryOut,
        tags=["Lịch sử"],
        summary="Bắt đầu một cuộc hỏi đáp",
        responses=_errors(400, 401, 403, 422),
    )
    def new_conversation(body: ConversationIn, who: Who) -> Any:
        return call(lambda: services.new_conversation(who, body.title)).to_json()

    @router.get(
        "/conversations/{conversation_id}",
        response_model=ConversationOut,
        tags=["Lịch sử"],
        summary="Mở lại một cuộc hỏi đáp",
        description="Các câu hỏi và câu trả lời, cũ → mới; câu trả lời trích văn bản người xem không còn được xem thì "
        "bị ẩn (câu hỏi vẫn giữ).",
        responses=_errors(401, 403, 404),
    )
    def get_conversation(conversation_id: ConversationPath, who: Who) -> Any:
        return call(lambda: services.conversation(who, conversation_id)).to_json()

    @router.patch(
        "/conversations/{conversation_id}",
        response_model=ConversationSummaryOut,
        tags=["Lịch sử"],
        summary="Đổi tên một cuộc hỏi đáp",
        responses=_errors(400, 401, 403, 404, 422),
    )
    def rename_conversation(conversation_id: ConversationPath, body: ConversationIn, who: Who) -> Any:
        return call(lambda: services.rename_conversation(who, conversation_id, body.title)).to_json()

    @router.delete(
        "/conversations/{conversation_id}",
        response_model=OkOut,
        tags=["Lịch sử"],
        summary="Xóa một cuộc hỏi đáp",
        description="Xóa hẳn câu hỏi và câu trả lời khỏi lịch sử (nhật ký kiểm toán vẫn giữ bản ghi của nó).",
        responses=_errors(401, 403, 404),
    )
    def delete_conversation(conversation_id: ConversationPath, who: Who) -> Any:
        call(lambda: services.delete_conversation(who, conversation_id))
        return {"status": "ok"}

    @router.post(
        "/feedback",
        response_model=OkOut,
        tags=["Hỏi đáp"],
        summary="Phản hồi về một câu trả lời",
        description="Đúng/sai, nhận xét và trích dẫn bị cho là sai; lưu vào nhật ký kiểm toán cho người đánh giá.",
        responses=_errors(400, 401, 403, 404, 422),
    )
    def feedback(body: FeedbackIn, who: Who) -> Any:
        call(
            lambda: services.feedback(
                who, body.answer_id, body.correct, body.comment, body.wrong_citation, body.wrong_citations
            )
        )
        return {"status": "ok"}

    @router.get(
        "/models",
        response_model=ModelsOut,
        tags=["Tương thích OpenAI"],
        summary="Các mô hình (chuẩn OpenAI)",
        responses=_errors(401),
    )
    def models(who: Who) -> Any:
        return {"data": [{"id": m, "created": 0, "owned_by": "kho-tri-thuc"} for m in MODELS]}

    @router.post(
        "/chat/completions",
        response_model=ChatOut,
        tags=["Tương thích OpenAI"],
        summary="Hỏi đáp theo chuẩn OpenAI (giữ trích dẫn)",
        description="Tin nhắn `user` cuối cùng là câu hỏi, các tin nhắn `user` trước là lịch sử. Kết quả giữ "
        "trích dẫn ở `citations` và `choices[0].message.citations`, cùng `verification`. Với `stream: true`: "
        "các `chat.completion.chunk`; chunk cuối mang `citations`, `verification` và câu trả lời đã kiểm chứng "
        "(`answer`), rồi `[DONE]`.",
        responses={**_errors(400, 401, 403, 413, 422, 429, 503), 200: {"content": {SSE: {}}}},
    )
    def chat(body: ChatIn, who: Who) -> Any:
        users = [m.text() for m in body.messages if m.role == "user"]
        if not users or not users[-1].strip():
            raise ApiError(422, "messages: cần một tin nhắn 'user' có nội dung")
        question, history = users[-1], users[:-1][-10:]
        extractive = MODELS[body.model]
        created = int(time.time())
        if not body.stream:
            result: AskResult = call(lambda: services.ask(who, question, history, None, extractive))
            return chat_json(result, body.model, created)

        def run(on_token: Callable[[str], None]) -> AskResult:
            return services.ask(who, question, history, None, extractive, on_token)

        state = {"streamed": False}

        def token(t: str) -> str:
            state["streamed"] = True
            return _chunk("chatcmpl-stream", body.model, created, {"content": t}, None)

        def final(r: AskResult) -> list[str]:
            out = []
            if not state["streamed"]:  # extractive answers and refusals come whole
                out.append(_chunk(f"chatcmpl-{r.answer_id}", body.model, created, {"content": r.answer.answer}, None))
            last = json.loads(_chunk(f"chatcmpl-{r.answer_id}", body.model, created, {}, "stop")[6:])
            last.update(_kho_fields(r))
            out.append(f"data: {json.dumps(last, ensure_ascii=False)}\n\n")
            out.append("data: [DONE]\n\n")
            return out

        events = stream_ask(
            run,
            token,
            final,
            lambda status, detail: f"data: {json.dumps({'error': {'code': status, 'message': detail}})}\n\n",
        )
        return StreamingResponse(events, media_type=SSE, headers={"Cache-Control": "no-cache"})

    return router


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [c.to_json() for c in answer.citations]


def _kho_fields(r: AskResult) -> dict[str, Any]:
    return {
        "citations": _citations(r.answer),
        "verification": r.answer.verification.value,
        "refused": r.answer.refused,
        "answer_id": r.answer_id,
        "answer": r.answer.answer,
    }


def _chunk(cid: str, model: str, created: int, delta: dict[str, Any], finish: str | None) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def chat_json(r: AskResult, model: str, created: int) -> dict[str, Any]:
    """An ask result as an OpenAI `chat.completion`, citations kept (top level and in the message)."""
    cites = _citations(r.answer)
    return {
        "id": f"chatcmpl-{r.answer_id}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": r.answer.answer, "citations": cites},
                "finish_reason": "stop",
            }
        ],
        "citations": cites,
        "verification": r.answer.verification.value,
        "refused": r.answer.refused,
        "answer_id": r.answer_id,
    }


# ------------------------------------------------------------------------------------------------ errors


def install_error_handlers(app: FastAPI) -> None:
    """Our errors as JSON with their status; anything unexpected as a logged 500 without details."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "Lỗi nội bộ"}, status_code=500)


def health_router(services: Services) -> APIRouter:
    """`GET /healthz`: the process answers. `GET /readyz`: 200 when it can serve questions — the index open and
    the model reachable (`Services.readiness`) — else 503 naming the failing checks. No authentication (they are
    probes), and no details beyond the checks' names: no paths, addresses or errors."""
    router = APIRouter()

    @router.get("/healthz", response_model=HealthOut, tags=["Hệ thống"], summary="Kiểm tra hoạt động")
    def healthz() -> Any:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        response_model=ReadyOut,
        tags=["Hệ thống"],
        summary="Kiểm tra sẵn sàng phục vụ",
        responses={503: {"model": ReadyOut, "description": "Chỉ mục hoặc mô hình ngôn ngữ chưa sẵn sàng"}},
    )
    def readyz() -> Any:
        checks = services.readiness()
        failing = [name for name, ok in checks.items() if not ok]
        body = {
            "status": "not_ready" if failing else "ready",
            "checks": {name: "ok" if ok else "fail" for name, ok in checks.items()},
            "failing": failing,
        }
        return JSONResponse(body, status_code=503 if failing else 200, headers={"Cache-Control": "no-store"})

    return router

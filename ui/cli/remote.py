"""The running `kho serve` of this data dir, as a `kho` command reaches it: found through `<data_dir>/server.json`
(`ui.discovery`), called with the operator token it publishes (`ui.operator`).

The embedded index (Qdrant Edge) can only be open in one process. While a server runs on the data dir, `kho ingest`,
`kho search` and `kho ask` send their work to it instead of opening the index themselves, and say so on stderr.
With `KHO_QDRANT_URL` nothing is held, but they still go through a running server: then one process alone writes
the index (two processes syncing the same collection at once could leave a removed document's points behind).

    server = find_server(settings)          # None: no server, or a stale discovery file
    if server is not None:
        report = server.post_json("/v1/operator/ingest", {"paths": ["/srv/docs/new.pdf"]}, timeout=None)

A discovery file is stale — and ignored — when its process is gone, the server does not answer `/healthz`, or it
refuses the token (another server run on the same port). Nothing here goes through an HTTP proxy: the server is on
this machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer

from core.settings import Settings
from ui import discovery

CONNECT_TIMEOUT_S = 5.0
PROBE_TIMEOUT_S = 10.0  # /healthz and whoami answer at once; a server this slow to answer is not usable


class RemoteError(RuntimeError):
    """The running server could not be reached, or refused or failed the request; the message says which and why.

    `status` is the HTTP status (None when no answer came)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RemoteServer:
    """One running server of this data dir, reached at `url` with the operator `token`."""

    url: str
    token: str
    pid: int

    def _client(self, timeout: float | None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT_S),
            trust_env=False,  # never through a proxy: the server is on this machine
        )

    def _fail(self, path: str, exc: httpx.HTTPError) -> RemoteError:
        return RemoteError(f"the running server at {self.url} did not answer {path}: {type(exc).__name__}: {exc}")

    def _answer(self, path: str, response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise RemoteError(
                f"the running server at {self.url} refused {path} ({response.status_code}): {_detail(response)}",
                response.status_code,
            )
        try:
            data = response.json()
        except ValueError:
            raise RemoteError(f"the running server at {self.url} answered {path} with something not JSON") from None
        if not isinstance(data, dict):
            raise RemoteError(f"the running server at {self.url} answered {path} with JSON that is not an object")
        return data

    def request_json(
        self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float | None = 600.0
    ) -> dict[str, Any]:
        """`method` on `path` (with `body` as JSON); the JSON object answered, or `RemoteError`."""
        try:
            with self._client(timeout) as client:
                return self._answer(path, client.request(method, path, json=body))
        except httpx.HTTPError as exc:
            raise self._fail(path, exc) from None

    def get_json(self, path: str, timeout: float | None = PROBE_TIMEOUT_S) -> dict[str, Any]:
        """GET `path`; its JSON object, or `RemoteError`."""
        return self.request_json("GET", path, timeout=timeout)

    def post_json(self, path: str, body: dict[str, Any], timeout: float | None = 600.0) -> dict[str, Any]:
        """POST `body` as JSON to `path`; the JSON object answered, or `RemoteError`. `timeout=None` waits as long as
        the work takes (an ingest of a large folder)."""
        return self.request_json("POST", path, body, timeout)

    def stream_events(self, path: str, body: dict[str, Any], timeout: float | None = None) -> Iterator[tuple[str, Any]]:
        """POST `body` to an event-stream route; yields (event, data) for each Server-Sent Event as it comes."""
        try:
            with self._client(timeout) as client, client.stream("POST", path, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    self._answer(path, response)
                event = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        yield event, json.loads(line[5:].strip())
                        event = "message"
        except httpx.HTTPError as exc:
            raise self._fail(path, exc) from None


def _detail(response: httpx.Response) -> str:
    """The server's reason, from its `{"detail": ...}` body (422: each field and what is wrong with it)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:300] or response.reason_phrase
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(x) for x in e.get('loc', []))}: {e.get('msg', '')}" for e in detail)
    return str(detail)


def find_server(settings: Settings) -> RemoteServer | None:
    """The live server of `settings.data_dir`, or None: no discovery file, or a stale one (the process is gone, the
    server does not answer, or it refuses the token or is another process)."""
    try:
        info = discovery.read(settings.data_dir)
    except (discovery.DiscoveryError, OSError):  # not one `kho serve` wrote, or not ours to read
        return None
    if info is None or not discovery.process_alive(info.pid):
        return None
    server = RemoteServer(info.url, info.token, info.pid)
    try:
        server.get_json("/healthz")
        who = server.get_json("/v1/operator/whoami")
    except RemoteError:
        return None
    same_dir = Path(str(who.get("data_dir", ""))).resolve() == settings.data_dir.resolve()
    return server if who.get("pid") == info.pid and same_dir else None


def via_server(settings: Settings) -> RemoteServer | None:
    """`find_server`, saying on stderr (stdout stays the command's output) that the work goes through it."""
    server = find_server(settings)
    if server is not None:
        typer.echo(f"(via the running server at {server.url}, pid {server.pid})", err=True)
    return server

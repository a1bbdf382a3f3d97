"""Files the workdesk makes for one user to download (the DOCX memo of an answer), and the route that serves them.

Gradio would copy such a file into its cache — the private upload folder, which the server never serves
(ui/security.py) — so the memo goes on a shelf of its own instead: a private folder, each file under a random token
and recorded with the user who made it. `GET /exports/{token}` hands it to that user's session only (anyone else,
or no session: 404, as for a missing file); files older than `TTL_S` are swept.

>>> import tempfile, pathlib
>>> shelf = ExportShelf(pathlib.Path(tempfile.mkdtemp()))
>>> token = shelf.put("an", "phieu.docx", b"PK...")
>>> shelf.take("an", token)[1], shelf.take("binh", token)
('phieu.docx', None)
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from pathlib import Path

from core.fs import private_dir

TTL_S = 3600  # an export stays downloadable for an hour
MAX_FILES = 1000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ExportShelf:
    """Downloads made for one user each: put, take (by the same user only), swept after `TTL_S`."""

    def __init__(self, folder: Path) -> None:
        self.folder = private_dir(folder)
        self._items: dict[str, tuple[str, Path, str, float]] = {}  # token → (user, file, name, made at)
        self._lock = threading.Lock()

    def put(self, user: str, name: str, data: bytes) -> str:
        """Keep `data` for `user` under the download name `name`; the token of its link."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        path = self.folder / token
        path.write_bytes(data)
        path.chmod(0o600)
        with self._lock:
            self._items[token] = (user, path, name, time.monotonic())
            while len(self._items) > MAX_FILES:  # the oldest goes first
                self._items.pop(next(iter(self._items)))[1].unlink(missing_ok=True)
        return token

    def take(self, user: str, token: str) -> tuple[Path, str] | None:
        """(file, download name) when `token` names a live file made for `user`; None otherwise."""
        if not _TOKEN.match(token or ""):
            return None
        with self._lock:
            item = self._items.get(token)
        if item is None or item[0] != user or time.monotonic() - item[3] > TTL_S or not item[1].exists():
            return None
        return item[1], item[2]

    def sweep(self) -> None:
        """Forget and delete what is older than `TTL_S`."""
        now = time.monotonic()
        with self._lock:
            old = [t for t, (_, _, _, at) in self._items.items() if now - at > TTL_S]
            for t in old:
                self._items.pop(t)[1].unlink(missing_ok=True)

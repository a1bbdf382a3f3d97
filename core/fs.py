"""Private files and folders: the data dir holds the audit log, accounts and keys, so only its owner may read it.

`secure_umask()` at process start makes every file created afterwards 0600 and every folder 0700;
`private_dir` creates a folder that way whatever the umask; `tighten` repairs a data dir created before.

>>> import tempfile, pathlib, stat
>>> d = private_dir(pathlib.Path(tempfile.mkdtemp()) / "kho" / "data")
>>> oct(stat.S_IMODE(d.stat().st_mode))
'0o700'
>>> _ = (d / "audit.sqlite3").write_bytes(b""); (d / "audit.sqlite3").chmod(0o644)
>>> tighten(d)
>>> oct(stat.S_IMODE((d / "audit.sqlite3").stat().st_mode))
'0o600'
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077  # group and others get nothing on anything this process creates


def secure_umask() -> int:
    """Set the process umask to 0o077 (new files 0600, folders 0700); returns the umask it replaces."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path | str) -> Path:
    """`path` created if missing (parents too) and set to 0700; returns it, `~` expanded.

    Parents created here get the umask's mode; only `path` itself is tightened (a parent such as `~/.local` is
    not ours to change).
    """
    p = Path(path).expanduser()
    p.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(p, PRIVATE_DIR_MODE)
    return p


def _chmod_nofollow(path: str, mode: int) -> None:
    """chmod without following a symlink; a file that vanished meanwhile (a SQLite journal) is no error."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
            return
        os.chmod(path, mode)
    except FileNotFoundError:
        pass


def tighten(data_dir: Path | str) -> None:
    """Make `data_dir` private: 0700 on it and every folder below, 0600 on every regular file; links not followed.

    Sockets, pipes and symlinks are left alone (a link's target may be outside the data dir). A file or folder
    removed while this runs is skipped, never an error.
    """
    root = Path(data_dir).expanduser()
    if not root.is_dir() or root.is_symlink():
        return
    _chmod_nofollow(str(root), PRIVATE_DIR_MODE)
    for top, dirs, files in os.walk(root, followlinks=False, onerror=lambda _e: None):
        for d in dirs:
            _chmod_nofollow(os.path.join(top, d), PRIVATE_DIR_MODE)
        for f in files:
            full = os.path.join(top, f)
            try:
                if stat.S_ISREG(os.lstat(full).st_mode):
                    _chmod_nofollow(full, PRIVATE_FILE_MODE)
            except FileNotFoundError:
                continue


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (a temporary file renamed over it), the file 0600 whatever the umask."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def discard_within(path: Path | str, root: Path | str) -> None:
    """Delete the file `path` and then its folder if that is now empty — never anything outside `root`, never
    `root` itself. For short-lived copies (uploads waiting for ingestion); a file already gone is no error."""
    base = Path(root).resolve()
    try:
        target = Path(path).resolve()
    except (OSError, RuntimeError):
        return
    if not target.is_relative_to(base) or target == base:
        return
    with contextlib.suppress(OSError):
        target.unlink()
    if target.parent != base:
        with contextlib.suppress(OSError):
            target.parent.rmdir()

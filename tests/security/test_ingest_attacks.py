"""Attacks on ingestion: a crafted upload that would become one giant chunk, a restricted document made public by
re-uploading it, and a `kill -9` that left process-pool workers holding the index lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bench.adversarial_ingest import adversarial_text
from core.settings import Settings
from ingest.job import run_ingest
from ingest.model import AccessLevel, DocState
from ingest.registry import Registry
from tests.conftest import KHO


def _law(so_hieu: str, body: str) -> str:
    return (
        f"Số: {so_hieu}\nHà Nội, ngày 01 tháng 01 năm 2020\nNGHỊ ĐỊNH\nVỀ THỬ NGHIỆM BẢO MẬT\n"
        f"Điều 1. Phạm vi điều chỉnh\n1. {body}\n2. Khoản hai.\nĐiều 2. Hiệu lực thi hành\nCó hiệu lực từ ngày ký.\n"
    )


def _levels(reg: Registry, path: Path) -> set[AccessLevel]:
    return {reg.document_access(did) for did in reg.document_ids(path)}  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------- access floor


def test_reuploading_a_restricted_path_with_changed_text_as_public_stays_restricted(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    path = tmp_path / "mat.txt"
    path.write_text(_law("11/2099/NĐ-CP", "Nội dung mật."), encoding="utf-8")
    run_ingest([path], reg, settings, access_level=AccessLevel.RESTRICTED, progress=False)
    assert _levels(reg, path) == {AccessLevel.RESTRICTED}
    path.write_text(_law("11/2099/NĐ-CP", "Nội dung mật, đã sửa một chữ."), encoding="utf-8")
    res = run_ingest([path], reg, settings, access_level=AccessLevel.PUBLIC, progress=False).results[0]
    assert res.state is DocState.INDEXED  # the new text was stored ...
    assert _levels(reg, path) == {AccessLevel.RESTRICTED}  # ... at the old, higher level
    assert all(c.access_level is AccessLevel.RESTRICTED for c in reg.iter_chunks())


def test_a_different_file_with_the_same_so_hieu_inherits_the_restricted_level(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    secret = tmp_path / "mat.txt"
    secret.write_text(_law("12/2099/NĐ-CP", "Bản gốc mật."), encoding="utf-8")
    run_ingest([secret], reg, settings, access_level=AccessLevel.RESTRICTED, progress=False)
    copy = tmp_path / "ban-sao-cong-khai.txt"
    copy.write_text(_law("12/2099/NĐ-CP", "Bản chép lại, định dạng khác."), encoding="utf-8")
    run_ingest([copy], reg, settings, access_level=AccessLevel.PUBLIC, progress=False)
    assert _levels(reg, copy) == {AccessLevel.RESTRICTED}
    other = tmp_path / "khac.txt"
    other.write_text(_law("13/2099/NĐ-CP", "Văn bản khác, công khai."), encoding="utf-8")
    run_ingest([other], reg, settings, access_level=AccessLevel.PUBLIC, progress=False)
    assert _levels(reg, other) == {AccessLevel.PUBLIC}  # the floor is per document, not global


def test_only_set_access_level_lowers_a_level_and_a_later_public_reingest_stays_public(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    path = tmp_path / "mat.txt"
    path.write_text(_law("14/2099/NĐ-CP", "Nội dung."), encoding="utf-8")
    run_ingest([path], reg, settings, access_level=AccessLevel.RESTRICTED, progress=False)
    [did] = reg.document_ids(path)
    reg.set_access_level(did, AccessLevel.PUBLIC)
    path.write_text(_law("14/2099/NĐ-CP", "Nội dung đã công bố."), encoding="utf-8")
    run_ingest([path], reg, settings, access_level=AccessLevel.PUBLIC, progress=False)
    assert _levels(reg, path) == {AccessLevel.PUBLIC}


def test_access_floor_matches_path_content_and_normalised_so_hieu(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    path = tmp_path / "mat.txt"
    path.write_text(_law("15/2099/NĐ-CP", "Nội dung."), encoding="utf-8")
    run_ingest([path], reg, settings, access_level=AccessLevel.INTERNAL, progress=False)
    rec = reg.file_record(path)
    assert rec is not None and rec.content_hash is not None
    assert reg.access_floor(path, "0" * 64) is AccessLevel.INTERNAL
    assert reg.access_floor(tmp_path / "x.txt", rec.content_hash) is AccessLevel.INTERNAL
    # case and spaces do not make a different number
    assert reg.access_floor(tmp_path / "x.txt", "0" * 64, ["15/2099/nđ-cp"]) is AccessLevel.INTERNAL
    assert reg.access_floor(tmp_path / "x.txt", "0" * 64, ["15 / 2099/NĐ-CP"]) is AccessLevel.INTERNAL
    assert reg.access_floor(tmp_path / "x.txt", "0" * 64, ["16/2099/NĐ-CP"]) is None


# ---------------------------------------------------------------------------------------------- giant chunk


def test_adversarial_upload_never_makes_a_chunk_over_max_chars_and_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "tan-cong.txt"
    path.write_text(adversarial_text("lines", 2.0), encoding="utf-8")
    env = {**os.environ, "KHO_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [str(KHO), "ingest", str(path), "--json", "--no-progress", "--no-index"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    [res] = report["results"]
    assert res["state"] in ("indexed", "failed"), res
    if res["state"] == "failed":
        assert "KHO_MAX_CHUNKS_PER_FILE" in res["reason"]
    with Registry(tmp_path / "data" / "registry.sqlite3") as reg:
        lengths = [len(c.text) for c in reg.iter_chunks()]
        assert len(lengths) == res["n_chunks"]
        assert all(n <= Settings().chunk_max_chars for n in lengths)
        assert reg.check_consistency() == []


# ---------------------------------------------------------------------------------------------- kill -9


def _children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is `pid`, from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_of_ingest_leaves_no_pool_worker_and_the_index_lock_free(tmp_path: Path) -> None:
    path = tmp_path / "nhieu-doan.txt"
    # ~530 chunks: over index.sparse.PARALLEL_FROM (256), so BM25 term counting uses the process pool
    path.write_text(adversarial_text("lines", 1.0), encoding="utf-8")
    env = {
        **os.environ,
        "KHO_DATA_DIR": str(tmp_path / "data"),
        "KHO_EMBEDDINGS_CACHE_DIR": str(tmp_path / "emb"),
    }
    proc = subprocess.Popen(
        [str(KHO), "ingest", str(path), "--json", "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: list[int] = []
    try:
        for _ in range(3000):  # bounded wait (up to ~5 min on a loaded machine) for the pool's workers
            workers = [c for c in _children(proc.pid) if "resource_tracker" not in _cmdline(c)]
            if workers or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert workers, f"no pool worker appeared (exit code {proc.poll()})"
        children = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    proc.stderr.close()
    for _ in range(600):  # bounded wait for the kernel to deliver PDEATHSIG and the workers to go
        if not any(_alive(c) for c in children):
            break
        time.sleep(0.05)
    survivors = [(c, _cmdline(c)) for c in children if _alive(c)]
    for c, _ in survivors:  # clean up what the code under test failed to stop, then fail
        os.kill(c, signal.SIGKILL)
    assert survivors == []
    after = subprocess.run(
        [str(KHO), "index", "--json"], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert after.returncode == 0, after.stderr[-2000:]
    assert json.loads(after.stdout)["points_total"] > 0

"""Ingestion as a job: unchanged files skipped, changes replace, crashes resume, bad input contained."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import ingest.job as job
from core.settings import Settings
from ingest.ids import doc_id
from ingest.job import PARSER_VERSION, run_ingest
from ingest.model import AccessLevel, DocState, Validity
from ingest.registry import Registry

REPO = Path(__file__).resolve().parent.parent


def law(n: int, articles: int = 2, extra: str = "") -> str:
    """A small, unique Vietnamese law text: số hiệu n/2099/QH99."""
    out = [
        f"Luật số: {n}/2099/QH99\n",
        "Hà Nội, ngày 01 tháng 01 năm 2020\n",
        "LUẬT\n",
        f"THỬ NGHIỆM SỐ {n}\n",
        "Chương I\n",
        "QUY ĐỊNH CHUNG\n",
        "Điều 1. Phạm vi điều chỉnh\n",
        f"1. Luật này quy định về thử nghiệm số {n}.\n",
        "a) Điểm a;\n",
        "b) Điểm b.\n",
        "2. Khoản hai.\n",
    ]
    for a in range(2, articles + 1):
        out.append(f"Điều {a}. Nội dung {a}\n")
        out.append(f"Điều này quy định nội dung {a} của luật số {n}.{extra}\n")
    return "".join(out)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", max_file_mb=1.0)


@pytest.fixture()
def reg(settings: Settings) -> Iterator[Registry]:
    r = Registry.from_settings(settings)
    yield r
    r.close()


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def states(report: job.IngestReport) -> dict[str, DocState]:
    return {Path(r.path).name: r.state for r in report.results}


def chunk_ids(reg: Registry) -> list[str]:
    return [c.id for c in reg.iter_chunks()]


def test_folder_is_walked_sorted_skipping_hidden_and_sidecars(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "b.txt", law(2))
    write(corpus / "a.txt", law(1))
    write(corpus / "sub" / "c.txt", law(3))
    write(corpus / ".hidden.txt", law(4))
    write(corpus / ".git" / "x.txt", law(5))
    write(corpus / "a.txt.kho.toml", 'access_level = "internal"\n')
    write(corpus / "~$a.docx", b"lock")
    report = run_ingest([corpus], reg, settings, progress=False)
    assert [Path(r.path).name for r in report.results] == ["a.txt", "b.txt", "c.txt"]
    assert report.totals[DocState.INDEXED.value] == 3 and report.ok
    assert (report.n_documents, report.n_chunks) == (3, reg.counts()["chunks"])
    docs = {d.meta.so_hieu: d for d in reg.list_documents()}
    assert set(docs) == {"1/2099/QH99", "2/2099/QH99", "3/2099/QH99"}
    assert docs["1/2099/QH99"].meta.access_level is AccessLevel.INTERNAL  # from the file's sidecar
    assert docs["2/2099/QH99"].meta.access_level is AccessLevel.PUBLIC
    anchors = [c.anchor for c in reg.iter_chunks()]
    assert any(a.startswith("Điều 1") for a in anchors)
    for c in reg.iter_chunks():
        got = reg.get_document(c.document_id)
        assert got is not None and got.text is not None and got.text[c.start : c.end] == c.text
    assert reg.check_consistency() == []
    out = json.loads(json.dumps(report.to_json()))
    assert out["totals"]["indexed"] == 3 and len(out["results"]) == 3


def test_reingesting_unchanged_files_does_nothing(
    tmp_path: Path, reg: Registry, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    for i in range(3):
        write(corpus / f"{i}.txt", law(i))
    first = run_ingest([corpus], reg, settings, progress=False)
    assert set(states(first).values()) == {DocState.INDEXED}
    before = (reg.document_ids(), chunk_ids(reg), reg.max_seq(), reg.list_files())

    def no_parse(*a: object, **k: object) -> None:
        raise AssertionError("an unchanged file must not be parsed")

    monkeypatch.setattr(job, "parse_file", no_parse)
    second = run_ingest([corpus], reg, settings, progress=False)
    assert set(states(second).values()) == {DocState.SKIPPED_UNCHANGED}
    assert [r.n_chunks for r in second.results] == [r.n_chunks for r in first.results]
    assert (reg.document_ids(), chunk_ids(reg), reg.max_seq(), reg.list_files()) == before


def test_changed_file_replaces_its_chunks_with_no_stale_chunk(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    f = write(tmp_path / "luat.txt", law(1, articles=4))
    write(tmp_path / "other.txt", law(2))
    run_ingest([tmp_path], reg, settings, progress=False)
    old_ids = set(reg.document_ids(f))
    other_before = [c for c in reg.iter_chunks() if c.document_id not in old_ids]
    seq = reg.max_seq()

    write(f, law(1, articles=2, extra=" Đã sửa đổi."))
    report = run_ingest([f], reg, settings, progress=False)
    assert states(report) == {"luat.txt": DocState.INDEXED}
    new_ids = set(reg.document_ids(f))
    assert len(new_ids) == 1 and not (new_ids & old_ids)
    mine = [c for c in reg.iter_chunks() if c.document_id not in {o.document_id for o in other_before}]
    assert {c.document_id for c in mine} == new_ids  # nothing left of the old version
    assert all("Đã sửa đổi" in c.text or not c.text.startswith("Điều 2") for c in mine)
    assert not any(c.text.startswith("Điều 4") for c in mine)
    assert [c for c in reg.iter_chunks() if c.document_id not in new_ids] == other_before
    ops = [(o.op, o.document_id) for o in reg.pending_ops(after_seq=seq)]
    assert sorted(ops) == sorted([("delete", i) for i in old_ids] + [("upsert", i) for i in new_ids])
    assert reg.check_consistency() == []


def test_new_options_reparse_but_keep_ids(tmp_path: Path, reg: Registry, settings: Settings) -> None:
    f = write(tmp_path / "luat.txt", law(1))
    run_ingest([f], reg, settings, progress=False)
    ids, cids, seq = reg.document_ids(), chunk_ids(reg), reg.max_seq()
    report = run_ingest([f], reg, settings, access_level=AccessLevel.INTERNAL, progress=False)
    assert states(report) == {"luat.txt": DocState.INDEXED}
    assert (reg.document_ids(), chunk_ids(reg)) == (ids, cids)
    assert [o.op for o in reg.pending_ops(seq)] == ["upsert"]
    assert {c.access_level for c in reg.iter_chunks()} == {AccessLevel.INTERNAL}
    # the CLI value is part of the options: the same value again is unchanged
    again = run_ingest([f], reg, settings, access_level=AccessLevel.INTERNAL, progress=False)
    assert states(again) == {"luat.txt": DocState.SKIPPED_UNCHANGED}
    assert PARSER_VERSION  # bumping it re-parses everything (it is in the options hash)


def test_bad_inputs_fail_per_file_and_stored_documents_stay(
    tmp_path: Path, reg: Registry, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "good.txt", law(1))
    run_ingest([corpus], reg, settings, progress=False)
    before = (reg.counts()["documents"], reg.document_ids(), chunk_ids(reg))

    write(corpus / "empty.txt", "")
    write(corpus / "junk.txt", bytes(range(256)) * 40)
    big = corpus / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024)  # sparse: 5 MB > the 1 MB limit, costs no disk
    write(corpus / "corrupt.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF trailing junk")
    hashed: list[str] = []
    real_hash = job.file_sha256

    def spy_hash(p: Path) -> str:
        hashed.append(p.name)
        return real_hash(p)

    monkeypatch.setattr(job, "file_sha256", spy_hash)
    report = run_ingest([corpus, tmp_path / "nope"], reg, settings, progress=False)

    res = {Path(r.path).name: r for r in report.results}
    assert res["good.txt"].state is DocState.SKIPPED_UNCHANGED
    assert res["nope"].state is DocState.FAILED and res["nope"].reason == "path does not exist"
    assert res["empty.txt"].state in (DocState.FAILED_NO_TEXT, DocState.FAILED)
    assert res["big.txt"].state is DocState.FAILED
    assert "5.0 MB" in (res["big.txt"].reason or "") and "limit" in (res["big.txt"].reason or "")
    assert "big.txt" not in hashed  # refused on its size, never read
    for name in ("empty.txt", "junk.txt", "corrupt.pdf"):
        r = res[name]
        assert r.state in (DocState.FAILED, DocState.FAILED_NO_TEXT), (name, r)
        assert r.reason and "internal error" not in r.reason, (name, r.reason)
    assert not report.ok
    assert (reg.counts()["documents"], reg.document_ids(), chunk_ids(reg)) == before
    recorded = {Path(f.path).name: f.state for f in reg.list_files()}
    assert recorded["corrupt.pdf"] is DocState.FAILED and recorded["good.txt"] is DocState.INDEXED
    assert "nope" not in recorded  # a mistyped path is not a file to remember
    assert reg.check_consistency() == []


def test_broken_new_version_keeps_the_last_good_one(tmp_path: Path, reg: Registry, settings: Settings) -> None:
    f = write(tmp_path / "luat.txt", law(1))
    run_ingest([f], reg, settings, progress=False)
    ids, cids = reg.document_ids(), chunk_ids(reg)
    good_hash = job.file_sha256(f)
    write(f, "   \n\n")
    report = run_ingest([f], reg, settings, progress=False)
    assert report.results[0].state is DocState.FAILED_NO_TEXT
    rec = reg.file_record(f)
    assert rec is not None and rec.state is DocState.FAILED_NO_TEXT and rec.indexed_hash == good_hash
    assert (reg.document_ids(), chunk_ids(reg)) == (ids, cids)
    assert reg.check_consistency() == []
    write(f, law(1))  # fixed again: stored again (not skipped: the last attempt failed), same ids
    report = run_ingest([f], reg, settings, progress=False)
    assert report.results[0].state is DocState.INDEXED
    assert (reg.document_ids(), chunk_ids(reg)) == (ids, cids)


def test_internal_errors_are_contained(
    tmp_path: Path, reg: Registry, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.txt", law(1))
    write(tmp_path / "b.txt", law(2))
    real = job.chunk_document

    def flaky(doc, did, *limits):  # type: ignore[no-untyped-def]
        if doc.meta.so_hieu == "1/2099/QH99":
            raise RuntimeError("boom")
        return real(doc, did, *limits)

    monkeypatch.setattr(job, "chunk_document", flaky)
    report = run_ingest([tmp_path], reg, settings, progress=False)
    res = {Path(r.path).name: r for r in report.results}
    assert res["a.txt"].state is DocState.FAILED
    assert res["a.txt"].reason == "internal error: RuntimeError: boom"
    assert res["b.txt"].state is DocState.INDEXED
    assert reg.check_consistency() == []


def test_folder_sidecar_beats_cli_and_is_never_downgraded(tmp_path: Path, reg: Registry, settings: Settings) -> None:
    root = tmp_path / "corpus"
    write(root / "secret" / ".kho.toml", 'access_level = "restricted"\n')
    write(root / "secret" / "a.txt", law(1))
    write(root / "internal" / ".kho.toml", 'access_level = "internal"\n')
    write(root / "internal" / "public-below" / ".kho.toml", 'access_level = "public"\n')
    write(root / "internal" / "public-below" / "b.txt", law(2))
    write(root / "open" / "c.txt", law(3))
    write(root / "open" / "d.txt", law(4))
    write(root / "open" / "d.txt.kho.toml", 'access_level = "restricted"\n')
    write(root / "old" / ".kho.toml", 'hieu_luc = "het_hieu_luc"\nhieu_luc_reason = "Bị thay thế"\n')
    write(root / "old" / "e.txt", law(5))
    report = run_ingest([root], reg, settings, access_level=AccessLevel.PUBLIC, progress=False)
    assert report.ok, report.to_json()
    level = {d.meta.so_hieu: d.meta.access_level for d in reg.list_documents()}
    assert level == {
        "1/2099/QH99": AccessLevel.RESTRICTED,  # folder beats --access-level public
        "2/2099/QH99": AccessLevel.INTERNAL,  # a sub-folder cannot downgrade its parent
        "3/2099/QH99": AccessLevel.PUBLIC,
        "4/2099/QH99": AccessLevel.RESTRICTED,  # the file's own sidecar
        "5/2099/QH99": AccessLevel.PUBLIC,
    }
    e = next(d for d in reg.list_documents() if d.meta.so_hieu == "5/2099/QH99")
    assert (e.meta.hieu_luc, e.meta.hieu_luc_reason) == (Validity.HET_HIEU_LUC, "Bị thay thế")
    public_chunks = {c.so_hieu for c in reg.iter_chunks(access_levels=[AccessLevel.PUBLIC])}
    assert public_chunks == {"3/2099/QH99", "5/2099/QH99"}


def test_naming_a_file_inside_a_protected_folder_keeps_the_protection(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    write(tmp_path / "secret" / ".kho.toml", 'access_level = "restricted"\n')
    f = write(tmp_path / "secret" / "deep" / "a.txt", law(1))
    report = run_ingest([f], reg, settings, access_level=AccessLevel.PUBLIC, progress=False)
    assert states(report) == {"a.txt": DocState.INDEXED}
    assert [d.meta.access_level for d in reg.list_documents()] == [AccessLevel.RESTRICTED]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('access_level = "secret"\n', "field 'access_level'"),
        ('hieu_luc = "maybe"\n', "field 'hieu_luc'"),
        ('acess_level = "restricted"\n', "unknown field 'acess_level'"),
        ("access_level = 3\n", "field 'access_level' must be a string"),
        ("access_level = \n", "cannot read"),
    ],
)
def test_bad_sidecar_fails_the_file_naming_sidecar_and_field(
    tmp_path: Path, reg: Registry, settings: Settings, content: str, expected: str
) -> None:
    write(tmp_path / "a.txt", law(1))
    sidecar = write(tmp_path / "a.txt.kho.toml", content)
    write(tmp_path / "b.txt", law(2))
    report = run_ingest([tmp_path], reg, settings, progress=False)
    res = {Path(r.path).name: r for r in report.results}
    assert res["a.txt"].state is DocState.FAILED
    assert str(sidecar) in (res["a.txt"].reason or "") and expected in (res["a.txt"].reason or "")
    assert res["b.txt"].state is DocState.INDEXED
    assert [d.meta.so_hieu for d in reg.list_documents()] == ["2/2099/QH99"]


def test_same_content_at_two_paths_is_stored_once(tmp_path: Path, reg: Registry, settings: Settings) -> None:
    first = write(tmp_path / "a" / "luat.txt", law(1))
    write(tmp_path / "b" / "ban-sao.txt", law(1))
    report = run_ingest([tmp_path], reg, settings, progress=False)
    res = {Path(r.path).name: r for r in report.results}
    assert res["luat.txt"].state is DocState.INDEXED
    assert res["ban-sao.txt"].state is DocState.SKIPPED_UNCHANGED
    assert res["ban-sao.txt"].reason == f"duplicate of {first.resolve()}"
    assert reg.document_ids() == [doc_id(job.file_sha256(first), "")]
    assert reg.check_consistency() == []


# ------------------------------------------------------------------------------------------- crash / signal

_CHILD = """
import json, sys, time
from pathlib import Path
import ingest.job as job
from core.settings import Settings
from ingest.registry import Registry

real = job.parse_file
def slow(path, settings):  # a slow parser, so a signal lands mid-run
    time.sleep(0.05)
    return real(path, settings)
job.parse_file = slow
s = Settings(data_dir=sys.argv[1])
with Registry.from_settings(s) as reg:
    report = job.run_ingest([Path(sys.argv[2])], reg, s, progress=False)
print(json.dumps(report.to_json()))
"""


def _spawn(settings: Settings, corpus: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(settings.data_dir), str(corpus)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_indexed(settings: Settings, proc: subprocess.Popen[str], at_least: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the child ended early: {proc.communicate()}"
        try:
            db = sqlite3.connect(f"file:{settings.registry_path}?mode=ro", uri=True, timeout=5)
            try:
                n = db.execute("SELECT count(*) FROM files WHERE state = 'indexed'").fetchone()[0]
            finally:
                db.close()
        except sqlite3.OperationalError:
            n = 0  # not created yet
        if n >= at_least:
            return int(n)
        time.sleep(0.01)
    raise AssertionError("the child stored nothing in time")


def _corpus(root: Path, n: int) -> Path:
    for i in range(n):
        write(root / f"luat-{i:02d}.txt", law(100 + i, articles=3))
    return root


def test_sigkill_midway_leaves_a_consistent_registry_and_the_rerun_completes(
    tmp_path: Path, settings: Settings
) -> None:
    corpus = _corpus(tmp_path / "corpus", 40)
    proc = _spawn(settings, corpus)
    try:
        _wait_indexed(settings, proc, at_least=3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    with Registry.from_settings(settings) as reg:
        assert reg.check_consistency() == []
        stored = reg.counts()["files_indexed"]
        assert 3 <= stored < 40, "the kill must land midway"
        ids_before = set(reg.document_ids())
        report = run_ingest([corpus], reg, settings, progress=False)
        assert report.ok
        assert report.totals["skipped_unchanged"] == stored
        assert report.totals["indexed"] == 40 - stored
        assert reg.check_consistency() == []
        ids = reg.document_ids()
        assert len(ids) == len(set(ids)) == 40 and ids_before <= set(ids)
        assert {d.meta.so_hieu for d in reg.list_documents()} == {f"{100 + i}/2099/QH99" for i in range(40)}
        assert len(chunk_ids(reg)) == len(set(chunk_ids(reg))) == reg.counts()["chunks"]
        upserts = [o.document_id for o in reg.pending_ops() if o.op == "upsert"]
        assert sorted(upserts) == sorted(ids)  # each document handed to the index exactly once


def test_sigterm_stops_cleanly_between_files(tmp_path: Path, settings: Settings) -> None:
    corpus = _corpus(tmp_path / "corpus", 40)
    proc = _spawn(settings, corpus)
    _wait_indexed(settings, proc, at_least=2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["interrupted"] is True and report["not_processed"] > 0
    assert report["totals"]["failed"] == 0
    with Registry.from_settings(settings) as reg:
        assert reg.check_consistency() == []
        assert reg.counts()["files_indexed"] == report["totals"]["indexed"] == len(report["results"])

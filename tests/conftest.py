"""Shared fixtures: where ../shared is, an isolated data dir per test, and the `kho` CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from ingest.registry import Registry

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHO_SHARED_DIR", REPO.parent / "shared"))
# No test may fail by wall-clock: on a loaded 2-core machine the embedded model can take minutes to answer (it
# serves one generation at a time), so the product's 300 s answer limit is lifted for the tests and the `kho`
# processes they start (which inherit this environment). A test of the limit itself sets its own.
os.environ.setdefault("KHO_LLM_TIMEOUT_S", "3600")
CORPUS = SHARED / "corpus"
KHO = Path(sys.executable).parent / "kho"


@pytest.fixture(scope="session", autouse=True)
def topic_reader_loaded() -> None:
    """The topic reader's model loaded once, before any test, as a server has it after its start: a server's
    reader never makes a question wait for the load (the word signals decide meanwhile), so without this a test's
    follow-up decision would depend on how far the load had got. The waiting itself is pinned in
    tests/test_topic_model.py. Without the embedding model (not fetched) the word signals decide, as they do then
    in the product."""
    from assistant.topic_model import shipped_reader

    shipped_reader().warm()


def shared_path(rel: str) -> Path:
    """A path under ../shared/corpus, skipping the test with a clear reason when ../shared is absent."""
    p = CORPUS / rel
    if not p.exists():
        pytest.skip(f"needs ../shared beside the checkout ({p} not found)")
    return p


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty KHO_DATA_DIR (and embedding cache) for this test; the settings cache is cleared so it takes effect."""
    from core.settings import get_settings

    d = tmp_path / "data"
    monkeypatch.setenv("KHO_DATA_DIR", str(d))
    # Computed vectors go to a per-test cache, so a test never passes on vectors an earlier run left behind.
    monkeypatch.setenv("KHO_EMBEDDINGS_CACHE_DIR", str(tmp_path / "embeddings"))
    get_settings.cache_clear()
    yield d
    get_settings.cache_clear()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data dir of this test (modules that need other values define their own)."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture()
def reg(settings: Settings) -> Iterator[Registry]:
    """A registry in the test's data dir, closed afterwards."""
    r = Registry.from_settings(settings)
    yield r
    r.close()


def run_kho(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `kho` console script."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([str(KHO), *args], capture_output=True, text=True, env=full_env, timeout=1800)
    if check and proc.returncode != 0:
        raise AssertionError(f"kho {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def kho_json(*args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(run_kho(*args, "--json", env=env).stdout)

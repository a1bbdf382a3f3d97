"""The deployment description (docs/deploy/) stays true to the code: units parse, settings exist, versions match.

A deployment file that drifts from the code fails at the ministry, not here — so these tests hold it to the code:
every `KHO_*` variable it sets is a field of `core.settings.Settings`; the systemd units pass `systemd-analyze
verify` (with the install paths pointed at this checkout); the engines' image tags are the versions the code is
tested with; the vLLM flags are those of `make serve-llm`; the alert rules only name metrics the service exports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "docs" / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
KHO_VAR = re.compile(r"\bKHO_[A-Z0-9_]+")
# Variables the deployment uses that are not app settings: the Makefile's model folder for `make serve-llm`.
NOT_SETTINGS = {"KHO_VLLM_MODEL"}


def _setting_vars() -> set[str]:
    return {f"KHO_{name.upper()}" for name in Settings.model_fields}


def test_every_kho_variable_in_the_deployment_files_is_a_real_setting() -> None:
    known = _setting_vars() | NOT_SETTINGS
    for path in [DEPLOY / "kho.env.example", DEPLOY / "compose.yaml", DEPLOY / "README.md", *UNITS]:
        unknown = set(KHO_VAR.findall(path.read_text(encoding="utf-8"))) - known
        assert not unknown, f"{path.relative_to(REPO)} names settings that do not exist: {sorted(unknown)}"


def test_env_example_assigns_each_setting_once_and_parses() -> None:
    seen: list[str] = []
    for line in (DEPLOY / "kho.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, _value = line.partition("=")
            assert _ == "=", f"kho.env.example: not NAME=value: {line!r}"
            seen.append(name)
    assert len(seen) == len(set(seen)), "a variable is set twice in kho.env.example"
    env = {name: value for name, value in (ln.split("=", 1) for ln in _assignments())}
    # The whole file is accepted by the settings object (types, bounds, maps) — as the service will read it.
    settings = Settings(**{k.removeprefix("KHO_").lower(): v for k, v in env.items() if v != ""})
    assert settings.qdrant_url and settings.llm_url and settings.oidc_issuer


def _assignments() -> list[str]:
    lines = (DEPLOY / "kho.env.example").read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_systemd_units_verify() -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (Debian package systemd) is needed to check docs/deploy/systemd"
    with _units_pointed_here() as folder:
        proc = subprocess.run(
            [analyze, "verify", *sorted(str(p) for p in folder.iterdir())], capture_output=True, text=True
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr


class _units_pointed_here:
    """The units copied to a temporary folder with the install paths replaced by ones that exist on this machine."""

    def __enter__(self) -> Path:
        import tempfile

        self.tmp = tempfile.TemporaryDirectory()
        folder = Path(self.tmp.name)
        kho = Path(sys.executable).parent / "kho"
        swaps = {
            "/opt/kho/.venv/bin/kho": str(kho),
            "/opt/kho/.venv-gpu/bin/vllm": "/bin/true",
            "/usr/local/bin/qdrant": "/bin/true",
        }
        for unit in UNITS:
            text = unit.read_text(encoding="utf-8")
            for old, new in swaps.items():
                text = text.replace(old, new)
            (folder / unit.name).write_text(text, encoding="utf-8")
        return folder

    def __exit__(self, *exc: object) -> None:
        self.tmp.cleanup()


def test_a_broken_unit_fails_the_verification() -> None:
    """The check above can fail: a relative ExecStart is refused by systemd-analyze."""
    analyze = shutil.which("systemd-analyze")
    assert analyze
    with _units_pointed_here() as folder:
        bad = folder / "kho.service"
        bad.write_text(bad.read_text().replace(str(Path(sys.executable).parent / "kho"), "kho"))
        proc = subprocess.run([analyze, "verify", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0


def _pin(path: Path, package: str) -> str:
    for line in path.read_text().splitlines():
        m = re.match(rf"^{re.escape(package)}==([\w.]+)", line.strip())
        if m:
            return m.group(1)
    raise AssertionError(f"{package} is not pinned in {path.name}")


def test_compose_pins_the_engine_versions_the_code_is_tested_with() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    qdrant_tag = services["qdrant"]["image"].split(":")[1].lstrip("v")
    client = _pin(REPO / "constraints.txt", "qdrant-client")
    # qdrant-client supports servers within one minor version of its own.
    assert qdrant_tag.split(".")[0] == client.split(".")[0]
    assert abs(int(qdrant_tag.split(".")[1]) - int(client.split(".")[1])) <= 1, (qdrant_tag, client)
    vllm_tag = services["vllm"]["image"].split(":")[1].lstrip("v")
    assert vllm_tag == _pin(REPO / "requirements-gpu.txt", "vllm")
    for name, svc in services.items():
        assert not svc["image"].endswith(":latest"), name
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this host"


def test_vllm_flags_match_make_serve_llm() -> None:
    make = (REPO / "Makefile").read_text()
    recipe = make[make.index("serve-llm:") :].split("\n\n")[0]
    flags = set(re.findall(r"--[a-z-]+(?:[ =][\w.-]+)?", recipe))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    command = {c.replace("=", " ") for c in compose["services"]["vllm"]["command"] if c.startswith("--")}
    unit = (DEPLOY / "systemd" / "kho-llm.service").read_text()
    for flag in flags:
        name = flag.split()[0].split("=")[0]
        if name in {"--host", "--port"}:
            continue
        assert any(c.startswith(name) for c in command), f"compose.yaml's vLLM lacks {name}"
        assert name in unit, f"kho-llm.service lacks {name}"


def test_alert_rules_name_only_exported_metrics() -> None:
    from core.metrics import REGISTRY

    exported: set[str] = set()
    for family in REGISTRY.collect():  # a labelled series has no sample before its first use: name them all
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}.get(family.type, ("",))
        exported |= {family.name + suffix for suffix in suffixes}
    rules = yaml.safe_load((DEPLOY / "prometheus" / "kho-alerts.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            names |= set(re.findall(r"\b((?:kho|gen_ai|http_server)_[a-z_]+)", rule["expr"]))
    assert names, "no metric found in the alert rules"
    missing = names - exported
    assert not missing, f"alert rules name metrics the service does not export: {sorted(missing)}"


@pytest.mark.parametrize("path", ["prometheus/kho.yml", "prometheus/kho-alerts.yml", "compose.yaml"])
def test_yaml_files_parse(path: str) -> None:
    assert yaml.safe_load((DEPLOY / path).read_text(encoding="utf-8"))


def test_the_native_llama_build_pins_the_version_and_source_the_venv_installs() -> None:
    script = DEPLOY / "build-llm-native.sh"
    text = script.read_text(encoding="utf-8")
    version = re.search(r"^VERSION=(\S+)$", text, re.MULTILINE)
    digest = re.search(r"^SDIST_SHA256=([0-9a-f]{64})$", text, re.MULTILINE)
    assert version and digest, "build-llm-native.sh must pin VERSION and the source's SHA-256"
    pinned = (REPO / "constraints.txt").read_text(encoding="utf-8")
    assert f"xllamacpp=={version.group(1)}\n" in pinned, "the native build and constraints.txt name other versions"
    assert "sha256sum -c" in text, "the downloaded source must be checked against the pin before it is built"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "llm-native:" in makefile
    # make demo compiles it where it pays (after the models: the build is checked by loading one); make test never
    demo = re.search(r"^demo:(.*)$", makefile, re.MULTILINE)
    test = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert demo and test
    assert demo.group(1).split().index("llm-auto") > demo.group(1).split().index("models")
    assert "llm-auto" not in test.group(1) and "llm-native" not in test.group(1)
    assert re.search(r"^llm-auto:.*\n\tbash docs/deploy/build-llm-native.sh --auto ", makefile, re.MULTILINE)


@pytest.mark.parametrize(
    ("cpu_flags", "on", "off"),
    [
        # a Xeon that reports AMX in its VM: AVX-512 on, AMX never (a -march=native build died at model load here)
        (
            "fpu avx avx2 fma f16c bmi2 avx_vnni avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi "
            "avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16",
            ["AVX512", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI"],
            ["AMX_TILE", "AMX_INT8", "AMX_BF16", "NATIVE"],
        ),
        # an AVX2-only CPU: nothing of AVX-512 (one missing AVX-512 part is enough to keep the group off)
        ("fpu avx avx2 fma f16c bmi2 avx512f", ["AVX2", "FMA"], ["AVX512", "AVX512_VNNI", "AMX_INT8", "NATIVE"]),
    ],
)
def test_the_native_llama_build_names_each_instruction_set_of_the_cpu_and_never_amx(
    tmp_path: Path, cpu_flags: str, on: list[str], off: list[str]
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {cpu_flags}\n", encoding="utf-8")
    done = subprocess.run(
        ["bash", str(DEPLOY / "build-llm-native.sh"), "--print-options"],
        capture_output=True,
        text=True,
        env={**os.environ, "KHO_CPUINFO": str(cpuinfo)},
        check=True,
    )
    options = dict(o.removeprefix("-DGGML_").split("=") for o in done.stdout.split())
    assert all(options[name] == "ON" for name in on), options
    assert all(options[name] == "OFF" for name in off), options


_AVX512_VNNI = "fpu avx avx2 fma f16c bmi2 avx512f avx512cd avx512vl avx512dq avx512bw avx512_vnni"


def _native_env(tmp_path: Path, cpu_flags: str = _AVX512_VNNI, **extra: str) -> dict[str, str]:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {cpu_flags}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "KHO_LLM_NATIVE"}
    return {**env, "KHO_CPUINFO": str(cpuinfo), "KHO_CACHE_DIR": str(tmp_path / "cache"), **extra}


def _native(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(DEPLOY / "build-llm-native.sh"), *args], capture_output=True, text=True, env=env, cwd=REPO
    )


def _stub_venv(tmp_path: Path, check: str) -> Path:
    """A venv whose pip only logs its arguments and whose python runs the load check as `check` (bash), so the
    script's decisions are tested without a 12-minute compile or a CPU that crashes (both were seen for real:
    README, "Time to first token")."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "pip").write_text(f'#!/bin/bash\necho "$*" >> {tmp_path}/pip.log\n', encoding="utf-8")
    (venv / "bin" / "python").write_text(
        f'#!/bin/bash\nif [ "$1" = - ]; then cat >/dev/null; {check}; fi\necho "CPU : stub"\n', encoding="utf-8"
    )
    for tool in ("pip", "python"):
        (venv / "bin" / tool).chmod(0o755)
    return venv


def _cached_wheel(env: dict[str, str]) -> Path:
    """A (fake) wheel where the script keeps this CPU's build, so nothing is compiled."""
    plan = _native(env, "--plan").stdout.split()
    assert plan[0] == "build", plan
    dest = Path(plan[1])
    dest.mkdir(parents=True)
    (dest / "xllamacpp-2026.10.11549-cp310-abi3-linux_x86_64.whl").write_bytes(b"")
    return dest


@pytest.mark.parametrize(
    ("cpu_flags", "extra", "why"),
    [
        ("fpu avx avx2 fma f16c bmi2 avx_vnni", {}, "no AVX-512 VNNI"),
        (_AVX512_VNNI, {"KHO_LLM_NATIVE": "0"}, "KHO_LLM_NATIVE=0"),
    ],
)
def test_make_demo_keeps_the_pypi_llama_where_a_native_build_does_not_pay_or_is_refused(
    tmp_path: Path, cpu_flags: str, extra: dict[str, str], why: str
) -> None:
    env = _native_env(tmp_path, cpu_flags, **extra)
    assert _native(env, "--plan").stdout.startswith(f"skip: {why}")
    venv = _stub_venv(tmp_path, "exit 0")
    done = _native(env, "--auto", str(venv))
    assert done.returncode == 0 and "keeping the PyPI wheel" in done.stdout
    assert not (tmp_path / "pip.log").exists(), "nothing may be installed"


def test_a_native_llama_that_crashes_at_load_is_replaced_by_the_pypi_wheel_and_never_tried_again(
    tmp_path: Path,
) -> None:
    env = _native_env(tmp_path)
    dest = _cached_wheel(env)
    venv = _stub_venv(tmp_path, "kill -SEGV $$")  # as the -march=native build did at model load on this Xeon
    done = _native(env, "--auto", str(venv))
    assert done.returncode == 0, done.stderr  # make demo goes on
    assert "killed by signal 11" in done.stderr and "keeping the PyPI wheel" in done.stderr
    installs = (tmp_path / "pip.log").read_text(encoding="utf-8").splitlines()
    assert "--force-reinstall" in installs[0] and installs[0].endswith(".whl")
    assert installs[-1].endswith("xllamacpp==2026.10.11549"), "the PyPI wheel must come back"
    assert "signal 11" in (dest / "broken").read_text(encoding="utf-8")
    assert not (venv / ".llm-native").exists()
    assert _native(env, "--plan").stdout.startswith("skip: the build for this CPU failed its load check before")
    assert _native(env, "--auto", str(venv)).returncode == 0
    assert len((tmp_path / "pip.log").read_text(encoding="utf-8").splitlines()) == len(installs)


def test_a_native_llama_that_loads_and_writes_stays_and_is_not_reinstalled_by_the_next_demo(tmp_path: Path) -> None:
    env = _native_env(tmp_path)
    dest = _cached_wheel(env)
    venv = _stub_venv(tmp_path, "echo \"it wrote 'Xin chào!'\"; exit 0")
    done = _native(env, "--auto", str(venv))
    assert done.returncode == 0 and "it wrote 'Xin chào!'" in done.stdout, done.stderr
    assert len((tmp_path / "pip.log").read_text(encoding="utf-8").splitlines()) == 1
    assert not (dest / "broken").exists()
    assert _native(env, "--plan", str(venv)).stdout.startswith("have:")
    assert _native(env, "--auto", str(venv)).stdout.startswith("llama.cpp for this CPU: installed in")
    assert len((tmp_path / "pip.log").read_text(encoding="utf-8").splitlines()) == 1


def test_a_native_llama_checked_without_a_model_goes_back_to_pypi_but_is_not_marked_broken(tmp_path: Path) -> None:
    env = _native_env(tmp_path)
    dest = _cached_wheel(env)
    venv = _stub_venv(tmp_path, 'echo "no model to check it with: run make models first"; exit 3')
    done = _native(env, str(venv))  # make llm-native: fails, saying why
    assert done.returncode == 1 and "no model to check it with" in done.stderr
    assert (tmp_path / "pip.log").read_text(encoding="utf-8").splitlines()[-1].endswith("xllamacpp==2026.10.11549")
    assert not (dest / "broken").exists(), "a missing model is not the build's fault"

#!/usr/bin/env bash
# llama.cpp (the xllamacpp extension) compiled for this host's CPU, installed into the project's venv.
#
# The PyPI wheel of xllamacpp is built for any x86-64 with AVX2. On a CPU with AVX-512, VNNI and BF16 (AMD Zen 4,
# Intel Sapphire Rapids and later) the same llama.cpp compiled for those instruction sets reads prompts ~1.6–1.7×
# faster (README, "Time to first token"). This builds it once from xllamacpp's own source distribution — the same version as
# constraints.txt, SHA-256 pinned below — and keeps the wheel under ~/.cache/kho/wheels/, keyed by the CPU's
# feature flags and the options below, so a rebuild of the venv reinstalls it in seconds. ~12 min on 2 cores; needs cmake and g++.
# LLGuidance (Rust crates) and BoringSSL (fetched by CMake) are left out: nothing here uses grammars or HTTPS.
#
# Not GGML_NATIVE (-march=native): each instruction set the CPU reports is switched on by name, and Intel AMX is
# left out. On a Xeon that reports AMX inside its VM (this project's 2-core machines) a -march=native build loads
# the model into llama.cpp's AMX buffers and dies with a general protection fault at load. Built as below it reads a
# 3,600-character law prompt in 11.0 s where the PyPI wheel takes 18.5 s (README, "Time to first token").
#
# After installing, the build must load the model and write a few tokens in a process of its own; a build that
# cannot (the AMX fault above, or any other) is replaced by the PyPI wheel again and remembered as broken for
# this CPU, so it is not tried again.
#
# Usage: docs/deploy/build-llm-native.sh [VENV]   (make llm-native: build, or fail saying why)
#        docs/deploy/build-llm-native.sh --auto [VENV]   (make demo: build where it pays — a CPU with AVX-512
#        VNNI — and skip, keeping the PyPI wheel, where it does not, where cmake/g++ are missing, where
#        KHO_LLM_NATIVE=0, or where a build for this CPU failed before; never fails the caller)
#        docs/deploy/build-llm-native.sh --plan   (what --auto would do here, nothing built)
#        docs/deploy/build-llm-native.sh --print-options   (the ggml options for this CPU, nothing built)
#        KHO_CPUINFO names another cpuinfo file, for tests.
set -euo pipefail

mode=build
case "${1:-}" in
  --auto) mode=auto; shift ;;
  --plan) mode=plan; shift ;;
  --print-options) mode=options; shift ;;
esac
VENV="${1:-.venv}"
VERSION=2026.10.11549
SDIST="xllamacpp-${VERSION}.tar.gz"
SDIST_SHA256=c17ee1163006f70726abb9f72137830818f3d8cb60bfc34cb232d08428eaa22b
CACHE="${KHO_CACHE_DIR:-$HOME/.cache/kho}/wheels"

flags=$(grep -m1 '^flags' "${KHO_CPUINFO:-/proc/cpuinfo}" | tr ' ' '\n' | grep -E '^(avx|fma|f16c|bmi|amx)' | sort | tr '\n' ' ')
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
# CPU flag(s) → the ggml option that uses them (all of a group needed); AMX_* stay off (header).
ggml=(-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF)
for pair in "avx:AVX" "avx2:AVX2" "fma:FMA" "f16c:F16C" "bmi2:BMI2" "avx_vnni:AVX_VNNI" \
            "avx512f,avx512cd,avx512vl,avx512dq,avx512bw:AVX512" "avx512vbmi:AVX512_VBMI" \
            "avx512_vnni:AVX512_VNNI" "avx512_bf16:AVX512_BF16"; do
  need=${pair%%:*} option=${pair#*:} on=ON
  for f in ${need//,/ }; do has "$f" || on=OFF; done
  ggml+=("-DGGML_${option}=${on}")
done
if [ "$mode" = options ]; then echo "${ggml[*]}"; exit 0; fi

key=$(printf '%s %s %s' "$VERSION" "$flags" "${ggml[*]}" | sha256sum | cut -c1-12)
dest="$CACHE/xllamacpp-native-$key"
wheel=$(ls "$dest"/xllamacpp-*.whl 2>/dev/null | head -1 || true)
tools=yes; command -v cmake >/dev/null && command -v g++ >/dev/null || tools=no

# What --auto does on this host: "skip: <why>" or "build" / "install <cached wheel>".
plan() {
  if [ "${KHO_LLM_NATIVE:-auto}" = 0 ]; then echo "skip: KHO_LLM_NATIVE=0"
  elif ! has avx512f || ! has avx512_vnni; then
    echo "skip: no AVX-512 VNNI on this CPU; the PyPI wheel's AVX2 build is as fast here"
  elif [ "$(cat "$VENV/.llm-native" 2>/dev/null)" = "$key" ]; then echo "have: installed in $VENV already"
  elif [ -f "$dest/broken" ]; then echo "skip: the build for this CPU failed its load check before ($dest/broken)"
  elif [ -n "$wheel" ]; then echo "install $wheel"
  elif [ "$tools" = no ]; then echo "skip: cmake and g++ are needed to compile it (apt-get install cmake g++)"
  else echo "build $dest"
  fi
}
if [ "$mode" = plan ]; then plan; exit 0; fi
if [ "$mode" = auto ]; then
  decision=$(plan)
  case "$decision" in
    skip:*) echo "llama.cpp for this CPU: ${decision#skip: } — keeping the PyPI wheel (make llm-native forces it)"
            exit 0 ;;
    have:*) echo "llama.cpp for this CPU: ${decision#have: }"; exit 0 ;;
  esac
  # From here a failure keeps the PyPI wheel and lets the caller (make demo) go on.
  if ! KHO_LLM_NATIVE=1 bash "$0" "$VENV"; then
    echo "llama.cpp for this CPU could not be built or loaded (above) — keeping the PyPI wheel" >&2
  fi
  exit 0
fi

[ -x "$VENV/bin/python" ] || { echo "no venv at $VENV (run make venv first)" >&2; exit 1; }
grep -q "^xllamacpp==${VERSION}$" constraints.txt \
  || { echo "constraints.txt pins another xllamacpp than ${VERSION}: update this script's pin" >&2; exit 1; }

if [ -z "$wheel" ]; then
  [ "$tools" = yes ] || { echo "cmake and g++ are needed" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "downloading $SDIST (source) from the package index"
  "$VENV/bin/pip" download -q --no-deps --no-binary xllamacpp "xllamacpp==${VERSION}" -d "$work"
  echo "$SDIST_SHA256  $work/$SDIST" | sha256sum -c --quiet - \
    || { echo "$SDIST: SHA-256 mismatch, refusing to build" >&2; exit 1; }
  echo "compiling llama.cpp for this CPU (${flags% }) — about 12 minutes on 2 cores"
  echo "ggml options: ${ggml[*]}"
  CMAKE_ARGS="${ggml[*]} -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF" \
    NPROC="$(nproc)" "$VENV/bin/pip" wheel -q --no-deps -w "$work/out" "$work/$SDIST"
  mkdir -p "$dest.tmp" && mv "$work"/out/xllamacpp-*.whl "$dest.tmp/" && rm -rf "$dest" && mv "$dest.tmp" "$dest"
  wheel=$(ls "$dest"/xllamacpp-*.whl | head -1)
fi

"$VENV/bin/pip" install -q --no-deps --force-reinstall "$wheel"
echo "installed $wheel"
"$VENV/bin/python" -c "import xllamacpp; print(xllamacpp.get_system_info())"

# The load check: the model loaded and a few tokens written, in a process of its own (a crash is seen, not shared).
echo "checking that it loads the model and writes …"
if check=$(env -u KHO_LLM_URL "$VENV/bin/python" - 2>&1 <<'PY'
import sys

from assistant.llm import ChatMessage, GenerationConfig, get_llm

llm = get_llm()
if not llm.ready():
    print("no model to check it with: run make models first")
    sys.exit(3)
text = "".join(llm.stream([ChatMessage("user", "Xin chào")], GenerationConfig(max_tokens=4)))
if not text.strip():
    sys.exit("it loaded the model but wrote nothing")
print(f"it wrote {text.strip()!r}")
PY
); then
  echo "$check"
  echo "$key" > "$VENV/.llm-native"
else
  status=$?
  why="exit $status"; [ $status -gt 128 ] && why="killed by signal $((status - 128))"
  echo "$check" | tail -5 >&2
  echo "the native build failed its load check ($why): reinstalling the PyPI wheel" >&2
  rm -f "$VENV/.llm-native"
  "$VENV/bin/pip" install -q --no-deps --force-reinstall "xllamacpp==${VERSION}"
  if [ $status -ne 3 ]; then  # the build's own fault (a crash at load, nothing written): never tried again here
    { date -u +%FT%TZ; echo "$why"; echo "$check" | tail -5; } > "$dest/broken"
  fi
  exit 1
fi

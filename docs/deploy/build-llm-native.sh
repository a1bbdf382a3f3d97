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
# Usage: docs/deploy/build-llm-native.sh [VENV]   (make llm-native)
#        docs/deploy/build-llm-native.sh --print-options   (the ggml options for this CPU, nothing built;
#        KHO_CPUINFO names another cpuinfo file, for tests)
set -euo pipefail

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
if [ "$VENV" = "--print-options" ]; then echo "${ggml[*]}"; exit 0; fi

[ -x "$VENV/bin/python" ] || { echo "no venv at $VENV (run make venv first)" >&2; exit 1; }
grep -q "^xllamacpp==${VERSION}$" constraints.txt \
  || { echo "constraints.txt pins another xllamacpp than ${VERSION}: update this script's pin" >&2; exit 1; }
command -v cmake >/dev/null && command -v g++ >/dev/null || { echo "cmake and g++ are needed" >&2; exit 1; }

key=$(printf '%s %s %s' "$VERSION" "$flags" "${ggml[*]}" | sha256sum | cut -c1-12)
dest="$CACHE/xllamacpp-native-$key"
wheel=$(ls "$dest"/xllamacpp-*.whl 2>/dev/null | head -1 || true)

if [ -z "$wheel" ]; then
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

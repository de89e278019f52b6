# Two commands do everything on a fresh machine: `make run` and `make test`.
# Both install what is missing first; a second run installs nothing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KB     := $(VENV)/bin/kb
HOST   ?= $(or $(KB_HOST),127.0.0.1)
PORT   ?= $(or $(KB_PORT),8000)
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-lao fonts-lao fonts-dejavu-core fontconfig chromium chromium-driver

.PHONY: install system-deps run test test-fast ingest lint corpus bench clean

install: system-deps $(VENV)/.installed web/node_modules/.installed

# Debian packages: Tesseract with English and Lao for OCR, a Lao font and fontconfig to find it, Chromium for the
# browser test.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

# torch first and pinned: an unpinned torch resolves to a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	@if [ "$$($(PY) -m kb.cli documents --json | $(PY) -c 'import json,sys; print(len(json.load(sys.stdin)["documents"]))')" = "0" ]; then \
	  echo "The library is empty: ingesting corpus/ ..."; $(KB) ingest || true; fi
	$(KB) serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -q

# Unit tests only (fake embedder, no model, no browser).
test-fast: install
	$(PY) -m pytest -q -m "not model and not browser"

ingest: install
	$(KB) ingest

lint: install
	$(VENV)/bin/ruff check kb ingest web tests scripts
	$(VENV)/bin/mypy kb ingest web

corpus: install
	$(PY) scripts/build_corpus.py

clean:
	rm -rf $(VENV) web/node_modules data

# Benchmarks (documented runs, not tests): ingest time and API latency, then SciFact (long: see docs/benchmarks.md).
bench: install
	$(PY) scripts/bench_api.py
	$(KB) eval beir ../shared/benchmarks/scifact --split test --run reports/scifact-test-hybrid.run \
	  --embed-cache $(HOME)/.cache/nsps-kb/eval

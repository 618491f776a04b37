# Set-up and the two entry points of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install bench lint clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/planner demo --out out/demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n auto

# Headless Chromium for the browser tests, from Debian's package, when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  >/dev/null) ; } || echo "chromium could not be installed: the browser tests will skip"


bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_travel.py
	$(BIN)/python benchmarks/bench_optimize.py
	$(BIN)/python benchmarks/bench_batches.py
	$(BIN)/python benchmarks/bench_million.py

# Lint: ruff (style, imports, complexity C901 <= 12), mypy, and the size limits of
# [tool.planner.limits] in pyproject.toml (functions <= 60 lines, modules <= 500, cli <= 450).
lint: $(STAMP)
	$(BIN)/ruff check planner tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/test_sizes.py tests/test_layers.py

clean:
	rm -rf $(VENV) out build *.egg-info

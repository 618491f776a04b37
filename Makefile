# Set-up and the two entry points of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ANDORRA := ../shared/data/andorra_2020-04.osm.pbf

.PHONY: demo test install bench lint clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) browser
	$(BIN)/planner demo --out out/demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n auto

# Headless Chromium (the browser tests, report.pdf) and CJK fonts (Chinese in report.pdf),
# from Debian's packages, when they are missing.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || \
	  { command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; } || \
	  echo "chromium or the CJK fonts could not be installed: report.pdf and the browser tests will skip"

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_travel.py
	$(BIN)/python benchmarks/bench_optimize.py
	$(BIN)/python benchmarks/bench_batches.py
	$(BIN)/python benchmarks/bench_pings.py
	$(BIN)/python benchmarks/bench_map.py
	$(BIN)/python benchmarks/bench_million.py
	$(BIN)/python benchmarks/bench_end_to_end.py
	$(BIN)/python benchmarks/bench_outputs.py $(if $(wildcard $(ANDORRA)),--andorra $(ANDORRA))
	$(BIN)/python benchmarks/bench_objectives.py
	$(BIN)/python benchmarks/bench_crs_check.py --quick
	$(BIN)/python benchmarks/bench_region.py --sizes 25,50,100 --workers 1,2

# Lint: ruff (style, imports, complexity C901 <= 12; formatting), mypy, and the size limits of
# [tool.planner.limits] in pyproject.toml (functions <= 60 lines, modules <= 500, cli <= 450).
lint: $(STAMP)
	$(BIN)/ruff check planner tests benchmarks
	$(BIN)/ruff format --check planner tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/test_sizes.py tests/test_layers.py

clean:
	rm -rf $(VENV) out build *.egg-info

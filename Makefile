# The two commands of the README: `make serve` (install + run) and `make test` (install + all tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-ingest install-test serve build test lint bench chromium engines

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Serving needs none of the curator's tools (spaCy and its French model): `make install-ingest` adds them.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-ingest: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[ingest]'

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,ingest]'

build: install
	$(BIN)/montagne-kg build

serve: install
	$(BIN)/montagne-kg serve

lint: install-test
	$(BIN)/ruff check montagne_kg tests server.py bench

# Browser tests drive Debian's chromium; install it when missing, or fail saying why (never skip them).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) || \
		{ echo "Debian's chromium could not be installed (apt-get install -y chromium): the browser tests need it"; exit 1; }

# The engine and replica tests drive Debian's Virtuoso and nginx (Oxigraph server comes from PyPI with the test
# extra); install them when missing, or fail saying why (never skip them).
engines:
	@command -v virtuoso-t >/dev/null && command -v nginx >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin nginx-light) || \
		{ echo "Debian's virtuoso-opensource-7-bin and nginx-light could not be installed: the engine tests need them"; exit 1; }

test: install-test lint chromium engines
	$(BIN)/pytest --durations=25

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench,ingest]'
	command -v wrk >/dev/null && command -v virtuoso-t >/dev/null && command -v nginx >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk virtuoso-opensource-7-bin nginx-light)
	$(BIN)/python bench/load.py --out bench/RESULTS.md
	$(BIN)/python bench/engines.py --out bench/ENGINES.md

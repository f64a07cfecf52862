# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-fast test-stores lint bench clean

#: The groups of tests/conftest.py that the inner loop leaves out.
FAST := not browser and not crash and not conformance and not slow and not remote_store

# The first run installs for a minute or two: each step says what it does, and pip shows
# each package it collects rather than nothing.
$(BIN)/python:
	@echo "==> [1/3] creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> [2/3] installing iqkg and its dependencies into $(VENV) (first run: a minute or two)"
	$(BIN)/pip install --progress-bar off -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "==> installing iqkg with its test tools into $(VENV) (first run: a few minutes)"
	$(BIN)/pip install --progress-bar off -e '.[test]'
	touch $@ $(VENV)/.installed

# axe-core for the accessibility test (tests/server/test_accessibility.py), pinned in
# package.json and package-lock.json; `npm ci` installs exactly the locked version.
node_modules/.installed: package.json package-lock.json
	@echo "==> installing axe-core from npm into node_modules/ (npm ci)"
	npm ci --no-audit --no-fund
	touch $@

## Install, load the curated data into var/store and serve it on http://127.0.0.1:8000
run: $(VENV)/.installed
	@echo "==> [3/3] loading ontology/ and data/ into the store (a no-op when unchanged), then serving"
	$(BIN)/iqkg load
	$(BIN)/iqkg serve

## ruff, mypy (strict) and the import-linter layers
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## Install with test extras (and axe-core from npm); lint and the whole pytest suite (what CI runs)
test: lint node_modules/.installed
	$(BIN)/pytest

## The store contract on every engine, Virtuoso (apt-get install virtuoso-opensource-7-bin) included
test-stores: $(VENV)/.installed-test
	$(BIN)/pytest tests/store

## The inner loop: lint and pytest without the browser, crash, conformance and slow groups,
## spread over one pytest-xdist worker per core (make test stays serial: its timing-bound
## groups measure deadlines and floods, which parallel tests would disturb)
test-fast: lint
	$(BIN)/pytest -n auto -m "$(FAST)"

## Side-by-side benchmark (see benchmarks/README.md)
bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run --sizes 10k,100k,1m
	$(BIN)/python -m benchmarks.validation 1000 10000 100000 1000000
	$(BIN)/python -m benchmarks.hostile
	$(BIN)/python -m benchmarks.run --sizes 10m --engines iqkg --quick --name scale-10m

clean:
	rm -rf $(VENV) var node_modules

# Two entry points (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo.sqlite

.PHONY: setup demo test system-deps clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Front-end packages the web app serves (Leaflet, world-atlas, Swagger UI), from package-lock.json.
node_modules/.installed: package.json package-lock.json
	scripts/install-system-deps.sh web
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## Set up, ingest the bundled example documents into a fresh SQLite file, print the
## operations and serve the dashboard on http://127.0.0.1:$(PORT)/ (Ctrl+C stops).
PORT ?= 8000
demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/raidwatch ingest --db $(DEMO_DB) examples/
	$(BIN)/raidwatch operations --db $(DEMO_DB)
	$(BIN)/raidwatch serve --db $(DEMO_DB) --port $(PORT)

## Debian packages the test suite needs (PostgreSQL server); skipped when present or not root.
system-deps:
	scripts/install-system-deps.sh

## Set up and run the whole test suite (SQLite and a throwaway PostgreSQL server).
test: setup system-deps
	scripts/run-tests.sh

clean:
	rm -rf $(VENV) node_modules $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm test-artifacts

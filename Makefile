# Two entry points (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo.sqlite

.PHONY: setup demo test system-deps clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Set up, ingest the bundled example documents into a fresh SQLite file and print the operations.
demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/raidwatch ingest --db $(DEMO_DB) examples/
	$(BIN)/raidwatch operations --db $(DEMO_DB)

## Debian packages the test suite needs (PostgreSQL server); skipped when present or not root.
system-deps:
	scripts/install-system-deps.sh

## Set up and run the whole test suite (SQLite and a throwaway PostgreSQL server).
test: setup system-deps
	scripts/run-tests.sh

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm test-artifacts

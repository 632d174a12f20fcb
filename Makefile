# One way to run everything. `make run` starts Guanxi with demo data; `make test` runs the suite.
# Data lives under var/ (or GUANXI_DATA_DIR / DATABASE_URL); no target here ever deletes it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Two test processes (pytest-xdist); `make test XDIST=` runs in one.
XDIST  ?= -n 2
PYTEST_ARGS ?=
BENCH_ARGS  ?=

.DEFAULT_GOAL := help
.PHONY: help install lock run test test-browser lint bench messages clean distclean

help:
	@echo "make run           install if needed, migrate, load demo data into an empty database, serve"
	@echo "make test          the test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make test-browser  the Playwright tests (needs /usr/bin/chromium)"
	@echo "make lint          ruff, import contracts, migrations check, mypy, translations"
	@echo "make bench         every benchmarks/bench_*.py with modest defaults"
	@echo "make messages      extract and compile translations (zh_Hans)"
	@echo "make install       create $(VENV) and install (only when pyproject.toml changed)"
	@echo "make lock          record every installed version in requirements.lock"
	@echo "make clean         caches and build output (keeps var/ and $(VENV))"

install: $(STAMP)

# Reinstall only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	@touch $(STAMP)

# Record every installed version (direct and transitive) after a dependency change.
lock: install
	@{ echo "# Every package version, direct and transitive, that the suite was run with (make install uses it"; \
	   echo "# as pip constraints). Regenerate after changing pyproject.toml: make lock"; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v '^guanxi'; } > requirements.lock

run: install
	$(BIN)/guanxi migrate --noinput
	$(BIN)/guanxi demo --if-empty
	$(BIN)/guanxi serve

test: install
	$(BIN)/pytest -m "not browser" $(XDIST) -rfE $(PYTEST_ARGS)

test-browser: install
	$(BIN)/pytest -m browser tests/browser -rfEs $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/guanxi makemigrations --check --dry-run
	$(BIN)/mypy src/guanxi/analytics/engine
	$(BIN)/python scripts/check_translations.py

bench: install
	@set -e; found=0; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(BIN)/python "$$script" $(BENCH_ARGS); \
	done; [ $$found = 1 ] || echo "No benchmarks/bench_*.py yet."

messages: install
	$(BIN)/guanxi makemessages -l zh_Hans --no-obsolete \
		--ignore='.venv/*' --ignore='var/*' --ignore='node_modules/*' --ignore='tests/*' \
		--ignore='benchmarks/*' --ignore='build/*' --ignore='src/guanxi/static/*'
	$(BIN)/guanxi compilemessages -l zh_Hans --ignore='.venv/*' --ignore='node_modules/*'

clean:
	rm -rf build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

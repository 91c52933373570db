# Two set-up commands: `make run` (install, load the demo company, serve) and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

.PHONY: run test install install-dev lint benchmark clean

$(VENV)/.runtime: pyproject.toml
	@PYTHON=$$(scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || { echo "Creating $(VENV) with $$PYTHON"; $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip uv
	$(UV) pip install --quiet --python $(PY) -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(UV) pip install --quiet --python $(PY) -e '.[dev]'
	@touch $@

install: $(VENV)/.runtime
	@scripts/ensure-pdf-libs.sh || echo "Carrying on: everything but the PDF board pack works."

install-dev: $(VENV)/.dev

run: install
	@scripts/run.sh

# Tests use the real PostgreSQL and Redis of this machine unless told otherwise.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sop
test: export REDIS_URL ?= redis://127.0.0.1:6379/15
test: install-dev
	@scripts/ensure-chromium.sh
	@scripts/ensure-pdf-libs.sh
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 --dist loadgroup; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

benchmark: install-dev
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) var staticfiles

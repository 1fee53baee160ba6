# The two commands of a fresh machine: `make demo` and `make test`. Both set up .venv first.
# The interpreter: PY if given, else the first of the supported versions on PATH (CI: 3.11).
SUPPORTED := 3.11 3.12 3.13
PY ?= $(firstword $(foreach v,$(SUPPORTED),$(shell command -v python$(v) 2>/dev/null)))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup browser demo test check-code clean

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PY)" || { echo "make: no Python $(SUPPORTED) on PATH (or give PY=/path/to/python)" >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Only the browser tests need Chromium: Debian's, installed with apt when it is missing, or the
# one MICROLEND_CHROMIUM names (the README says how on a machine without apt).
browser:
	@if [ -n "$${MICROLEND_CHROMIUM:-}" ]; then \
	  test -x "$$MICROLEND_CHROMIUM" || { echo "make: MICROLEND_CHROMIUM=$$MICROLEND_CHROMIUM is not an executable" >&2; exit 1; }; \
	else \
	  test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium chromium-driver); \
	fi

demo: setup
	$(BIN)/microlend demo

check-code: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check-code browser
	$(BIN)/pytest -n 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

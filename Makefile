# The two commands of the README: `make run` and `make test`. Everything else is set up here.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_LINK_MODE ?= copy
# Bytecode: the libraries are compiled when installed and the project's modules when first
# imported, even where the environment says PYTHONDONTWRITEBYTECODE. Without it every process
# (the CLI, gunicorn, the reminder process, each test that starts one) compiles ~2 s of source.
export UV_COMPILE_BYTECODE = 1
unexport PYTHONDONTWRITEBYTECODE
FLASK := $(UV) run --frozen flask --app wsgi

.PHONY: run test fuzz-api bench setup system-packages browser-tools chromium lint typecheck translations extract-messages clean

## run: environment, database, demo data, then the server on http://127.0.0.1:5000
## The demo runs on today's day and month in its plan's year (APP_TODAY=demo, see config.py).
APP_TODAY ?= demo
run: setup
	$(FLASK) init-db
	APP_TODAY=$(APP_TODAY) $(FLASK) load-demo
	APP_TODAY=$(APP_TODAY) $(FLASK) run --host 127.0.0.1 --port 5000

## test: lint, type check and the whole test suite (SQLite, and PostgreSQL when reachable;
## the browser journeys in tests/e2e in Debian's Chromium, with axe-core from node_modules)
test: setup browser-tools lint typecheck
	$(UV) run --frozen pytest

## fuzz-api: schemathesis, 1,000 generated requests per API operation (run by CI)
fuzz-api: setup
	API_FUZZ_EXAMPLES=1000 $(UV) run --frozen pytest -q tests/fuzz

setup: system-packages .venv/.synced translations

# System libraries from Debian: Pango for WeasyPrint's PDFs, poppler-utils (pdftotext) for the
# tests that read them back, a font, nginx for the test of the production set-up in deploy/.
# Installed only when missing (needs root and apt-get).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fonts-dejavu-core nginx
system-packages:
	@if ! command -v pdftotext >/dev/null || [ ! -x /usr/sbin/nginx ] || ! ldconfig -p | grep -q libpangoft2-1.0 \
	    || ! ldconfig -p | grep -q libharfbuzz-subset \
	    || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(SYSTEM_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "Please install: $(SYSTEM_PACKAGES)"; exit 1; fi; \
	fi

## bench: the national-scale benchmark (not a test): BENCH_SCALE=0.1 for a quicker run.
## Prints one table and writes it into bench/RESULTS.md; PostgreSQL is measured when reachable.
## The peer (the eventsourcing library) is in the uv dependency group `bench`.
BENCH_SCALE ?= 1
BENCH_SECONDS ?= 10
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
bench: setup
	$(UV) sync --frozen --group bench
	timeout --kill-after=30 2400 $(UV) run --frozen --group bench python -m bench --scale $(BENCH_SCALE) \
		--seconds $(BENCH_SECONDS) --postgres-url $(BENCH_POSTGRES) --results bench/RESULTS.md \
		--time-limit 2300


# The browser tests: Debian's Chromium (never a browser downloaded by Playwright) and axe-core
# from the npm registry, pinned by package-lock.json. Installed only when missing.
browser-tools: chromium node_modules/.package-lock.json

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium >/dev/null; \
	  else echo "No /usr/bin/chromium: the browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing npm"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends nodejs npm >/dev/null; \
	  else echo "Please install npm (for axe-core)"; exit 1; fi; \
	fi
	npm ci --no-audit --no-fund --loglevel=error


$(UV):
	python3 -m pip install --quiet --user 'uv>=0.5,<1'

# With the `bench` group: tests/integration/test_bench.py runs the benchmark's peer too.
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --group bench
	touch $@

## translations: compile the message catalogues (.po → .mo)
translations: .venv/.synced
	$(UV) run --frozen pybabel compile -d tracker/translations >/dev/null

## extract-messages: refresh the catalogues after changing texts (then translate the new
## entries in tracker/translations/nl/LC_MESSAGES/messages.po; tests/unit/test_catalogue.py
## fails while one is missing). Message("…") and Message.plural("…", "…", n) are texts too.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k Message -k plural:1,2
extract-messages: .venv/.synced
	$(UV) run --frozen pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output -o tracker/translations/messages.pot .
	$(UV) run --frozen pybabel update --no-fuzzy-matching --ignore-obsolete -i tracker/translations/messages.pot -d tracker/translations

lint: .venv/.synced
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: .venv/.synced
	$(UV) run --frozen mypy

clean:
	rm -rf .venv .mypy_cache .pytest_cache .ruff_cache node_modules

# The two commands a newcomer needs: `make run` and `make test`.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)

.PHONY: setup run test lint test-sqlite test-postgres test-browser screenshots bench bench-web bench-center bench-wearing-off
.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.9

setup: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

# The web app on a fresh SQLite demo database; prints the address and the demo logins.
run: setup
	$(UV) run msinfusion serve --demo

# Everything CI runs: lint, the whole suite on SQLite, the web tests again on PostgreSQL 15,
# then the Playwright browser tests in Debian's chromium.
test: setup lint test-sqlite test-postgres test-browser

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .

test-sqlite: setup
	$(UV) run pytest --ignore=tests/e2e

test-postgres: setup
	scripts/with-postgres.sh $(UV) run pytest tests/web

# Skipped with a message when chromium is missing, unless MSINFUSION_REQUIRE_BROWSER is set (CI).
test-browser: setup
	scripts/ensure-chromium.sh || [ -z "$$MSINFUSION_REQUIRE_BROWSER" ]
	$(UV) run pytest tests/e2e

# Phone and desktop screenshots of the demo's patient dashboard and worklist, into docs/screenshots/.
screenshots: setup
	scripts/ensure-chromium.sh
	$(UV) run python scripts/screenshots.py

bench: setup
	$(UV) run python bench/care.py

# Load benchmark: 10,000 demo patients on PostgreSQL, gunicorn with 2 workers (README, "Tests").
bench-web: setup
	scripts/with-postgres.sh $(UV) run python bench/web_load.py

# Center scheduling: CP-SAT optimizer against first-come-first-served (README, "Benchmarks").
bench-center: setup
	$(UV) run python bench/center.py --quick

# Wearing-off analysis on simulated diaries: false positives, power against an oracle, onset error.
bench-wearing-off: setup
	$(UV) run python bench/wearing_off.py --quick

# The two commands a newcomer needs: `make run` and `make test`.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)

.PHONY: setup run test lint bench
.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.9

setup: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

run: setup
	$(UV) run msinfusion demo

test: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run pytest

bench: setup
	$(UV) run python bench/care.py

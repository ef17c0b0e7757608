# The two commands a newcomer needs:  `make run`  and  `make test`.
# Each creates its own virtual environment in .venv (Python >= 3.10 and PyPI are all it needs).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# -qq: errors only; setuptools' note on editable installs of a flat layout is not news
	$(BIN)/python -m pip install -qq -e '.[dev,map]'
	# cffconvert (the tests' CITATION.cff oracle) pins click and jsonschema<4: its own venv
	$(PYTHON) -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/python -m pip install -qq 'cffconvert==2.0.0'
	touch $@

run: $(VENV)/.installed  ## bip's main job, the daily check-in, on the bundled example workspace
	$(BIN)/python examples/make_demo.py .demo
	$(BIN)/bip --workspace .demo checkin --offline --note "bf16 on ROCm needs grad clipping" --minutes 90
	$(BIN)/bip --workspace .demo streak
	$(BIN)/bip --workspace .demo site build

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Mermaid (from npm) reads what `bip contrib graph` writes in tests/test_graph_labels.py. Without
# npm that test is skipped locally; in CI (CI=true) it fails, so CI always runs it.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Mermaid label test will be skipped"; fi

# The suite runs on every core (pytest-xdist): tests share nothing but read-only files, each
# has its own tmp_path, HOME and workspace, and every server listens on port 0.
test: lint tests/js/node_modules/.installed  ## lint, type-check, the whole test suite, and the installed command
	$(BIN)/pytest -n auto
	$(BIN)/bip --help > /dev/null

bench: $(VENV)/.installed  ## benchmarks (not part of the tests)
	$(BIN)/python bench/ratios.py
	$(BIN)/python bench/github_requests.py
	$(BIN)/python bench/papers_requests.py
	$(BIN)/python bench/papers_import.py
	$(BIN)/python bench/run_log.py
	$(BIN)/python bench/site_build.py
	$(BIN)/python bench/reach_requests.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/out .demo tests/js/node_modules

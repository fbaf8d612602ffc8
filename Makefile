# trustlab: `make report` builds every report, `make test` runs the whole suite.
# Both create .venv with Python 3.11 and install the project the first time.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install conda-setup report test test-fast lab notebooks bench screenshots lock fonts system-deps node-deps clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml requirements.lock scripts/post_install.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	$(BIN)/python scripts/post_install.py
	@touch $@

install: $(INSTALLED) ## create .venv and install trustlab with its pinned dependencies

conda-setup: ## inside an activated conda env (conda env create -f environment.yml): kernel, default kernel, nbdime
	@test -n "$$CONDA_PREFIX" || { echo "conda-setup: activate the conda environment first (conda activate trustlab)" >&2; exit 1; }
	python -c 'import sys, os; sys.exit(0 if os.path.realpath(sys.prefix) == os.path.realpath(os.environ["CONDA_PREFIX"]) else "conda-setup: python on PATH is not the active conda environment")'
	python -m pip install --quiet --no-deps -e .
	python scripts/post_install.py

fonts: ## install the CJK fonts figures need (Debian's fonts-noto-cjk), if missing
	bash scripts/install-system-deps.sh fonts

system-deps: ## install what the browser and figure tests need (Chromium, CJK fonts) from Debian
	bash scripts/install-system-deps.sh fonts chromium

# axe-core and html-validate for the page checks (tests/page_checks.py), at the versions package-lock.json pins
node_modules/.package-lock.json: package.json package-lock.json
	bash scripts/install-system-deps.sh node
	npm ci --no-audit --no-fund
	@touch $@

node-deps: node_modules/.package-lock.json ## install the page checkers the browser tests run (axe-core, html-validate) with npm ci

report: install fonts ## execute every notebook with its default parameters into reports/ (unchanged ones are skipped)
	$(BIN)/trustlab build

test: install system-deps node-deps ## run the whole test suite (in a random order; its seed is printed at the top)
	$(BIN)/python -m pytest

test-fast: install fonts ## the unit layer: no kernel, no browser, nothing slow; fewer hypothesis examples
	$(BIN)/python -m pytest tests -m "not kernel and not browser and not slow" --hypothesis-profile quick

lab: install ## open JupyterLab on the project with the trustlab kernel
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: install fonts ## re-execute the committed notebooks in place after a change
	$(BIN)/trustlab refresh

bench: install ## run the benchmarks; each run is written to bench/results/<date>-<what>.json (docs/benchmarks.md)
	$(BIN)/python -m bench

screenshots: install system-deps ## retake the README's pictures (docs/*.png: report, index, book, explorer) from a fresh build
	$(BIN)/python scripts/screenshots.py

lock: install ## rewrite requirements.lock (pip) and environment.lock.yml (conda) from the current environment
	{ head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^trustlab'; } > requirements.lock.new && mv requirements.lock.new requirements.lock
	$(BIN)/python scripts/conda_lock.py

clean: ## remove reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .hypothesis

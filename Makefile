# trustlab: `make report` builds every report, `make test` runs the whole suite.
# Both create .venv with Python 3.11 and install the project the first time.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install report test lab notebooks bench lock system-deps clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name trustlab --display-name "Python (trustlab)" >/dev/null
	@touch $@

install: $(INSTALLED) ## create .venv and install trustlab with its pinned dependencies

system-deps: ## install what the browser and figure tests need (Chromium, CJK fonts) from Debian
	bash scripts/install-system-deps.sh

report: install ## execute every notebook with its default parameters into reports/ (unchanged ones are skipped)
	$(BIN)/trustlab build

test: install system-deps ## run the whole test suite
	$(BIN)/python -m pytest

lab: install ## open JupyterLab on the project with the trustlab kernel
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: install ## re-execute the committed notebooks in place after a change
	$(BIN)/trustlab refresh

bench: install ## run the benchmarks and print the measured ratios
	$(BIN)/python -m bench

lock: install ## rewrite requirements.lock from the current environment
	{ head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^trustlab'; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean: ## remove reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .hypothesis

# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv themselves on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
PYTEST_ARGS ?=

.PHONY: demo test lint bench mutate docs sandbox clean help

help:
	@echo "make demo              JupyterLab on copies of the notebooks (the quickstart starts the sandbox)"
	@echo "make demo ARGS=\"--port 9000\"  the same, JupyterLab on port 9000"
	@echo "make demo ARGS=--execute  run the quickstart headless and print the DataFrames"
	@echo "make test              run the architecture, lint and type checks, then every test"
	@echo "make lint              only the architecture, lint and type checks"
	@echo "make bench             run the benchmarks and rewrite benchmarks/README.md"
	@echo "make mutate            mutation-test the decision modules and rewrite tests/MUTATION.md (about 15 min)"
	@echo "make docs              rewrite the layers section of docs/architecture.md from the contracts"
	@echo "make sandbox           run the Graph API sandbox in the foreground"

DEMO_STAMP := $(VENV)/.demo-installed

# `make demo` installs only what the demo needs; `make test` adds the test, lint and benchmark tools.
# The first run installs JupyterLab (a couple of minutes): pip shows what it fetches as it goes.
$(DEMO_STAMP): pyproject.toml
	@echo "First run: installing what the demo needs (JupyterLab, ipykernel) into $(VENV); this takes a few minutes."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[demo]'
	touch $(DEMO_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,bench]'
	touch $(STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/meta-auth demo $(ARGS)

# A second environment with ipywidgets 7 (what Colab ships): the widget tests
# run there too, from tests/notebook_widgets7.
VENV7 := .venv-widgets7
STAMP7 := $(VENV7)/.installed

$(STAMP7): pyproject.toml
	test -x $(VENV7)/bin/python || $(PYTHON) -m venv $(VENV7)
	$(VENV7)/bin/python -m pip install --quiet --upgrade pip
	$(VENV7)/bin/python -m pip install --quiet -e . 'ipywidgets>=7.7,<8' pytest pytest-timeout secretstorage nbformat
	touch $(STAMP7)

# The package tree is the architecture: import-linter keeps the layers (pyproject.toml),
# ruff the style, mypy the types. They run before the tests, so CI runs them too.
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check meta_auth_nb tests benchmarks tools
	$(BIN)/ruff format --check meta_auth_nb tests benchmarks tools
	$(BIN)/mypy

test: lint $(STAMP7)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Not part of `make test`: each decision module's mutants against its own tests (tools/mutate.py).
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py --report tests/MUTATION.md $(ARGS)

docs: $(STAMP)
	$(BIN)/python tools/architecture_doc.py --write

sandbox: $(STAMP)
	$(BIN)/meta-auth sandbox $(ARGS)

clean:
	rm -rf $(VENV) $(VENV7) build *.egg-info .pytest_cache

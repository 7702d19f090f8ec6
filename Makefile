# make demo: set up the venv, install, build the graph and write the exports.
# make test: set up the same way and run the whole test suite; make lint: ruff and mypy.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench install clean

# The exact versions of requirements.lock (the committed exports are compared byte for byte, so
# a dependency bump must not slip in), then the project itself without resolving anything again,
# byte-compiled as pip compiles an installed package (an editable install is not).
$(BIN)/dprk-kg: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q graph cli.py
	touch $@

install: $(BIN)/dprk-kg

demo: install
	$(BIN)/dprk-kg build
	@echo "Next: . $(VENV)/bin/activate   (puts dprk-kg on your PATH; or call $(BIN)/dprk-kg)"

test: install
	$(BIN)/python -m pytest -q

# make lint: ruff (lint and format) and mypy, configured in pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# make bench: every benchmark, one table (under 15 minutes); make bench ARGS=--quick (under 3).
bench: install
	$(BIN)/python bench/run_all.py $(ARGS)

clean:
	rm -rf $(VENV) exports/store exports/graph.nt exports/graph.jsonld exports/graph.html exports/timeline.html

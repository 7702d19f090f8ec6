# make demo: set up the venv, install, build the graph and write the exports.
# make test: set up the same way and run the whole test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench install clean

$(BIN)/dprk-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/dprk-kg

demo: install
	$(BIN)/dprk-kg build

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) exports/store exports/graph.nt exports/graph.jsonld exports/graph.html exports/timeline.html

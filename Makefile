# Two commands do everything on a fresh machine with Python 3:
#   make demo   - set up .venv and run a simulated lifting session end to end
#   make test   - set up .venv (with the dev extras) and run every test
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DEMO_ARGS ?= --speed 10

.PHONY: demo test lint bench clean

demo: $(VENV)/.installed
	$(BIN)/hipthrust demo $(DEMO_ARGS)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/sessions.py
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/link.py
	$(BIN)/python bench/history.py

# Core sources too: pip install -e recompiles the core (hatch_build.py) after an edit.
$(VENV)/.installed: pyproject.toml hatch_build.py $(wildcard firmware/hipthrust_core/*.py firmware/hipthrust_core/*.pxd)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

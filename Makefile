# The doors: make up | make test | make lint | make bench | make fuzz
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install up test lint bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

up: install
	$(PY) -m cli.up

test: install
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	@$(PY) bench/ingest.py

fuzz: install
	@$(PY) bench/fuzz.py --inputs 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var .run

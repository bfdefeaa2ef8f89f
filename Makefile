# Every target sets up .venv itself (with a Python >= 3.12 found on this machine), so each works on a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,cluster,ray,profile
STAMP := $(VENV)/.installed-$(shell echo '$(EXTRAS)' | tr ',' '-')

.PHONY: help setup demo test bench clean
help:
	@echo "make demo   - set up .venv, run baseline vs a 90-day closure (replicates) and write the report"
	@echo "make test   - set up .venv and run the test suite"
	@echo "make bench  - set up .venv and run the model and sweep benchmarks (prints tables, writes results/bench/)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

demo: $(STAMP)
	$(PY) -m experiments.demo

test: $(STAMP)
	@scripts/ensure-chromium
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m experiments.bench
	$(PY) -m experiments.bench.sweep --repeat 2

clean:
	rm -rf $(VENV) results/runs results/sweeps results/bench

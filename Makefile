# Every target sets up .venv itself (with a Python >= 3.12 found on this machine), so each works on a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,cluster,ray,profile,dashboard,analysis,calibration
STAMP := $(VENV)/.installed-$(shell echo '$(EXTRAS)' | tr ',' '-')

.PHONY: help setup demo test bench dashboard clean
help:
	@echo "make demo   - set up .venv, run baseline, a 90-day closure and a cash transfer (5 replicates) and write the report"
	@echo "make test   - set up .venv and run the test suite"
	@echo "make bench  - set up .venv and run the model, sweep and dashboard benchmarks and the pairing variance ratios (prints tables, writes results/bench/)"
	@echo "make dashboard - set up .venv and serve the interactive dashboard on 127.0.0.1:8765 (HOST=, PORT= to change)"

setup: $(STAMP)

$(STAMP): pyproject.toml sim/__init__.py  # sim/__init__.py: the model version is the package version
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
	@scripts/ensure-chromium
	$(PY) -m experiments.bench
	$(PY) -m experiments.bench.sweep --repeat 2
	$(PY) -m dashboard.bench --browser
	$(PY) -m experiments.analysis.variance --scale 0.05 --seeds 16 --days 730 --out results/bench/variance

dashboard: $(STAMP)
	$(PY) -m dashboard $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

clean:
	rm -rf $(VENV) results/runs results/sweeps results/bench

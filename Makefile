# Every target sets up .venv itself (with a Python >= 3.12 found on this machine), so each works on a fresh clone.
# The venv installs exactly what requirements.lock pins (every extra, with hashes); `make lock` regenerates it.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
STAMP := $(VENV)/.installed-lock
LATEST_VENV ?= .venv-latest
EXTRAS := test,cluster,ray,profile,dashboard,analysis,calibration,lock

.PHONY: help setup demo test check test-latest lock bench dashboard clean
help:
	@echo "make demo   - set up .venv, run baseline, a 90-day closure and a cash transfer (5 replicates) and write the report"
	@echo "make test   - set up .venv and run the whole test suite (what CI runs; about 10 minutes on 2 cores)"
	@echo "make check  - set up .venv and run the fast lane (every test not marked slow; at most 3 minutes)"
	@echo "make test-latest - install the newest allowed versions into $(LATEST_VENV) and run the pinned results and a smoke run"
	@echo "make lock   - regenerate $(LOCK) from pyproject.toml (newest allowed versions; see README 'Dependencies')"
	@echo "make bench  - set up .venv and run the model, sweep and dashboard benchmarks and the pairing variance ratios (prints tables, writes results/bench/)"
	@echo "make dashboard - set up .venv and serve the interactive dashboard on 127.0.0.1:8765 (HOST=, PORT= to change)"

setup: $(STAMP)

$(STAMP): $(LOCK) pyproject.toml sim/__init__.py  # sim/__init__.py: the model version is the package version
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# Regenerate the lock: the newest versions pyproject.toml allows, for every extra, on Python 3.12 and newer.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.12 --generate-hashes \
	  --quiet -o $(LOCK)
	@echo "wrote $(LOCK); run 'make test' (the venv reinstalls from it) before committing it"

# Library drift: the newest allowed versions in a separate venv, then the pinned results and a short run.
test-latest:
	@PYBIN=$$(scripts/find-python) || exit 1; rm -rf $(LATEST_VENV); "$$PYBIN" -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -e '.[$(EXTRAS)]'
	@$(LATEST_VENV)/bin/python scripts/lock-drift $(LOCK)
	$(LATEST_VENV)/bin/python -m pytest -p no:cacheprovider tests/test_baseline.py tests/test_smoke.py

demo: $(STAMP)
	$(PY) -m experiments.demo

# Every test (CI runs this), on all cores (pytest-xdist; a file's tests stay on one worker, so their shared
# module fixtures are built once), with the 15 slowest tests listed at the end.
test: $(STAMP)
	@scripts/ensure-chromium
	$(PY) -m pytest -n auto --dist loadfile --durations=15

# The fast lane while working: everything not marked slow (at most 3 minutes on 2 cores).
check: $(STAMP)
	@scripts/ensure-chromium
	$(PY) -m pytest -m 'not slow' -n auto --dist loadfile --durations=10

bench: $(STAMP)
	@scripts/ensure-chromium
	$(PY) -m experiments.bench
	$(PY) -m experiments.bench.sweep --repeat 2
	$(PY) -m dashboard.bench --browser
	$(PY) -m experiments.analysis.variance --scale 0.05 --seeds 16 --days 730 --out results/bench/variance

dashboard: $(STAMP)
	$(PY) -m dashboard $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

clean:
	rm -rf $(VENV) $(LATEST_VENV) results/runs results/sweeps results/bench

"""The test suite, a package so that its helpers are imported by name (``from tests.runs import run_model``)."""

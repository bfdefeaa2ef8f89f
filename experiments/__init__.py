"""Command-line entry points: run, bench, demo (and collect, report)."""

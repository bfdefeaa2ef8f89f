"""Command-line entry points.

- ``run``: one scenario, or a Hydra multirun sweep (replicates, presets, designs, launchers);
- ``collect``: runs.parquet and timeseries.parquet for a sweep directory;
- ``report``: figures, HTML and PDF from a run or sweep directory (reads results only);
- ``demo``: baseline against a 90-day closure with paired replicates, then the report;
- ``bench`` and ``bench_sweep``: performance figures (printed and written under results/bench/).
"""

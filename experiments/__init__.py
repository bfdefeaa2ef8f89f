"""Command-line entry points, and what they share.

Entry points (``python -m experiments.<name>``; each answers ``--help``):

- ``run``: one scenario, or a Hydra multirun sweep (replicates, presets, designs, launchers);
- ``collect``: runs.parquet and timeseries.parquet for a sweep directory;
- ``report``: figures, HTML and PDF from a run or sweep directory (reads results only);
- ``demo``: baseline against a 90-day closure with paired replicates, then the report;
- ``params``: every configuration key with its unit, default, ranges and source.

Shared by them:

- ``rundir``: a run directory — atomic writes, the manifest and provenance, the completeness check, reading
  a run back;
- ``errors``: one-line errors (``error: ...``, exit status 2);
- ``sweep/``: the sweep internals behind ``run -m`` (sweeper, designs, seeds, resume, progress, callbacks);
- ``reporting/``: the report builder behind ``report``;
- ``bench/``: benchmarks (``python -m experiments.bench``, ``python -m experiments.bench.sweep``; ``make bench``).
"""

"""Sweep internals of ``python -m experiments.run -m`` (see docs/sweeps.md).

- :mod:`.sweeper`: the jobs of a sweep (Hydra's grid x paired replicates x a sampled design), checked,
  skipped when complete, handed to the configured launcher; the Hydra plugin is
  ``hydra_plugins/scenario_sweeper``;
- :mod:`.designs`: Latin-hypercube and Sobol designs from ``hydra.sweeper.design``;
- :mod:`.seeds`: the seed of each paired replicate;
- :mod:`.resume`: where a job writes, and whether a complete run there is the job's;
- :mod:`.progress`: a record and a line per finished job, ``sweep.json`` at the end;
- :mod:`.callbacks`: the Hydra callback that writes the records and collects the sweep.

Imports go one way: ``sweeper`` uses ``designs``, ``seeds``, ``resume`` and ``progress``; ``callbacks``
uses ``progress`` and ``sweeper``; none of them imports an entry point (``callbacks`` collects with
:func:`experiments.rundir.collect` when the sweep ends).
"""

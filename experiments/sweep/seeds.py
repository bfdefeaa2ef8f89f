"""Paired replicates: the seed each replicate runs with.

Rule: a plain run (``replicates=1``) runs with ``seed`` itself. Replicate ``k`` of
``replicates=N > 1`` runs with the ``k``-th child of ``numpy.random.SeedSequence(seed)``
(``SeedSequence(seed).spawn(N)[k]``), reduced to one 32-bit word. The seed depends on
(seed, k) only — not on the scenario, the swept parameters or N — so replicate ``k`` of
every scenario in a sweep shares its random numbers (common random numbers, paired
comparisons), and raising N later keeps the replicates already run.
"""

from __future__ import annotations

import numpy as np


def replicate_seed(seed: int, replicate: int) -> int:
    """Seed of replicate ``replicate`` spawned from base ``seed`` (same as ``SeedSequence(seed).spawn(k+1)[k]``)."""
    child = np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))
    return int(child.generate_state(1, dtype=np.uint32)[0])


def run_seed(cfg) -> int:
    """The seed a run actually uses: ``seed`` for a plain run, the spawned seed for a replicate."""
    if int(cfg.replicates) <= 1:
        return int(cfg.seed)
    return replicate_seed(cfg.seed, cfg.replicate)

"""``python -m experiments.bench``: the model benchmark (:mod:`experiments.bench.model`)."""

from experiments.bench.model import main

main()

"""Benchmarks (``make bench``): figures are measured and printed, never asserted.

- ``python -m experiments.bench`` (:mod:`.model`): the model at 1:1 scale, the Mesa floor ratio, scaling, start-up;
- ``python -m experiments.bench.sweep`` (:mod:`.sweep`): a sweep on 2 local workers against 1, end to end;
- ``python -m experiments.bench.pair`` (:mod:`.pair`; also ``--only pair`` of the first): one analysis pair (a
  Morris point) part by part.

Both write their figures under ``results/bench/`` (see docs/performance.md).
"""

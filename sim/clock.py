"""Where a run's time goes: wall and CPU seconds per named part of the build and per phase of the day.

As Starsim's ``Loop`` keeps the CPU time of every function it runs, ``BorderModel`` times each part of
its build (population, warm-up, day-0 calibrations, Mesa agents) and each phase of :data:`sim.model.DAY`
(and the recorder) on every day, into one :class:`Clock` (``model.clock``). Two clock reads a part:
about a microsecond a phase, nothing against a day's milliseconds. ``python -m experiments.bench``
prints the table.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Clock:
    """Accumulated wall (``time.perf_counter``) and CPU (``time.process_time``) seconds and calls, by name."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu
        self.calls[name] = self.calls.get(name, 0) + 1

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Time the block under ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, time.process_time() - cpu)

    def table(self, names=None) -> list[dict]:
        """One row per name: calls, wall and CPU seconds in total and per call (ms)."""
        rows = []
        for name in names or self.wall:
            n = max(self.calls.get(name, 0), 1)
            rows.append({"part": name, "calls": self.calls.get(name, 0), "wall_s": self.wall.get(name, 0.0),
                         "cpu_s": self.cpu.get(name, 0.0), "wall_ms_per_call": 1e3 * self.wall.get(name, 0.0) / n,
                         "cpu_ms_per_call": 1e3 * self.cpu.get(name, 0.0) / n})
        return rows

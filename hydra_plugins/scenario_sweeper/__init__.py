"""Hydra plugin package of the project's sweeper (see :mod:`experiments.sweep.sweeper`)."""

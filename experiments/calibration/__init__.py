"""Calibration to sourced figures: targets, screening, ABC-SMC fit, check and validation.

Entry point: ``python -m experiments.calibrate`` (:mod:`experiments.calibrate`); method and results in
``docs/calibration.md``.
"""

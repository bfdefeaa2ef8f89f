"""Calibrate the model to sourced figures, and check a calibration against them and the validation targets.

    python -m experiments.calibrate screen                       # which parameters move the targets (Morris)
    python -m experiments.calibrate fit --name hies2019          # ABC-SMC on the screened parameters
    python -m experiments.calibrate check +calibration=hies2019  # every target: observed, simulated, within?
    python -m experiments.run +calibration=hies2019 scenario=closure_90d   # use it in any run

The targets, their sources and tolerances are in ``configs/calibration/targets.yaml``; the method and the
committed result in ``docs/calibration.md``. ``fit`` writes ``configs/calibration/<name>.yaml`` (a Hydra
overlay with the posterior member closest to the targets) and ``<name>.posterior.csv`` (every member, its
weight and distance); its working files (``abc.db``, ``screen.csv``, ``provenance.json``) go to
``results/calibration/<name>/`` (``--out``), and rerunning the same command resumes an interrupted fit.
Bad input is one line and exit status 2; ``check`` exits 1 when a fitted target is out of tolerance.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from experiments.errors import ArgumentParser, fail
from sim.config import ConfigError

RESULTS = Path("results/calibration")


def _parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.split("\n\n")[0],
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="Targets: configs/calibration/targets.yaml. Method and results: docs/calibration.md.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    def common(p, scale, days):
        p.add_argument("--targets", type=Path, default=None, help="targets file (default configs/calibration/targets.yaml)")
        p.add_argument("--scale", type=float, default=scale, help=f"population scale of each run (default {scale})")
        p.add_argument("--days", type=int, default=days, help=f"days per run, at most the targets' run.days (default {days})")
        p.add_argument("--workers", type=int, default=2, help="processes (default 2)")
        p.add_argument("--seed", type=int, default=1, help="random seed of the design or sampler (default 1)")
        p.add_argument("--out", type=Path, default=None, help="working directory (default results/calibration/<name>)")
        p.add_argument("--name", default="default", help="calibration name (default 'default')")

    screen = sub.add_parser("screen", help="Morris screening of the uncertainty space on the targets",
                            description="Morris screening (SALib) of every continuous parameter of the uncertainty "
                            "space on the calibration targets; writes screen.csv and lists the parameters to fit.")
    common(screen, 0.02, 120)
    screen.add_argument("--trajectories", type=int, default=4, help="Morris trajectories r (default 4)")
    screen.add_argument("--threshold", type=float, default=1.0,
                        help="a parameter moves a target when its μ*/tolerance reaches this (default 1)")
    screen.add_argument("--per-target", type=int, default=2,
                        help="fit at most this many of the strongest parameters per target (default 2)")

    fit = sub.add_parser("fit", help="ABC-SMC (pyabc) of the screened parameters",
                         description="ABC-SMC with pyabc over the plausible ranges of the parameters to fit (from "
                         "--parameters, or the screen.csv of --out); resumes an interrupted fit.")
    common(fit, 0.05, 180)
    fit.add_argument("--parameters", default="", help="comma-separated keys (default: those screen.csv marks)")
    fit.add_argument("--population", type=int, default=60, help="particles per generation (default 60)")
    fit.add_argument("--generations", type=int, default=6, help="at most this many generations (default 6)")
    fit.add_argument("--min-epsilon", type=float, default=0.5,
                     help="stop when the accepted distance falls to this many tolerances (default 0.5)")
    fit.add_argument("--config-dir", type=Path, default=None, help=argparse.SUPPRESS)

    check = sub.add_parser("check", help="re-run the posterior: every target and the validation targets",
                           description="Re-run members of a calibration's posterior (drawn by weight) and print, "
                           "for every target, observed, simulated median and 90%% interval and whether it is within "
                           "tolerance; then the validation targets, pass or fail. Writes check.csv, "
                           "validation.csv and posterior_marginals.png to results/calibration/<name>/.")
    check.add_argument("overrides", nargs="*", help="+calibration=<name> (required) and population.scale=<x>")
    check.add_argument("--members", type=int, default=8, help="posterior members to run (default 8)")
    check.add_argument("--targets", type=Path, default=None, help=argparse.SUPPRESS)
    check.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    check.add_argument("--seed", type=int, default=1, help="seed of the member draw and first run (default 1)")
    check.add_argument("--config-dir", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def _positive(name: str, value, integer: bool = True) -> None:
    if value is None or value <= 0:
        raise ConfigError(name, value, "a number > 0" if not integer else "an integer >= 1")


def _check_overrides(items: list[str]) -> tuple[str, float]:
    name, scale = None, 0.05
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(item, "", "+calibration=<name> or population.scale=<x>")
        if key == "+calibration":
            name = value
        elif key == "population.scale":
            try:
                scale = float(value)
            except ValueError:
                raise ConfigError(key, value, "a number in (0, 1]") from None
            if not 0 < scale <= 1:
                raise ConfigError(key, value, "a number in (0, 1]")
        else:
            raise ConfigError(key, value, "+calibration=<name> or population.scale=<x>")
    if not name:
        raise ConfigError("+calibration", None, "the name of a fitted calibration (+calibration=<name>)")
    return name, scale


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        fail(str(exc))
    except OSError as exc:
        from experiments.errors import disk_error

        fail(disk_error(exc), code=1)
    return 0


def _dispatch(args) -> int:
    import pandas as pd

    from experiments.calibration.check import CALIBRATION_DIR, check, draw_members, format_table, posterior_file
    from experiments.calibration.fit import (FitSettings, ScreenSettings, check_owned, fit, fittable, posterior,
                                             screen, screened_parameters, settings_record, write_posterior)
    from experiments.calibration.runs import RunSettings
    from experiments.calibration.targets import TARGETS_FILE, load_targets
    from experiments.rundir import atomic_write_bytes, atomic_write_json, git_commit

    targets = load_targets(args.targets or TARGETS_FILE)
    config_dir = getattr(args, "config_dir", None) or CALIBRATION_DIR
    _positive("--workers", args.workers)
    if args.command == "check":
        name, scale = _check_overrides(args.overrides)
        _positive("--members", args.members)
        posterior_frame = pd.read_csv(posterior_file(name, config_dir))
        members = draw_members(posterior_frame, args.members, args.seed)
        started = time.perf_counter()
        fitted, validation = check(targets, members, scale, args.seed, args.workers)
        out = RESULTS / name
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / "check.csv", fitted.to_csv(index=False).encode())
        atomic_write_bytes(out / "validation.csv", validation.to_csv(index=False).encode())
        from experiments.calibration.check import marginals_figure

        figure = marginals_figure(posterior_frame, out / "posterior_marginals.png", name)
        print(f"\nFitted targets ({name}, scale {scale}, {len(members)} members, "
              f"{time.perf_counter() - started:.0f} s):")
        print(format_table(fitted, "within_tolerance"))
        if len(validation):
            print("\nValidation targets (not fitted):")
            print(format_table(validation, "passes"))
        print(f"\nwritten: {out / 'check.csv'}, {out / 'validation.csv'}, {figure}")
        return 0 if fitted["within_tolerance"].all() else 1

    if args.days > targets.days:
        raise ConfigError("--days", args.days, f"at most the targets' run.days ({targets.days})")
    _positive("--days", args.days)
    if not 0 < args.scale <= 1:
        raise ConfigError("--scale", args.scale, "a number in (0, 1]")
    settings = RunSettings(scale=args.scale, days=args.days)
    out = args.out or RESULTS / args.name
    if args.command == "screen":
        _positive("--trajectories", args.trajectories)
        _positive("--per-target", args.per_target)
        frame = screen(targets, settings, ScreenSettings(trajectories=args.trajectories, threshold=args.threshold,
                                                         per_target=args.per_target, seed=args.seed,
                                                         workers=args.workers))
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / "screen.csv", frame.to_csv(index=False).encode())
        chosen = screened_parameters(frame)
        top = frame.groupby("parameter")["mu_star_scaled"].max().sort_values(ascending=False)
        print("largest effect on a target, in tolerances (μ*/tolerance):")
        for key, value in top.head(15).items():
            print(f"  {key:45s} {value:7.2f}{'  fit' if key in chosen else ''}")
        print(f"to fit ({len(chosen)}): {','.join(chosen)}\nwritten: {out / 'screen.csv'}")
        return 0

    parameters = [p for p in args.parameters.split(",") if p]
    if not parameters:
        screen_csv = out / "screen.csv"
        if not screen_csv.is_file():
            raise ConfigError("--parameters", "", f"keys to fit, or a screen.csv in {out} (run screen first)")
        parameters = screened_parameters(pd.read_csv(screen_csv))
    _positive("--population", args.population)
    _positive("--generations", args.generations)
    fit_settings = FitSettings(population=args.population, generations=args.generations,
                               min_epsilon=args.min_epsilon, seed=args.seed, workers=args.workers,
                               parameters=parameters)
    fittable(parameters)  # bad keys and a name taken by a file fit did not write fail here, before any run
    check_owned(args.name, config_dir)
    print(f"fitting {len(parameters)} parameters to {len(targets.targets)} targets: {', '.join(parameters)}")
    started = time.perf_counter()
    history = fit(targets, settings, fit_settings, out)
    import sim

    provenance = {"model_version": sim.__version__, "git": git_commit().get("commit"),
                  "targets": str(args.targets or TARGETS_FILE), "generations": int(history.max_t + 1),
                  "simulations": int(history.total_nr_simulations), **settings_record(settings, fit_settings)}
    atomic_write_json(out / "provenance.json", {**provenance, "seconds": round(time.perf_counter() - started, 1)})
    frame = posterior(history)
    path = write_posterior(frame, args.name, config_dir, provenance)
    best = frame.iloc[0]
    print(f"posterior: {len(frame)} members; best distance {best['distance']:.3f} tolerances "
          f"({'every target within tolerance' if best['distance'] <= 1 else 'some target outside tolerance'})")
    print(f"written: {path} and {path.with_suffix('').as_posix()}.posterior.csv; use with +calibration={args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The effects the docs quote, computed: ``python -m experiments.claims``.

Runs each closure and the baseline under every allocation rule (``finance.allocation_rule``, the
structural choice the sign of the recruitment effect rests on) over paired seeds, and prints, per
rule and closure, the effect on cumulative recruits at the day the closure ends and at the end of
the run (after it), on members at the end, and on jobs at their low point, each as a mean over
seeds with a 90% t-interval on the paired differences. ``--update-docs`` rewrites the block between
``<!-- claims:start -->`` and ``<!-- claims:end -->`` in the README and writes ``docs/claims.md``;
``--oat --update-docs`` rewrites the one-at-a-time table between ``<!-- oat:start -->`` and
``<!-- oat:end -->`` in ``docs/ODD.md``: no effect size in the docs is typed by hand.

The intervals cover seed noise only, at the default parameters: they say nothing of the plausible
parameter space (see ``docs/analysis.md`` for that).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CLOSURES = ("closure_90d", "closure_1y")
START = "<!-- claims:start -->"
END = "<!-- claims:end -->"


def one_run(job: tuple) -> dict:
    """Region-level numbers of one run: recruits by day, members and employment. ``job`` is (scenario, rule,
    seed, scale, days) and optionally a dict of flat overrides (``recruitment__groups__0__pay_pkr``)."""
    from sim import BorderModel
    from sim.outputs import local_multiplier

    scenario, rule, seed, scale, days, *extra = job
    overrides = extra[0] if extra else {}
    m = BorderModel(scenario, population_scale=scale, days=days, rng=seed, finance__allocation_rule=rule,
                    **overrides).run()
    ts = m.timeseries()
    reg = ts[ts["district"] == "ALL"].reset_index(drop=True)
    closure = m.par.border.closure
    return {"scenario": scenario, "rule": rule, "seed": seed,
            "closure_end": int(closure.start_day + closure.duration_days) if scenario != "baseline" else None,
            "cum_recruits": reg["recruits"].cumsum().tolist(), "members": reg["militants"].tolist(),
            "jobs": (reg["employed"] - reg["public_works_employed"]).tolist(),
            "local_multiplier": local_multiplier(reg)}


def t_interval(diffs: np.ndarray, level: float = 0.90) -> tuple[float, float, float]:
    """Mean and two-sided t-interval of paired differences."""
    from scipy import stats

    n = len(diffs)
    mean = float(np.mean(diffs))
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * np.std(diffs, ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def effects(runs: list[dict], days: int) -> list[dict]:
    """Paired effects per rule and closure."""
    by = {(r["scenario"], r["rule"], r["seed"]): r for r in runs}
    rules = sorted({r["rule"] for r in runs}, key=lambda x: RULE_ORDER.index(x))
    seeds = sorted({r["seed"] for r in runs})
    out = []
    for rule in rules:
        for closure in CLOSURES:
            if (closure, rule, seeds[0]) not in by:
                continue
            end = by[(closure, rule, seeds[0])]["closure_end"]
            row = {"rule": rule, "closure": closure, "closure_end_day": end, "last_day": days, "seeds": len(seeds)}
            for label, key, day in (("recruits_at_closure_end", "cum_recruits", end),
                                    ("recruits_at_last_day", "cum_recruits", days),
                                    ("members_at_last_day", "members", days)):
                base = np.array([by[("baseline", rule, s)][key][day] for s in seeds], dtype=float)
                diff = np.array([by[(closure, rule, s)][key][day] for s in seeds], dtype=float) - base
                mean, lo, hi = t_interval(diff)
                row[label] = {"baseline": float(base.mean()), "effect": mean, "low": lo, "high": hi,
                              "percent": 100 * mean / base.mean() if base.mean() > 0 else float("nan")}
            jobs_lost = np.array([by[(closure, rule, s)]["jobs"][0] - min(by[(closure, rule, s)]["jobs"][1:])
                                  for s in seeds], dtype=float)
            mean, lo, hi = t_interval(jobs_lost)
            row["jobs_lost_at_low_point"] = {"effect": mean, "low": lo, "high": hi}
            mult = [by[(closure, rule, s)]["local_multiplier"] for s in seeds]
            row["local_multiplier"] = float(np.mean([x for x in mult if x is not None])) if any(
                x is not None for x in mult) else None
            out.append(row)
    return out


def fmt(e: dict, scale: float = 1.0, digits: int = 0) -> str:
    return f"{e['effect'] / scale:+,.{digits}f} ({e['low'] / scale:+,.{digits}f} to {e['high'] / scale:+,.{digits}f})"


def table(rows: list[dict], scale: float) -> str:
    """A Markdown table of the effects (people at 1:1: the model's counts divided by the scale)."""
    lines = ["| allocation rule | closure | recruits by the closure's end (day) | recruits by the last day | "
             "members on the last day | jobs lost at the low point | local multiplier |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        a, b, c = r["recruits_at_closure_end"], r["recruits_at_last_day"], r["members_at_last_day"]
        mult = "n/a" if r["local_multiplier"] is None else f"{r['local_multiplier']:.2f}"
        lines.append(f"| {r['rule']} | {r['closure']} | {fmt(a, scale)} = {a['percent']:+.0f}% (day {r['closure_end_day']}) "
                     f"| {fmt(b, scale)} = {b['percent']:+.0f}% | {fmt(c, scale)} = {c['percent']:+.0f}% "
                     f"| {fmt(r['jobs_lost_at_low_point'], scale)} | {mult} |")
    return "\n".join(lines)


def block(rows: list[dict], settings: dict) -> str:
    from sim import __version__

    head = (f"Model {__version__}, `python -m experiments.claims --seeds {settings['seeds']} --scale {settings['scale']} "
            f"--days {settings['days']}`: {settings['seeds']} paired seeds at scale {settings['scale']}, {settings['days']} days, "
            f"default parameters. Effects of each closure against the baseline under the same allocation rule, "
            f"in people at 1:1 (the model's counts ÷ the scale), mean and 90% t-interval over the paired seeds "
            f"(seed noise only, not parameter uncertainty), and as a share of the baseline. Both closures start "
            f"on day 30.")
    return f"{head}\n\n{table(rows, settings['scale'])}\n"


def replace_block(text: str, new: str, name: str = "claims") -> str:
    start, end = START.replace("claims", name), END.replace("claims", name)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"error: no {start} ... {end} block to replace")
    return pattern.sub(lambda _: f"{start}\n{new}{end}", text)


RULE_ORDER = ("payroll_first", "proportional", "operations_first")
# one-at-a-time: the revenue sizes, pay, saving and the weights the recruitment answer rests on, each at the
# ends of its plausible range (from the declarations); group keys apply to both groups
OAT_KEYS = ("recruitment.groups.*.smuggling_tax", "recruitment.groups.*.extortion_rate",
            "recruitment.groups.*.external_support_pkr", "recruitment.groups.*.pay_pkr", "finance.saving_rate",
            "recruitment.weight_opportunity", "labour.services_income_elasticity")


def oat_settings() -> list[tuple[str, str, dict]]:
    """(key, value label, flat overrides) for the default and each OAT key at the low and high end of its
    plausible range."""
    from sim.config import Config
    from sim.params import entries

    specs = {e.key: e.spec for e in entries(Config)}
    out = [("default", "", {})]
    for key in OAT_KEYS:
        low, high, _ = specs[key.replace(".*", "[]")].plausible
        for value in (low, high):
            flat = {k.replace(".", "__"): value for k in ([key.replace("*", str(g)) for g in (0, 1)] if "*" in key
                                                          else [key])}
            out.append((key.replace("recruitment.groups.*.", "groups: "), f"{value:g}", flat))
    return out


def oat(a) -> str:
    """The one-at-a-time table: closure_1y's effect on cumulative recruits by the last day, per allocation rule."""
    settings = oat_settings()
    rules = [r for r in a.rules.split(",") if r]
    jobs = [(s, r, seed, a.scale, a.days, flat) for _, _, flat in settings for r in rules
            for s in ("baseline", "closure_1y") for seed in range(a.seeds)]
    runs = run_all(jobs, a.workers)
    lines = [f"One at a time, closure_1y against the baseline under the same rule: effect on cumulative recruits "
             f"by day {a.days} (the closure runs from day 30 to day 395), % of the baseline, mean and 90% t-interval "
             f"over {a.seeds} paired seeds, scale {a.scale}, model {version()} "
             f"(`python -m experiments.claims --oat --seeds {a.seeds} --scale {a.scale} --days {a.days}`).", "",
             "| parameter | value | " + " | ".join(rules) + " |", "|---|---|" + "---|" * len(rules)]
    i = 0
    for key, value, _ in settings:
        cells = []
        for _rule in rules:
            group = runs[i:i + 2 * a.seeds]
            i += 2 * a.seeds
            base = np.array([r["cum_recruits"][a.days] for r in group[:a.seeds]], dtype=float)
            diff = np.array([r["cum_recruits"][a.days] for r in group[a.seeds:]], dtype=float) - base
            mean, lo, hi = t_interval(100 * diff / base.mean())
            cells.append(f"{mean:+.0f}% ({lo:+.0f} to {hi:+.0f})")
        lines.append(f"| {key} | {value or 'defaults'} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def version() -> str:
    from sim import __version__

    return __version__


def run_all(jobs: list, workers: int) -> list[dict]:
    """Run ``jobs`` on ``workers`` processes, in order, with a progress line."""
    started, runs = time.perf_counter(), []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, run in enumerate(pool.map(one_run, jobs), 1):
            runs.append(run)
            print(f"\r{i}/{len(jobs)} runs, {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.claims", description=__doc__.split("\n\n")[0],
                                 epilog="Example: python -m experiments.claims --seeds 8 --update-docs")
    ap.add_argument("--seeds", type=int, default=8, help="paired seeds per setting (default 8)")
    ap.add_argument("--scale", type=float, default=0.05, help="population scale in (0, 1] (default 0.05)")
    ap.add_argument("--days", type=int, default=730, help="days to run; past both closures' end (default 730)")
    ap.add_argument("--rules", default=",".join(RULE_ORDER), help="allocation rules, comma-separated (default all)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--json", type=Path, help="also write the effects as JSON to this file")
    ap.add_argument("--oat", action="store_true",
                    help="instead: the one-at-a-time table of closure_1y's effect on recruits per allocation rule")
    ap.add_argument("--update-docs", action="store_true",
                    help="rewrite the README's claims block and docs/claims.md (with --oat: the ODD's oat block)")
    a = ap.parse_args(argv)
    rules = [r for r in a.rules.split(",") if r]
    bad = [r for r in rules if r not in RULE_ORDER]
    if bad or a.seeds < 2 or not 0 < a.scale <= 1 or a.days < 400:
        what = (f"--rules={bad[0]}: one of {', '.join(RULE_ORDER)}" if bad else
                f"--seeds={a.seeds}: at least 2" if a.seeds < 2 else
                f"--scale={a.scale}: a fraction in (0, 1]" if not 0 < a.scale <= 1 else
                f"--days={a.days}: at least 400, past the one-year closure's end on day 395")
        print(f"error: {what}", file=sys.stderr)
        return 2
    if a.oat:
        text = oat(a)
        print(text)
        if a.update_docs:
            odd = ROOT / "docs" / "ODD.md"
            odd.write_text(replace_block(odd.read_text(), text, "oat"))
            print("updated docs/ODD.md", file=sys.stderr)
        return 0
    jobs = [(s, r, seed, a.scale, a.days) for r in rules for s in ("baseline", *CLOSURES) for seed in range(a.seeds)]
    rows = effects(run_all(jobs, a.workers), a.days)
    settings = {"seeds": a.seeds, "scale": a.scale, "days": a.days}
    text = block(rows, settings)
    print(text)
    if a.json:
        a.json.write_text(json.dumps({"settings": settings, "effects": rows}, indent=2) + "\n")
    if a.update_docs:
        readme = ROOT / "README.md"
        readme.write_text(replace_block(readme.read_text(), text))
        (ROOT / "docs" / "claims.md").write_text(
            "# Quoted effects\n\nWritten by `python -m experiments.claims --update-docs`; do not edit by hand.\n\n"
            f"{START}\n{text}{END}\n")
        print("updated README.md and docs/claims.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

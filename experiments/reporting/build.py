"""Build the report: read results, draw every figure the results support, write HTML, PDF, PNG/SVG and CSV.

Output (``<DIR>/report/`` unless told otherwise)::

    report.html   self-contained (figures as base64 PNG, tables inline, no scripts)
    report.pdf    title page, summary table, one page per figure with caption, methods
    report.json   what was produced and what was skipped, and why
    figures/      <key>.png (150 dpi) and <key>.svg
    tables/       <name>.csv
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

from experiments.rundir import atomic_write, atomic_write_bytes, atomic_write_json
from sim.config import CHANNELS
from sim.indicators import UNITS

from . import channel_runs, html
from .data import Results, load
from .figures import Skip, builders
from .figures.common import RC
from .methods import key_findings, methods
from .palette import scenario_styles
from .pdf import PdfReport
from .tables import runs_table, summary_display, summary_table

DPI = 150
TITLE = "Pakistan–Iran border closure: scenario report"


class ReportError(ValueError):
    """Bad input to the report (e.g. an unknown map metric); the message is one line."""


def _clean(out: Path) -> None:
    """Remove the files of a previous report so that nothing stale remains."""
    for sub, pattern in (("figures", "*.png"), ("figures", "*.svg"), ("tables", "*.csv")):
        for p in (out / sub).glob(pattern):
            p.unlink()


def _save_figure(spec, out: Path) -> bytes:
    """Write <key>.png and <key>.svg; return the PNG bytes (for the HTML)."""
    buf = io.BytesIO()
    spec.fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    png = buf.getvalue()
    atomic_write_bytes(out / "figures" / f"{spec.key}.png", png)
    svg = io.BytesIO()
    spec.fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    atomic_write_bytes(out / "figures" / f"{spec.key}.svg", svg.getvalue())
    return png


def _figures(res: Results, figure_builders: list, pdf: PdfReport, out: Path, log: Callable[[str], None]):
    """Draw every figure the results support: PNG and SVG files, a PDF page each.

    Returns (produced figures for the HTML, skipped figures with reasons, the figures' tables).
    """
    styles = scenario_styles(res.scenarios)
    produced, skipped, tables = [], [], {}
    for number, name, build in figure_builders:
        t = time.perf_counter()
        log(f"report: figure {number} ({name}) ...")
        try:
            output = build(res, styles)
        except Skip as exc:
            skipped.append({"number": number, "name": name, "reason": str(exc)})
            log(f"report: skipped figure {number} ({name}): {exc}")
            continue
        except Exception as exc:  # a bug in one figure must not lose the whole report
            reason = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
            skipped.append({"number": number, "name": name, "reason": reason})
            log(f"report: skipped figure {number} ({name}): {reason}")
            continue
        for i, spec in enumerate(output.figures):
            label = number if len(output.figures) == 1 else f"{number}.{i + 1}"
            png = _save_figure(spec, out)  # before the PDF page, which enlarges the figure
            pdf.figure(spec, label)
            produced.append({"number": label, "key": spec.key, "title": spec.title, "what": spec.what,
                             "how": spec.how, "png": png, "png_path": f"figures/{spec.key}.png",
                             "svg_path": f"figures/{spec.key}.svg"})
            spec.fig.clear()
        tables.update(output.tables)
        log(f"report: figure {number} ({name}) done: {len(output.figures)} figure(s), "
            f"{time.perf_counter() - t:.1f}s")
    return produced, skipped, tables


def build_report(root: Path | str, out: Path | str | None = None, *, run_missing: bool = False,
                 channels: list[str] | None = None, map_metric: str = "youth_unemployment_rate",
                 log: Callable[[str], None] = print) -> Path:
    """Build the report for the run or sweep directory ``root``; return the path of report.html.

    Raises ``experiments.collect.ResultsError`` when ``root`` is missing, empty or holds
    no complete run, and :class:`ReportError` on bad options. ``run_missing`` launches
    the channel-off runs the channel decomposition lacks (see ``channel_runs``).
    """
    t0 = time.perf_counter()
    root = Path(root)
    if map_metric not in UNITS:
        raise ReportError(f"--map-metric={map_metric!r}: one of {', '.join(UNITS)}")
    if channels:
        bad = [c for c in channels if c not in CHANNELS]
        if bad:
            raise ReportError(f"--channels={bad[0]!r}: one of {', '.join(CHANNELS)}")
    log(f"report: reading results in {root}")
    res = load(root)
    launched = 0
    if run_missing:
        res, launched = channel_runs.launch(res, channels, log)
    log(f"report: {len(res.runs)} run(s), scenarios: {', '.join(res.scenarios)}")
    out = Path(out) if out else root / "report"
    (out / "figures").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    _clean(out)

    summary = summary_table(res)
    shown = summary_display(summary)
    tables = {"summary": summary, "runs": runs_table(res)}
    findings = key_findings(res, summary)
    method_text = methods(res, launched)
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"Results: {root.resolve()} · {len(res.runs)} run(s) · generated {created}"

    built: dict = {}

    def write_pdf(tmp_pdf: str) -> None:
        """The PDF is written page by page while the figures are built (each figure is one page)."""
        with matplotlib.rc_context(RC), PdfReport(Path(tmp_pdf), TITLE) as pdf:
            pdf.text(TITLE, [("Key findings", findings)], subtitle=subtitle)
            pdf.table("Summary table", shown)
            built["produced"], built["skipped"], figure_tables = _figures(res, builders(map_metric), pdf, out, log)
            tables.update(figure_tables)
            skip_text = [f"Figure {s['number']} ({s['name']}): {s['reason']}" for s in built["skipped"]]
            pdf.text("Methods", method_text + ([("Figures not produced", skip_text)] if skip_text else []))
            built["pages"] = pdf.pages

    atomic_write(out / "report.pdf", write_pdf)
    produced, skipped, pages = built["produced"], built["skipped"], built["pages"]

    for name, df in tables.items():
        atomic_write_bytes(out / "tables" / f"{name}.csv", df.to_csv(index=False).encode())
    log(f"report: wrote {len(tables)} table(s) and report.pdf ({pages} pages)")
    page = html.render(title=TITLE, subtitle=subtitle, findings=findings, summary_display=shown,
                       figures=produced, skipped=skipped, tables=tables, methods=method_text)
    atomic_write_bytes(out / "report.html", page.encode("utf-8"))
    atomic_write_json(out / "report.json", {
        "root": str(root.resolve()), "created": created, "runs": len(res.runs), "scenarios": res.scenarios,
        "figures": [{k: v for k, v in f.items() if k != "png"} for f in produced], "skipped": skipped,
        "tables": [f"tables/{n}.csv" for n in tables], "pdf_pages": pages, "launched_runs": launched,
        "seconds": round(time.perf_counter() - t0, 1),
    })
    log(f"report: done in {time.perf_counter() - t0:.1f}s")
    return out / "report.html"

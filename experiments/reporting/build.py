"""Build the report: read results, draw every figure the results support, write HTML, PDF, PNG/SVG and CSV.

Output (``<DIR>/report/`` unless told otherwise)::

    report.html   self-contained (figures as base64 PNG, tables inline, no scripts)
    report.pdf    the same page printed by headless Chromium (one layout; A4 pages)
    report.json   findings, what was produced and what was skipped, and why
    figures/      <key>.png (150 dpi) and <key>.svg
    tables/       <name>.csv
    .report-files.json   the files this report wrote, with their SHA-256 (a rerun replaces only its own files, and
                         only while they are as it wrote them)

The report never deletes or overwrites a file it did not write: every target path is checked against
``.report-files.json`` of the previous report in the same folder before anything is written.
"""

from __future__ import annotations

import io
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

from experiments.rundir import atomic_write_bytes, atomic_write_json, sha256
from sim.config import CHANNELS
from sim.indicators import UNITS

from . import channel_runs, html
from .analysis import AnalysisError, ensemble_findings, load_analysis
from .analysis import builders as analysis_builders
from .data import Results, load, structures
from .effects import compare
from .figures import Skip, builders
from .figures.common import RC
from .methods import key_findings, methods
from .page_one import page_one
from .palette import scenario_styles
from .tables import TABLE_DESCRIPTIONS, runs_table, summary_display, summary_table

DPI = 150
TITLE = "Pakistan–Iran border closure: scenario report"
OWN = ".report-files.json"
PAGE = "A4"


class ReportError(ValueError):
    """Bad input to the report (e.g. an unknown map metric), or an output folder holding files the report did not
    write; the message is one line."""


def _figures(res: Results, figure_builders: list, log: Callable[[str], None]):
    """Draw every figure the results support, in memory.

    Returns (produced figures with their PNG and SVG bytes, skipped figures with reasons, the figures' tables).
    """
    styles = scenario_styles(res.scenarios)
    produced, skipped, tables = [], [], {}
    for number, name, build in figure_builders:
        t = time.perf_counter()
        log(f"report: figure {number} ({name}) ...")
        try:
            with matplotlib.rc_context(RC):
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
            with matplotlib.rc_context(RC):
                png, svg = io.BytesIO(), io.BytesIO()
                spec.fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
                spec.fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
            produced.append({"number": label, "key": spec.key, "title": spec.title, "what": spec.what,
                             "how": spec.how, "png": png.getvalue(), "svg": svg.getvalue(),
                             "png_path": f"figures/{spec.key}.png", "svg_path": f"figures/{spec.key}.svg"})
            spec.fig.clear()
        tables.update(output.tables)
        log(f"report: figure {number} ({name}) done: {len(output.figures)} figure(s), "
            f"{time.perf_counter() - t:.1f}s")
    return produced, skipped, tables


def chromium() -> str:
    """Path of Debian's chromium (``scripts/ensure-chromium`` installs it)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        raise ReportError("chromium not found: the PDF is the HTML printed by headless Chromium; install Debian's "
                          "chromium package (scripts/ensure-chromium)")
    return path


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 180) -> int:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (atomically); return the page count."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
               "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
               f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html_path.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
                last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                raise ReportError(f"chromium could not print the PDF: {last}")
            pages = len(PdfReader(str(tmp)).pages)
            os.replace(tmp, pdf_path)
        except subprocess.TimeoutExpired:
            raise ReportError(f"chromium did not print the PDF within {timeout:.0f}s") from None
        finally:
            tmp.unlink(missing_ok=True)
    return pages


FIXED = ("report.html", "report.pdf", "report.json")
OWNED_PATTERN = re.compile(  # every name a report writes (figures: fig<N>_..., analysis_...)
    r"(report\.(html|pdf|json)|figures/(fig|analysis_)[\w.-]+\.(png|svg)|tables/[\w.-]+\.csv)")


def _sha256(path: Path) -> str | None:
    """The SHA-256 of a plain file (:func:`experiments.rundir.sha256`); None for a link, a folder or no file."""
    try:
        return sha256(path) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _previous_files(out: Path) -> dict[str, str]:
    """The files the previous report in ``out`` wrote and that are still as it wrote them: the entries of its
    ``.report-files.json`` (name -> SHA-256) whose name is one a report writes (report.*, figures/fig*.png|svg,
    tables/<name>.csv: never an absolute path, ``..`` or a user's file) and whose content still has that
    checksum. A file someone replaced or edited is theirs; a symlink or unreadable record owns nothing; another
    report's ``report.json`` proves nothing."""
    record = out / OWN
    if record.is_symlink():
        return {}
    try:
        files = json.loads(record.read_text()).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    if isinstance(files, list):  # a record from before checksums: its names (a rerun writes checksums)
        digests = {f: _sha256(out / f) for f in files if isinstance(f, str) and OWNED_PATTERN.fullmatch(f)}
        return {f: d for f, d in digests.items() if d}
    if not isinstance(files, dict):
        return {}
    out_files = {}
    for f, h in files.items():  # h: the checksum, or [old, new] while a report was writing
        if isinstance(f, str) and OWNED_PATTERN.fullmatch(f) and (digest := _sha256(out / f)):
            if digest == h or (isinstance(h, list) and digest in h):
                out_files[f] = digest
    return out_files


def check_out(out: Path) -> dict[str, str]:
    """Before anything is read or drawn: raise ReportError if ``out`` (or its figures/ or tables/) is not a plain
    folder, or holds a file with a name the report writes that the previous report there did not write; return
    the previous report's files."""
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out}: exists and is not a folder")
    for sub in (out, out / "figures", out / "tables"):
        if sub.is_symlink():
            raise ReportError(f"--out {out}: {sub.name} is a symbolic link; the report writes only into plain "
                              "folders (nothing was written)")
    own = _previous_files(out)
    names = [*FIXED, *(f"tables/{t}.csv" for t in TABLE_DESCRIPTIONS)]
    present = [rel for rel in names if (out / rel).exists() or (out / rel).is_symlink()]
    if (out / "figures").is_dir():
        present += [f"figures/{p.name}" for p in sorted((out / "figures").iterdir())
                    if OWNED_PATTERN.fullmatch(f"figures/{p.name}")]
    for rel in present:
        if rel not in own:
            raise ReportError(f"--out {out}: {rel} exists and was not written by a report; choose an empty or new "
                              "output folder (nothing was written)")
    return own


def check_targets(out: Path, targets: list[str]) -> dict[str, str]:
    """Raise ReportError if a target exists and the previous report here did not write it; return the previous
    report's files (to remove those this report no longer writes)."""
    own = check_out(out)
    for rel in targets:
        p = out / rel
        if (p.exists() or p.is_symlink()) and rel not in own:
            raise ReportError(f"--out {out}: {rel} exists and was not written by a report; choose an empty or new "
                              "output folder (nothing was written)")
    return own


def build_report(root: Path | str, out: Path | str | None = None, *, run_missing: bool = False,
                 channels: list[str] | None = None, map_metric: str = "youth_unemployment_rate",
                 setting: int | None = None, analyses: list[Path | str] = (),
                 log: Callable[[str], None] = print) -> Path:
    """Build the report for the run or sweep directory ``root``; return the path of report.html.

    Raises ``experiments.rundir.ResultsError`` when ``root`` is missing, empty, holds no complete run, or mixes
    runs that cannot be compared (unless ``setting`` picks one), and :class:`ReportError` on bad options or an
    output folder holding files the report did not write. ``run_missing`` launches the channel-off runs the
    channel decomposition lacks (see ``channel_runs``). ``analyses``: analysis directories
    (``python -m experiments.analyze``) whose sensitivity, discovery and ensemble sections the report adds.
    """
    t0 = time.perf_counter()
    root = Path(root)
    if map_metric not in UNITS:
        raise ReportError(f"--map-metric={map_metric!r}: one of {', '.join(UNITS)}")
    if channels:
        bad = [c for c in channels if c not in CHANNELS]
        if bad:
            raise ReportError(f"--channels={bad[0]!r}: one of {', '.join(CHANNELS)}")
    out = Path(out) if out else root / "report"
    check_out(out)  # before anything is read or drawn
    try:
        studies = [load_analysis(a) for a in analyses]
    except AnalysisError as exc:
        raise ReportError(str(exc)) from None
    log(f"report: reading results in {root}")
    res = load(root, setting)
    launched = 0
    if run_missing:
        res, launched = channel_runs.launch(res, channels, log, setting)
    log(f"report: {len(res.runs)} run(s), scenarios: {', '.join(res.scenarios)}")
    t = time.perf_counter()
    alternatives = structures(res)  # never pooled: the figures and tables read the first (the defaults)
    for alt in alternatives:
        alt.comparisons = compare(alt)
    res = alternatives[0]
    if len(alternatives) > 1:
        others = sum(len(a.runs) for a in alternatives[1:])
        res.setting_note = " ".join(part for part in (res.setting_note, (
            f"The figures and tables use the {len(res.runs)} runs under "
            f"{', '.join(f'{k}={v}' for k, v in res.choices.items())}; the {others} runs under the other structural "
            f"choices ({'; '.join(', '.join(a.choices.values()) for a in alternatives[1:])}) are compared on page 1 "
            "only, never pooled with them.")) if part)
    log(f"report: {len(res.comparisons.pairs)} paired comparison(s) at fixed horizons"
        + (f", and under {len(alternatives) - 1} other structural choice(s)" if len(alternatives) > 1 else "")
        + f", {time.perf_counter() - t:.1f}s")

    summary = summary_table(res)
    shown = summary_display(summary)
    tables = {"summary": summary, "runs": runs_table(res)}
    produced, skipped, figure_tables = _figures(res, builders(map_metric), log)
    tables.update(figure_tables)
    if "findings" not in tables:
        from .figures.headline import findings_table
        tables["findings"] = findings_table(res)
    study_figures, study_skipped, study_tables = _figures(res, analysis_builders(studies), log) if studies else ([], [], {})
    tables.update(study_tables)
    across_space = ensemble_findings(studies)
    first = page_one(res, alternatives, studies)
    findings_text = key_findings(res, summary, tables.get("mitigation_costs"), across_space)
    method_text = methods(res, launched)
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"Results: {root.resolve()} · {len(res.runs)} run(s) · generated {created}"
    if len(alternatives) > 1:
        subtitle += (f" · figures and tables: {', '.join(f'{k}={v}' for k, v in res.choices.items())} "
                     f"({len(res.runs)} of {sum(len(a.runs) for a in alternatives)} runs)")
    page = html.render(title=TITLE, subtitle=subtitle, page_one=first, findings=findings_text, summary_display=shown,
                       figures=produced, skipped=skipped + study_skipped, tables=tables, methods=method_text,
                       findings_table=tables.get("findings"), analysis_figures=study_figures,
                       analyses=[a.describe() for a in studies])
    produced = produced + study_figures

    files = (["report.html", "report.pdf", "report.json"] + [f["png_path"] for f in produced]
             + [f["svg_path"] for f in produced] + [f"tables/{n}.csv" for n in tables])
    previous = check_targets(out, files)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    for stale in sorted(set(previous) - set(files)):  # written by the previous report, not by this one
        (out / stale).unlink()
    content = {f["png_path"]: f["png"] for f in produced} | {f["svg_path"]: f["svg"] for f in produced}
    content |= {f"tables/{name}.csv": df.to_csv(index=False).encode() for name, df in tables.items()}
    content["report.html"] = page.encode("utf-8")
    owned = {rel: hashlib.sha256(data).hexdigest() for rel, data in content.items()}
    owned |= {rel: previous[rel] for rel in ("report.pdf", "report.json") if rel in previous}
    # before the files, the old and the new checksum of each: a rerun after a kill here still owns every file
    atomic_write_json(out / OWN, {"files": {rel: sorted({h, previous.get(rel) or h}) for rel, h in owned.items()}})
    for rel, data in content.items():
        atomic_write_bytes(out / rel, data)
    atomic_write_json(out / OWN, {"files": owned})
    log(f"report: wrote {len(produced)} figure(s), {len(tables)} table(s) and report.html; printing the PDF ...")
    t = time.perf_counter()
    pages = print_pdf(out / "report.html", out / "report.pdf")
    log(f"report: report.pdf ({pages} {PAGE} pages, printed by chromium in {time.perf_counter() - t:.1f}s)")
    owned["report.pdf"] = _sha256(out / "report.pdf")
    atomic_write_json(out / OWN, {"files": owned})
    record = {
        "root": str(root.resolve()), "created": created, "runs": len(res.runs), "scenarios": res.scenarios,
        "compared_to": res.compare_to, "setting": {k: str(v) for k, v in res.setting.items()},
        "structural_choices": res.choices, "page_one": first.record(),
        "findings": res.comparisons.findings, "key_findings": findings_text,
        "figures": [{k: v for k, v in f.items() if k not in ("png", "svg")} for f in produced],
        "skipped": skipped + study_skipped, "analyses": [str(a.root.resolve()) for a in studies],
        "tables": [f"tables/{n}.csv" for n in tables], "pdf_pages": pages, "pdf_page_size": PAGE,
        "launched_runs": launched, "seconds": round(time.perf_counter() - t0, 1),
    }
    atomic_write_json(out / "report.json", record)
    owned["report.json"] = _sha256(out / "report.json")
    atomic_write_json(out / OWN, {"files": owned})
    log(f"report: done in {time.perf_counter() - t0:.1f}s")
    return out / "report.html"

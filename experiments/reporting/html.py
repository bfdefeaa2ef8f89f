"""The self-contained HTML report: figures embedded as base64 PNG, tables inline, no scripts."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import pandas as pd

from .tables import SUMMARY_NOTE, TABLE_DESCRIPTIONS

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:1180px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
.meta{color:#555;font-size:.9em}nav ol{columns:2}figure{margin:2em 0;padding:1em;border:1px solid #e3e3e3;
border-radius:6px}figure img{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:.95em;margin-top:.6em}table{border-collapse:collapse;font-size:.82em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}.scroll{overflow-x:auto}.note{color:#555;font-size:.9em}
.skipped li{margin:.3em 0}.findings li{margin:.5em 0}
.effects td:nth-child(2),.effects th:nth-child(2){text-align:left}
#answer .answers li{margin:.35em 0}#answer table{font-size:.85em}#answer h3{margin:.8em 0 .2em}
.cover li{margin:.2em 0}.csv td{text-align:left}.csv td:nth-child(-n+2),.csv th{white-space:nowrap}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}nav{display:none}
h2{break-after:avoid}h3{break-after:avoid}figure{break-inside:avoid;border:none;padding:0;margin:1em 0}
figure img{max-height:200mm;width:auto;max-width:100%}.scroll{overflow:visible}
table{font-size:6.5pt;width:100%;table-layout:auto}td,th{word-break:break-word;padding:1px 3px}
a{color:inherit;text-decoration:none}#answer{break-after:page;font-size:8.5pt}#answer table{font-size:7pt}#answer td{white-space:nowrap}#answer p.note{margin:.3em 0}#answer h2{margin-top:.6em}
.effects table{font-size:7pt}}
"""
MAX_ROWS = 60  # a formatted table longer than this is cut (its CSV file holds every row)


def _table_html(df: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    """A table of text cells that the report formatted itself (never a raw data frame)."""
    shown = df.head(max_rows)
    body = shown.to_html(index=False, border=0, na_rep="–", escape=True)
    note = (f'<p class="note">Showing {max_rows} of {len(df)} rows; the CSV file has all of them.</p>'
            if len(df) > max_rows else "")
    return f'<div class="scroll">{body}</div>{note}'


def _page_one_html(p) -> str:
    """Page 1 (:mod:`.page_one`): the answer, the structural choices with the answer under each, and what the
    intervals cover."""
    parts = ['<section id="answer"><h2>The answer, and what it rests on</h2>'
             f'<p class="note">{escape(p.scope)} Numbers: mean over paired runs (90% t-interval).</p>'
             '<ul class="answers">']
    for comparison, sentences in p.answers:
        parts.append(f"<li><strong>{escape(comparison)}.</strong> " + " ".join(escape(s) for s in sentences) + "</li>")
    parts.append("</ul>" if p.answers else "<li>No paired comparison.</li></ul>")
    parts.append("<h3>Structural choices</h3><p>The answer rests on model structures that no data pin down; the "
                 "table gives the recruitment effect under each one run (same seeds):</p><ul>"
                 + "".join(f"<li>{escape(c)}</li>" for c in p.choices) + "</ul>")
    parts.append('<p class="note">Effect on cumulative recruits and on members at each horizon: mean over pairs '
                 '(90% t-interval), full-population equivalents.</p>')
    for comparison, table, note in p.tables:
        parts.append(f'<p class="note"><strong>{escape(comparison)}</strong>{": " + escape(note) if note else ""}</p>'
                     + _table_html(table))
    if p.missing_alternatives:
        parts.append(f'<p class="note">{escape(p.missing_alternatives)}</p>')
    parts.append('<h3>What the intervals cover</h3><ul class="cover">'
                 + "".join(f"<li>{escape(c)}</li>" for c in p.coverage) + "</ul></section>\n")
    return "".join(parts)


ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def _linked(text: str) -> str:
    """Escaped text with docs/ODD.md as a link to the model description."""
    out = escape(text)
    return out.replace("docs/ODD.md", f'<a href="{ODD_PATH.as_uri()}">docs/ODD.md</a>')


def effects_display(findings: pd.DataFrame | None) -> pd.DataFrame:
    """The findings as a reader's table: one row per comparison and outcome, one column per horizon, cells
    'mean [90% interval]', marked "~0" when the interval includes zero and "(few)" below the minimum of pairs."""
    if findings is None or findings.empty:
        return pd.DataFrame()
    from experiments.outcomes import BY_KEY, HORIZON_LABELS, MIN_PAIRS
    from .tables import fmt_interval

    f = findings.copy()
    f["cell"] = [(fmt_interval(m, lo, hi, BY_KEY[o].decimals) + ("" if not (lo <= 0 <= hi) else " ~0")
                  if pd.notna(lo) else fmt_interval(m, m, m, BY_KEY[o].decimals)) + (" (few)" if n < MIN_PAIRS else "")
                 for m, lo, hi, o, n in zip(f["mean"], f["ci_low"], f["ci_high"], f["outcome"], f["n_pairs"])]
    f["Comparison"] = f["scenario_variant"] + " − " + f["compared_to"]
    f["Outcome"] = [BY_KEY[o].label + f" ({BY_KEY[o].unit})" for o in f["outcome"]]
    f["n"] = f.groupby(["Comparison", "Outcome"], sort=False)["n_pairs"].transform("min").astype(str)
    order = [h for h in HORIZON_LABELS if h in set(f["horizon"])]
    wide = f.pivot_table(index=["Comparison", "Outcome", "n"], columns="horizon", values="cell",
                         aggfunc="first", sort=False)
    wide = wide.reindex(columns=order).fillna("").reset_index()
    wide.columns.name = None
    wide["Comparison"] = wide["Comparison"].where(wide["Comparison"] != wide["Comparison"].shift(), "")  # once each
    return wide


def _figure_html(f: dict) -> str:
    png = base64.b64encode(f["png"]).decode("ascii")
    return (f'<figure id="{escape(f["key"])}"><h3>Figure {escape(f["number"])}. {escape(f["title"])}</h3>'
            f'<img src="data:image/png;base64,{png}" alt="{escape(f["title"])}: {escape(f["what"])}">'
            f'<figcaption><p><strong>What this shows.</strong> {escape(f["what"])}</p>'
            f'<p><strong>How to read it.</strong> {escape(f["how"])}</p>'
            f'<p class="note">Files: <a href="{escape(f["png_path"])}">{escape(f["png_path"])}</a> · '
            f'<a href="{escape(f["svg_path"])}">{escape(f["svg_path"])}</a></p></figcaption></figure>\n')


ANALYSIS_NOTE = ("What drives the answer across the uncertainty space (docs/analysis.md): which assumptions move "
                 "the closure's effect (sensitivity), in which region of the space it raises or lowers recruitment "
                 "(scenario discovery), and how often each effect is positive (the ensemble). Each comes from an "
                 "analysis directory given with --analysis; its design is in every caption.")


def render(*, title: str, subtitle: str, page_one, findings: list[str], summary_display: list[pd.DataFrame],
           figures: list[dict], skipped: list[dict], tables: dict[str, pd.DataFrame], methods: list[tuple[str, list[str]]],
           findings_table: pd.DataFrame | None = None, analysis_figures: list[dict] = (),
           analyses: list[str] = ()) -> str:
    """The whole page. ``page_one``: a :class:`.page_one.PageOne`; ``figures`` and ``analysis_figures``: dicts with
    number, key, title, what, how, png (bytes), png_path, svg_path; ``tables``: the CSV files written (listed, not
    shown); ``analyses``: one line describing each analysis directory."""
    from experiments.outcomes import MIN_PAIRS

    parts = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             f"<title>{escape(title)}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{CSS}</style>\n</head>\n"
             f"<body>\n<header><h1>{escape(title)}</h1><p class=\"meta\">{escape(subtitle)}</p></header>\n"]
    parts.append(_page_one_html(page_one))
    toc = [("answer", "The answer, and what it rests on"), ("effects", "Effects at fixed horizons"),
           ("findings", "Findings in detail"), ("summary", "Levels per scenario"), ("figures", "Figures")]
    toc += [("analysis", "Across the uncertainty space")] if analyses else []
    toc += [("skipped", "Figures not produced")] if skipped else []
    toc += [("tables", "Data files"), ("methods", "Methods")]
    parts.append("<nav><ol>" + "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in toc) + "</ol></nav>\n")
    effects = effects_display(findings_table)
    parts.append('<section id="effects"><h2>Effects at fixed horizons</h2><p class="note">Paired effect (scenario '
                 'minus the scenario it is compared with, same seed): mean over pairs [90% t-interval]; counts are '
                 'full-population equivalents. "~0" marks an interval that includes zero (not detectable); '
                 f'"(few)" an effect on fewer than {MIN_PAIRS} pairs, too few to tell; n: pairs. Horizons: the closure\'s last '
                 'restricted day, 6 months and 1 year after it, the end of the run. '
                 '<a href="tables/findings.csv">findings.csv</a></p>'
                 + ('<div class="effects">' + _table_html(effects, 120) + "</div>" if len(effects) else
                    "<p>No paired comparison.</p>") + "</section>\n")
    parts.append('<section id="findings"><h2>Findings in detail</h2><ul class="findings">'
                 + "".join(f"<li>{escape(f)}</li>" for f in findings) + "</ul></section>\n")
    parts.append('<section id="summary"><h2>Levels per scenario</h2>'
                 f'<p class="note">{escape(SUMMARY_NOTE)} <a href="tables/summary.csv">summary.csv</a></p>'
                 + "".join(_table_html(t) for t in summary_display) + "</section>\n")
    parts.append('<section id="figures"><h2>Figures</h2>\n')
    parts += [_figure_html(f) for f in figures]
    parts.append("</section>\n")
    if analyses:
        parts.append('<section id="analysis"><h2>Across the uncertainty space</h2>'
                     f'<p class="note">{_linked(ANALYSIS_NOTE)}</p><ul>'
                     + "".join(f"<li>{escape(a)}</li>" for a in analyses) + "</ul>\n")
        parts += [_figure_html(f) for f in analysis_figures]
        parts.append("</section>\n")
    if skipped:
        parts.append('<section id="skipped"><h2>Figures not produced</h2><ul class="skipped">'
                     + "".join(f"<li>Figure {escape(s['number'])} ({escape(s['name'])}): {escape(s['reason'])}</li>"
                               for s in skipped) + "</ul></section>\n")
    parts.append('<section id="tables"><h2>Data files</h2><p class="note">Every table behind the report, as CSV '
                 '(tidy: one row per observation; shares as fractions, counts as full-population equivalents), '
                 'next to this report in tables/.</p><table class="csv"><tr><th>File</th><th>Rows</th>'
                 '<th>What it holds</th></tr>')
    for name, df in tables.items():
        parts.append(f'<tr><td><a href="tables/{escape(name)}.csv">tables/{escape(name)}.csv</a></td>'
                     f'<td>{len(df):,}</td><td>{escape(TABLE_DESCRIPTIONS.get(name, ""))}</td></tr>')
    parts.append("</table></section>\n")
    parts.append('<section id="methods"><h2>Methods</h2>\n')
    for heading, paragraphs in methods:
        parts.append(f"<h3>{escape(heading)}</h3>")
        tag = "li" if heading == "Scenarios" else "p"
        items = "".join(f"<{tag}>{_linked(p)}</{tag}>" for p in paragraphs)
        parts.append(f"<ul>{items}</ul>" if tag == "li" else items)
    parts.append("</section>\n</body>\n</html>\n")
    return "".join(parts)

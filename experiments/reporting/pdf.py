"""The PDF: a title page with the key findings, the summary table, one page per figure with its caption,
and the methods text. Built with matplotlib's PdfPages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .figures import FigureSpec
from .tables import SUMMARY_NOTE

PAGE = (11.69, 8.27)  # A4 landscape, inches
MARGIN = 0.7
LINE = 0.2  # inches per 9-pt line
WRAP = 150  # characters per line on a landscape page at 9 pt


class PdfReport:
    """Append pages to a PDF; use as a context manager."""

    def __init__(self, path: Path, title: str):
        self._pdf = PdfPages(path, metadata={"Title": title, "Creator": "experiments.report",
                                             "CreationDate": None})
        self.pages = 0

    def __enter__(self) -> "PdfReport":
        return self

    def __exit__(self, *exc) -> None:
        self._pdf.close()

    def _save(self, fig: Figure) -> None:
        self._pdf.savefig(fig)
        self.pages += 1

    def text(self, title: str | None, blocks: list[tuple[str | None, list[str]]], subtitle: str = "") -> None:
        """Flowing text: optional page title, then (heading, paragraphs) blocks; new pages as needed."""
        fig, y = self._text_page(title, subtitle)
        for heading, paragraphs in blocks:
            items = ([("h", heading)] if heading else []) + [("p", p) for p in paragraphs]
            for kind, text in items:
                lines = [text] if kind == "h" else textwrap.wrap(text, WRAP, subsequent_indent="   ")
                need = LINE * (len(lines) + 0.6)
                if y - need < MARGIN:
                    self._save(fig)
                    fig, y = self._text_page(None, "")
                for line in lines:
                    fig.text(MARGIN / PAGE[0], y / PAGE[1], line, fontsize=11 if kind == "h" else 9,
                             fontweight="bold" if kind == "h" else "normal", va="top")
                    y -= LINE * (1.3 if kind == "h" else 1.0)
                y -= LINE * 0.5
        self._save(fig)

    def _text_page(self, title: str | None, subtitle: str) -> tuple[Figure, float]:
        fig = Figure(figsize=PAGE)
        y = PAGE[1] - MARGIN
        if title:
            fig.text(MARGIN / PAGE[0], y / PAGE[1], title, fontsize=18, fontweight="bold", va="top")
            y -= 0.5
        if subtitle:
            fig.text(MARGIN / PAGE[0], y / PAGE[1], subtitle, fontsize=9, color="#444444", va="top")
            y -= 0.4
        return fig, y

    def table(self, title: str, display: pd.DataFrame, per_page: int = 5) -> None:
        """A text table with scenarios as columns (``per_page`` per page) and metrics as rows."""
        if display.empty:
            self.text(title, [(None, ["No run with every channel switched on: nothing to summarise."])])
            return
        t = display.set_index("Scenario").T
        for start in range(0, max(len(t.columns), 1), per_page):
            part = t.iloc[:, start:start + per_page]
            fig = Figure(figsize=PAGE)
            fig.text(MARGIN / PAGE[0], 1 - MARGIN / PAGE[1], title, fontsize=14, fontweight="bold", va="top")
            ax = fig.add_axes((0.30, 0.08, 0.67, 0.78))
            ax.axis("off")
            cells = [[c.replace(" [", "\n[") for c in row] for row in part.to_numpy()]
            rows = [textwrap.fill(r, 42) for r in part.index]
            tab = ax.table(cellText=cells, rowLabels=rows, colLabels=list(part.columns), loc="upper center",
                           cellLoc="center")
            tab.auto_set_font_size(False)
            tab.set_fontsize(7.5)
            tab.scale(1, 2.6)
            fig.text(MARGIN / PAGE[0], 0.04, SUMMARY_NOTE, fontsize=8, color="#444444")
            self._save(fig)

    def figure(self, spec: FigureSpec, number: str) -> None:
        """The figure on its own page with its caption below (the figure is enlarged to make room)."""
        fig = spec.fig
        w, h = fig.get_size_inches()
        chars = int(w * 15)
        text = (f"Figure {number}. {spec.title}.\nWhat this shows: {spec.what}\nHow to read it: {spec.how}")
        lines = [ln for para in text.split("\n") for ln in (textwrap.wrap(para, chars) or [""])]
        extra = 0.17 * len(lines) + 0.3
        fig.set_size_inches(w, h + extra)
        rect = (0, extra / (h + extra), 1, h / (h + extra))
        fig.get_layout_engine().set(rect=rect)
        # lay out once (space for the figure legend is reserved inside rect), freeze it, then move the
        # figure legend from the page bottom into that space, above the caption
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        for legend in fig.legends:
            legend.set_bbox_to_anchor(rect, transform=fig.transFigure)
        fig.text(0.02, (extra - 0.12) / (h + extra), "\n".join(lines), fontsize=8, va="top", ha="left")
        self._save(fig)

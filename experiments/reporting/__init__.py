"""Report builder for results directories: figures, tables, HTML and PDF (see docs/reports.md)."""

from .build import ReportError, build_report

__all__ = ["ReportError", "build_report"]

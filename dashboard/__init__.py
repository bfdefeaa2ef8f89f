"""Interactive dashboard: a closure scenario and its same-seed baseline, stepping together in the browser
(Mesa's ModelController and Solara). Run ``python -m dashboard`` or ``solara run dashboard/app.py``;
see ``docs/dashboard.md``."""

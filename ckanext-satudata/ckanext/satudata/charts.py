"""Charts of the public pages: numbers as the chart module and its table show them.

The drawing is done in the browser by Apache ECharts (assets/js/chart.js, the
`satudata-chart` module); templates build a figure with
`templates/satudata_chart/macros.html`, which puts the numbers in the page as JSON
and as a table. This module only formats the table's numbers.
"""
from __future__ import annotations

from flask_babel import format_decimal


def format_number(value: float | int) -> str:
    """A number in the current locale, at most two decimals (1.234,5 in `id`)."""
    return format_decimal(round(float(value), 2) if isinstance(value, float) else value,
                          format="#,##0.##")

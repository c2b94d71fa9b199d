"""Charts of the PDF, drawn on the server as plain SVG (no script): horizontal bars
for a figure per OPD, grouped columns for figures per month."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#0f4c75", "#f6b31b", "#3282b8", "#bbe1fa", "#1b262c", "#e76f51")
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _number(value: float) -> str:
    """1.234,5 (Indonesian separators)."""
    text = f"{value:,.1f}" if isinstance(value, float) and value % 1 else f"{int(value):,}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _short(label: str, length: int = 34) -> str:
    return label if len(label) <= length else label[:length - 1] + "…"


def bars(items: Sequence[tuple[str, float | None]], unit: str = "",
         maximum: float | None = None, width: int = 640) -> str:
    """One horizontal bar per (label, value); a missing value shows as "–"."""
    row, label_w, pad = 20, 230, 60
    height = max(row * len(items), row) + 8
    top = maximum or max([v or 0 for _, v in items] + [1])
    span = width - label_w - pad
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="10" '
                     f'{FONT}>{escape(_short(label))}</text>')
        length = 0 if not value else max(1.0, span * min(float(value), top) / top)
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{length:.1f}" height="{row - 6}" '
                     f'fill="{COLOURS[0]}"/>')
        shown = "–" if value is None else _number(value) + unit
        parts.append(f'<text x="{label_w + length + 4:.1f}" y="{y + 13}" font-size="10" '
                     f'{FONT}>{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
            width: int = 640, height: int = 200) -> str:
    """Grouped columns: one group per category, one column per series, with a legend."""
    left, bottom, top_pad, legend = 50, 24, 10, 18
    plot_h = height - bottom - top_pad - legend
    top = max([v for _, values in series for v in values] + [1])
    group = (width - left - 10) / max(len(categories), 1)
    col = group * 0.8 / max(len(series), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    base = top_pad + legend + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" '
                 'stroke="#888" stroke-width="0.5"/>')
    parts.append(f'<text x="{left - 4}" y="{top_pad + legend + 8}" text-anchor="end" '
                 f'font-size="9" {FONT}>{escape(_number(top))}</text>')
    for s, (name, _) in enumerate(series):
        x = left + s * 130
        parts.append(f'<rect x="{x}" y="{top_pad - 2}" width="10" height="10" '
                     f'fill="{COLOURS[s % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{top_pad + 7}" font-size="10" {FONT}>'
                     f'{escape(name)}</text>')
    for c, category in enumerate(categories):
        gx = left + c * group + group * 0.1
        for s, (_, values) in enumerate(series):
            value = values[c]
            h = plot_h * value / top
            parts.append(f'<rect x="{gx + s * col:.1f}" y="{base - h:.1f}" width="{col:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"/>')
            if value:
                parts.append(f'<text x="{gx + s * col + col / 2:.1f}" y="{base - h - 2:.1f}" '
                             f'text-anchor="middle" font-size="8" {FONT}>'
                             f'{escape(_number(value))}</text>')
        parts.append(f'<text x="{gx + group * 0.4:.1f}" y="{base + 14}" text-anchor="middle" '
                     f'font-size="9" {FONT}>{escape(category)}</text>')
    parts.append("</svg>")
    return "".join(parts)

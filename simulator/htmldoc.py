"""Self-contained HTML pages with inline SVG charts, shared by the debrief export and the report.

The pages must open in any browser with no network, and trainee text may hold
anything (`<script>`, emoji, right-to-left scripts), so every text goes through
`esc`, text blocks carry `dir="auto"`, and the markup is kept XML-well-formed
(every element closed, attributes quoted, no named entities but XML's own) so
a test can parse it strictly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; color: #1d232a; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.sub { color: #5b6670; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8rem 0 1.4rem; }
th, td { border: 1px solid #ccd3da; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #eef2f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.turn { border-left: 4px solid #ccd3da; padding: 0.2rem 0 0.2rem 0.9rem; margin: 1rem 0; }
.who { font-weight: 600; }
.grade { color: #38424c; font-size: 0.92rem; }
.tip { background: #fff7dd; padding: 0.3rem 0.6rem; }
.warn { background: #fde8e8; border: 1px solid #e0a0a0; padding: 0.5rem 0.8rem; }
.pass { color: #196c2e; font-weight: 600; }
.fail { color: #a3261d; font-weight: 600; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; font-size: 11px; fill: #38424c; }
footer { color: #5b6670; font-size: 0.85rem; margin-top: 2rem; }
"""

COLOURS = ("#2a6fdb", "#d9822b", "#2e9e5b", "#a33ea1", "#b33939", "#5b6670")


def esc(value: object) -> str:
    """Text for an element or attribute: escaped, never markup."""
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, lang: str = "en") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool] = ()) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="num"' if i < len(numeric) and numeric[i] else ""
            cells.append(f'<td{cls} dir="auto">{esc("–" if cell is None else cell)}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>"


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    width: int = 640,
    height: int = 240,
) -> str:
    """A 0-100 line chart as inline SVG, each point labelled with its value."""
    left, right, top, bottom = 36, 16, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(100.0, v)) / 100)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="#e3e8ec" stroke-width="1" />'
        )
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">{esc(label)}</text>'
        )
    for k, (name, values) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" />')
        for px, py, v in points:
            value = f"{v:g}"
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                f"<title>{esc(name)}: {value}</title></circle>"
            )
            parts.append(
                f'<text x="{px:.1f}" y="{py - 7:.1f}" text-anchor="middle" fill="{colour}">{value}</text>'
            )
        legend_x = left + k * 150
        parts.append(f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{colour}" />')
        parts.append(f'<text x="{legend_x + 17}" y="16">{esc(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def local_time(stamp: str | None) -> str:
    """A stored UTC timestamp as the reader's local 'YYYY-MM-DD HH:MM'."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")

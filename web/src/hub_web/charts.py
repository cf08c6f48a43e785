"""Accessible charts drawn on the server as SVG: bars (one or two series side by side) and lines.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (what
it shows and its extremes, in words), so a screen reader announces one image with a summary; the
page puts the same figures in a table beside it, which is the accessible alternative. No script,
no inline styles (the pages' Content-Security-Policy forbids them): presentation attributes only,
colours with at least 3:1 contrast against white, and series told apart by a legend and pattern
(solid or hatched), not by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 44  # room for the axis figures, the legend and the labels
COLOURS = ("#1d4f91", "#b84e00")  # dark blue, dark orange: both over 4.5:1 on white
AXIS = "#505a5f"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no figure for that point (a gap in a line)


def _nice_top(largest: float) -> float:
    """A round top for the value axis, at least the largest value (1, 2, 5 x a power of ten)."""
    if largest <= 0:
        return 1.0
    step = 10 ** (len(str(int(largest))) - 1)
    for factor in (1, 2, 5, 10):
        if largest <= factor * step:
            return float(factor * step)
    return float(10 * step)


def _figure(value: float) -> str:
    return f"{round(value, 2):g}"


def _summary(series: Sequence[Series], labels: Sequence[str], unit: str) -> str:
    """In words: each series' total or range, and where it peaks."""
    parts = []
    for s in series:
        known = [(v, labels[i]) for i, v in enumerate(s.values) if v is not None]
        if not known:
            parts.append(f"{s.name}: no figures")
            continue
        high = max(known, key=lambda p: p[0])
        low = min(known, key=lambda p: p[0])
        parts.append(
            f"{s.name}: highest {_figure(high[0])}{unit} ({high[1]}), lowest {_figure(low[0])}{unit} ({low[1]})"
        )
    span = f"from {labels[0]} to {labels[-1]}" if labels else "no periods"
    return f"{len(labels)} points {span}. " + "; ".join(parts) + "."


def _open(chart_id: str, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        # Hatching for the second series: told apart without colour.
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{COLOURS[1]}" stroke-width="4"/></pattern></defs>',
    ]


def _axes(top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):  # 0, 1/4, 1/2, 3/4, top
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dddddd"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{AXIS}">'
            f"{_figure(value)}{escape(unit)}</text>"
        )
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{AXIS}"/>')
    return parts


def _labels(labels: Sequence[str], slot: float) -> list[str]:
    """Category labels under the axis, thinned so they never overlap (about one per 60 pixels)."""
    every = max(1, round(60 / slot)) if slot else 1
    base = HEIGHT - BOTTOM + 16
    return [
        f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{base}" text-anchor="middle" font-size="12" fill="{AXIS}">'
        f"{escape(label)}</text>"
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def _legend(chart_id: str, series: Sequence[Series], line: bool) -> list[str]:
    parts, x = [], LEFT
    for n, s in enumerate(series):
        fill = COLOURS[0] if n == 0 else f"url(#{chart_id}-hatch)"
        if line:
            parts.append(f'<line x1="{x}" y1="14" x2="{x + 18}" y2="14" stroke="{COLOURS[n]}" stroke-width="3"/>')
        else:
            parts.append(f'<rect x="{x}" y="6" width="16" height="14" fill="{fill}" stroke="{COLOURS[n]}"/>')
        parts.append(f'<text x="{x + 22}" y="18" font-size="13" fill="#0b0c0c">{escape(s.name)}</text>')
        x += 40 + 8 * len(s.name)
    return parts


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = "", note: str = ""
) -> Markup:
    """Vertical bars per label, up to two series side by side (the second hatched)."""
    largest = max((v for s in series for v in s.values if v is not None), default=0)
    top = _nice_top(largest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    parts = _open(chart_id, title, (note + " " if note else "") + _summary(series, labels, unit))
    parts += _axes(top, unit)
    for n, s in enumerate(series):
        fill = COLOURS[0] if n == 0 else f"url(#{chart_id}-hatch)"
        for i, value in enumerate(s.values):
            if not value:
                continue
            h = plot_h * value / top
            x = LEFT + slot * i + slot * 0.1 + bar_w * n
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{fill}" stroke="{COLOURS[n]}" stroke-width="1"/>'
            )
    parts += _labels(labels, slot) + _legend(chart_id, series, line=False)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it was escaped above


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    top: float | None = None,
    note: str = "",
) -> Markup:
    """A line per series with a dot at each figure; a missing figure (None) breaks the line."""
    largest = max((v for s in series for v in s.values if v is not None), default=0)
    top = top or _nice_top(largest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    parts = _open(chart_id, title, (note + " " if note else "") + _summary(series, labels, unit))
    parts += _axes(top, unit)
    for n, s in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * value / top))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS[n]}" stroke-width="3"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[n]}"/>' for x, y in run]
    parts += _labels(labels, slot) + _legend(chart_id, series, line=True)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it was escaped above

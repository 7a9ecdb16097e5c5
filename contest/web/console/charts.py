"""Server-rendered SVG charts (no JavaScript): bars and a line, with accessible titles."""

from __future__ import annotations

from html import escape
from typing import Any

from contest.i18n import DEFAULT_LOCALE
from contest.web.console.messages import text

W, H, PAD_L, PAD_B, PAD_T = 640, 260, 44, 56, 14


def ticks(top: int, most: int = 6) -> list[int]:
    """Distinct whole-number axis ticks from 0 covering `top`, at most `most` of them, with a
    step of 1, 2 or 5 times a power of ten (never "1, 1, 0, 0, 0")."""
    top = max(top, 1)
    step, lead = 1, 1
    while -(-top // step) + 1 > most:
        # 1, 2, 5, 10, 20, 50, ...
        step, lead = (step * 2, 2) if lead == 1 else (step * 5 // 2, 5) if lead == 2 else \
            (step * 2, 1)
    return list(range(0, -(-top // step) * step + 1, step))


def _axis(top: int) -> tuple[str, int]:
    """Grid lines with their labels, and the value at the top of the chart."""
    marks = ticks(top)
    high = marks[-1]
    out = []
    for v in marks:
        y = H - PAD_B - (H - PAD_B - PAD_T) * v / high
        out.append(f'<line x1="{PAD_L}" x2="{W - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ee"/>'
                   f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="#5b6475">{v}</text>')
    return "".join(out), high


def bars(title: str, labels: list[str], values: list[int], color: str = "#9b1c1c") -> str:
    """A vertical bar chart as an SVG string (labels rotated when many)."""
    grid, top = _axis(max([*values, 1]))
    n = max(len(values), 1)
    slot = (W - PAD_L - 6) / n
    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>', grid]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = (H - PAD_B - PAD_T) * v / top
        x = PAD_L + i * slot + slot * 0.15
        y = H - PAD_B - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="{color}"><title>{escape(label)}: {v}</title></rect>')
        lx = x + slot * 0.35
        rotate = f' transform="rotate(-40 {lx:.1f} {H - PAD_B + 14})"' if n > 8 else ""
        parts.append(f'<text x="{lx:.1f}" y="{H - PAD_B + 14}" font-size="10" fill="#1d2433" '
                     f'text-anchor="{"end" if n > 8 else "middle"}"{rotate}>'
                     f'{escape(label[:18])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def lines(title: str, labels: list[str], series: list[tuple[str, list[int], str]]) -> str:
    """A line chart of one or more series over the same labels, as an SVG string; every point
    also gets a dot, so a single hour of activity still shows."""
    grid, top = _axis(max([v for _, vals, _ in series for v in vals] + [1]))
    n = max(len(labels), 1)
    step = (W - PAD_L - 16) / max(n - 1, 1)

    def x(i: int) -> float:
        # one point: in the middle rather than against the axis
        return PAD_L + 8 + (i * step if n > 1 else (W - PAD_L - 16) / 2)

    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>', grid]
    for k, (name, vals, color) in enumerate(series):
        pts = [(x(i), H - PAD_B - (H - PAD_B - PAD_T) * v / top) for i, v in enumerate(vals)]
        if len(pts) > 1:
            parts.append('<polyline points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                         + f'" fill="none" stroke="{color}" stroke-width="2.5"/>')
        if len(pts) <= 48:
            parts += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{color}">'
                      f'<title>{escape(name)} {escape(labels[i])}: {vals[i]}</title></circle>'
                      for i, (a, b) in enumerate(pts)]
        parts.append(f'<rect x="{PAD_L + 10 + k * 150}" y="{H - 16}" width="12" height="4" '
                     f'fill="{color}"/><text x="{PAD_L + 28 + k * 150}" y="{H - 11}" '
                     f'font-size="11">{escape(name)}</text>')
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{H - PAD_B + 16}" '
                         f'font-size="10" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def dashboard_svgs(d: Any, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """The dashboard's three charts (time, units, scores) of a services.dashboard.Dashboard,
    titled in locale."""
    hours = [h.strftime("%d/%m %Hh") for h, _, _ in d.hourly]
    return {
        "time": lines(text("chart.time.title", locale), hours, [
            (text("chart.time.attempts", locale), [a for _, a, _ in d.hourly], "#9b1c1c"),
            (text("chart.time.perfect", locale), [p for _, _, p in d.hourly], "#17663a")]),
        "units": bars(text("chart.units.title", locale), [u for u, *_ in d.by_unit[:20]],
                      [a for _, _, a, _ in d.by_unit[:20]]),
        "scores": bars(text("chart.scores.title", locale), [b for b, _ in d.histogram],
                       [n for _, n in d.histogram], "#2c5aa0"),
    }

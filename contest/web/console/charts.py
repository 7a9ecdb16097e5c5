"""Server-rendered SVG charts (no JavaScript): bars and a line, with accessible titles."""

from __future__ import annotations

from html import escape

W, H, PAD_L, PAD_B, PAD_T = 640, 260, 44, 56, 14


def _axis(top: int) -> str:
    out = []
    for i in range(5):
        v = top * i / 4
        y = H - PAD_B - (H - PAD_B - PAD_T) * i / 4
        out.append(f'<line x1="{PAD_L}" x2="{W - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ee"/>'
                   f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="#5b6475">{v:.0f}</text>')
    return "".join(out)


def bars(title: str, labels: list[str], values: list[int], color: str = "#9b1c1c") -> str:
    """A vertical bar chart as an SVG string (labels rotated when many)."""
    top = max([*values, 1])
    n = max(len(values), 1)
    slot = (W - PAD_L - 6) / n
    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>', _axis(top)]
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
    """A line chart of one or more series over the same labels, as an SVG string."""
    top = max([v for _, vals, _ in series for v in vals] + [1])
    n = max(len(labels), 1)
    step = (W - PAD_L - 16) / max(n - 1, 1)
    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>', _axis(top)]
    for k, (name, vals, color) in enumerate(series):
        pts = " ".join(f"{PAD_L + 8 + i * step:.1f},"
                       f"{H - PAD_B - (H - PAD_B - PAD_T) * v / top:.1f}"
                       for i, v in enumerate(vals))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        parts.append(f'<rect x="{PAD_L + 10 + k * 150}" y="{H - 16}" width="12" height="4" '
                     f'fill="{color}"/><text x="{PAD_L + 28 + k * 150}" y="{H - 11}" '
                     f'font-size="11">{escape(name)}</text>')
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{PAD_L + 8 + i * step:.1f}" y="{H - PAD_B + 16}" '
                         f'font-size="10" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

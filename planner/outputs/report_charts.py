"""The report's charts, drawn as inline SVG (no script, prints as it shows): the share of
demand per circle today and with the suggested sites, and the coverage curve."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .i18n import THRESHOLD_COLOURS, defined, pct
from .i18n import escape as _e

Labels = Mapping[str, str]


def bars(rows: Sequence[tuple[str, float, float | None]], lab: Labels) -> str:
    """Horizontal bars (share within each threshold) with a tick at each goal; an
    undefined share is an empty bar marked ``–``."""
    width, bar_h, gap, left = 520, 26, 12, 80
    height = len(rows) * (bar_h + gap) + 30
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(lab['chart'])}' font-family='sans-serif' "
        f"font-size='12'>"
    ]
    scale = width - left - 60
    for i, (label, share, goal) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        colour = THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]
        parts.append(f"<text x='0' y='{y + bar_h * 0.7:.1f}'>{_e(label)}</text>")
        parts.append(f"<rect x='{left}' y='{y}' width='{scale}' height='{bar_h}' fill='#eee'/>")
        parts.append(
            f"<rect class='bar' x='{left}' y='{y}' width='{(defined(share) or 0.0) * scale:.1f}' "
            f"height='{bar_h}' fill='{colour}'/>"
        )
        parts.append(f"<text x='{left + scale + 6}' y='{y + bar_h * 0.7:.1f}'>{pct(share)}</text>")
        if goal is not None:
            gx = left + goal * scale
            parts.append(
                f"<line x1='{gx:.1f}' x2='{gx:.1f}' y1='{y - 3}' y2='{y + bar_h + 3}' "
                f"stroke='#000' stroke-width='2'/>"
            )
    parts.append("</svg>")
    return "".join(parts)


def curve(curve: pd.DataFrame, lab: Labels) -> str:
    """Cumulative share within each threshold after k new sites (k = 0 = today)."""
    cols = [c for c in curve.columns if c.startswith("cumulative_share_")]
    k = curve["rank"].to_numpy()
    width, height, left, bottom = 520, 220, 44, 28
    right = width - 100  # the legend stands beside the plot, never on the lines
    sx = (right - left) / max(1, k.max())
    sy = (height - bottom - 10) / 1.0
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(lab['curve'])}' font-family='sans-serif' "
        f"font-size='11'>"
    ]
    for frac in (0.0, 0.5, 1.0):
        y = height - bottom - frac * sy
        parts.append(
            f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' "
            f"stroke='#ddd'/><text x='2' y='{y + 4:.1f}'>{frac:.0%}</text>"
        )
    for i, c in enumerate(cols):
        colour = THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]
        pts = " ".join(
            f"{left + kk * sx:.1f},{height - bottom - v * sy:.1f}"
            for kk, v in zip(k, curve[c].to_numpy(), strict=True)
        )
        parts.append(
            f"<polyline class='curve' points='{pts}' fill='none' stroke='{colour}' "
            f"stroke-width='2'/>"
        )
        parts.append(
            f"<text x='{right + 10}' y='{14 + 13 * i}' fill='{colour}'>"
            f"≤{_e(c.replace('cumulative_share_', ''))} {_e(lab['min'])}</text>"
        )
    parts.append(f"<text x='{left}' y='{height - 6}'>{_e(lab['k'])}: 0 … {int(k.max())}</text>")
    parts.append("</svg>")
    return "".join(parts)

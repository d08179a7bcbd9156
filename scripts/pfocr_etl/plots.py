"""Small dependency-free SVG charts for the self-contained summary report.

Every chart is a plain ``<svg>`` string: no scripts, no external fonts or
images, so the report stays one offline, printable file. Each chart carries an
accessible name (``<title>``) and description (``<desc>``), every bar has a
``<title>`` tooltip with its exact value, and all text is escaped. Output is
deterministic (coordinates rounded to 0.1), so the same metrics give the same
bytes.

Charts draw only what they are given: callers decide what is empty and show a
"not available" note instead of calling these with no data (they raise
``ValueError`` on empty input).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

ACCENT = "#2b5c8a"
MUTED = "#9aa7b4"
PALETTE = ("#2b5c8a", "#d08c2e", "#b8473d", "#8c8c8c", "#4f8f5b", "#7a5c99")
INK = "#1d2430"
GRID = "#dfe3e8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'DejaVu Sans', sans-serif"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text: object) -> str:
    """Escape for XML/HTML text and attribute values (control characters dropped)."""
    value = _CONTROL.sub("", str(text))
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def fmt_number(value: float | int) -> str:
    """Thousands separators for integers, up to 2 decimals otherwise."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _n(x: float) -> str:
    """Compact, deterministic coordinate."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _chart_id(title: str, chart_id: str | None) -> str:
    return _slug(chart_id or title)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "\u2026"


def _text_width(text: str, size: float) -> float:
    """Rough rendered width of ``text`` (average glyph ~0.62 em: generous for UI sans fonts such as DejaVu Sans)."""
    return len(text) * size * 0.62


def nice_ticks(maximum: float, count: int = 5, integer: bool = True) -> list[float]:
    """0 and round tick values covering ``maximum`` (1, 2, 2.5, 5 x 10^k steps; whole steps for counts)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    top = math.ceil(maximum / step - 1e-9) * step
    ticks, value = [], 0.0
    while value <= top + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _open(cid: str, width: float, height: float, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{esc(FONT)}" font-size="12" fill="{INK}">',
        f'<title id="{cid}-title">{esc(title)}</title>',
        f'<desc id="{cid}-desc">{esc(desc)}</desc>',
    ]


def hbar_chart(items: Sequence[tuple[str, float]], *, title: str, value_label: str = "count",
               chart_id: str | None = None, width: int = 900, bar_height: int = 18, gap: int = 7,
               label_chars: int = 34, value_format: Callable[[float], str] = fmt_number,
               color: str = ACCENT, highlight: Sequence[str] = ()) -> str:
    """Horizontal bars, one per ``(label, value)``, in the given order, value printed at the bar end.

    Labels in ``highlight`` are drawn in a muted colour (e.g. "unresolved").
    """
    if not items:
        raise ValueError(f"hbar_chart {title!r}: no data")
    cid = _chart_id(title, chart_id)
    labels = [_truncate(str(label), label_chars) for label, _ in items]
    values = [float(v) for _, v in items]
    label_w = min(max(_text_width(label, 12) for label in labels) + 12, width * 0.42)
    value_w = max(_text_width(value_format(v), 12) for v in values) + 10
    plot_w = width - label_w - value_w - 8
    top = 6
    height = top + len(items) * (bar_height + gap) - gap + 8
    vmax = max(values) or 1.0
    desc = (f"Horizontal bar chart of {value_label} for {len(items)} categories; largest: "
            f"{items[int(values.index(max(values)))][0]} ({value_format(max(values))}).")
    out = _open(cid, width, height, title, desc)
    out.append(f'<line x1="{_n(label_w)}" y1="0" x2="{_n(label_w)}" y2="{_n(height)}" stroke="{GRID}"/>')
    for i, ((label, _), short, value) in enumerate(zip(items, labels, values)):
        y = top + i * (bar_height + gap)
        w = plot_w * value / vmax
        if value > 0:
            w = max(w, 1.5)
        fill = MUTED if label in highlight else color
        out.append(
            f'<g class="bar-row"><title>{esc(label)}: {esc(value_format(value))} {esc(value_label)}</title>'
            f'<text x="{_n(label_w - 8)}" y="{_n(y + bar_height * 0.72)}" text-anchor="end">{esc(short)}</text>'
            f'<rect class="bar" x="{_n(label_w)}" y="{_n(y)}" width="{_n(w)}" height="{bar_height}" '
            f'rx="2" fill="{fill}"/>'
            f'<text class="value" x="{_n(label_w + w + 6)}" y="{_n(y + bar_height * 0.72)}" '
            f'font-variant-numeric="tabular-nums">{esc(value_format(value))}</text></g>')
    out.append("</svg>")
    return "".join(out)


def column_chart(items: Sequence[tuple[str, float]], *, title: str, x_label: str, y_label: str,
                 chart_id: str | None = None, width: int = 900, height: int = 260,
                 value_format: Callable[[float], str] = fmt_number, color: str = ACCENT) -> str:
    """Vertical bars over an ordered category axis (e.g. years) with a gridded value axis."""
    if not items:
        raise ValueError(f"column_chart {title!r}: no data")
    cid = _chart_id(title, chart_id)
    values = [float(v) for _, v in items]
    ticks = nice_ticks(max(values))
    tick_labels = [value_format(t) for t in ticks]
    left = max(_text_width(t, 11) for t in tick_labels) + 30
    right, top, bottom = 10, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(items)
    bar_w = max(min(slot * 0.78, 42), 1.0)
    label_every = max(1, math.ceil(len(items) / max(1, plot_w // 42)))
    desc = (f"Column chart of {y_label} by {x_label}, {items[0][0]} to {items[-1][0]}; "
            f"maximum {value_format(max(values))}.")
    out = _open(cid, width, height, title, desc)
    for tick, label in zip(ticks, tick_labels):
        y = top + plot_h - plot_h * tick / ticks[-1]
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}" stroke="{GRID}"/>'
                   f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" font-size="11">{esc(label)}</text>')
    for i, ((label, _), value) in enumerate(zip(items, values)):
        x = left + i * slot + (slot - bar_w) / 2
        h = max(plot_h * value / ticks[-1], 1.5)
        if value > 0:  # a zero shows as a gap
            out.append(f'<g class="bar-col"><title>{esc(label)}: {esc(value_format(value))} {esc(y_label)}</title>'
                       f'<rect class="bar" x="{_n(x)}" y="{_n(top + plot_h - h)}" width="{_n(bar_w)}" '
                       f'height="{_n(h)}" fill="{color}"/></g>')
        if i % label_every == 0 or i == len(items) - 1 and len(items) <= 3:
            out.append(f'<text x="{_n(x + bar_w / 2)}" y="{_n(top + plot_h + 16)}" text-anchor="middle" '
                       f'font-size="11">{esc(label)}</text>')
    out.append(f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(width - right)}" '
               f'y2="{_n(top + plot_h)}" stroke="{INK}"/>')
    out.append(f'<text x="{_n(left + plot_w / 2)}" y="{_n(height - 6)}" text-anchor="middle" '
               f'font-size="11" fill="#55606e">{esc(x_label)}</text>')
    out.append(f'<text transform="translate(12 {_n(top + plot_h / 2)}) rotate(-90)" text-anchor="middle" '
               f'font-size="11" fill="#55606e">{esc(y_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def share_bar(items: Sequence[tuple[str, float]], *, title: str, unit: str = "figures",
              chart_id: str | None = None, width: int = 900, colors: Sequence[str] = PALETTE) -> str:
    """One 100 % stacked bar with a legend (label, count, share): parts of a whole."""
    total = sum(float(v) for _, v in items)
    if not items or total <= 0:
        raise ValueError(f"share_bar {title!r}: no data")
    cid = _chart_id(title, chart_id)
    bar_h, legend_row = 26, 20
    height = 8 + bar_h + 14 + legend_row * len(items)
    count_x = 20 + max(_text_width(str(label), 12) for label, _ in items) + 24 + \
        max(_text_width(fmt_number(v), 12) for _, v in items)
    desc = "Stacked share bar: " + "; ".join(
        f"{label} {fmt_number(v)} ({100 * float(v) / total:.1f} %)" for label, v in items) + "."
    out = _open(cid, width, height, title, desc)
    x = 0.0
    for i, (label, value) in enumerate(items):
        w = width * float(value) / total
        if value:
            out.append(f'<g class="bar-part"><title>{esc(label)}: {fmt_number(value)} {esc(unit)} '
                       f'({100 * float(value) / total:.1f} %)</title><rect class="bar" x="{_n(x)}" y="8" '
                       f'width="{_n(max(w, 1.5))}" height="{bar_h}" fill="{colors[i % len(colors)]}"/></g>')
        x += w
    for i, (label, value) in enumerate(items):
        y = 8 + bar_h + 14 + i * legend_row
        out.append(f'<rect x="0" y="{_n(y)}" width="12" height="12" rx="2" fill="{colors[i % len(colors)]}"/>'
                   f'<text x="20" y="{_n(y + 10)}">{esc(label)}</text>'
                   f'<text x="{_n(count_x)}" y="{_n(y + 10)}" text-anchor="end" '
                   f'font-variant-numeric="tabular-nums">{fmt_number(value)}</text>'
                   f'<text x="{_n(count_x + 64)}" y="{_n(y + 10)}" text-anchor="end" fill="#55606e" '
                   f'font-variant-numeric="tabular-nums">{100 * float(value) / total:.1f} %</text>')
    out.append("</svg>")
    return "".join(out)

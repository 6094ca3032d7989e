"""Draw a dashboard chart (`sousei.charts.Chart`, the one definition of each chart) as inline SVG.

The dashboard draws the same Chart objects with Plotly in the browser; a report needs them as static vector
graphics inside one self-contained file and in the PDF, in milliseconds per chart (a Plotly+kaleido export costs
about a second per figure). So this module is a small static renderer of the four chart kinds, with Plotly's
default colours; it adds no data and no chart of its own.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from sousei.charts import Chart

PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880")
W, H = 640, 300
FONT = 11


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if lo == hi:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 0.5:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _label(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if v == int(v):
        return f"{int(v)}"
    return f"{v:g}"


def _t(x: float, y: float, text: str, anchor: str = "middle", size: int = FONT, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{extra}>{escape(str(text))}</text>'


def _colors(chart: Chart) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(chart.series)]


def render(chart: Chart) -> str:
    """The chart as an <svg> element, or a short 「データなし」 figure when it has no values."""
    if not chart.has_data:
        return (
            f'<svg viewBox="0 0 {W} 60" class="chart empty" role="img" aria-label="{escape(chart.title)}">'
            + _t(W / 2, 35, "データなし（この団体・この図の値は読み込まれていません）")
            + "</svg>"
        )
    if chart.kind == "pyramid":
        body = _pyramid(chart)
    elif chart.kind == "hbar":
        body = _hbar(chart)
    else:
        body = _xy(chart)
    return (
        f'<svg viewBox="0 0 {W} {H}" class="chart" role="img" aria-label="{escape(chart.title)}" '
        f'font-family="Noto Sans CJK JP, sans-serif">{body}</svg>'
    )


def _legend(chart: Chart, colors: list[str], y: float) -> str:
    out, x = [], 60.0
    for s, c in zip(chart.series, colors, strict=True):
        width = 22 + FONT * len(s.name)
        if x + width > W - 10:
            x, y = 60.0, y + 14
        dash = ' stroke-dasharray="4 3"' if s.dash else ""
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="{c}" stroke-width="3"{dash}/>')
        out.append(_t(x + 20, y, s.name, "start", FONT - 1))
        x += width
    return "".join(out)


def _frame(x0: float, x1: float, y0: float, y1: float, ticks: list[float], scale: Any, label: str) -> str:
    out = []
    for t in ticks:
        y = scale(t)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(_t(x0 - 4, y + 4, _label(t), "end", FONT - 1))
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888"/>')
    out.append(_t(14, (y0 + y1) / 2, label, "middle", FONT - 1, f' transform="rotate(-90 14 {(y0 + y1) / 2:.1f})"'))
    return "".join(out)


def _xy(chart: Chart) -> str:
    """Line and (grouped) bar charts over categories or years."""
    colors = _colors(chart)
    cats: list[Any] = []
    for s in chart.series:
        for x in s.x:
            if x not in cats:
                cats.append(x)
    numeric = all(isinstance(c, int | float) for c in cats) and chart.kind == "line"
    if numeric:
        cats.sort()
    values = [v for s in chart.series for v in s.y if v is not None]
    bars = [s for s in chart.series if (s.kind or chart.kind) == "bar"]
    lo, hi = min(values + ([0.0] if bars else [])), max(values + ([0.0] if bars else []))
    ticks = _nice_ticks(lo, hi)
    x0, x1, y0, y1 = 64.0, W - 12.0, 12.0, H - 74.0
    tlo, thi = ticks[0], ticks[-1]

    def sy(v: float) -> float:
        return y1 - (v - tlo) / (thi - tlo) * (y1 - y0)

    if numeric:
        a, b = float(cats[0]), float(cats[-1])

        def sx(c: Any) -> float:
            return x0 + (float(c) - a) / ((b - a) or 1) * (x1 - x0)
    else:
        band = (x1 - x0) / max(len(cats), 1)

        def sx(c: Any) -> float:
            return x0 + band * (cats.index(c) + 0.5)

    out = [_frame(x0, x1, y0, y1, ticks, sy, chart.y_label)]
    if not numeric:
        band = (x1 - x0) / max(len(cats), 1)
        hl = [cats.index(h) for h in chart.extra.get("highlight", []) if h in cats]
        if hl:
            out.append(
                f'<rect x="{x0 + band * min(hl):.1f}" y="{y0}" width="{band * (max(hl) - min(hl) + 1):.1f}" '
                f'height="{y1 - y0}" fill="rgba(255,170,0,0.15)"/>'
            )
    if bars:
        band = (x1 - x0) / max(len(cats), 1)
        bw = band * 0.8 / len(bars)
        zero = sy(max(min(0.0, thi), tlo))
        for k, s in enumerate(bars):
            c = colors[chart.series.index(s)]
            for x, v in zip(s.x, s.y, strict=True):
                if v is None:
                    continue
                left = sx(x) - band * 0.4 + k * bw
                top, bottom = sorted((sy(v), zero))
                out.append(
                    f'<rect x="{left:.1f}" y="{top:.1f}" width="{bw:.1f}" height="{max(bottom - top, 0.5):.1f}" '
                    f'fill="{c}"/>'
                )
    for s, c in zip(chart.series, colors, strict=True):
        if (s.kind or chart.kind) == "bar":
            continue
        pts = [(sx(x), sy(v)) for x, v in zip(s.x, s.y, strict=True) if v is not None]
        dash = ' stroke-dasharray="5 4"' if s.dash else ""
        out.append(
            f'<polyline fill="none" stroke="{c}" stroke-width="2"{dash} points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
        out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{c}"/>' for x, y in pts)
    step = max(1, math.ceil(len(cats) / 12))
    for i, c in enumerate(cats):
        if i % step == 0:
            out.append(_t(sx(c), y1 + 14, str(c), "middle", FONT - 1))
    out.append(_t((x0 + x1) / 2, y1 + 30, chart.x_label, "middle", FONT - 1))
    out.append(_legend(chart, colors, H - 24))
    return "".join(out)


def _hbar(chart: Chart) -> str:
    s = chart.series[0]
    pairs = [(x, v) for x, v in zip(s.x, s.y, strict=True) if v is not None]
    pairs.reverse()  # the dashboard lists bottom-up for Plotly; top-down here
    lo, hi = min([0.0] + [v for _, v in pairs]), max([0.0] + [v for _, v in pairs])
    ticks = _nice_ticks(lo, hi)
    x0, x1 = 230.0, W - 44.0
    row = min(22.0, (H - 50) / max(len(pairs), 1))
    tlo, thi = ticks[0], ticks[-1]

    def sx(v: float) -> float:
        return x0 + (v - tlo) / (thi - tlo) * (x1 - x0)

    out = []
    top = 10.0
    bottom = top + row * len(pairs)
    for t in ticks:
        out.append(f'<line x1="{sx(t):.1f}" y1="{top}" x2="{sx(t):.1f}" y2="{bottom}" stroke="#ddd"/>')
        out.append(_t(sx(t), bottom + 14, _label(t), "middle", FONT - 1))
    for i, (name, v) in enumerate(pairs):
        y = top + i * row
        a, b = sorted((sx(0.0), sx(v)))
        label = name if len(name) <= 19 else name[:18] + "…"
        out.append(_t(x0 - 6, y + row * 0.65, label, "end", FONT - 1))
        out.append(
            f'<rect x="{a:.1f}" y="{y + row * 0.15:.1f}" width="{max(b - a, 0.5):.1f}" height="{row * 0.7:.1f}" '
            f'fill="{PALETTE[0]}"/>'
        )
        out.append(_t(b + 3, y + row * 0.65, _label(round(v, 2)), "start", FONT - 2))
    out.append(_t((x0 + x1) / 2, bottom + 30, chart.y_label, "middle", FONT - 1))
    return "".join(out)


def _pyramid(chart: Chart) -> str:
    colors = _colors(chart)
    ages: list[str] = []
    for s in chart.series:
        for x in s.x:
            if x not in ages:
                ages.append(x)
    vmax = max(v for s in chart.series for v in s.y if v is not None) or 1.0
    ticks = [t for t in _nice_ticks(0, vmax, 3) if t >= 0]
    cx, half = W / 2, W / 2 - 60.0
    top, bottom = 10.0, H - 64.0
    row = (bottom - top) / max(len(ages), 1)
    lim = ticks[-1] or 1.0

    def sx(v: float, male: bool) -> float:
        return cx - v / lim * half if male else cx + v / lim * half

    def sy(age: str) -> float:
        return bottom - (ages.index(age) + 1) * row

    out = []
    for t in ticks:
        for male in (True, False):
            out.append(f'<line x1="{sx(t, male):.1f}" y1="{top}" x2="{sx(t, male):.1f}" y2="{bottom}" stroke="#eee"/>')
            out.append(_t(sx(t, male), bottom + 14, _label(t), "middle", FONT - 2))
    for i, a in enumerate(ages):
        if i % 2 == 0:
            out.append(_t(8, sy(a) + row * 0.75, a, "start", FONT - 2))
    for s, c in zip(chart.series, colors, strict=True):
        male = s.side == "left"  # the chart says which side a series is drawn on
        if s.kind == "bar":
            for a, v in zip(s.x, s.y, strict=True):
                if v is None:
                    continue
                x = sx(v, male)
                left, right = sorted((x, cx))
                out.append(
                    f'<rect x="{left:.1f}" y="{sy(a) + 1:.1f}" width="{right - left:.1f}" height="{row - 2:.1f}" '
                    f'fill="{c}" fill-opacity="0.6"/>'
                )
        else:
            pts = []
            for a, v in zip(s.x, s.y, strict=True):
                if v is None:
                    continue
                x = sx(v, male)
                pts += [(x, sy(a) + row), (x, sy(a))]
            dash = ' stroke-dasharray="4 3"' if s.dash else ""
            out.append(
                f'<polyline fill="none" stroke="{c}" stroke-width="1.6"{dash} points="'
                + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                + '"/>'
            )
    out.append(_t(cx, bottom + 28, chart.y_label + "（左：男性　右：女性）", "middle", FONT - 1))
    out.append(_legend(chart, colors, H - 18))
    return "".join(out)

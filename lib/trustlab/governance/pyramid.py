"""The trust pyramid's layers with the article's figures, and the article's governance figures set
beside the trust report's own.

- :func:`trust_pyramid`: the three layers, base first, with up to five measured figures each.
- :func:`cross_check`: the article's five 2021 governance figures against the trust report's.
- :func:`format_number`: compact labels for counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

# The five 2021 governance figures of the article, by metric in the trust-report CSV, with the id of
# the same figure in data/facts.csv (the article) for the cross-check.
GOVERNANCE_METRICS: dict[str, str] = {
    "counterfeit_listings_intercepted": "gov_counterfeit_listings_intercepted_2021",
    "violators_banned": "gov_violators_banned_2021",
    "live_commerce_report_rate_change": "gov_report_rate_change_2021",
    "new_store_applications_blocked": "gov_new_store_applications_blocked_2021",
    "daily_governance_participants": "gov_daily_governance_participants_2021",
}

# Layers of the pyramid, base first, and the facts topics that feed each.
PYRAMID_LAYERS: dict[str, tuple[str, ...]] = {
    "platform governance": ("platform governance",),
    "consumer rights": ("consumer rights",),
    "community and brand trust": ("community", "brand/fast brand"),
}


@dataclass(frozen=True)
class PyramidMetric:
    """One figure shown in a layer: the fact id, its metric text, value (in ``unit``) and qualifier."""

    fact_id: str
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str


@dataclass(frozen=True)
class PyramidLayer:
    """A layer of the trust pyramid (level 0 = base) and its figures."""

    name: str
    level: int
    topics: tuple[str, ...]
    metrics: tuple[PyramidMetric, ...]


def _period_text(start: Any, end: Any) -> str:
    s = "" if start is None or (isinstance(start, float) and math.isnan(start)) else str(start)
    e = "" if end is None or (isinstance(end, float) and math.isnan(end)) else str(end)
    s, e = s.split(" ")[0], e.split(" ")[0]
    if s and e and s != e:
        return f"{s} – {e}"
    return s or e


def trust_pyramid(
    facts: pd.DataFrame,
    layers: Mapping[str, Sequence[str]] = PYRAMID_LAYERS,
    max_per_layer: int = 5,
    require_period: bool = True,
) -> list[PyramidLayer]:
    """The pyramid's layers, base first, each with up to ``max_per_layer`` numeric facts of its topics.

    ``facts`` is :func:`trustlab.data.facts.load_facts` (columns fact_id, topic, metric, number, unit,
    qualifier, period_start, period_end); facts keep their order in the file. Facts without a
    number (dates) are skipped; with ``require_period`` so are facts without a period (the
    article's framing numbers, e.g. thresholds or counts of steps), keeping measured figures.
    """
    out = []
    for level, (name, topics) in enumerate(layers.items()):
        keep = facts["topic"].isin(list(topics)) & facts["number"].notna()
        if require_period:
            keep &= facts["period_start"].fillna("").astype(str).str.strip() != ""
        rows = facts[keep].head(max_per_layer)
        metrics = tuple(
            PyramidMetric(
                fact_id=str(r["fact_id"]),
                metric=str(r["metric"]),
                value=float(r["number"]),
                unit="" if pd.isna(r.get("unit")) else str(r.get("unit")),
                qualifier="" if pd.isna(r.get("qualifier")) else str(r.get("qualifier")),
                period=_period_text(r.get("period_start"), r.get("period_end")),
            )
            for _, r in rows.iterrows()
        )
        out.append(PyramidLayer(name=name, level=level, topics=tuple(topics), metrics=metrics))
    return out


def format_number(value: float) -> str:
    """Compact form of a count for labels: 62,440,000 -> '62.44 m', 1.88e10 -> '18.8 bn', 128.1 -> '128.1'."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:,.3g} bn"
    if a >= 1e6:
        return f"{value / 1e6:,.4g} m"
    if a >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def cross_check(
    report: pd.DataFrame, facts: pd.DataFrame, fact_value_fn: Any, mapping: Mapping[str, str] = GOVERNANCE_METRICS
) -> pd.DataFrame:
    """The article's figures (facts) beside the trust report's for the same metric.

    ``fact_value_fn(facts, fact_id) -> float`` is :func:`trustlab.data.facts.fact_value`. Columns:
    ``metric, fact_id, article, trust_report, status, agree`` (relative difference below 1e-9).
    Rows missing from ``report`` (e.g. V-2 dropped) have NaN and ``agree`` False.
    """
    records = []
    for metric, fact_id in mapping.items():
        article = float(fact_value_fn(facts, fact_id))
        rep = report[report["metric"] == metric]
        value = float(rep["value"].iloc[0]) if not rep.empty else float("nan")
        status = str(rep["status"].iloc[0]) if not rep.empty else "(not loaded)"
        records.append(
            {
                "metric": metric,
                "fact_id": fact_id,
                "article": article,
                "trust_report": value,
                "status": status,
                "agree": bool(not math.isnan(value) and math.isclose(article, value, rel_tol=1e-9)),
            }
        )
    return pd.DataFrame.from_records(records)


def _layer_text(layer: PyramidLayer, width_chars: int) -> str:
    import textwrap

    lines = [
        f"{m.metric}: {m.qualifier + ' ' if m.qualifier not in ('', 'exact') else ''}{format_number(m.value)} {m.unit}"
        + (f" ({m.period})" if m.period else "")
        for m in layer.metrics
    ]
    return "\n".join(textwrap.fill(line, width_chars, subsequent_indent="  ") for line in lines) or "(no figures)"


def _inside(patch: Any, artists: Sequence[Any], renderer: Any) -> bool:
    import numpy as np

    path = patch.get_path().transformed(patch.get_transform())
    for artist in artists:
        box = artist.get_window_extent(renderer)
        corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]])
        if not path.contains_points(corners).all():
            return False
    return True


def draw_pyramid(
    ax: Any,
    layers: Sequence[PyramidLayer],
    base_half_width: float = 0.48,
    top_half_width: float = 0.16,
    fontsize: float = 8.5,
    min_fontsize: float = 4.0,
) -> list[tuple[Any, list[Any]]]:
    """Draw the layers as a stepped pyramid on ``ax`` (axes coordinates 0..1), each layer's name and
    figures inside its trapezoid: lines are wrapped to the layer's width and the font shrinks (down to
    ``min_fontsize``) until every label's box lies inside its shape. Returns (patch, [texts]) per layer.
    Raises ValueError when a layer's labels do not fit even at ``min_fontsize``."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    n = len(layers)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    renderer = ax.figure.canvas.get_renderer()

    def half(y: float) -> float:
        return base_half_width - (base_half_width - top_half_width) * y

    drawn = []
    for layer in layers:
        lo, hi = layer.level / n, (layer.level + 1) / n
        xy = [(0.5 - half(lo), lo), (0.5 + half(lo), lo), (0.5 + half(hi), hi), (0.5 - half(hi), hi)]
        patch = Polygon(xy, closed=True, facecolor=colors[layer.level % len(colors)], alpha=0.3, edgecolor="0.35")
        ax.add_patch(patch)
        body = ax.text(0.5, lo + 0.015, _layer_text(layer, max(30, int(2 * half(lo) * 100))), ha="center", va="bottom")
        # the name sits just above the figures whatever size the figure's layout gives the axes
        title = ax.annotate(
            layer.name, xy=(0.5, 1), xycoords=body, xytext=(0, 4), textcoords="offset points", ha="center", va="bottom"
        )
        title.set_weight("bold")
        size = fontsize
        while True:
            body.set_fontsize(size)
            title.set_fontsize(size * 1.3)
            if _inside(patch, [title, body], renderer):
                break
            size *= 0.92
            if size < min_fontsize:
                raise ValueError(f"pyramid layer {layer.name!r}: its labels do not fit inside the shape at {min_fontsize:g} pt")
        drawn.append((patch, [title, body]))
    return drawn

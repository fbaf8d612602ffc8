"""The house style: a CJK font is found so Chinese renders in figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from trustlab import plots  # noqa: E402


def test_setup_selects_a_cjk_font_that_draws_chinese(recwarn):
    plots.setup()
    font = plots.cjk_font()
    assert font is not None, "no CJK font: run scripts/install-system-deps.sh (fonts-noto-cjk)"
    assert matplotlib.rcParams["font.sans-serif"][0] == font
    fig, ax = plt.subplots()
    ax.set_title("快品牌 信任金字塔")
    fig.canvas.draw()
    plt.close(fig)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_caption_names_the_source():
    fig, _ = plt.subplots()
    plots.caption(fig, "data/facts.csv")
    assert any(t.get_text() == "Source: data/facts.csv" for t in fig.texts)
    plt.close(fig)

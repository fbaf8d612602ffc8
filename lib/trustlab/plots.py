"""The house style for figures: one call sets it, one helper adds a source caption.

matplotlib and seaborn are imported by the functions that draw or style, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.pyplot as plt

# CJK-capable fonts, first found wins; Debian's fonts-noto-cjk provides the first two.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Zen Hei", "Source Han Sans SC"]
PALETTE = "colorblind"


def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese, or None if there is none.

    Fonts installed after matplotlib built its font cache are found on the system and added.
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        for path in font_manager.findSystemFonts():
            if "NotoSansCJK" in path or "wqy-zenhei" in path:
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in installed), None)
    return found


def setup() -> None:
    """Apply the house style: seaborn whitegrid, colour-blind palette, readable sizes, CJK fallback."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    fonts = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        fonts.insert(0, cjk)
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.titlesize": 13,
            "axes.labelsize": 11,
            "font.family": "sans-serif",
            "font.sans-serif": fonts + list(mpl.rcParams["font.sans-serif"]),
            "axes.unicode_minus": False,
            "svg.hashsalt": "trustlab",
        }
    )


def caption(fig: plt.Figure, source: str) -> None:
    """Put a 'Source: ...' caption under a figure."""
    fig.text(0.01, -0.02, f"Source: {source}", ha="left", va="top", fontsize=8, color="0.35", wrap=True)


def shaded_interval(ax: plt.Axes, x, lower, upper, label: str = "interval", **kwargs) -> None:
    """Draw an interval as a shaded band."""
    ax.fill_between(x, lower, upper, alpha=kwargs.pop("alpha", 0.2), label=label, **kwargs)

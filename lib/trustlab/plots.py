"""The house style for figures: one call sets it, one helper adds a source caption and checks the figure.

:func:`caption` is the last call on every figure: it puts the source under the axis labels (the
figure's constrained layout makes room for it) and raises :class:`MissingGlyphError` when a
character of the figure's text has no font, rather than letting matplotlib print a warning into
the report. :func:`text_problems` lists text that overlaps other text or is clipped; the test of
every notebook's figures calls it. :func:`quarter_axis` labels a date axis by quarter.

matplotlib and seaborn are imported by the functions that draw or style, not with this module.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

# CJK-capable fonts, first found wins; Debian's fonts-noto-cjk provides the first two.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Zen Hei", "Source Han Sans SC"]
CJK_PACKAGE = "fonts-noto-cjk"  # the Debian package `make fonts` installs
PALETTE = "colorblind"
CAPTION_SIZE = 8  # points
TOLERANCE_PX = 1.0  # text boxes may touch, or cross an edge, by this much (anti-aliasing, rounding)
_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font\(s\) (.*?)\.?$")


class MissingGlyphError(RuntimeError):
    """A figure's text holds a character that no installed font can draw."""


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
    """Apply the house style: seaborn whitegrid, colour-blind palette, readable sizes, CJK fallback,
    and constrained layout (axis labels, legends, colorbars and the caption get room of their own)."""
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
            "figure.constrained_layout.use": True,
            "axes.titlesize": 13,
            "axes.labelsize": 11,
            "font.family": "sans-serif",
            "font.sans-serif": fonts + list(mpl.rcParams["font.sans-serif"]),
            "axes.unicode_minus": False,
            "svg.hashsalt": "trustlab",
        }
    )
    _describe_figures_when_shown()


def describe(fig: "plt.Figure") -> str:
    """A figure's alternative text, from its own words: its title (or each panel's), what each axis
    shows and its legend's entries, e.g. "Figure: GMV by quarter. Horizontal axis: quarter; vertical
    axis: GMV, RMB bn. Series: reported, forecast."."""
    titles = [fig.get_suptitle()] if fig.get_suptitle() else []
    parts = []
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison:
            continue
        if ax.get_title():
            titles.append(ax.get_title())
        axes = [
            f"{side} axis: {label}" for side, label in (("horizontal", ax.get_xlabel()), ("vertical", ax.get_ylabel())) if label
        ]
        if axes:
            parts.append("; ".join(axes))
        legend = ax.get_legend()
        if legend is not None:
            entries = [text.get_text() for text in legend.get_texts() if text.get_text()]
            if entries:
                parts.append("series: " + ", ".join(entries))
    sentences = ["Figure: " + ("; ".join(dict.fromkeys(titles)) or "untitled")]
    sentences += [part[0].upper() + part[1:] for part in dict.fromkeys(parts)]
    return " ".join(" ".join(sentence.split()).rstrip(".") + "." for sentence in sentences)


def _describe_figures_when_shown() -> None:
    """Give every matplotlib figure a notebook shows its alternative text (:func:`describe`), as the
    PNG output's ``alt`` metadata, which the report page writes into the image's ``alt``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every notebook kernel
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib

    backend = matplotlib.get_backend(auto_select=False)
    if not _wrap_figure_formatter(shell) and backend in ("inline", "module://matplotlib_inline.backend_inline"):
        # The kernel's inline backend registers its figure formatter only when the first figure
        # loads it (and a fork server's kernel may have it loaded already, before there was a
        # shell): register it now, as `%matplotlib inline` does, to wrap it.
        from matplotlib_inline.backend_inline import configure_inline_support

        configure_inline_support(shell, backend)
        _wrap_figure_formatter(shell)


def _wrap_figure_formatter(shell: Any) -> bool:
    """Wrap the shell's PNG formatter of matplotlib figures so that it adds the ``alt`` metadata;
    False when no such formatter is registered yet."""
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    try:
        draw = formatter.lookup_by_type(Figure)
    except KeyError:
        return False
    if getattr(draw, "adds_alt_text", False):
        return True

    def draw_with_alt(fig: Figure) -> Any:
        data = draw(fig)
        if data is None:
            return None
        data, metadata = data if isinstance(data, tuple) else (data, {})
        return data, {**(metadata or {}), "alt": describe(fig)}

    draw_with_alt.adds_alt_text = True  # type: ignore[attr-defined]
    formatter.for_type(Figure, draw_with_alt)
    return True


def caption(fig: plt.Figure, source: str) -> None:
    """Put a 'Source: ...' caption under a figure, below its axis labels, and check its glyphs.

    Call it last, when the figure is complete (just before ``plt.show()``). The caption is the
    figure's bottom label (``supxlabel``), left-aligned and broken into lines that fit the
    figure's width, so the figure's constrained layout keeps it clear of the axes and their labels
    (a figure without a layout engine is given one). Then its text is checked (:func:`check_glyphs`):
    a character that no installed font has raises :class:`MissingGlyphError` naming the font to
    install. The figure is not drawn here: showing it draws it.
    """
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    label = fig.supxlabel("", x=0.01, ha="left", fontsize=CAPTION_SIZE, color="0.35")
    with warnings.catch_warnings():  # a glyph missing from the caption is check_glyphs' error, not a warning
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH.pattern)
        label.set_text(_fit_lines(label, f"Source: {source}", fig.bbox.width * 0.98))
    check_glyphs(fig)


def _fit_lines(text: Text, words: str, width_px: float) -> str:
    """``words`` broken at spaces into lines no wider than ``width_px`` as ``text`` draws them (a
    single word wider than that keeps a line of its own)."""
    renderer = _renderer(text.figure)  # type: ignore[arg-type]
    lines: list[str] = []
    line = ""
    for word in words.split():
        trial = f"{line} {word}" if line else word
        text.set_text(trial)
        if line and text.get_window_extent(renderer).width > width_px:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    return "\n".join(lines)


def check_glyphs(fig: plt.Figure) -> None:
    """Lay out every line of text ``fig`` draws with the fonts it is drawn with (:func:`texts_to_draw`),
    without drawing the figure; raise :class:`MissingGlyphError` if a character has no glyph in them
    (drawing would warn and put an empty box). Other warnings raised meanwhile are passed on.

    Each line is measured by the renderer itself, past matplotlib's cache of text sizes: a line
    measured before (by :func:`caption` fitting its lines, or an earlier check) is checked again."""
    renderer = _renderer(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for text in texts_to_draw(fig):
            for line in text.get_text().split("\n"):
                shown, math = _as_laid_out(text, line)
                if shown:
                    renderer.get_text_width_height_descent(shown, text.get_fontproperties(), ismath=math)
    missing: dict[str, str] = {}
    for warning in caught:
        found = _MISSING_GLYPH.match(str(warning.message))
        if found is None:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        else:
            missing.setdefault(chr(int(found.group(1))), found.group(2))
    if not missing:
        return
    chars = "".join(missing)
    fonts = ", ".join(sorted(set(missing.values())))
    if any(unicodedata.name(c, "").startswith("CJK") for c in chars):
        need = f"figure text needs a CJK font: install {CJK_PACKAGE} (make fonts)"
    else:
        need = "figure text needs a font that has these characters: install one, then rerun"
    raise MissingGlyphError(f"{need}; the installed font(s) {fonts} cannot draw {chars!r}")


def _as_laid_out(text: Text, line: str) -> tuple[str, bool | str]:
    """A line of ``text`` as matplotlib lays it out, and how (``Text._preprocess_math``): TeX, mathtext
    between dollars, or plain with its escaped dollars unescaped."""
    from matplotlib import cbook

    if text.get_usetex():
        return line, "TeX"
    if text.get_parse_math() and cbook.is_math_text(line):
        return line, True
    return (line.replace(r"\$", "$") if text.get_parse_math() else line), False


def texts_to_draw(fig: plt.Figure) -> list[Text]:
    """The visible, non-empty text artists of ``fig``, the tick labels of its visible axes included
    (set from the axes' current limits, as drawing sets them)."""
    from matplotlib.text import Text

    for ax in fig.axes:
        if ax.get_visible() and ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                axis.get_ticklabels(minor=False)  # makes the ticks and their labels, as drawing does
                axis.get_ticklabels(minor=True)
    return [text for text in fig.findobj(Text) if text.get_visible() and text.get_text()]


def _renderer(fig: plt.Figure) -> Any:
    """The figure's Agg renderer (a figure whose canvas cannot draw, one closed by pyplot, gets an Agg canvas)."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()  # type: ignore[attr-defined]


def drawn_texts(fig: plt.Figure) -> list[Text]:
    """Every text artist that drawing ``fig`` puts on the page, with visible characters: tick labels
    in view, axis labels, titles, legend entries, annotations, colorbar labels, the caption."""
    from matplotlib.text import Text

    renderer = _renderer(fig)
    renderer.clear()
    fig.draw(renderer)  # once first: the layout settles and the axes make the tick labels they need
    lines_drawn = 0
    draw_text = renderer.draw_text

    def counting(*args: Any, **kwargs: Any) -> None:
        nonlocal lines_drawn
        if str(args[3]).strip():  # draw_text(gc, x, y, s, ...): a line with visible characters
            lines_drawn += 1
        draw_text(*args, **kwargs)

    drawn: list[Text] = []

    def watching(text: Text) -> Any:
        draw = text.draw

        def watched(renderer: Any) -> None:
            before = lines_drawn
            draw(renderer)
            if lines_drawn > before:
                drawn.append(text)

        return watched

    texts = fig.findobj(Text)
    renderer.draw_text = counting  # this renderer and these texts only, for one draw
    for text in texts:
        text.draw = watching(text)  # type: ignore[method-assign]
    try:
        renderer.clear()
        fig.draw(renderer)
    finally:
        del renderer.draw_text
        for text in texts:
            del text.draw
    return list(dict.fromkeys(drawn))


def _name(text: Text) -> str:
    content = " ".join(text.get_text().split())
    return repr(content if len(content) <= 40 else content[:37] + "...")


def text_problems(fig: plt.Figure, tolerance: float = TOLERANCE_PX) -> list[str]:
    """What is wrong with the text of ``fig`` as drawn, one line per problem (empty when nothing):
    a text whose box (``get_window_extent``, display pixels) reaches outside the figure, a text put
    on an axes (``ax.text``, ``ax.annotate``: value labels, annotations) that reaches outside that
    axes' frame, two texts whose boxes overlap, and a text that wraps only when drawn
    (``wrap=True``: its box is not what is drawn). Boxes may touch or cross by ``tolerance`` pixels."""
    import numpy as np

    texts = drawn_texts(fig)
    renderer = _renderer(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    problems = [f"text {_name(t)} wraps when drawn (wrap=True): break its lines instead" for t in texts if t.get_wrap()]
    frame = fig.bbox
    on_axes = {id(t): ax for ax in fig.axes for t in ax.texts}
    for text, box in zip(texts, boxes, strict=True):
        if not _inside(box, frame, tolerance):
            problems.append(f"text {_name(text)} is clipped: it reaches outside the figure ({_sides(box, frame)})")
        ax = on_axes.get(id(text))
        if ax is not None and not _inside(box, ax.bbox, tolerance):
            problems.append(f"text {_name(text)} reaches outside its axes ({_sides(box, ax.bbox)})")
    if len(boxes) > 1:
        extents = np.array([[b.x0, b.y0, b.x1, b.y1] for b in boxes])
        width = np.minimum(extents[:, None, 2], extents[None, :, 2]) - np.maximum(extents[:, None, 0], extents[None, :, 0])
        height = np.minimum(extents[:, None, 3], extents[None, :, 3]) - np.maximum(extents[:, None, 1], extents[None, :, 1])
        for i, j in zip(*np.nonzero(np.triu((width > tolerance) & (height > tolerance), k=1)), strict=True):
            problems.append(f"text {_name(texts[i])} overlaps text {_name(texts[j])}")
    return problems


def _inside(box: Any, frame: Any, tolerance: float) -> bool:
    return (
        box.x0 >= frame.x0 - tolerance
        and box.y0 >= frame.y0 - tolerance
        and box.x1 <= frame.x1 + tolerance
        and box.y1 <= frame.y1 + tolerance
    )


def _sides(box: Any, frame: Any) -> str:
    over = {
        "left": frame.x0 - box.x0,
        "right": box.x1 - frame.x1,
        "bottom": frame.y0 - box.y0,
        "top": box.y1 - frame.y1,
    }
    return ", ".join(f"{side} by {px:.0f} px" for side, px in over.items() if px > 0)


def quarter_axis(ax: plt.Axes, max_labels: int = 8) -> None:
    """Label a date x axis by quarter: "2021Q1" at the first quarter of every year (of every
    second, third ... year when more than ``max_labels`` years are shown), a minor tick at each
    quarter. For axes drawn at quarter-start timestamps (``PeriodIndex.to_timestamp()``)."""
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    first, last = sorted(mdates.num2date(v) for v in ax.get_xlim())
    years = last.year - first.year + 1
    step = max(1, -(-years // max_labels))  # ceiling division
    ax.xaxis.set_major_locator(mdates.YearLocator(base=step, month=1, day=1))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(
        mticker.FuncFormatter(lambda value, _: (lambda d: f"{d.year}Q{(d.month - 1) // 3 + 1}")(mdates.num2date(value)))
    )


def shaded_interval(ax: plt.Axes, x, lower, upper, label: str = "interval", **kwargs) -> None:
    """Draw an interval as a shaded band."""
    ax.fill_between(x, lower, upper, alpha=kwargs.pop("alpha", 0.2), label=label, **kwargs)

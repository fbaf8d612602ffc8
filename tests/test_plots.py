"""The house style: a CJK font is found so Chinese renders in figures, a character no font has is an
error naming the font to install, the caption sits under the axis labels, and no figure a notebook
draws has text that overlaps other text or is clipped."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from trustlab import plots  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.py"))
# what a kernel prints into the page (it hides DeprecationWarning and the like raised inside libraries)
PAGE_WARNINGS = (UserWarning, FutureWarning, RuntimeWarning)


@pytest.fixture
def house_style():
    """The house style for one test; matplotlib's settings are restored after it."""
    with matplotlib.rc_context():
        plots.setup()
        yield
    plt.close("all")


@pytest.fixture
def latin_font_only(house_style):
    """The house style on a machine without a CJK font: matplotlib's DejaVu Sans only."""
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        yield


def test_setup_selects_a_cjk_font_that_draws_chinese(house_style, recwarn):
    font = plots.cjk_font()
    assert font is not None, "no CJK font: run make fonts (fonts-noto-cjk)"
    assert matplotlib.rcParams["font.sans-serif"][0] == font
    fig, ax = plt.subplots()
    ax.set_title("快品牌 信任金字塔")
    plots.caption(fig, "快手电商 (data/facts.csv)")  # checks the figure's text: raises if a glyph were missing
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_a_chinese_label_without_a_cjk_font_is_an_error_naming_the_font_to_install(latin_font_only, recwarn):
    fig, ax = plt.subplots()
    ax.set_title("信任購 orders")
    with pytest.raises(plots.MissingGlyphError) as raised:
        plots.caption(fig, "data/facts.csv")
    message = str(raised.value)
    assert message.startswith("figure text needs a CJK font: install fonts-noto-cjk (make fonts)")
    assert "DejaVu Sans" in message and "信任購" in message
    assert not [w for w in recwarn if "missing from font" in str(w.message)]  # an error, not a warning


def test_a_missing_glyph_that_is_not_chinese_does_not_ask_for_a_cjk_font(latin_font_only):
    fig, ax = plt.subplots()
    ax.set_title("\u0915")  # Devanagari KA: DejaVu Sans has none
    with pytest.raises(plots.MissingGlyphError, match="needs a font that has these characters") as raised:
        plots.caption(fig, "data/facts.csv")
    assert "CJK" not in str(raised.value)


def test_caption_names_the_source_and_sits_under_the_axis_label_inside_the_figure(house_style):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("events per day (log scale)")
    source = " ".join(["data/trust_report_2021.csv (2021 trust report as reported by Teller Report)"] * 3)
    plots.caption(fig, source)
    label = fig.get_supxlabel()
    assert " ".join(label.split()) == f"Source: {source}"  # the same words, broken into lines
    assert label.count("\n") >= 1  # 230 characters at 8 pt do not fit on one line of a 6-inch figure
    fig.draw_without_rendering()  # laid out as showing it lays it out (caption does not draw the figure)
    renderer = fig.canvas.get_renderer()
    caption = fig._supxlabel.get_window_extent(renderer)
    xlabel = ax.xaxis.label.get_window_extent(renderer)
    assert caption.y1 <= xlabel.y0  # below the axis label (display y grows upwards)
    assert 0 <= caption.x0 and caption.x1 <= fig.bbox.width and 0 <= caption.y0  # inside the figure
    assert plots.text_problems(fig) == []


def test_text_problems_names_overlapping_clipped_and_stray_text(house_style):
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    assert plots.text_problems(fig) == []
    ax.text(5, 5, "first label", ha="center")
    ax.text(5, 5, "second label", ha="center")  # drawn over the first
    ax.text(9.9, 2, "value 450,000")  # starts inside the axes, runs past its right edge
    fig.text(0.995, 0.5, "cut off")  # starts at the figure's right edge
    problems = plots.text_problems(fig)
    assert "text 'first label' overlaps text 'second label'" in problems
    assert any(p.startswith("text 'value 450,000' reaches outside its axes (right by") for p in problems)
    assert any(p.startswith("text 'cut off' is clipped: it reaches outside the figure (right by") for p in problems)
    assert len(problems) == 3


def test_text_problems_flags_text_that_wraps_only_when_drawn(house_style):
    fig, _ = plt.subplots()
    fig.text(0.01, 0.01, "Source: " + "word " * 60, wrap=True)  # the old caption: its box is one long line
    assert any("wraps when drawn (wrap=True)" in p for p in plots.text_problems(fig))


def _quarterly_chart() -> tuple[plt.Figure, plt.Axes]:
    quarters = pd.period_range("2021Q1", "2025Q3", freq="Q")
    fig, ax = plt.subplots()
    ax.plot(quarters.to_timestamp(), range(len(quarters)), marker="o")
    ax.set_xlabel("quarter")
    return fig, ax


def test_quarter_axis_labels_each_year_by_its_first_quarter_without_overlap(latin_font_only):
    fig, ax = _quarterly_chart()  # DejaVu Sans: wider than the Noto font of the committed figures
    plots.quarter_axis(ax)
    assert plots.text_problems(fig) == []
    labels = [t.get_text() for t in plots.drawn_texts(fig) if t in ax.get_xticklabels()]
    assert labels == ["2021Q1", "2022Q1", "2023Q1", "2024Q1", "2025Q1"]


def test_quarter_axis_labels_fewer_years_over_a_long_span(house_style):
    quarters = pd.period_range("2010Q1", "2025Q4", freq="Q")
    fig, ax = plt.subplots()
    ax.plot(quarters.to_timestamp(), range(len(quarters)))
    assert [str(d.year) for d in mdates.num2date(ax.get_xlim())] == ["2009", "2026"]  # with the axes' margins
    plots.quarter_axis(ax)
    labels = [t.get_text() for t in plots.drawn_texts(fig) if t in ax.get_xticklabels()]
    # 18 years shown, at most 8 labels: every third year (a multiple of 3, as matplotlib's YearLocator counts)
    assert labels == ["2010Q1", "2013Q1", "2016Q1", "2019Q1", "2022Q1", "2025Q1"]


def _notebook_figures(source: Path, monkeypatch) -> tuple[list[plt.Figure], list[warnings.WarningMessage]]:
    """Run a notebook's code cells in this process, as its default run does, and keep every figure
    it shows (``plt.show()``) and every warning it raises."""
    import jupytext

    figures: list[plt.Figure] = []

    def keep_and_close(*args, **kwargs):
        for number in plt.get_fignums():
            figures.append(plt.figure(number))
        plt.close("all")

    monkeypatch.setattr(plt, "show", keep_and_close)
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        for cell in jupytext.read(source).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, str(source), "exec"), namespace)  # noqa: S102
    return figures, caught


@pytest.mark.slow
@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_of_a_notebook_has_its_caption_and_no_overlapping_or_clipped_text(source, monkeypatch):
    """Each figure a notebook draws on its default parameters, as a client's report shows it: a
    source caption, every text inside the figure (and a value label inside its axes), no text over
    another; and nothing the notebook runs warns into the page."""
    with matplotlib.rc_context():  # the notebook's house style holds while its figures are checked
        figures, caught = _notebook_figures(source, monkeypatch)
        assert figures, f"{source.name} shows no figure"
        for number, fig in enumerate(figures, start=1):
            assert fig.get_supxlabel().startswith("Source: "), f"{source.name}, figure {number}: no plots.caption"
            assert plots.text_problems(fig) == [], f"{source.name}, figure {number} ({fig.axes[0].get_title()!r})"
    shown = [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, PAGE_WARNINGS)]
    assert shown == []


def test_describe_gives_the_title_axes_and_series_of_a_figure():
    fig, (left, right) = plt.subplots(1, 2)
    fig.suptitle("Kuaishou GMV")
    left.set_title("by quarter")
    left.set_xlabel("quarter")
    left.set_ylabel("GMV, RMB bn")
    left.plot([1, 2], [3, 4], label="reported")
    left.plot([1, 2], [4, 5], label="forecast")
    left.legend()
    right.set_ylabel("share")
    expected = (
        "Figure: Kuaishou GMV; by quarter. Horizontal axis: quarter; vertical axis: GMV, RMB bn. "
        "Series: reported, forecast. Vertical axis: share."
    )
    assert plots.describe(fig) == expected
    plt.close(fig)


def test_describe_names_an_untitled_figure_as_such():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    assert plots.describe(fig) == "Figure: untitled."
    plt.close(fig)


def test_a_figure_shown_in_a_kernel_carries_its_alt_text():
    """In an IPython shell with the inline backend, setup() makes every figure's PNG output carry
    :func:`plots.describe` as its ``alt`` metadata (once, however often setup runs)."""
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    shell = InteractiveShell.instance()
    try:
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type(Figure, lambda fig: b"\x89PNG drawn")  # as the inline backend registers it
        plots.setup()
        plots.setup()
        fig, ax = plt.subplots()
        ax.set_title("orders per day")
        data, metadata = shell.display_formatter.format(fig, include={"image/png"})
        assert data["image/png"] == b"\x89PNG drawn"
        assert metadata["image/png"] == {"alt": "Figure: orders per day."}
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()


def test_caption_checks_the_figures_text_without_drawing_it(house_style, monkeypatch):
    # showing the figure draws it; a draw here too would cost a figure's layout and rasterizing twice
    from matplotlib.figure import Figure

    drawn = []
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: drawn.append(self))
    fig, ax = plt.subplots()
    ax.set_title("快品牌 orders")
    ax.bar(["快手", "淘宝"], [1, 2])
    plots.caption(fig, "data/facts.csv")
    assert drawn == []


def test_a_missing_glyph_is_found_in_tick_labels_and_in_text_measured_before(latin_font_only):
    fig, ax = plt.subplots()
    ax.bar(["a", "信"], [1, 2])  # a category axis: its labels are made when the figure is laid out
    with pytest.raises(plots.MissingGlyphError, match="'信'"):
        plots.caption(fig, "data/facts.csv")
    fig, ax = plt.subplots()
    ax.set_title("任 orders")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.canvas.get_renderer()
        ax.title.get_window_extent()  # measured once already: matplotlib caches the size, and warns no more
    with pytest.raises(plots.MissingGlyphError, match="'任'"):
        plots.caption(fig, "data/facts.csv")

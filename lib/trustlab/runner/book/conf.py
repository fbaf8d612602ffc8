"""Sphinx configuration of a report site's book (``sphinx-build -c`` this folder; :mod:`trustlab.runner.book`).

Sphinx, myst-nb and sphinx-book-theme give the sidebar, full-text search, each page's contents,
numbered figures, dark mode and the notebook download; :mod:`trustlab.runner.book.extension` adds
the provenance header of every report page and the answer-first landing page.
"""

from pathlib import Path

from trustlab.runner import deferred

# myst-nb imports nbformat, whose jsonschema would compile some 35 grammars no notebook needs (runner/deferred.py).
deferred.defer_rfc3987_syntax()

project = "trustlab reports"
html_title = "trustlab reports"
author = "trustlab"
extensions = ["myst_nb", "trustlab.runner.book.extension"]
root_doc = "index"
exclude_patterns = ["**/.ipynb_checkpoints"]

# The notebooks are executed already (their outputs are the run's): rendered, never re-executed.
nb_execution_mode = "off"
nb_merge_streams = True

# Figures and tables numbered within each page, so the text can say "Figure 1".
numfig = True
numfig_secnum_depth = 0
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": True,  # the page's notebook (.ipynb)
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_static_path = [str(Path(__file__).resolve().parent.parent / "static")]
html_css_files = ["trustlab.css"]  # the look shared with the report pages and the explorer
html_copy_source = True  # the download button offers the notebook itself
html_show_sourcelink = False
html_last_updated_fmt = None  # no build time on the pages: two builds of the same runs agree
html_show_sphinx = False
smartquotes = False  # parameter values and code keep their straight quotes

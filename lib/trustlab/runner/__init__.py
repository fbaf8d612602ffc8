"""The runner: everything that turns a notebook and its parameters into a report, apart from the
analyses it runs.

- :mod:`~trustlab.runner.cli` and :mod:`~trustlab.runner.commands`: the ``trustlab`` command, its
  parser and dispatch, and one module per command (``run``, ``build``, ``sweep``, ``serve``, ...).
- :mod:`~trustlab.runner.notebook`: one notebook read once (source, schema, contract, scenarios, fast
  path), and one run of it resolved once (``resolve_run``: a ``ResolvedRun``), which a command builds
  and passes down; :mod:`~trustlab.runner.params`: parameter values read (strict YAML), parsed and
  checked before any kernel starts.
- :mod:`~trustlab.runner.runs`: one run (places checked, staged, executed, moved into place), builds
  and refreshes.
- :mod:`~trustlab.runner.cache`: what a run depends on, and whether a report is up to date.
- :mod:`~trustlab.runner.execute`, :mod:`~trustlab.runner.finish`: the process that executes a
  notebook with papermill and writes its page and ``results.json``.
- :mod:`~trustlab.runner.forkserver`, :mod:`~trustlab.runner.processes`: warm runs forked from one
  interpreter that imported the libraries once; process and signal helpers.
- :mod:`~trustlab.runner.executors`: the execute step: a run's record begun, its child started (a new
  interpreter, or forked from a fork server).
- :mod:`~trustlab.runner.report`, ``templates/``: the report page, its provenance header, the site index;
  :mod:`~trustlab.runner.page_markup`: the markup fixes every report page gets (ids, styles in the head).
- :mod:`~trustlab.runner.book`: the site's book (Sphinx + myst-nb + sphinx-book-theme), its
  configuration and the extension adding the provenance header and the landing page; ``static/``:
  the stylesheet report pages, the book and the explorer share.
- :mod:`~trustlab.runner.pdf`: a report page printed to PDF by Chromium (``run``/``build --pdf``).
- :mod:`~trustlab.runner.sites`: where trustlab may write (manifests, ownership);
  :mod:`~trustlab.runner.folders`: folders staged and swapped into place, crash leftovers, each place's lock.
- :mod:`~trustlab.runner.sweep`: a notebook over a grid of parameters, on Dask;
  :mod:`~trustlab.runner.compare`: two runs compared (``trustlab diff``, the explorer's comparison).
- :mod:`~trustlab.runner.new`, ``templates/new/``: ``trustlab new``, the scaffold of a new question.
- :mod:`~trustlab.runner.serve`, :mod:`~trustlab.runner.explorer`, :mod:`~trustlab.runner.explorer_sweep`,
  ``templates/serve/``: ``trustlab serve``, the web explorer (Starlette on uvicorn), its pool of warm
  runs and its sweep page.

Imports flow one way: cli -> commands -> {book -> report, serve -> explorer_sweep -> {explorer, sweep}, new} ->
runs -> {cache, executors, pdf} -> {notebook -> params, finish, forkserver -> execute -> finish}
-> report -> {sites -> folders, page_markup}; no module uses another's private names, and no analysis module imports this
package (tests/test_layout.py checks all three).
"""

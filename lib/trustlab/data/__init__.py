"""The project's data files: one loader and one pandera schema per file, one way to validate
(:func:`trustlab.data.tables.read_validated`) and one error for a file that breaks its schema
(:class:`trustlab.data.tables.DataFileError`, naming file, line, column, value and expected form).

- :mod:`~trustlab.data.tables`: the shared reading, validation and error format.
- :mod:`~trustlab.data.sources`: ``sources.csv`` and the cleaner of the scraped articles in ``raw/``.
- :mod:`~trustlab.data.quotes`: reading the numbers a verbatim quote states.
- :mod:`~trustlab.data.facts`: ``facts.csv``, the article's claims, each traced to its quote.
- :mod:`~trustlab.data.trust_report`: ``trust_report_2021.csv``, the trust report's own figures.
- :mod:`~trustlab.data.quarterly`: ``kuaishou_quarterly.csv`` and its wide forms.
- :mod:`~trustlab.data.positioning`: ``platform_positioning.csv``, spend per buyer by platform.

pandera is imported when a file is validated, not when these modules are imported.
"""

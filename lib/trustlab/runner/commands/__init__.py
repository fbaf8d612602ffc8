"""The ``trustlab`` commands, one module each (``run``, ``build``, ``refresh``, ``status``, ``params``,
``sweep``, ``diff``, ``new``, ``publish``, ``serve``): its ``add_parser(sub)`` registers it with the
command line (:mod:`trustlab.runner.cli`) and its ``main(args)`` runs it. A command reads each
notebook it is given once (:meth:`trustlab.runner.notebook.Notebook.load`) and passes that object
down; :mod:`~trustlab.runner.commands.common` holds what several commands print.
"""

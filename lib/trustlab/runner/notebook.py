"""One notebook as the runner knows it, read once: its source, schema, contract and fast path;
and one run of it, resolved once.

A command turns the name and parameters it was given into a :class:`ResolvedRun`
(:func:`resolve_run`: the :class:`Notebook` with its checked values) and passes that value down the
run's steps (execute, finish and render, write), as papermill passes one notebook node through its
steps: nothing below the command looks the notebook up by name or resolves its parameters again.
Its contract is read by :func:`trustlab.runner.params.read_contract`, its values resolved by
:func:`trustlab.runner.params.resolve_values`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from trustlab import config, contract
from trustlab.runner.params import (
    Parameter,
    ParameterError,
    import_function,
    import_object,
    parameters_of,
    read_contract,
    resolve_values,
)

# Notebook and scenario names become folder and file names: letters, digits, '_', '.', '-' only,
# starting with a letter or digit, and never '..' (so no name can climb out of its folder).
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(name: str, what: str) -> str:
    """Return ``name`` if it is a safe notebook or scenario name, else raise :class:`ParameterError`."""
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or ".." in name:
        raise ParameterError(
            f"{what} name {name!r} is not allowed: expected letters, digits, '_', '.' or '-', "
            f"starting with a letter or digit, without '..' (pattern {SAFE_NAME.pattern})"
        )
    return name


@dataclass(frozen=True, eq=False)  # one object per load: compared and hashed by identity
class Notebook:
    """A notebook resolved once: its name (the source's stem), jupytext ``source``, ``schema``
    (the mapping of its schema file, {} without one), ``contract`` model, declared ``parameters``
    in order, and ``fast`` (the ``module:function`` of its fast path, or None)."""

    name: str
    source: Path
    schema: dict[str, Any]
    contract: type[BaseModel]
    parameters: dict[str, Parameter]
    fast: str | None = None

    @classmethod
    def load(cls, notebook: str | Path) -> Notebook:
        """Read a notebook by name (``01_governance``), file name or path: its source, schema and contract.

        Raises :class:`ParameterError` for an unknown notebook, a malformed schema or a contract that
        cannot be imported or built."""
        source = find_source(notebook)
        schema, model = read_contract(source, schema_path(source))
        fast = schema.get("fast")
        return cls(source.stem, source, schema, model, parameters_of(model), str(fast) if fast else None)

    @property
    def schema_path(self) -> Path:
        """Where its schema lives (which may not exist): ``notebooks/params/<name>.schema.yaml``."""
        return schema_path(self.source)

    def scenario_path(self, scenario: str) -> Path:
        """The YAML file of a named scenario: ``notebooks/params/<name>.<scenario>.yaml`` (:func:`scenario_file`)."""
        return scenario_file(self.source, scenario)

    def resolve(
        self,
        cli: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        files: list[Path] | None = None,
    ) -> dict[str, Any]:
        """Resolve and check the notebook's full parameter set with its contract
        (:func:`trustlab.runner.params.resolve_values`: defaults, then ``files``, ``overrides``, ``cli``)."""
        return resolve_values(self.name, self.parameters, self.contract, cli, overrides, tuple(files or ()))

    def changed_from_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters in ``values`` whose value differs from the declared default, each mapped
        to that default, in declaration order (``{}`` for a run on the defaults).

        ``1`` and ``1.0`` count as the same value (a ``float`` parameter's default may be written as
        an integer), ``True`` and ``1`` do not; NaN equals NaN here (:func:`trustlab.contract.same_value`)."""
        return contract.changed_from_defaults(self.contract, values)

    def result_groups(self) -> dict[str, dict[str, Callable[[float], str]]]:
        """How its recorded results read, from the object its schema names under ``results``
        (``module:name``): group heading -> {result name: the function its narrative words that
        number with}; {} without one. Comparisons of two runs (:mod:`trustlab.runner.compare`) use it."""
        spec = self.schema.get("results")
        if not spec:
            return {}
        found = import_object(str(spec), schema_path(self.source).parent)
        if not isinstance(found, Mapping) or not all(isinstance(group, Mapping) for group in found.values()):
            raise ParameterError(f"{schema_path(self.source)}: results: expected a mapping of group -> {{result: formatter}}")
        return {str(title): dict(group) for title, group in found.items()}

    def fast_function(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """The analysis function its schema names under ``fast`` (``module:function``)."""
        if not self.fast:
            raise ParameterError(f"notebook {self.name} has no fast analysis function ('fast:' in its schema)")
        return import_function(self.fast)


@dataclass(frozen=True, eq=False)
class ResolvedRun:
    """One run of a notebook, resolved once: the value every step of the run is handed.

    ``notebook`` (read once), its checked parameter ``values`` in declaration order, those
    ``changed`` from the declared defaults (each mapped to its default: the page's header marks
    them), the ``scenario`` that named it and the parameter ``files`` read (the scenario's first)."""

    notebook: Notebook
    values: dict[str, Any]
    changed: dict[str, Any]
    scenario: str | None = None
    files: tuple[Path, ...] = ()

    @property
    def name(self) -> str:
        return self.notebook.name


def resolve_run(
    notebook: str | Path | Notebook,
    *,
    cli: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    files: Sequence[str | Path] = (),
    scenario: str | None = None,
    on_source: Callable[[Path], None] | None = None,
) -> ResolvedRun:
    """Read a notebook (a name, file or path, or one already read) and resolve its parameters once.

    The ``scenario``'s file (:func:`scenario_file`) is read first, then ``files``, ``overrides`` and
    ``cli`` (:func:`trustlab.runner.params.resolve_values`). ``on_source(source)`` is called once the
    notebook's source is found, before its contract is read and its values are checked (``trustlab
    run`` starts its fork server there, so that it imports while the parameters are checked).
    Raises :class:`ParameterError` for an unknown notebook or scenario and for any refused value."""
    source = notebook.source if isinstance(notebook, Notebook) else find_source(notebook)
    given = ([scenario_file(source, scenario)] if scenario is not None else []) + [Path(f) for f in files]
    if on_source is not None:
        on_source(source)
    loaded = notebook if isinstance(notebook, Notebook) else Notebook.load(source)
    values = resolve_values(loaded.name, loaded.parameters, loaded.contract, cli, overrides, tuple(given))
    return ResolvedRun(loaded, values, contract.changed_from_defaults(loaded.contract, values), scenario, tuple(given))


def validate(notebook: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Check, inside a running notebook, the values its parameters cell (and papermill) set.

    A notebook calls this in the cell after ``parameters`` so that a run started from JupyterLab is
    held to the same contract as one started by ``trustlab run``.
    """
    loaded = Notebook.load(notebook)
    missing = [name for name in loaded.parameters if name not in namespace]
    if missing:
        raise ParameterError(f"notebook {notebook}: parameter(s) {missing} are not set; run the parameters cell first")
    return loaded.resolve(overrides={name: namespace[name] for name in loaded.parameters})


def find_source(notebook: str | Path) -> Path:
    """Resolve a notebook name (``01_governance``), file name or path to its jupytext source ``.py``."""
    if str(notebook) == "":
        raise ParameterError("notebook name '' is not allowed: give a notebook name, file or path")
    path = Path(notebook)
    candidates = [path] if path.suffix == ".py" else []
    stem = path.stem if path.suffix in (".py", ".ipynb") else path.name
    candidates += [path.with_suffix(".py"), config.NOTEBOOKS_DIR / f"{stem}.py"]
    for candidate in candidates:
        if candidate.is_file():
            check_name(candidate.stem, "notebook")
            return candidate.resolve()
    known = ", ".join(p.stem for p in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")))
    raise ParameterError(f"unknown notebook {str(notebook)!r}; known notebooks: {known}")


def scenario_file(source: Path, scenario: str) -> Path:
    """The YAML file of a named scenario of the notebook ``source``: ``notebooks/params/<name>.<scenario>.yaml``.

    The name must be safe (:func:`check_name`): ``x/../..`` or ``""`` is refused, never resolved;
    so is a scenario without a file."""
    check_name(scenario, "scenario")
    path = source.parent / "params" / f"{source.stem}.{scenario}.yaml"
    if not path.exists():
        raise ParameterError(f"no scenario {scenario!r} for notebook {source.stem}: {path} does not exist")
    return path


def schema_path(source: Path) -> Path:
    """Where a notebook's schema lives: ``notebooks/params/<stem>.schema.yaml``."""
    return source.parent / "params" / f"{source.stem}.schema.yaml"

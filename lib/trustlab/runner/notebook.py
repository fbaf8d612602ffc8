"""One notebook as the runner knows it, read once: its source, schema, contract and fast path.

A command turns the name it was given into a :class:`Notebook` (:meth:`Notebook.load`) and passes
that object down, as papermill passes one notebook node through its steps: nothing below the
command looks the notebook up by name again. Its contract is read by
:func:`trustlab.runner.params.read_contract`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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
    parse_value,
    read_contract,
    read_yaml,
    same_value,
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
        """The YAML file of a named scenario: ``notebooks/params/<name>.<scenario>.yaml``.

        The name must be safe (:func:`check_name`): ``x/../..`` or ``""`` is
        refused, never resolved; so is a scenario without a file."""
        check_name(scenario, "scenario")
        path = self.source.parent / "params" / f"{self.name}.{scenario}.yaml"
        if not path.exists():
            raise ParameterError(f"no scenario {scenario!r} for notebook {self.name}: {path} does not exist")
        return path

    def resolve(
        self,
        cli: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        files: list[Path] | None = None,
    ) -> dict[str, Any]:
        """Resolve and check the notebook's full parameter set with its contract.

        Order of precedence, lowest first: declared defaults, YAML ``files`` in order, typed
        ``overrides`` (from a sweep), then ``cli`` strings parsed by declared type. Raises
        :class:`ParameterError` naming the parameter on any unknown name, wrong type, out-of-range
        value or broken rule across parameters (and the file a value came from).
        """
        supplied: dict[str, Any] = {}
        origin: dict[str, str] = {}  # the file a value came from, named in its error
        for path in files or []:
            from_file = read_yaml(Path(path))
            supplied.update(from_file)
            origin.update({name: str(path) for name in from_file})
        supplied.update(overrides or {})
        for name in overrides or {}:
            origin.pop(name, None)
        for name, text in (cli or {}).items():
            origin.pop(name, None)
            declared = self.parameters.get(name)
            supplied[name] = text if declared is None else parse_value(declared, text)  # an unknown name is reported below
        unknown = [name for name in supplied if name not in self.parameters]
        if unknown:
            where = sorted({origin[name] for name in unknown if name in origin})
            raise ParameterError(
                (f"{', '.join(where)}: " if where else "")
                + f"unknown parameter(s) {unknown} for notebook {self.name}; declared: {list(self.parameters)}"
            )
        try:
            return contract.check(self.contract, supplied)
        except ParameterError as exc:
            if exc.parameter in origin:
                raise ParameterError(f"{origin[exc.parameter]}: {exc}") from None
            raise

    def changed_from_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters in ``values`` whose value differs from the declared default, each mapped
        to that default, in declaration order (``{}`` for a run on the defaults).

        ``1`` and ``1.0`` count as the same value (a ``float`` parameter's default may be written as
        an integer), ``True`` and ``1`` do not; NaN equals NaN here."""
        return {
            name: p.default for name, p in self.parameters.items() if name in values and not same_value(values[name], p.default)
        }

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


def schema_path(source: Path) -> Path:
    """Where a notebook's schema lives: ``notebooks/params/<stem>.schema.yaml``."""
    return source.parent / "params" / f"{source.stem}.schema.yaml"

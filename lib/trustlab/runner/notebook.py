"""One notebook as the runner knows it, read once: its source, schema, contract and fast path.

A command turns the name it was given into a :class:`Notebook` (:meth:`Notebook.load`) and passes
that object down, as papermill passes one notebook node through its steps: nothing below the
command looks the notebook up by name again. The contract is the class its schema names
(``contract: module:Class`` in ``notebooks/params/<notebook>.schema.yaml``), else a model built from
its ``parameters`` cell (``name: type = literal  # help``) and the ranges under ``parameters:`` in
its schema, with an optional ``checker: module:function`` for rules across parameters.
"""

from __future__ import annotations

import ast
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
    model_of,
    parameters_of,
    parse_value,
    read_yaml,
    same_value,
    split_optional,
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
        schema_file = schema_path(source)
        schema = read_yaml(schema_file) if schema_file.exists() else {}
        model = _contract_of(source, schema)
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


def _contract_of(source: Path, schema: Mapping[str, Any]) -> type[BaseModel]:
    """The notebook's contract: the class its schema names (``contract: module:Class``, or
    ``file.py:Class`` beside the schema), else a model built from its parameters cell and schema."""
    spec = schema.get("contract")
    if spec is None:
        checker = schema.get("checker")
        return model_of(source.stem, parameters_from_cell(source, schema), import_function(checker) if checker else None)
    leftover = sorted({"parameters", "checker"} & set(schema))
    if leftover:
        raise ParameterError(
            f"{schema_path(source)}: {leftover} given beside 'contract': ranges and rules belong in the contract class {spec}"
        )
    model = import_object(str(spec), base=schema_path(source).parent)
    if not (isinstance(model, type) and issubclass(model, contract.Contract)):
        raise ParameterError(f"{schema_path(source)}: contract {spec!r} is not a trustlab.contract.Contract subclass")
    return model


def parameters_cell_source(source: Path) -> str:
    """The text of a notebook's one cell tagged ``parameters``."""
    import jupytext

    nb = jupytext.read(source)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0].source


def parameters_from_cell(source: Path, schema: Mapping[str, Any]) -> dict[str, Parameter]:
    """The parameters a notebook declares in its parameters cell, with the ranges of its schema."""
    cell = parameters_cell_source(source)
    constraints = schema.get("parameters") or {}
    found: dict[str, Parameter] = {}
    tree = ast.parse(cell)
    help_by_line = {i + 1: line.split("#", 1)[1].strip() for i, line in enumerate(cell.splitlines()) if "#" in line}
    for node in tree.body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            raise ParameterError(f"{source}: parameters cell line {node.lineno}: expected 'name: type = literal  # help'")
        name = node.target.id
        try:
            default = ast.literal_eval(node.value) if node.value is not None else None
        except ValueError:
            raise ParameterError(f"{source}: parameter {name!r} must have a literal default") from None
        annotation = node.annotation
        written = (
            annotation.value
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)
            else ast.unparse(annotation)
        )
        core, nullable = split_optional(written)  # "Optional[float]" (papermill reads it) is "float | None"
        written = f"{core} | None" if nullable else core
        found[name] = Parameter(
            name=name,
            type_name=written,
            default=default,
            help=help_by_line.get(node.lineno, ""),
            constraints=constraints.get(name, {}),
        )
    unknown = set(constraints) - set(found)
    if unknown:
        raise ParameterError(f"{schema_path(source)}: constraints for undeclared parameter(s) {sorted(unknown)}")
    return found

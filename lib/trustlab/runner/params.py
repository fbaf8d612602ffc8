"""The typed parameter contract of each notebook.

A notebook's ``parameters`` cell declares names, types (annotations) and defaults; ranges and choices
come from ``notebooks/params/<notebook>.schema.yaml``; cross-parameter rules from an optional
``checker`` function named in that schema. Values from the command line, a YAML file or a sweep are
parsed by declared type and checked here, before any kernel starts.
"""

from __future__ import annotations

import ast
import importlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trustlab import config
from trustlab.errors import ParameterError  # also raised by the analyses' cross-parameter checks

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


# ---------------------------------------------------------------- YAML parameter files

MAX_YAML_BYTES = 1024 * 1024  # a parameter, scenario, schema or grid file is a few lines; 1 MiB is plenty


class YamlRefused(yaml.YAMLError):
    """A YAML construct trustlab does not accept in parameter files (aliases, duplicate keys)."""


class StrictLoader(yaml.SafeLoader):
    """The loader of every YAML file trustlab reads: PyYAML's safe loader, but refusing anchors and
    aliases (no "billion laughs" expansion) and duplicate keys (no silent "last one wins"), and
    reading ``1e3``/``1.0e-3`` as floats as YAML 1.2 does (YAML 1.1 reads them as text)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            # A mapping's value is composed with its key node as ``index``: name the key.
            where = f"under key {index.value!r} " if isinstance(index, yaml.ScalarNode) else ""
            kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            raise YamlRefused(f"{kind}{anchor} {where}at line {event.start_mark.line + 1}: anchors and aliases are not allowed")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base constructor reports it
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise YamlRefused(f"duplicate key {key!r} at line {line} (first given at line {first})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def load_yaml_text(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader` (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its name, type annotation, default and help text, plus schema constraints."""

    name: str
    type_name: str
    default: Any
    help: str = ""
    constraints: Mapping[str, Any] = field(default_factory=dict)

    def describe_range(self) -> str:
        """Human-readable form of the constraints, e.g. '> 0 and < 1' or "one of ['ets', 'sarimax']"."""
        c = self.constraints
        parts = []
        for key, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if key in c:
                parts.append(f"{symbol} {c[key]}")
        if "choices" in c:
            parts.append(f"one of {list(c['choices'])}")
        if "pattern" in c:
            parts.append(f"matching {c['pattern']}")
        if "min_items" in c:
            parts.append(f"at least {c['min_items']} item(s)")
        return " and ".join(parts)


_SIMPLE_TYPES: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "str": str, "bool": bool}
_LIST_TYPE = re.compile(r"^list\[(int|float|str|bool)\]$")


def _split_optional(type_name: str) -> tuple[str, bool]:
    parts = (
        [p.strip() for p in type_name.replace("Optional[", "").rstrip("]").split("|")]
        if "|" in type_name
        else [type_name.strip()]
    )
    nullable = "None" in parts
    core = [p for p in parts if p != "None"]
    if len(core) != 1:
        raise ParameterError(f"unsupported parameter type annotation {type_name!r}")
    return core[0], nullable


def _is_type(value: Any, core: str) -> bool:
    if core in _SIMPLE_TYPES:
        if isinstance(value, bool) and core != "bool":
            return False
        return isinstance(value, _SIMPLE_TYPES[core])
    m = _LIST_TYPE.match(core)
    if m:
        return isinstance(value, list) and all(_is_type(v, m.group(1)) for v in value)
    raise ParameterError(f"unsupported parameter type {core!r}")


def parse_value(param: Parameter, text: str) -> Any:
    """Parse a command-line string by the parameter's declared type (a ``str`` stays exactly as given)."""
    core, nullable = _split_optional(param.type_name)
    if core == "str":
        return None if nullable and text in ("None", "null") else text
    if nullable and text in ("None", "null", "~", ""):
        return None
    try:
        value = load_yaml_text(text)
        if core.startswith("list[") and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = (
                [v.strip() for v in str(text).split(",")]
                if core == "list[str]"
                else [_number_text(load_yaml_text(v), v) for v in str(text).split(",")]
            )
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameter {param.name!r}: cannot parse {text!r} as {param.type_name}: {exc}") from None
    if core == "float":
        value = _number_text(value, text)
    elif core == "list[float]" and isinstance(value, list):
        value = [_number_text(v, v) if isinstance(v, str) else v for v in value]
    return value


def _number_text(value: Any, text: Any) -> Any:
    """On the command line a number is text: ``inf``, ``nan`` and ``-inf`` (which YAML reads as
    strings) are read as the floats they spell, so that the contract can refuse or allow them."""
    if isinstance(value, str):
        try:
            return float(str(text).strip())
        except ValueError:
            return value
    return value


def check_value(param: Parameter, value: Any) -> Any:
    """Check one value against the declared type and schema constraints; return it normalised (int to float)."""
    core, nullable = _split_optional(param.type_name)
    if value is None:
        if nullable:
            return None
        raise ParameterError(f"parameter {param.name!r}: expected {param.type_name}, got None")
    if not _is_type(value, core):  # a string is never a number, even "0.05": quote nothing you mean as a number
        raise ParameterError(f"parameter {param.name!r}: expected {param.type_name}, got {type(value).__name__} {value!r}")
    if core == "float":
        value = float(value)
    if core == "list[float]":
        value = [float(v) for v in value]
    c = param.constraints
    items = value if isinstance(value, list) else [value]
    if core in ("float", "list[float]") and not c.get("allow_nonfinite", False):
        for item in items:
            if not math.isfinite(item):
                raise ParameterError(
                    f"parameter {param.name!r}: expected a finite number, got {item!r} (its schema does not "
                    f"set allow_nonfinite: true)"
                )
    for item in items:
        failed = (
            ("gt" in c and not item > c["gt"])
            or ("ge" in c and not item >= c["ge"])
            or ("lt" in c and not item < c["lt"])
            or ("le" in c and not item <= c["le"])
            or ("choices" in c and item not in c["choices"])
            or ("pattern" in c and not re.fullmatch(c["pattern"], str(item)))
        )
        if failed:
            raise ParameterError(f"parameter {param.name!r}: expected {param.describe_range()}, got {item!r}")
    if "min_items" in c and len(items) < c["min_items"]:
        raise ParameterError(f"parameter {param.name!r}: expected {param.describe_range()}, got {value!r}")
    return value


def notebook_source(notebook: str | Path) -> Path:
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


def _parameters_cell_source(source: Path) -> str:
    import jupytext

    nb = jupytext.read(source)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0].source


def schema_path(source: Path) -> Path:
    """Where a notebook's schema lives: ``notebooks/params/<stem>.schema.yaml``."""
    return source.parent / "params" / f"{source.stem}.schema.yaml"


def load_schema(source: Path) -> dict[str, Any]:
    """Read a notebook's schema file ({} if it has none)."""
    path = schema_path(source)
    if not path.exists():
        return {}
    return read_yaml(path)


def read_yaml(path: Path, expected: str = "a mapping of parameter names to values") -> dict[str, Any]:
    """Read a YAML file that must hold a mapping ({} when empty); errors name the file.

    Every parameter, scenario, schema and grid file is read here, with :class:`StrictLoader`:
    files over :data:`MAX_YAML_BYTES`, anchors and aliases, and duplicate keys are refused.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ParameterError(
                f"{path}: {size:,} bytes is over the {MAX_YAML_BYTES // 1024 // 1024} MiB limit for a YAML parameter file"
            )
        with path.open("rb") as stream:  # read at most the cap, even if the file grows meanwhile
            raw = stream.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise ParameterError(f"{path}: over the {MAX_YAML_BYTES // 1024 // 1024} MiB limit for a YAML parameter file")
        data = load_yaml_text(raw.decode("utf-8"))
    except YamlRefused as exc:
        raise ParameterError(f"{path}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: malformed YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path}: not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read: {exc.strerror}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected {expected}, got {type(data).__name__}")
    return data


def declared(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, in order, with their schema constraints."""
    source = notebook_source(notebook)
    cell = _parameters_cell_source(source)
    schema = load_schema(source)
    constraints = schema.get("parameters", {})
    params: dict[str, Parameter] = {}
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
        params[name] = Parameter(
            name=name,
            type_name=ast.unparse(node.annotation),
            default=default,
            help=help_by_line.get(node.lineno, ""),
            constraints=constraints.get(name, {}),
        )
    unknown = set(constraints) - set(params)
    if unknown:
        raise ParameterError(f"{schema_path(source)}: constraints for undeclared parameter(s) {sorted(unknown)}")
    return params


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):  # True == 1 in Python, not as a parameter
        return type(a) is type(b) and a == b
    return bool(a == b)


def changed_from_defaults(notebook: str | Path, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters in ``values`` whose value differs from the notebook's declared default,
    each mapped to that default, in declaration order (``{}`` for a run on the defaults).

    ``1`` and ``1.0`` count as the same value (a ``float`` parameter's default may be written as
    an integer), ``True`` and ``1`` do not; NaN equals NaN here."""
    return {
        name: p.default for name, p in declared(notebook).items() if name in values and not _same_value(values[name], p.default)
    }


def import_function(spec: str) -> Callable[..., Any]:
    """The function a schema names as ``module:function`` (:class:`ParameterError` if there is none)."""
    module, _, func = str(spec).partition(":")
    try:
        found = getattr(importlib.import_module(module), func) if module and func else None
    except ImportError as exc:
        raise ParameterError(f"schema names the function {spec!r}, but its module cannot be imported: {exc}") from None
    except AttributeError:
        found = None
    if not callable(found):
        raise ParameterError(f"schema names the function {spec!r}: expected 'module:function' naming a function that exists")
    return found


def _checker(source: Path) -> Callable[[dict[str, Any]], None] | None:
    spec = load_schema(source).get("checker")
    return import_function(spec) if spec else None


def resolve(
    notebook: str | Path,
    cli: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    files: list[Path] | None = None,
) -> dict[str, Any]:
    """Resolve and check a notebook's full parameter set.

    Order of precedence, lowest first: declared defaults, YAML ``files`` in order, typed
    ``overrides`` (from a sweep), then ``cli`` strings parsed by declared type. Raises
    :class:`ParameterError` naming the parameter on any unknown name, wrong type or out-of-range value.
    """
    source = notebook_source(notebook)
    params = declared(source)
    values = {name: p.default for name, p in params.items()}
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
        if name not in params:
            supplied[name] = text  # reported as unknown below
        else:
            supplied[name] = parse_value(params[name], text)
    unknown = [name for name in supplied if name not in params]
    if unknown:
        where = sorted({origin[name] for name in unknown if name in origin})
        raise ParameterError(
            (f"{', '.join(where)}: " if where else "")
            + f"unknown parameter(s) {unknown} for notebook {source.stem}; declared: {list(params)}"
        )
    values.update(supplied)
    checked = {}
    for name in params:
        try:
            checked[name] = check_value(params[name], values[name])
        except ParameterError as exc:
            if name in origin:
                raise ParameterError(f"{origin[name]}: {exc}") from None
            raise
    checker = _checker(source)
    if checker is not None:
        checker(checked)
    return checked


def validate(notebook: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Check, inside a running notebook, the values its parameters cell (and papermill) set.

    Notebooks call this in the cell after ``parameters`` so that a run started from JupyterLab is
    held to the same contract as one started by ``trustlab run``.
    """
    params = declared(notebook)
    return resolve(notebook, overrides={name: namespace[name] for name in params})


def scenario_path(notebook: str | Path, scenario: str) -> Path:
    """The YAML file of a named scenario: ``notebooks/params/<notebook>.<scenario>.yaml``.

    The name must be safe (:func:`check_name`): ``x/../..`` or ``""`` is refused, never resolved."""
    check_name(scenario, "scenario")
    source = notebook_source(notebook)
    path = source.parent / "params" / f"{source.stem}.{scenario}.yaml"
    if not path.exists():
        raise ParameterError(f"no scenario {scenario!r} for notebook {source.stem}: {path} does not exist")
    return path

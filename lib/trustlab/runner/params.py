"""Parameter contracts and values: how the runner reads, parses and checks them.

A notebook's contract (:class:`trustlab.runner.notebook.Notebook` holds it) is a pydantic model of
:class:`trustlab.contract.Contract`: the class its schema names (``contract: module:Class`` in
``notebooks/params/<notebook>.schema.yaml``), else one built from its ``parameters`` cell
(``name: type = literal  # help``) and the ranges under ``parameters:`` in its schema, with an
optional ``checker: module:function`` for rules across parameters (:func:`read_contract`). Here too:
the strict YAML loader of every parameter, scenario, schema and grid file; :class:`Parameter`, one
declared parameter; values from the command line, a YAML file or a sweep parsed by declared type
(:func:`parse_value`) and checked (:func:`check_value`); the objects a schema names (``module:name``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel

from trustlab import contract
from trustlab.errors import ParameterError  # also raised by the analyses' cross-parameter checks

# ---------------------------------------------------------------- YAML parameter files

MAX_YAML_BYTES = 1024 * 1024  # a parameter, scenario, schema or grid file is a few lines; 1 MiB is plenty


class YamlRefused(yaml.YAMLError):
    """A YAML construct trustlab does not accept in parameter files (aliases, duplicate keys)."""


class StrictLoader(yaml.SafeLoader):
    """The loader of every YAML file and value trustlab reads: PyYAML's safe loader, refusing anchors
    and aliases (no "billion laughs" expansion) and duplicate keys (no silent "last one wins"), with
    the YAML 1.2 core schema's rules for plain scalars (:data:`YAML12_CORE`) instead of YAML 1.1's:
    ``off``, ``yes``, ``1_000``, ``1:30`` and ``2022-06-19`` are strings, ``1e3`` is a float,
    ``0x1F3`` and ``0o17`` are integers, ``017`` is 17."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # filled below, from nothing of YAML 1.1

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
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            # An integer too long for int() is named by its key here, before it is constructed.
            for item in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
                _check_digits(item, f"key {key!r} at line {item.start_mark.line + 1}")
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base constructor reports it
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise YamlRefused(f"duplicate key {key!r} at line {line} (first given at line {first})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml12_int(self, node: yaml.ScalarNode) -> int:
        _check_digits(node, f"line {node.start_mark.line + 1}")
        text = str(self.construct_scalar(node))
        base = {"0o": 8, "0x": 16}.get(text[:2], 10)
        try:
            return int(text[2:] if base != 10 else text, base)  # base 10: "017" is 17, as YAML 1.2 reads it
        except ValueError:  # only an explicit !!int tag gets here
            raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not an integer", node.start_mark) from None


INT_TAG = "tag:yaml.org,2002:int"
# The YAML 1.2 core schema's tag resolution (YAML 1.2.2, section 10.3.2), which the README promises:
# tag, regular expression, the characters a matching scalar can start with.
YAML12_CORE = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (INT_TAG, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]
for _tag, _pattern, _first in YAML12_CORE:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
StrictLoader.add_constructor(INT_TAG, StrictLoader.construct_yaml12_int)


def _check_digits(node: Any, where: str) -> None:
    """Refuse a decimal integer longer than Python reads (``sys.get_int_max_str_digits``), naming ``where``."""
    if not (isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG and node.value.isascii()):
        return
    digits = len(node.value.lstrip("+-"))
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit and digits > limit and not node.value.startswith(("0x", "0o")):
        raise YamlRefused(
            f"{where}: an integer of {digits:,} digits; expected a number of at most {limit:,} digits "
            "(Python's limit for reading an integer, sys.set_int_max_str_digits)"
        )


def load_yaml_text(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader` (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its name, type (as written in the parameters cell), default, help
    text and constraints (``gt``, ``ge``, ``lt``, ``le``, ``pattern``, ``choices``, ``min_items``,
    ``allow_nonfinite``)."""

    name: str
    type_name: str
    default: Any
    help: str = ""
    constraints: Mapping[str, Any] = field(default_factory=dict)

    def describe_range(self) -> str:
        """Human-readable form of the constraints, e.g. '> 0 and < 1' or "one of ['ets', 'sarimax']"."""
        return contract.describe_range(self.constraints)


_SIMPLE_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}
_LIST_TYPE = re.compile(r"^list\[(int|float|str|bool)\]$")


def split_optional(type_name: str) -> tuple[str, bool]:
    """A type annotation as written (``Optional[float]``, ``float | None``, ``int``) split into its
    core type name and whether it allows None."""
    text = type_name.strip().strip("\"'")
    if text.startswith("Optional[") and text.endswith("]"):
        return text[len("Optional[") : -1].strip(), True
    parts = [p.strip() for p in text.split("|")]
    nullable = "None" in parts
    core = [p for p in parts if p != "None"]
    if len(core) != 1:
        raise ParameterError(f"unsupported parameter type annotation {type_name!r}")
    return core[0], nullable


def _field(param: Parameter) -> tuple[Any, Any]:
    """The pydantic annotation and Field of a parameter declared by type name and constraints."""
    from pydantic import Field

    core, nullable = split_optional(param.type_name)
    m = _LIST_TYPE.match(core)
    item_name = m.group(1) if m else core
    if item_name not in _SIMPLE_TYPES:
        raise ParameterError(f"parameter {param.name!r}: unsupported parameter type {core!r}")
    c = dict(param.constraints)
    item: Any = _SIMPLE_TYPES[item_name]
    if "choices" in c:
        item = Literal[tuple(c["choices"])]
    annotation: Any = list[item] if m else item
    if nullable:
        annotation = Optional[annotation]  # noqa: UP045 - a runtime annotation object
    limits: dict[str, Any] = {k: c[k] for k in ("gt", "ge", "lt", "le", "pattern") if k in c}
    if m and limits:  # ranges of a list apply to each item
        from typing import Annotated

        annotation = list[Annotated[item, Field(**limits)]] if not nullable else Optional[list[Annotated[item, Field(**limits)]]]  # noqa: UP045
        limits = {}
    extra: dict[str, Any] = dict(limits)
    if "min_items" in c:
        extra["min_length"] = c["min_items"]
    if c.get("allow_nonfinite"):
        extra["allow_inf_nan"] = True
    return annotation, Field(param.default, description=param.help, **extra)


def model_of(
    name: str, declared_params: Mapping[str, Parameter], checker: Callable[[dict[str, Any]], None] | None = None
) -> type[BaseModel]:
    """A contract model named after ``name``, built from declared parameters (a notebook without a
    contract class), with ``checker`` as its rule across parameters."""
    from pydantic import create_model, model_validator

    validators: dict[str, Any] = {}
    if checker is not None:

        def _rules(self: Any) -> Any:
            checker(self.model_dump())
            return self

        validators["_rules"] = model_validator(mode="after")(_rules)
    return create_model(  # type: ignore[call-overload]
        f"Contract_{re.sub(r'[^0-9A-Za-z_]', '_', name)}",
        __base__=contract.Contract,
        __validators__=validators or None,
        **{n: _field(p) for n, p in declared_params.items()},
    )


def parse_value(param: Parameter, text: str) -> Any:
    """Parse a command-line string by the parameter's declared type (a ``str`` stays exactly as given)."""
    core, nullable = split_optional(param.type_name)
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
        shown = repr(text) if len(text) <= 80 else f"{text[:40]!r}... ({len(text):,} characters)"
        raise ParameterError(f"parameter {param.name!r}: cannot parse {shown} as {param.type_name}: {exc}") from None
    if core == "float":
        value = _number_text(value, text)
    elif core == "list[float]" and isinstance(value, list):
        value = [_number_text(v, v) if isinstance(v, str) else v for v in value]
    return value


def _number_text(value: Any, text: Any) -> Any:
    """On the command line a number is text: ``inf``, ``nan``, ``-Infinity`` (which YAML reads as
    strings) are read as the floats they spell, so that the contract can refuse or allow them; any
    other string stays one (``1_000`` is text under YAML 1.2, though Python's float() reads it)."""
    if isinstance(value, str) and _NONFINITE_TEXT.fullmatch(str(text).strip()):
        return float(str(text).strip())
    return value


_NONFINITE_TEXT = re.compile(r"[-+]?(?:inf|infinity|nan)", re.IGNORECASE)


def check_value(param: Parameter, value: Any) -> Any:
    """Check one value against the parameter's type and constraints (with pydantic, as a whole
    contract is checked); return it normalised (an int given for a float becomes a float)."""
    model = model_of(param.name, {param.name: param})
    return contract.check(model, {param.name: value})[param.name]


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


def parameters_of(model: type[BaseModel]) -> dict[str, Parameter]:
    """A contract model's parameters, in declaration order."""
    return {
        name: Parameter(
            name=name,
            type_name=contract.type_name(f.annotation),
            default=f.get_default(call_default_factory=True),
            help=f.description or "",
            constraints=contract.constraints(f),
        )
        for name, f in model.model_fields.items()
    }


def resolve_values(
    name: str,
    declared: Mapping[str, Parameter],
    model: type[BaseModel],
    cli: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    files: list[Path] | tuple[Path, ...] = (),
) -> dict[str, Any]:
    """Resolve and check the full parameter set of the notebook ``name`` (its ``declared`` parameters
    and contract ``model``).

    Order of precedence, lowest first: declared defaults, YAML ``files`` in order, typed
    ``overrides`` (from a sweep), then ``cli`` strings parsed by declared type. Raises
    :class:`ParameterError` naming the parameter on any unknown name, wrong type, out-of-range
    value or broken rule across parameters (and the file a value came from).
    """
    supplied: dict[str, Any] = {}
    origin: dict[str, str] = {}  # the file a value came from, named in its error
    for path in files:
        from_file = read_yaml(Path(path))
        supplied.update(from_file)
        origin.update({key: str(path) for key in from_file})
    supplied.update(overrides or {})
    for key in overrides or {}:
        origin.pop(key, None)
    for key, text in (cli or {}).items():
        origin.pop(key, None)
        param = declared.get(key)
        supplied[key] = text if param is None else parse_value(param, text)  # an unknown name is reported below
    unknown = [key for key in supplied if key not in declared]
    if unknown:
        where = sorted({origin[key] for key in unknown if key in origin})
        raise ParameterError(
            (f"{', '.join(where)}: " if where else "")
            + f"unknown parameter(s) {unknown} for notebook {name}; declared: {list(declared)}"
        )
    try:
        return contract.check(model, supplied)
    except ParameterError as exc:
        if exc.parameter in origin:
            raise ParameterError(f"{origin[exc.parameter]}: {exc}") from None
        raise


def import_object(spec: str, base: Path | None = None) -> Any:
    """The object a schema names as ``module:name`` or ``file.py:name`` (a file relative to ``base``);
    :class:`ParameterError` if there is none."""
    target, _, attr = str(spec).partition(":")
    module: types.ModuleType | None
    try:
        if target.endswith(".py"):
            path = (Path(base or ".") / target).resolve()
            module_name = f"trustlab_contract_{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}"
            loader_spec = importlib.util.spec_from_file_location(module_name, path)
            if loader_spec is None or loader_spec.loader is None or not path.is_file():
                raise ImportError(f"no file {path}")
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[module_name] = module
            loader_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target) if target else None
        found = getattr(module, attr, None) if module is not None and attr else None
    except ImportError as exc:
        raise ParameterError(f"schema names {spec!r}, but its module cannot be imported: {exc}") from None
    if found is None:
        raise ParameterError(f"schema names {spec!r}: expected 'module:name' naming something that exists")
    return found


def import_function(spec: str) -> Callable[..., Any]:
    """The function a schema names as ``module:function`` (:class:`ParameterError` if there is none)."""
    try:
        found = import_object(spec)
    except ParameterError as exc:
        found = None if "expected 'module:name'" in str(exc) else exc
        if isinstance(found, ParameterError):
            raise ParameterError(str(found).replace("schema names", "schema names the function", 1)) from None
    if not callable(found):
        raise ParameterError(f"schema names the function {spec!r}: expected 'module:function' naming a function that exists")
    return found


def read_contract(source: Path, schema_file: Path) -> tuple[dict[str, Any], type[BaseModel]]:
    """A notebook's schema (``{}`` without a schema file) and contract model (:func:`contract_of`)."""
    schema = read_yaml(schema_file) if schema_file.exists() else {}
    return schema, contract_of(source, schema, schema_file)


def contract_of(source: Path, schema: Mapping[str, Any], schema_file: Path) -> type[BaseModel]:
    """The notebook's contract: the class its schema names (``contract: module:Class``, or
    ``file.py:Class`` beside the schema file), else a model built from its parameters cell and schema."""
    spec = schema.get("contract")
    if spec is None:
        checker = schema.get("checker")
        return model_of(
            source.stem, parameters_from_cell(source, schema, schema_file), import_function(checker) if checker else None
        )
    leftover = sorted({"parameters", "checker"} & set(schema))
    if leftover:
        raise ParameterError(
            f"{schema_file}: {leftover} given beside 'contract': ranges and rules belong in the contract class {spec}"
        )
    model = import_object(str(spec), base=schema_file.parent)
    if not (isinstance(model, type) and issubclass(model, contract.Contract)):
        raise ParameterError(f"{schema_file}: contract {spec!r} is not a trustlab.contract.Contract subclass")
    return model


def parameters_cell_source(source: Path) -> str:
    """The text of a notebook's one cell tagged ``parameters``."""
    import jupytext

    nb = jupytext.read(source)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0].source


def parameters_from_cell(source: Path, schema: Mapping[str, Any], schema_file: Path) -> dict[str, Parameter]:
    """The parameters a notebook declares in its parameters cell, with the ranges of its schema
    (``schema``, read from ``schema_file``)."""
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
        raise ParameterError(f"{schema_file}: constraints for undeclared parameter(s) {sorted(unknown)}")
    return found

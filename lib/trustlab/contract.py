"""Parameter contracts: each notebook's parameters declared once, as a pydantic model.

A notebook's contract is a subclass of :class:`Contract` in the module of its question (for example
``trustlab.promotion.parameters.Parameters``). Each field is one parameter: its type annotation, its
default, its help (``description``), its range (``gt``/``ge``/``lt``/``le``), pattern or choices
(``Literal``); rules across parameters are ``model_validator`` methods of the same class. The
notebook's papermill ``parameters`` cell is rendered from the contract (:func:`parameters_cell`, a
test checks they agree), and ``notebooks/params/NAME.schema.yaml`` names the class (``contract:``)
so that the runner checks values before any kernel starts; the notebook itself checks them with
:meth:`Contract.check_notebook` (``PARAMS = Parameters.check_notebook(globals())``). Analyses call :meth:`Contract.check`,
which returns the complete, checked parameter set or raises :class:`~trustlab.errors.ParameterError`
naming the parameter and what was expected.

This module belongs to the analyses' side: it must not import :mod:`trustlab.runner`.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from trustlab.errors import ParameterError


class Contract(BaseModel):
    """Base of every notebook's parameter contract.

    Strict: a string is never read as a number, ``True`` is not ``1``, an int is accepted (and kept
    as a float) where a float is declared; unknown names are refused; ``inf`` and ``nan`` are
    refused unless a field sets ``allow_inf_nan=True``.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        validate_default=True,
        protected_namespaces=(),
    )

    notebook: ClassVar[str] = ""  # the notebook this contract belongs to, e.g. "02_promotion_growth"
    # Headings the explorer's form shows the parameters under, in order: heading -> parameter names
    # (those no group names come last); empty: one list.
    groups: ClassVar[dict[str, tuple[str, ...]]] = {}

    @classmethod
    def check(cls, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The complete parameter set: ``values`` over the declared defaults, checked.

        Raises :class:`ParameterError` naming the first parameter that breaks the contract."""
        return check(cls, dict(values or {}))

    @classmethod
    def check_notebook(cls, namespace: Mapping[str, Any]) -> dict[str, Any]:
        """The complete, checked parameter set of a running notebook, read from its ``namespace``
        (``globals()`` after the parameters cell and the cell papermill injects): the same check as
        ``trustlab run`` makes before the kernel starts. Names the contract does not declare are
        ignored; a declared parameter missing from the namespace is a :class:`ParameterError`."""
        missing = [name for name in cls.model_fields if name not in namespace]
        if missing:
            raise ParameterError(
                f"notebook {cls.notebook or cls.__name__}: parameter(s) {missing} are not set; run the parameters cell first"
            )
        return cls.check({name: namespace[name] for name in cls.model_fields})

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every parameter's declared default, in declaration order."""
        return {name: field.get_default(call_default_factory=True) for name, field in cls.model_fields.items()}


# ----------------------------------------------------------------------- describing a field


def type_name(annotation: Any) -> str:
    """The annotation as the parameters cell writes it: ``float``, ``str`` (also for a
    ``Literal`` of strings), ``list[str]``, ``float | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        core = [a for a in args if a is not type(None)]
        return " | ".join([type_name(a) for a in core] + (["None"] if len(core) < len(args) else []))
    if origin is Literal:
        kinds = {type(a) for a in typing.get_args(annotation)}
        return kinds.pop().__name__ if len(kinds) == 1 else "str"
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return f"list[{type_name(item)}]"
    return getattr(annotation, "__name__", str(annotation))


def constraints(field: FieldInfo) -> dict[str, Any]:
    """A field's range, pattern, choices and size as a plain mapping (``gt``, ``ge``, ``lt``,
    ``le``, ``pattern``, ``choices``, ``min_items``, ``allow_nonfinite``)."""
    found: dict[str, Any] = {}
    for item in field.metadata:
        for key in ("gt", "ge", "lt", "le", "pattern"):
            value = getattr(item, key, None)
            if value is not None:
                found[key] = value
        if getattr(item, "min_length", None) is not None:
            found["min_items"] = item.min_length
        if getattr(item, "allow_inf_nan", None):
            found["allow_nonfinite"] = True
    annotation = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is list and typing.get_args(annotation):
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is Literal:
        found["choices"] = list(typing.get_args(annotation))
    return found


def describe_range(limits: Mapping[str, Any]) -> str:
    """Human-readable constraints, e.g. ``'> 0 and < 1'`` or ``"one of ['ets', 'sarimax']"``."""
    parts = []
    for key, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
        if key in limits:
            parts.append(f"{symbol} {limits[key]}")
    if "choices" in limits:
        parts.append(f"one of {list(limits['choices'])}")
    if "pattern" in limits:
        parts.append(f"matching {limits['pattern']}")
    if "min_items" in limits:
        parts.append(f"at least {limits['min_items']} item(s)")
    return " and ".join(parts)


# ----------------------------------------------------------------------- checking values

_TYPE_ERRORS = {
    "float_type",
    "int_type",
    "string_type",
    "bool_type",
    "list_type",
    "int_from_float",
    "float_parsing",
    "int_parsing",
    "bool_parsing",
    "none_required",
    "is_instance_of",
}


def check(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Validate ``values`` with ``model`` and return every field's checked value, in declaration
    order; a :class:`ValidationError` becomes one :class:`ParameterError` naming the parameter."""
    unknown = [name for name in values if name not in model.model_fields]
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; declared: {list(model.model_fields)}")
    try:
        checked = model.model_validate(values)
    except ValidationError as exc:
        raise error_from(model, exc, values) from None
    return {name: getattr(checked, name) for name in model.model_fields}


def changed_from_defaults(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters in ``values`` whose value differs from the contract's default, each mapped to
    that default, in declaration order (``{}`` for a run on the defaults); compared by :func:`same_value`."""
    defaults = {name: field.get_default(call_default_factory=True) for name, field in model.model_fields.items()}
    return {name: default for name, default in defaults.items() if name in values and not same_value(values[name], default)}


def same_value(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same: ``1`` and ``1.0`` are, ``True`` and ``1`` are not; NaN equals NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):  # True == 1 in Python, not as a parameter
        return type(a) is type(b) and a == b
    return bool(a == b)


def error_from(model: type[BaseModel], exc: ValidationError, values: Mapping[str, Any]) -> ParameterError:
    """The :class:`ParameterError` for the first error pydantic found (a rule's own
    ParameterError is passed through unchanged)."""
    first = exc.errors()[0]
    ctx = first.get("ctx") or {}
    if isinstance(ctx.get("error"), ParameterError):
        return ctx["error"]
    loc = first.get("loc") or ()
    if not loc or loc[0] not in model.model_fields:
        return ParameterError(first.get("msg", str(exc)))
    name = str(loc[0])
    field = model.model_fields[name]
    declared_type = type_name(field.annotation)
    value = values.get(name, field.default)
    bad = first.get("input", value)
    choice_types = {type(choice) for choice in constraints(field).get("choices", [])}
    if first["type"] in _TYPE_ERRORS or (first["type"] == "literal_error" and type(bad) not in choice_types):
        # YAML 1.2 reads yes, no, on and off as text: say what a bool is written as
        hint = ": write true or false" if declared_type.startswith("bool") and isinstance(bad, str) else ""
        return _about(name, f"expected {declared_type}, got {type(bad).__name__} {bad!r}{hint}")
    if first["type"] == "finite_number":
        return _about(name, f"expected a finite number, got {bad!r} (its contract does not allow inf or nan)")
    if first["type"] == "too_short":
        return _about(name, f"expected {describe_range(constraints(field))}, got {value!r}")
    if first["type"] in (
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "literal_error",
        "string_pattern_mismatch",
    ):
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        wanted = extra.get("expected") or describe_range(constraints(field))  # a field may say it in words
        return _about(name, f"expected {wanted}, got {bad!r}")
    return _about(name, f"{first.get('msg', 'invalid value')}, got {bad!r}")


def _about(name: str, message: str) -> ParameterError:
    """A ParameterError about parameter ``name`` (kept on the error as ``.parameter``)."""
    error = ParameterError(f"parameter {name!r}: {message}")
    error.parameter = name
    return error


# ----------------------------------------------------------------------- the notebook's parameters cell


def _literal(value: Any) -> str:
    """A default as the cell writes it: ``5.0e9`` rather than ``5000000000.0`` when that is exact."""
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e6 and value == int(value):
        for digits in range(1, 17):
            text = f"{value:.{digits}e}"
            if float(text) == value:
                mantissa, exponent = text.split("e")
                return f"{mantissa}e{int(exponent)}"
    if isinstance(value, str) and '"' not in value and "\\" not in value and value.isprintable():
        return f'"{value}"'  # the quotes ruff format would choose
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


def parameters_cell(model: type[BaseModel]) -> str:
    """The papermill ``parameters`` cell of a contract: one ``name: type = default  # help`` line
    per field. An optional type is written as the string ``"Optional[float]"`` so that papermill's
    ``--help-notebook`` parses it (it reads neither ``|`` nor an ``=`` in the help)."""
    lines = []
    for name, field in model.model_fields.items():
        written = type_name(field.annotation)
        if written.endswith(" | None"):
            written = f'"Optional[{written.removesuffix(" | None")}]"'
        lines.append(
            f"{name}: {written} = {_literal(field.get_default(call_default_factory=True))}  # {field.description or ''}".rstrip()
        )
    return "\n".join(lines)

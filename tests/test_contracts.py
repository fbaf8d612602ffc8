"""Each notebook's parameter contract (a pydantic model, trustlab.contract) and its parameters cell.

The contract declares every parameter once; the notebook's papermill cell must say the same thing
(names, types, defaults, help), and papermill's own ``--help-notebook`` parser must read all of it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import jupytext
import pytest
from papermill.translators import PythonTranslator
from pydantic import Field, model_validator
from trustlab import contract
from trustlab.contract import Contract
from trustlab.errors import ParameterError
from trustlab.runner import params, runs
from trustlab.runner.notebook import Notebook, schema_path

NOTEBOOKS = [source.stem for source in runs.notebooks()]


def _cell(name: str) -> str:
    nb = jupytext.read(Notebook.load(name).source)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return cell.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_a_contract_class(name):
    model = Notebook.load(name).contract
    assert issubclass(model, Contract) and model.notebook == name
    assert set(Notebook.load(name).schema) <= {"contract", "fast", "results"}


MOST_UNGROUPED = 8  # a form of more parameters than this is grouped as an analyst reads them (issue 25)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_parameter_is_in_exactly_one_group_of_its_contract(name):
    model = Notebook.load(name).contract
    declared = list(model.model_fields)
    named = [parameter for members in model.groups.values() for parameter in members]
    if len(declared) > MOST_UNGROUPED:
        assert model.groups, f"{name}: {len(declared)} parameters and no groups"
    if model.groups:
        assert sorted(named) == sorted(declared), f"{name}: grouped {sorted(named)} != declared {sorted(declared)}"
        assert all(model.groups.values()), f"{name}: an empty group"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_parameters_cell_is_the_contracts(name):
    model = Notebook.load(name).contract
    assert _cell(name) == contract.parameters_cell(model), f"run `trustlab params {name} --cell` and paste it"
    from_cell = params.parameters_from_cell(source := Notebook.load(name).source, {}, schema_path(source))
    from_contract = params.parameters_of(model)
    assert [(p.name, p.type_name, p.default, p.help) for p in from_cell.values()] == [
        (p.name, p.type_name, p.default, p.help) for p in from_contract.values()
    ]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_papermill_reads_every_parameter_with_type_default_and_help(name):
    seen = {p.name: p for p in PythonTranslator.inspect({"source": _cell(name)})}
    declared = Notebook.load(name).parameters
    assert list(seen) == list(declared)
    for p in declared.values():
        assert seen[p.name].inferred_type_name != "None" and seen[p.name].help == p.help


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_defaults_satisfy_the_contract(name):
    model = Notebook.load(name).contract
    assert model.check({}) == model.defaults() == Notebook.load(name).resolve()


class Demo(Contract):
    notebook: ClassVar[str] = "99_demo"
    rate: float = Field(0.5, gt=0, lt=1, description="a share")
    count: int = Field(3, ge=1, description="how many")
    label: Literal["a", "b"] = Field("a", description="a choice")
    tags: list[Literal["x", "y"]] = Field(["x"], min_length=1, description="some tags")
    cap: float | None = Field(None, gt=0, description="optional cap")

    @model_validator(mode="after")
    def _cap_above_rate(self) -> Demo:
        if self.cap is not None and self.cap < self.rate:
            raise ParameterError(f"parameter 'cap': expected at least rate ({self.rate!r}), got {self.cap!r}")
        return self


def test_types_and_constraints_are_read_from_the_model():
    got = params.parameters_of(Demo)
    assert {n: p.type_name for n, p in got.items()} == {
        "rate": "float",
        "count": "int",
        "label": "str",
        "tags": "list[str]",
        "cap": "float | None",
    }
    assert got["rate"].describe_range() == "> 0 and < 1"
    assert got["tags"].describe_range() == "one of ['x', 'y'] and at least 1 item(s)"
    assert got["cap"].constraints == {"gt": 0}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rate": "0.5"}, "parameter 'rate': expected float, got str '0.5'"),
        ({"count": True}, "parameter 'count': expected int, got bool True"),
        ({"count": 2.0}, "parameter 'count': expected int, got float 2.0"),
        ({"rate": 1}, "parameter 'rate': expected > 0 and < 1, got 1"),
        ({"rate": float("nan")}, "parameter 'rate': expected a finite number, got nan"),
        ({"label": "c"}, "parameter 'label': expected one of ['a', 'b'], got 'c'"),
        ({"tags": []}, "parameter 'tags': expected one of ['x', 'y'] and at least 1 item(s), got []"),
        ({"tags": ["z"]}, "parameter 'tags': expected one of ['x', 'y'] and at least 1 item(s), got 'z'"),
        ({"cap": 0.1}, "parameter 'cap': expected at least rate (0.5), got 0.1"),
        ({"nope": 1}, "unknown parameter(s) ['nope']"),
    ],
)
def test_a_broken_contract_names_the_parameter(values, message):
    with pytest.raises(ParameterError) as info:
        Demo.check(values)
    assert message in str(info.value)


def test_a_notebook_checks_its_own_namespace_with_its_contract():
    """What a notebook's set-up cell does: its globals() hold the parameters among modules and helpers."""
    import math as some_module

    namespace = {
        "In": [],
        "Out": {},
        "some_module": some_module,
        "rate": 0.25,
        "count": 7,
        "label": "b",
        "tags": ["y"],
        "cap": None,
    }
    assert Demo.check_notebook(namespace) == {"rate": 0.25, "count": 7, "label": "b", "tags": ["y"], "cap": None}
    with pytest.raises(ParameterError, match=r"parameter 'count': expected >= 1, got 0"):
        Demo.check_notebook({**namespace, "count": 0})
    without = {k: v for k, v in namespace.items() if k not in ("count", "cap")}
    with pytest.raises(ParameterError, match=r"notebook 99_demo: parameter\(s\) \['count', 'cap'\] are not set"):
        Demo.check_notebook(without)


def test_an_int_for_a_float_is_kept_as_a_float():
    checked = Demo.check({"rate": 0.25, "cap": 2})
    assert checked["cap"] == 2.0 and isinstance(checked["cap"], float)


def test_the_rendered_cell_round_trips(tmp_path):
    cell = contract.parameters_cell(Demo)
    assert 'cap: "Optional[float]" = None  # optional cap' in cell
    nb = tmp_path / "99_demo.py"
    nb.write_text('# %% tags=["parameters"]\n' + cell + "\n")
    back = params.parameters_from_cell(nb, {}, schema_path(nb))
    assert {n: (p.type_name, p.default, p.help) for n, p in back.items()} == {
        n: (p.type_name, p.default, p.help) for n, p in params.parameters_of(Demo).items()
    }


def test_large_round_defaults_are_written_exactly():
    assert contract._literal(5e9) == "5.0e9" and contract._literal(2_000_000.0) == "2.0e6"
    assert contract._literal(12_345_678.0) == "1.2345678e7" and float(contract._literal(12_345_678.0)) == 12_345_678.0
    assert contract._literal("a'b") == '"a\'b"' and contract._literal('say "x"') == "'say \"x\"'"


def test_a_contract_file_beside_the_schema(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "nb_contract.py").write_text(
        "from typing import ClassVar\nfrom pydantic import Field\nfrom trustlab.contract import Contract\n\n"
        "class Parameters(Contract):\n    notebook: ClassVar[str] = '96_nb'\n"
        "    n: int = Field(2, ge=1, description='how many')\n"
    )
    (tmp_path / "params" / "96_nb.schema.yaml").write_text("contract: nb_contract.py:Parameters\n")
    nb = tmp_path / "96_nb.py"
    nb.write_text('# %% tags=["parameters"]\nn: int = 2  # how many\n')
    assert Notebook.load(nb).resolve(cli={"n": "5"}) == {"n": 5}
    with pytest.raises(ParameterError, match="parameter 'n': expected >= 1, got 0"):
        Notebook.load(nb).resolve(cli={"n": "0"})


def test_ranges_beside_a_contract_are_refused(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "97_nb.schema.yaml").write_text(
        "contract: trustlab.source_facts:Parameters\nparameters:\n  x: {gt: 0}\n"
    )
    nb = tmp_path / "97_nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 2  # x\n')
    with pytest.raises(ParameterError, match=r"\['parameters'\] given beside 'contract'"):
        Notebook.load(nb)


def test_a_schema_naming_something_that_is_not_a_contract(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "98_nb.schema.yaml").write_text("contract: trustlab.source_facts:day_count\n")
    nb = tmp_path / "98_nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 2  # x\n')
    with pytest.raises(ParameterError, match="is not a trustlab.contract.Contract subclass"):
        Notebook.load(nb)

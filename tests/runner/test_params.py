"""The typed parameter contract: declared types, schema ranges, parsing and rejection messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from trustlab.runner import notebook, params
from trustlab.runner.notebook import Notebook
from trustlab.runner.params import Parameter, ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


def test_declared_reads_types_defaults_help_and_ranges():
    declared = Notebook.load(DEMO).parameters
    assert list(declared) == ["x", "label", "fail", "sleep_seconds"]
    x = declared["x"]
    assert (x.type_name, x.default, x.help) == ("float", 1.5, "a positive number")
    assert x.describe_range() == "> 0 and <= 100"
    assert declared["label"].default == "abc"


def test_defaults_resolve_unchanged():
    assert Notebook.load(DEMO).resolve() == {"x": 1.5, "label": "abc", "fail": False, "sleep_seconds": 0.0}


def test_string_parameter_is_not_guessed():
    resolved = Notebook.load(DEMO).resolve(cli={"label": "007"})
    assert resolved["label"] == "007"
    assert Notebook.load(DEMO).resolve(cli={"label": "True"})["label"] == "True"


def test_cli_values_are_parsed_by_declared_type():
    resolved = Notebook.load(DEMO).resolve(cli={"x": "3", "fail": "true"})
    assert resolved["x"] == 3.0 and isinstance(resolved["x"], float)
    assert resolved["fail"] is True


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"x": "-1"}, "parameter 'x': expected > 0 and <= 100, got -1"),
        ({"x": "abc"}, "parameter 'x': expected float, got str 'abc'"),
        ({"fail": "maybe"}, "parameter 'fail': expected bool, got str 'maybe'"),
        ({"nope": "1"}, "unknown parameter(s) ['nope'] for notebook 90_demo"),
        ({"x": "[1, 2"}, "parameter 'x': cannot parse '[1, 2' as float"),
    ],
)
def test_bad_values_are_rejected_with_the_parameter_named(cli, message):
    with pytest.raises(ParameterError) as info:
        Notebook.load(DEMO).resolve(cli=cli)
    assert message in str(info.value)


def test_bool_is_not_accepted_for_a_number():
    with pytest.raises(ParameterError, match="parameter 'x': expected float, got bool True"):
        Notebook.load(DEMO).resolve(overrides={"x": True})


def test_yaml_files_apply_in_order_and_cli_wins(tmp_path):
    first = tmp_path / "a.yaml"
    first.write_text("x: 2\nlabel: first\n")
    second = tmp_path / "b.yaml"
    second.write_text("label: second\n")
    resolved = Notebook.load(DEMO).resolve(cli={"x": "4"}, files=[first, second])
    assert resolved["label"] == "second" and resolved["x"] == 4.0


def test_malformed_yaml_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("x: [1, 2\n")
    with pytest.raises(ParameterError, match=rf"{bad}: malformed YAML"):
        Notebook.load(DEMO).resolve(files=[bad])


def test_yaml_that_is_not_a_mapping_is_rejected(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ParameterError, match="expected a mapping of parameter names to values, got list"):
        Notebook.load(DEMO).resolve(files=[bad])


def test_unknown_notebook_lists_the_known_ones():
    with pytest.raises(ParameterError, match="unknown notebook 'no_such_notebook'; known notebooks: 00_source_facts"):
        Notebook.load("no_such_notebook")


def test_scenario_files_exist_for_named_scenarios():
    assert Notebook.load(DEMO).scenario_path("smoke").name == "90_demo.smoke.yaml"
    with pytest.raises(ParameterError, match="no scenario 'nope' for notebook 90_demo"):
        Notebook.load(DEMO).scenario_path("nope")


def test_parameters_cell_must_hold_annotated_literals(tmp_path):
    nb = tmp_path / "95_bad.py"
    nb.write_text('# %% tags=["parameters"]\nx = 1\n')
    with pytest.raises(ParameterError, match="expected 'name: type = literal  # help'"):
        Notebook.load(nb).parameters
    nb.write_text('# %% tags=["parameters"]\nx: int = 1 + y\n')
    with pytest.raises(ParameterError, match="must have a literal default"):
        Notebook.load(nb).parameters


def test_schema_for_an_undeclared_parameter_is_an_error(tmp_path):
    nb = tmp_path / "95_nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 1  # x\n')
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "95_nb.schema.yaml").write_text(yaml.safe_dump({"parameters": {"y": {"gt": 0}}}))
    with pytest.raises(ParameterError, match=r"constraints for undeclared parameter\(s\) \['y'\]"):
        Notebook.load(nb).parameters


def test_optional_and_list_types():
    optional = Parameter("dau", "float | None", None)
    assert params.check_value(optional, None) is None
    assert params.parse_value(optional, "None") is None
    assert params.check_value(optional, 3) == 3.0
    topics = Parameter("topics", "list[str]", [], constraints={"choices": ["a", "b"], "min_items": 1})
    assert params.check_value(topics, params.parse_value(topics, "a,b")) == ["a", "b"]
    assert params.check_value(topics, params.parse_value(topics, "[a]")) == ["a"]
    with pytest.raises(ParameterError, match=r"parameter 'topics': expected one of \['a', 'b'\]"):
        params.check_value(topics, ["c"])
    with pytest.raises(ParameterError, match="at least 1 item"):
        params.check_value(topics, [])


@given(st.text(min_size=1).filter(lambda s: s.strip() == s and "\x00" not in s))
def test_any_text_stays_an_inert_string(text):
    label = Parameter("label", "str", "")
    assert params.check_value(label, params.parse_value(label, text)) == text


def test_exponent_notation_is_a_float_from_the_command_line_and_files(tmp_path):
    assert Notebook.load(DEMO).resolve(cli={"x": "1e1"})["x"] == 10.0
    file = tmp_path / "p.yaml"
    file.write_text("x: 1.0e1\n")  # YAML 1.1 reads this as text
    assert Notebook.load(DEMO).resolve(files=[file])["x"] == 10.0


# ---------------------------------------------------------------- non-finite numbers


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", ".inf", "1e400", "-Infinity"])
def test_non_finite_numbers_are_refused_naming_the_parameter(text):
    with pytest.raises(ParameterError, match=r"parameter 'x': expected a finite number, got (-?inf|nan)"):
        Notebook.load(DEMO).resolve(cli={"x": text})


def test_non_finite_numbers_from_files_and_lists_are_refused(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("x: .nan\n")
    with pytest.raises(ParameterError, match=rf"{file}: parameter 'x': expected a finite number, got nan"):
        Notebook.load(DEMO).resolve(files=[file])
    weights = Parameter("weights", "list[float]", [])
    with pytest.raises(ParameterError, match="parameter 'weights': expected a finite number, got inf"):
        params.check_value(weights, params.parse_value(weights, "1,inf"))


def test_a_contract_may_allow_non_finite_numbers():
    ceiling = Parameter("ceiling", "float", 1.0, constraints={"gt": 0, "allow_nonfinite": True})
    assert params.check_value(ceiling, params.parse_value(ceiling, "inf")) == float("inf")
    assert params.check_value(ceiling, 5) == 5.0
    with pytest.raises(ParameterError, match="expected > 0"):
        params.check_value(ceiling, float("-inf"))  # the range still holds
    assert ceiling.describe_range() == "> 0"


# ---------------------------------------------------------------- YAML files


def test_a_quoted_number_in_a_file_is_text_not_a_float(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text('x: "0.05"\n')
    with pytest.raises(ParameterError, match=rf"{file}: parameter 'x': expected float, got str '0.05'"):
        Notebook.load(DEMO).resolve(files=[file])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: &a 2\nsleep_seconds: *a\n", "anchor &a under key 'x' at line 1: anchors and aliases are not allowed"),
        ("a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n", "anchor &a under key 'a' at line 1"),
        ("base: &base {x: 2}\nmerged:\n  <<: *base\n", "anchor &base under key 'base'"),
    ],
)
def test_yaml_anchors_and_aliases_are_refused(tmp_path, text, message):
    file = tmp_path / "bomb.yaml"
    file.write_text(text)
    with pytest.raises(ParameterError) as info:
        Notebook.load(DEMO).resolve(files=[file])
    assert str(info.value).startswith(f"{file}: refused: ") and message in str(info.value)


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    file = tmp_path / "laughs.yaml"
    file.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParameterError, match="anchors and aliases are not allowed"):
        params.read_yaml(file)


def test_duplicate_keys_are_refused_naming_the_key_and_lines(tmp_path):
    file = tmp_path / "dup.yaml"
    file.write_text("x: 1\nlabel: a\nx: 2\n")
    with pytest.raises(ParameterError, match=rf"{file}: refused: duplicate key 'x' at line 3 \(first given at line 1\)"):
        Notebook.load(DEMO).resolve(files=[file])
    nested = tmp_path / "nested.yaml"
    nested.write_text("grid:\n  x: [1]\n  x: [2]\n")
    with pytest.raises(ParameterError, match="duplicate key 'x' at line 3"):
        params.read_yaml(nested, "a grid")


def test_an_oversized_yaml_file_is_refused_without_parsing_it(tmp_path):
    file = tmp_path / "big.yaml"
    file.write_text("x: 2\n" + "# padding\n" * (params.MAX_YAML_BYTES // 10 + 1))
    with pytest.raises(ParameterError, match=rf"{file}: [\d,]+ bytes is over the 1 MiB limit"):
        Notebook.load(DEMO).resolve(files=[file])


# The YAML 1.2 core schema (YAML 1.2.2, section 10.3.2) resolves a plain scalar by these rules only:
# null (~, null), bool (true/false in three casings), int (decimal, 0o octal, 0x hex), float, else str.
# The values are written out by hand from those rules: 0x1F3 = 1*256 + 15*16 + 3, 0o17 = 8 + 7.
YAML_1_2_CORE = [
    ("off", "off"),
    ("yes", "yes"),
    ("On", "On"),
    ("n", "n"),
    ("1_000", "1_000"),
    ("1:30", "1:30"),
    ("0b11", "0b11"),
    ("+0x1F", "+0x1F"),
    ("2022-06-19", "2022-06-19"),
    ("0x1F3", 499),
    ("0o17", 15),
    ("017", 17),
    ("-12", -12),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("-.inf", float("-inf")),
    ("TRUE", True),
    ("false", False),
    ("~", None),
    ("null", None),
]


@pytest.mark.parametrize(("text", "expected"), YAML_1_2_CORE)
def test_yaml_scalars_follow_the_yaml_1_2_core_schema(text, expected):
    value = params.load_yaml_text(f"v: {text}")["v"]
    assert type(value) is type(expected) and value == expected


def test_yaml_1_1_forms_are_text_in_files_and_on_the_command_line(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("label: off\nx: 0x1F\n")
    assert Notebook.load(DEMO).resolve(files=[file])["label"] == "off"
    assert Notebook.load(DEMO).resolve(files=[file])["x"] == 31.0
    file.write_text("fail: off\n")
    with pytest.raises(ParameterError) as info:
        Notebook.load(DEMO).resolve(files=[file])
    assert str(info.value) == f"{file}: parameter 'fail': expected bool, got str 'off': write true or false"
    with pytest.raises(ParameterError, match=r"^parameter 'fail': expected bool, got str 'yes': write true or false$"):
        Notebook.load(DEMO).resolve(cli={"fail": "yes"})
    with pytest.raises(ParameterError, match=r"^parameter 'x': expected float, got str '1_000'$"):
        Notebook.load(DEMO).resolve(cli={"x": "1_000"})
    with pytest.raises(ParameterError, match=r"^parameter 'x': expected float, got str '1:30'$"):
        Notebook.load(DEMO).resolve(cli={"x": "1:30"})


def test_an_integer_too_long_for_python_names_the_parameter_and_the_file(tmp_path):
    import sys

    digits = sys.get_int_max_str_digits() + 700
    file = tmp_path / "p.yaml"
    file.write_text(f"label: a\nx: {'9' * digits}\n")
    expected = f"an integer of {digits:,} digits; expected a number of at most {sys.get_int_max_str_digits():,} digits"
    with pytest.raises(ParameterError) as info:
        Notebook.load(DEMO).resolve(files=[file])
    assert str(info.value).startswith(f"{file}: refused: key 'x' at line 2: {expected}")
    file.write_text(f"x: [1, {'9' * digits}]\n")
    with pytest.raises(ParameterError, match=f"key 'x' at line 1: {expected}"):
        Notebook.load(DEMO).resolve(files=[file])
    with pytest.raises(ParameterError) as info:
        Notebook.load(DEMO).resolve(cli={"x": "9" * digits})
    assert str(info.value).startswith(f"parameter 'x': cannot parse '{'9' * 40}'... ({digits:,} characters) as float")
    assert expected in str(info.value) and len(str(info.value)) < 400


def test_yaml_command_line_values_are_read_with_the_same_rules():
    topics = Parameter("topics", "list[str]", [])
    with pytest.raises(ParameterError, match="parameter 'topics': cannot parse .* anchors and aliases are not allowed"):
        params.parse_value(topics, "[&a x, *a]")


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("scenario", ["", "x/../..", "..", "a..b", "../smoke", "sm oke", ".hidden", "-x", "a/b"])
def test_unsafe_scenario_names_are_refused(tmp_path, scenario):
    # Such a scenario resolved before: make the files it would reach exist.
    notebooks = tmp_path / "notebooks"
    (notebooks / "params" / "90_demo.x").mkdir(parents=True)
    (notebooks / "90_demo.py").write_text(DEMO.read_text())
    (notebooks / "params" / "...yaml").write_text("x: 2\n")
    (notebooks / "params" / "90_demo.yaml").write_text("x: 2\n")
    with pytest.raises(ParameterError, match=rf"scenario name {scenario!r} is not allowed"):
        Notebook.load(notebooks / "90_demo.py").scenario_path(scenario)


def test_safe_scenario_names_resolve():
    assert Notebook.load(DEMO).scenario_path("smoke").name == "90_demo.smoke.yaml"
    assert notebook.check_name("june2022.v2-final_b", "scenario") == "june2022.v2-final_b"


def test_a_notebook_with_an_unsafe_name_is_refused(tmp_path):
    odd = tmp_path / "90 demo;x.py"
    odd.write_text(DEMO.read_text())
    with pytest.raises(ParameterError, match=r"notebook name '90 demo;x' is not allowed"):
        Notebook.load(odd)
    with pytest.raises(ParameterError, match="notebook name '' is not allowed"):
        Notebook.load("")


def test_a_schema_naming_a_missing_checker_is_a_parameter_error(tmp_path):
    nb = tmp_path / "95_nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 1  # x\n')
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "95_nb.schema.yaml").write_text("checker: trustlab.source_facts:no_such_function\n")
    with pytest.raises(ParameterError, match="schema names the function 'trustlab.source_facts:no_such_function'"):
        Notebook.load(nb).resolve()

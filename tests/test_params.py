"""The typed parameter contract: declared types, schema ranges, parsing and rejection messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from trustlab import params
from trustlab.params import Parameter, ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


def test_declared_reads_types_defaults_help_and_ranges():
    declared = params.declared(DEMO)
    assert list(declared) == ["x", "label", "fail", "sleep_seconds"]
    x = declared["x"]
    assert (x.type_name, x.default, x.help) == ("float", 1.5, "a positive number")
    assert x.describe_range() == "> 0 and <= 100"
    assert declared["label"].default == "abc"


def test_defaults_resolve_unchanged():
    assert params.resolve(DEMO) == {"x": 1.5, "label": "abc", "fail": False, "sleep_seconds": 0.0}


def test_string_parameter_is_not_guessed():
    resolved = params.resolve(DEMO, cli={"label": "007"})
    assert resolved["label"] == "007"
    assert params.resolve(DEMO, cli={"label": "True"})["label"] == "True"


def test_cli_values_are_parsed_by_declared_type():
    resolved = params.resolve(DEMO, cli={"x": "3", "fail": "true"})
    assert resolved["x"] == 3.0 and isinstance(resolved["x"], float)
    assert resolved["fail"] is True


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"x": "-1"}, "parameter 'x': expected > 0 and <= 100, got -1.0"),
        ({"x": "abc"}, "parameter 'x': expected float, got str 'abc'"),
        ({"fail": "maybe"}, "parameter 'fail': expected bool, got str 'maybe'"),
        ({"nope": "1"}, "unknown parameter(s) ['nope'] for notebook 90_demo"),
        ({"x": "[1, 2"}, "parameter 'x': cannot parse '[1, 2' as float"),
    ],
)
def test_bad_values_are_rejected_with_the_parameter_named(cli, message):
    with pytest.raises(ParameterError) as info:
        params.resolve(DEMO, cli=cli)
    assert message in str(info.value)


def test_bool_is_not_accepted_for_a_number():
    with pytest.raises(ParameterError, match="parameter 'x': expected float, got bool True"):
        params.resolve(DEMO, overrides={"x": True})


def test_yaml_files_apply_in_order_and_cli_wins(tmp_path):
    first = tmp_path / "a.yaml"
    first.write_text("x: 2\nlabel: first\n")
    second = tmp_path / "b.yaml"
    second.write_text("label: second\n")
    resolved = params.resolve(DEMO, cli={"x": "4"}, files=[first, second])
    assert resolved["label"] == "second" and resolved["x"] == 4.0


def test_malformed_yaml_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("x: [1, 2\n")
    with pytest.raises(ParameterError, match=rf"{bad}: malformed YAML"):
        params.resolve(DEMO, files=[bad])


def test_yaml_that_is_not_a_mapping_is_rejected(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ParameterError, match="expected a mapping of parameter names to values, got list"):
        params.resolve(DEMO, files=[bad])


def test_unknown_notebook_lists_the_known_ones():
    with pytest.raises(ParameterError, match="unknown notebook 'no_such_notebook'; known notebooks: 00_source_facts"):
        params.notebook_source("no_such_notebook")


def test_scenario_files_exist_for_named_scenarios():
    assert params.scenario_path(DEMO, "smoke").name == "90_demo.smoke.yaml"
    with pytest.raises(ParameterError, match="no scenario 'nope' for notebook 90_demo"):
        params.scenario_path(DEMO, "nope")


def test_parameters_cell_must_hold_annotated_literals(tmp_path):
    nb = tmp_path / "95_bad.py"
    nb.write_text('# %% tags=["parameters"]\nx = 1\n')
    with pytest.raises(ParameterError, match="expected 'name: type = literal  # help'"):
        params.declared(nb)
    nb.write_text('# %% tags=["parameters"]\nx: int = 1 + y\n')
    with pytest.raises(ParameterError, match="must have a literal default"):
        params.declared(nb)


def test_schema_for_an_undeclared_parameter_is_an_error(tmp_path):
    nb = tmp_path / "95_nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 1  # x\n')
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "95_nb.schema.yaml").write_text(yaml.safe_dump({"parameters": {"y": {"gt": 0}}}))
    with pytest.raises(ParameterError, match=r"constraints for undeclared parameter\(s\) \['y'\]"):
        params.declared(nb)


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
    assert params.resolve(DEMO, cli={"x": "1e1"})["x"] == 10.0
    file = tmp_path / "p.yaml"
    file.write_text("x: 1.0e1\n")  # YAML 1.1 reads this as text
    assert params.resolve(DEMO, files=[file])["x"] == 10.0

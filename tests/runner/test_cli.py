"""The command line: rejected parameters write nothing; params, run and build behave as documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab.runner.notebook import Notebook

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


def test_params_prints_types_defaults_ranges_and_help(cli):
    proc = cli("params", str(DEMO))
    assert proc.returncode == 0
    assert re.search(r"^x +float +default=1\.5  \[> 0 and <= 100\]$", proc.stdout, re.M)
    assert "a positive number" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "x", "0"], "parameter 'x': expected > 0 and <= 100, got 0"),
        (["-p", "x", "ten"], "parameter 'x': expected float, got str 'ten'"),
        (["-p", "y", "1"], "unknown parameter(s) ['y'] for notebook 90_demo"),
        (["-p", "x", "1", "-p", "x", "2"], "parameter 'x' given twice with -p"),
        (["-p", "fail", "off"], "parameter 'fail': expected bool, got str 'off': write true or false"),  # YAML 1.2: text
        (["-p", "x", "1_000"], "parameter 'x': expected float, got str '1_000'"),
    ],
)
def test_rejected_parameters_stop_before_any_kernel_and_write_nothing(cli, tmp_path, args, message):
    out = tmp_path / "out"
    proc = cli("run", str(DEMO), *args, "--out", str(out))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "running" not in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unknown_notebook_is_rejected_with_the_exit_code_of_the_process():
    """The one refusal run as a process of its own: main's code is the interpreter's exit code (the
    other refusals call main in this process)."""
    proc = trustlab("run", "99_nothing")
    assert proc.returncode == 2
    assert "unknown notebook '99_nothing'" in proc.stderr


def test_malformed_parameter_file_is_rejected(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("x: [1\n")
    proc = cli("run", str(DEMO), "-f", str(bad), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and f"{bad}: malformed YAML" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
def test_run_with_a_parameter_file_and_a_failure_exit_code(tmp_path):
    params_file = tmp_path / "p.yaml"
    params_file.write_text("x: 7\nlabel: '007'\n")
    proc = trustlab("run", str(DEMO), "-f", str(params_file), "--out", str(tmp_path / "ok"))
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "ok" / "results.json").read_text())
    assert record["results"] == {"double": 14.0, "label": "007"}
    assert "90_demo" in proc.stdout and "ok" in proc.stdout

    proc = trustlab("run", str(DEMO), "-p", "fail", "true", "--out", str(tmp_path / "reports" / "demo"))
    assert proc.returncode == 1
    assert "FAILED 90_demo" in proc.stdout
    assert (tmp_path / "reports" / "demo" / "failed" / "90_demo.html").exists()  # a run in no site keeps its failure inside


def test_build_dry_run_says_what_would_run_and_why(cli, tmp_path):
    proc = cli("build", "00_source_facts", "--dry-run", "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^run +00_source_facts +no previous report$", proc.stdout, re.M)
    assert not (tmp_path / "site").exists()


def test_version_is_the_package_version():
    from trustlab import __version__

    proc = trustlab("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"trustlab {__version__}"


def test_params_json_lists_every_parameter_with_its_contract(cli):
    proc = cli("params", str(DEMO), "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["command"] == "params" and record["notebook"] == "90_demo"
    assert [p["name"] for p in record["parameters"]] == list(Notebook.load(DEMO).parameters)
    x = next(p for p in record["parameters"] if p["name"] == "x")
    assert (x["type"], x["default"], x["range"], x["help"]) == ("float", 1.5, "> 0 and <= 100", "a positive number")


def _record(folder: Path, parameters: dict, results: dict) -> Path:
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({"parameters": parameters, "results": results}))
    return folder


def test_diff_exits_1_when_runs_differ_and_0_when_they_agree(cli, tmp_path):
    a = _record(tmp_path / "a", {"x": 1.5}, {"y": 2.0})
    b = _record(tmp_path / "b", {"x": 1.5}, {"y": 2.0})
    c = _record(tmp_path / "c", {"x": 3.0}, {"y": 2.0})
    same, different = cli("diff", str(a), str(b)), cli("diff", str(a), str(c))
    assert (same.returncode, different.returncode) == (0, 1), same.stderr + different.stderr
    assert "no differences" in same.stdout and "x" in different.stdout
    as_json = cli("diff", str(a), str(c), "--json")
    assert as_json.returncode == 1
    record = json.loads(as_json.stdout)
    assert record["same"] is False
    assert record["differences"] == [{"kind": "parameter", "name": "x", "a": 1.5, "b": 3.0}]
    assert cli("diff", str(a), str(tmp_path / "missing")).returncode == 2


def _complete(line: str, tmp_path: Path) -> list[str]:
    import os

    answer = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_IFS": "\n",
    }
    proc = subprocess.run([sys.executable, "-m", "trustlab.runner.cli"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [word.strip() for word in answer.read_text().split("\n")]


def test_shell_completion_offers_commands_options_and_notebook_names(tmp_path):
    from trustlab.runner import runs

    assert _complete("trustlab ru", tmp_path) == ["run"]
    assert {source.stem for source in runs.notebooks()} == set(_complete("trustlab run 0", tmp_path))
    assert _complete("trustlab build --sc", tmp_path) == ["--scenario"]


def test_every_argument_has_help():
    from trustlab.runner.cli import build_parser

    parser = build_parser()
    missing = []
    for action in parser._subparsers._group_actions:
        for command, sub in action.choices.items():
            missing += [f"{command} {a.dest}" for a in sub._actions if not a.help and a.dest != "help"]
    assert not missing, f"arguments without help text: {missing}"


def test_sweep_with_an_unreachable_scheduler_exits_2_with_one_line_and_creates_nothing(cli, tmp_path):
    import socket

    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    grid = tmp_path / "g.yaml"
    grid.write_text("grid:\n  x: [1, 2]\n")
    out = tmp_path / "reports" / "sweep"
    address = f"tcp://127.0.0.1:{port}"
    proc = trustlab(
        "sweep", str(DEMO), "--grid", str(grid), "--scheduler", address, "--scheduler-timeout", "0.5", "--out", str(out)
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"trustlab: error: cannot reach the Dask scheduler at {address} within 0.5 s"]
    for bad in ("0", "-1", "inf", "soon"):
        proc = cli("sweep", str(DEMO), "--grid", str(grid), "--scheduler", address, "--scheduler-timeout", bad, "--out", str(out))
        assert proc.returncode == 2
        assert f"argument --scheduler-timeout: expected a number of seconds > 0, got '{bad}'" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.yaml"]


def test_fast_sweep_writes_its_folder_and_never_replaces_one_holding_a_users_file(cli, tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("fixed: {n_buyers: 2000, monte_carlo_draws: 5000, n_merchants: 2000}\ngrid:\n  seed: [1, 2]\n")
    out = tmp_path / "sweep"
    proc = cli("sweep", "03_pricing_positioning", "--fast", "--jobs", "1", "--grid", str(grid), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "2 ok, 0 failed" in proc.stdout
    assert {p.name for p in out.iterdir()} == {"sweep.csv", "sweep.parquet", ".trustlab-run.json"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "a staging folder was left behind"
    (out / "notes.txt").write_text("mine")
    proc = cli("sweep", "03_pricing_positioning", "--fast", "--jobs", "1", "--grid", str(grid), "--out", str(out))
    assert proc.returncode == 2
    assert "holds files trustlab did not write (notes.txt)" in proc.stderr and "sweeping" not in proc.stderr
    assert (out / "notes.txt").read_text() == "mine" and (out / "sweep.csv").exists()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("value", ["-inf", "inf", "nan", "-1e999"])
def test_a_non_finite_value_is_refused_even_when_it_starts_with_a_dash(cli, tmp_path, value):
    out = tmp_path / "out"
    proc = cli("run", str(DEMO), "-p", "x", value, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "parameter 'x': expected a finite number" in proc.stderr
    assert "running" not in proc.stderr and list(tmp_path.iterdir()) == []


def test_parameter_values_may_be_numbers_that_start_with_a_dash():
    from trustlab.runner.cli import build_parser

    numbers = ["-1", "-0.5", "-.5", "-1e3", "-1E-3", "-inf", "-Infinity", "-nan", "-.inf"]
    argv = ["--debug", "run", "nb", "--out", "o"]
    for i, value in enumerate(numbers):
        argv += ["-p" if i % 2 else "--parameter", f"p{i}", value]
    args = build_parser().parse_args(argv)
    assert args.parameter == [[f"p{i}", value] for i, value in enumerate(numbers)]
    assert args.out == "o" and args.notebook == "nb"


def test_a_text_value_that_starts_with_a_dash_is_refused_by_argparse_naming_the_option(capsys):
    from trustlab.runner.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "nb", "-p", "label", "-v"])
    assert exited.value.code == 2
    assert "argument -p/--parameter: expected 2 arguments" in capsys.readouterr().err


@pytest.mark.parametrize("scenario", ["", "x/../..", "../90_demo.smoke"])
def test_an_empty_or_unsafe_scenario_is_refused(cli, tmp_path, scenario):
    out = tmp_path / "out"
    proc = cli("run", str(DEMO), "--scenario", scenario, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert f"scenario name {scenario!r} is not allowed" in proc.stderr
    assert not out.exists()
    proc = cli("build", str(DEMO), "--dry-run", "--scenario", scenario, "--out", str(tmp_path / "site"))
    assert proc.returncode == 2 and f"scenario name {scenario!r} is not allowed" in proc.stderr


def test_yaml_files_with_aliases_duplicates_or_quoted_numbers_are_refused(cli, tmp_path):
    cases = {
        "alias.yaml": ("x: &a 2\nsleep_seconds: *a\n", "refused: anchor &a under key 'x'"),
        "dup.yaml": ("x: 2\nx: 3\n", "refused: duplicate key 'x' at line 2"),
        "quoted.yaml": ('x: "0.05"\n', "parameter 'x': expected float, got str '0.05'"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        proc = cli("run", str(DEMO), "-f", str(path), "--out", str(tmp_path / "out"))
        assert proc.returncode == 2 and f"{path}: {message}" in proc.stderr, proc.stderr
        assert not (tmp_path / "out").exists()


def test_an_integer_too_long_for_python_is_refused_naming_the_parameter_not_unexpected(cli, tmp_path):
    digits = sys.get_int_max_str_digits() + 700
    path = tmp_path / "big.yaml"
    path.write_text(f"x: {'9' * digits}\n")
    limit = f"expected a number of at most {sys.get_int_max_str_digits():,} digits"
    for args, named in ((["-f", str(path)], f"{path}: refused: key 'x' at line 1"), (["-p", "x", "9" * digits], "parameter 'x'")):
        proc = cli("run", str(DEMO), *args, "--out", str(tmp_path / "out"))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"trustlab: error: {named}") and limit in proc.stderr, proc.stderr
        assert "unexpected" not in proc.stderr and len(proc.stderr.splitlines()) == 1
        assert not (tmp_path / "out").exists()


def _notebook_with_a_broken_checker(tmp_path: Path) -> Path:
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    source = notebooks / "90_demo.py"
    source.write_text(DEMO.read_text())
    # An analyst's checker with a bug: json.loads is called with the parameters and raises TypeError.
    (notebooks / "params" / "90_demo.schema.yaml").write_text("checker: json:loads\n")
    return source


def test_an_unexpected_error_is_a_message_and_a_summary_with_the_traceback_only_under_debug(cli, tmp_path):
    source = _notebook_with_a_broken_checker(tmp_path)
    proc = cli("run", str(source), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("trustlab: error: the JSON object must be str")
    assert lines[1].startswith("trustlab: unexpected TypeError at ") and "run again with --debug" in lines[1]
    assert len(lines) == 2
    for argv in (["--debug", "run", str(source)], ["run", str(source), "--debug"]):
        proc = cli(*argv, "--out", str(tmp_path / "out"))
        assert proc.returncode == 2
        assert "Traceback (most recent call last)" in proc.stderr and "trustlab: unexpected TypeError" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
def test_a_failed_cell_has_one_number_in_the_cli_the_record_and_the_page(tmp_path):
    source = Path(__file__).parent / "fixtures" / "report_pages" / "93_fails_late.py"
    out = tmp_path / "out"
    proc = trustlab("run", str(source), "--out", str(out))
    assert proc.returncode == 1
    assert "FAILED 93_fails_late: cell 7 of 8 failed: ZeroDivisionError: division by zero" in proc.stdout
    record = json.loads((out / "failed" / "results.json").read_text())
    assert record["provenance"]["failed_cell"] == {"cell": 7, "of": 8}
    assert "(cell 7 of 8)" in (out / "failed" / "93_fails_late.html").read_text()


@pytest.mark.slow
@pytest.mark.kernel
def test_json_records_of_run_build_and_sweep(tmp_path):
    run = trustlab("run", str(DEMO), "-p", "x", "2", "--out", str(tmp_path / "run"), "--json")
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert (record["command"], record["notebook"], record["status"], record["ok"]) == ("run", "90_demo", "ok", True)
    assert record["results"]["double"] == 4 and record["out_dir"] == str((tmp_path / "run").resolve())

    site = tmp_path / "site"
    dry = json.loads(trustlab("build", "--out", str(site), "--dry-run", "--json", "00_source_facts").stdout)
    assert dry == {
        "command": "build",
        "dry_run": True,
        "site": str(site.resolve()),
        "runs": [{"notebook": "00_source_facts", "action": "run", "reason": "no previous report"}],
    }

    grid = tmp_path / "g.yaml"
    grid.write_text("fixed: {n_buyers: 2000, monte_carlo_draws: 5000, n_merchants: 2000}\ngrid:\n  seed: [1, 2]\n")
    sweep = trustlab(
        "sweep",
        "03_pricing_positioning",
        "--fast",
        "--jobs",
        "1",
        "--grid",
        str(grid),
        "--out",
        str(tmp_path / "sweep"),
        "--json",
    )
    assert sweep.returncode == 0, sweep.stderr
    assert "fast (analysis function, no kernels) on 1 local process(es)" in sweep.stderr
    summary = json.loads(sweep.stdout)
    assert (summary["command"], summary["points"], summary["ok"], summary["failed"]) == ("sweep", 2, 2, 0)
    assert summary["csv"].endswith("sweep.csv")

"""environment.yml (conda) and pyproject.toml (pip) list the same packages; the lock pins them all."""

from __future__ import annotations

import re
import tomllib

import yaml
from trustlab import config

# Where conda-forge names a PyPI package differently (checked on anaconda.org/conda-forge):
# dask[distributed] is two packages there, and Microsoft's playwright is packaged as playwright-python.
CONDA_NAMES = {"dask[distributed]": {"dask", "distributed"}, "playwright": {"playwright-python"}}


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[a-z,]+\])?)\s*(.*)$", requirement.strip())
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pip_names() -> list[str]:
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return [re.sub(r"\[.*\]", "", _name_and_spec(r)[0]) for r in requirements]


def _pip_requirements() -> dict[str, str]:
    """The pip requirements under their conda-forge names."""
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    pairs = {}
    for requirement in requirements:
        name, spec = _name_and_spec(requirement)
        for conda_name in CONDA_NAMES.get(name, {name}):
            pairs[conda_name] = spec
    return pairs


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    pairs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            dep = dep.split("#")[0]
            name, spec = _name_and_spec(dep.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=]", dep) else dep)
            pairs[name] = spec
    return pairs


def test_conda_and_pip_list_the_same_packages_and_bounds():
    conda = _conda_requirements()
    conda.pop("pip")
    assert conda.pop("python") == "==3.11"
    assert conda == _pip_requirements()


def test_the_lock_pins_every_dependency():
    lock = (config.PROJECT_ROOT / "requirements.lock").read_text().lower()
    pinned = {line.split("==")[0].replace("_", "-") for line in lock.splitlines() if "==" in line}
    for name in _pip_names():
        assert name.replace("_", "-") in pinned, f"{name} is not pinned in requirements.lock"


def test_the_conda_lock_is_generated_from_the_pip_lock(tmp_path):
    import subprocess
    import sys

    regenerated = tmp_path / "environment.lock.yml"
    subprocess.run(
        [
            sys.executable,
            str(config.PROJECT_ROOT / "scripts" / "conda_lock.py"),
            str(config.PROJECT_ROOT / "requirements.lock"),
            str(regenerated),
        ],
        check=True,
        capture_output=True,
    )
    committed = (config.PROJECT_ROOT / "environment.lock.yml").read_text()
    assert regenerated.read_text() == committed, "environment.lock.yml is stale: run `make lock`"
    env = yaml.safe_load(committed)
    pip_section = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    lock = (config.PROJECT_ROOT / "requirements.lock").read_text().splitlines()
    assert sorted(p for p in pip_section if "==" in p) == sorted(line for line in lock if "==" in line)
    assert f"python={sys.version_info.major}.{sys.version_info.minor}" in " ".join(map(str, env["dependencies"]))


def test_make_report_installs_the_fonts_figures_need_and_not_chromium():
    """`make report` draws Chinese in figures, so it runs the fonts step `make test` runs; Chromium
    is only for tests and --pdf. `make -n` prints the commands without running them."""
    import subprocess

    dry_run = subprocess.run(["make", "-n", "report"], cwd=config.PROJECT_ROOT, capture_output=True, text=True, check=True)
    steps = dry_run.stdout.splitlines()
    assert "bash scripts/install-system-deps.sh fonts" in steps
    assert not [step for step in steps if "chromium" in step]


def test_the_fonts_step_asks_for_the_cjk_font_only(tmp_path):
    """On a machine without a CJK font and without root, the fonts step names the one package it
    needs (fake `fc-list` listing no font, fake `id` saying user 1000: nothing is installed)."""
    import subprocess

    fake = tmp_path / "bin"
    fake.mkdir()
    for name, output in (("fc-list", ""), ("id", "1000")):
        (fake / name).write_text(f"#!/bin/sh\necho '{output}'\n")
        (fake / name).chmod(0o755)
    script = config.PROJECT_ROOT / "scripts" / "install-system-deps.sh"
    env = {"PATH": f"{fake}:/usr/bin:/bin"}
    fonts = subprocess.run(["bash", str(script), "fonts"], capture_output=True, text=True, env=env)
    assert (fonts.returncode, fonts.stderr.strip()) == (
        1,
        "install-system-deps: need root to apt-get install fonts-noto-cjk (or install them yourself)",
    )
    unknown = subprocess.run(["bash", str(script), "font"], capture_output=True, text=True, env=env)
    assert unknown.returncode == 2 and "unknown part 'font' (expected fonts, chromium or node)" in unknown.stderr

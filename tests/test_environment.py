"""environment.yml (conda) and pyproject.toml (pip) list the same packages; the lock pins them all."""

from __future__ import annotations

import re
import tomllib

import yaml

from trustlab import config

# conda-forge splits dask[distributed] into two packages.
CONDA_NAMES = {"dask[distributed]": {"dask", "distributed"}}


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[a-z,]+\])?)\s*(.*)$", requirement.strip())
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pip_requirements() -> dict[str, str]:
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
    for name in _pip_requirements():
        assert name.replace("_", "-") in pinned, f"{name} is not pinned in requirements.lock"

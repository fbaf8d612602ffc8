"""Finish a trustlab environment after its packages are installed (pip venv or conda env).

Run with the environment's own Python: ``make install`` does it for .venv, ``make conda-setup``
inside an activated conda environment. It

* registers the ``trustlab`` Jupyter kernel in the environment (``--sys-prefix``), so papermill,
  nbval and JupyterLab find it, started through ``trustlab.kernel`` (ipykernel without its
  plain-TCP warning on loopback);
* makes ``trustlab`` JupyterLab's default kernel for this environment (a server config file under
  ``PREFIX/etc/jupyter``);
* makes JupyterLab open a paired ``.py`` notebook in jupytext's notebook view by default
  (``PREFIX/share/jupyter/lab/settings/overrides.json``);
* enables nbdime's git integration for this repository only (never ``--global``), with the
  environment's absolute paths, so ``git diff`` and ``git merge`` of a notebook are readable
  without activating the environment.

Every step is idempotent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "trustlab"
KERNEL_DISPLAY_NAME = "Python (trustlab)"
KERNEL_MODULE = "trustlab.kernel"
# The server reads other classes' settings from its main config file only (not from jupyter_server_config.d).
SERVER_CONFIG = Path("etc") / "jupyter" / "jupyter_server_config.json"
# JupyterLab's settings overrides for every user of the environment, and the viewer jupytext registers.
LAB_OVERRIDES = Path("share") / "jupyter" / "lab" / "settings" / "overrides.json"
DOCMANAGER_PLUGIN = "@jupyterlab/docmanager-extension:plugin"
JUPYTEXT_VIEWER = "Jupytext Notebook"


def register_kernel(prefix: Path) -> None:
    """Install the trustlab kernelspec into ``prefix``, pointing at this interpreter."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ipykernel",
            "install",
            "--prefix",
            str(prefix),
            "--name",
            KERNEL_NAME,
            "--display-name",
            KERNEL_DISPLAY_NAME,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Start it through trustlab.kernel, which drops ipykernel's plain-TCP warning on loopback only.
    spec_file = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    spec["argv"] = [KERNEL_MODULE if part == "ipykernel_launcher" else part for part in spec["argv"]]
    spec_file.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def make_default_kernel(prefix: Path) -> Path:
    """Write the server config that makes ``trustlab`` the default kernel of Jupyter servers run from ``prefix``."""
    path = prefix / SERVER_CONFIG
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # keep every other setting already in the file
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        config = {}
    except ValueError as exc:
        raise SystemExit(f"post-install: {path} is not valid JSON ({exc}); fix or remove it and run again") from None
    config.setdefault("MappingKernelManager", {})["default_kernel_name"] = KERNEL_NAME
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def open_text_notebooks_as_notebooks(prefix: Path) -> Path:
    """Make JupyterLab (of ``prefix``) open a paired ``.py`` as a notebook on double click (jupytext's
    notebook view), through the environment's settings overrides; other overrides are kept."""
    path = prefix / LAB_OVERRIDES
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        overrides = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        overrides = {}
    except ValueError as exc:
        raise SystemExit(f"post-install: {path} is not valid JSON ({exc}); fix or remove it and run again") from None
    overrides.setdefault(DOCMANAGER_PLUGIN, {}).setdefault("defaultViewers", {})["python"] = JUPYTEXT_VIEWER
    path.write_text(json.dumps(overrides, indent=2) + "\n", encoding="utf-8")
    return path


def enable_nbdime(repo: Path, bin_dir: Path) -> bool:
    """Configure nbdime's diff and merge drivers in ``repo``'s git config; False when ``repo`` is no git work tree."""
    inside = subprocess.run(["git", "-C", str(repo), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return False
    subprocess.run([str(bin_dir / "nbdime"), "config-git", "--enable"], cwd=repo, check=True, stdout=subprocess.DEVNULL)
    # nbdime writes bare command names, found only while the environment is on PATH.
    absolute = {
        "diff.jupyternotebook.command": f"{bin_dir / 'git-nbdiffdriver'} diff",
        "merge.jupyternotebook.driver": f"{bin_dir / 'git-nbmergedriver'} merge %O %A %B %L %P",
        "difftool.nbdime.cmd": f'{bin_dir / "git-nbdifftool"} diff "$LOCAL" "$REMOTE" "$BASE"',
        "mergetool.nbdime.cmd": f'{bin_dir / "git-nbmergetool"} merge "$BASE" "$LOCAL" "$REMOTE" "$MERGED"',
    }
    for key, value in absolute.items():
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repo",
        default=str(Path(__file__).resolve().parents[1]),
        help="git work tree whose config gets nbdime's drivers (default: this checkout)",
    )
    parser.add_argument(
        "--prefix", default=sys.prefix, help="environment to register the kernel in (default: this interpreter's)"
    )
    args = parser.parse_args(argv)
    prefix = Path(args.prefix).resolve()
    bin_dir = Path(sys.executable).parent
    register_kernel(prefix)
    config = make_default_kernel(prefix)
    open_text_notebooks_as_notebooks(prefix)
    nbdime = enable_nbdime(Path(args.repo), bin_dir)
    print(
        f"post-install: kernel {KERNEL_NAME!r} registered in {prefix}; default kernel set in {config}; "
        + "Lab opens paired .py files as notebooks; "
        + ("nbdime enabled for git diff/merge of notebooks" if nbdime else "not a git checkout: nbdime not configured")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

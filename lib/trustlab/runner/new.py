"""``trustlab new``: scaffold a new question that builds, tests and runs with no further edits.

One call writes, from the Jinja2 templates in ``templates/new/``: the numbered notebook
``notebooks/NN_NAME.py`` (jupytext header and ``trustlab`` kernelspec, a typed ``parameters`` cell,
Summary first, then Data, Method, Result, Caveats, References and the environment cell),
``notebooks/params/NN_NAME.schema.yaml`` (naming its contract class and fast path) and ``smoke``
scenario, the question's package ``lib/trustlab/NAME/`` in the shape of every question
(``parameters.py`` with the contract ``Parameters``, ``analysis.py`` with one small function, the
orchestration ``run`` and its fast path ``recorded_results``, ``narrative.py`` with ``summary``)
and its test ``tests/NAME/test_NAME.py``. It then writes the committed ``notebooks/NN_NAME.ipynb``
(executed on the defaults, as ``trustlab refresh`` does, unless asked not to).

Nothing is ever overwritten: every target is checked before the first file is written, each file
is created exclusively, and a scaffold that cannot be completed removes what it created.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from trustlab import config
from trustlab.errors import ParameterError

TEMPLATES = Path(__file__).resolve().parent / "templates" / "new"
# A question's module name: lower-case ASCII letters, digits and '_', starting with a letter.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Scaffold:
    """Where the files of a new question go, under the project ``root``."""

    root: Path
    number: str
    name: str

    @property
    def stem(self) -> str:
        return f"{self.number}_{self.name}"

    @property
    def notebook(self) -> Path:
        return self.root / "notebooks" / f"{self.stem}.py"

    @property
    def committed(self) -> Path:
        return self.notebook.with_suffix(".ipynb")

    @property
    def schema(self) -> Path:
        return self.root / "notebooks" / "params" / f"{self.stem}.schema.yaml"

    @property
    def smoke(self) -> Path:
        return self.root / "notebooks" / "params" / f"{self.stem}.smoke.yaml"

    @property
    def module(self) -> Path:
        """The question's package (a folder)."""
        return self.root / "lib" / "trustlab" / self.name

    def part(self, file: str) -> Path:
        """A module of the question's package: ``parameters.py``, ``analysis.py``, ``narrative.py``, ``__init__.py``."""
        return self.module / file

    @property
    def test(self) -> Path:
        return self.root / "tests" / self.name / f"test_{self.name}.py"

    def rendered(self) -> dict[Path, str]:
        """Target path -> template, for the files rendered from templates (in writing order)."""
        return {
            self.part("parameters.py"): "parameters.py.j2",
            self.part("analysis.py"): "analysis.py.j2",
            self.part("narrative.py"): "narrative.py.j2",
            self.part("__init__.py"): "init.py.j2",
            self.schema: "schema.yaml.j2",
            self.smoke: "smoke.yaml.j2",
            self.notebook: "notebook.py.j2",
            self.test: "test.py.j2",
        }


def check_name(name: str) -> str:
    """Return ``name`` if it can name a new question's module, else raise :class:`ParameterError`."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or keyword.iskeyword(name):
        raise ParameterError(
            f"NAME {name!r} is not allowed: expected a Python identifier of lower-case ASCII letters, digits "
            f"and '_', starting with a letter, at most 40 characters, not a keyword (pattern {NAME_PATTERN.pattern})"
        )
    import trustlab

    if name in vars(trustlab) or name in getattr(trustlab, "_SUBMODULES", ()):
        raise ParameterError(f"NAME {name!r} is not allowed: trustlab.{name} already exists")
    return name


def check_question(question: str) -> str:
    """Return the question stripped, if it is one line or more of printable text, else refuse it."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise ParameterError("--question: expected the question the notebook answers, got an empty text")
    if len(text) > MAX_QUESTION_CHARS:
        raise ParameterError(f"--question: expected at most {MAX_QUESTION_CHARS} characters, got {len(text)}")
    bad = sorted({repr(c) for c in text if not c.isprintable() and c not in "\n\t"})
    if bad:
        raise ParameterError(f"--question: expected printable text, got the control character(s) {', '.join(bad)}")
    return text


def plan(name: str, root: Path | None = None) -> Scaffold:
    """The scaffold of ``name`` at the next free notebook number, refused (:class:`ParameterError`)
    when the name is unsafe or anything of it exists already: a notebook ``NN_NAME`` of any number,
    a module or package ``trustlab.NAME``, or any of the files it would write."""
    check_name(name)
    root = Path(root or config.PROJECT_ROOT)
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.py"))
    same = [p.name for p in notebooks if p.stem[3:] == name]
    if same:
        raise ParameterError(f"NAME {name!r}: the notebook {same[0]} exists already; choose another name")
    for taken in (root / "lib" / "trustlab" / name, root / "lib" / "trustlab" / f"{name}.py"):
        if taken.exists():
            raise ParameterError(f"NAME {name!r}: {taken} exists already (trustlab.{name}); choose another name")
    # pytest imports test files by name: a second test_NAME.py anywhere under tests/ would clash
    clash = sorted((root / "tests").rglob(f"test_{name}.py")) if (root / "tests").is_dir() else []
    if clash:
        raise ParameterError(f"NAME {name!r}: {clash[0]} exists already; test file names must be unique under tests/")
    used = [int(p.name[:2]) for p in notebooks]
    number = max(used, default=-1) + 1
    if number > 99:
        raise ParameterError("no notebook number left: notebooks 00 to 99 exist")
    scaffold = Scaffold(root=root, number=f"{number:02d}", name=name)
    for target in [*scaffold.rendered(), scaffold.committed]:
        if target.exists() or target.is_symlink():
            raise ParameterError(f"NAME {name!r}: {target} exists already; trustlab new never overwrites a file")
    return scaffold


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Text inside a """docstring""": backslashes and quotes escaped, so no question can end it early.
    env.filters["docstring"] = lambda text: (
        "\n".join(textwrap.wrap(" ".join(text.split()), 96)).replace("\\", "\\\\").replace('"', '\\"')
    )
    return env


def render(scaffold: Scaffold, question: str) -> dict[Path, str]:
    """The text of every file of the scaffold, by target path."""
    env = _environment()
    # The question as markdown comment lines of the notebook's first cell (a blank line stays "#").
    lines = [
        f"# {wrapped}" if wrapped else "#" for line in question.splitlines() for wrapped in (textwrap.wrap(line, 96) or [""])
    ]
    context = {
        "number": scaffold.number,
        "name": scaffold.name,
        "stem": scaffold.stem,
        "question": question,
        "question_lines": lines,
        "title": scaffold.name.replace("_", " ").capitalize(),
        "run_class": "".join(part.capitalize() for part in scaffold.name.split("_")) + "Run",
    }
    return {target: env.get_template(template).render(**context) for target, template in scaffold.rendered().items()}


def write(scaffold: Scaffold, question: str) -> list[Path]:
    """Write the scaffold's rendered files (each created exclusively: an existing file is never
    replaced) and the unexecuted ``NN_NAME.ipynb`` paired with the notebook. On any failure the
    files and folders written so far are removed and the error raised. Returns the files written."""
    import jupytext

    texts = render(scaffold, question)
    written: list[Path] = []  # files and folders this call created, in order
    try:
        for target, text in texts.items():
            missing = [folder for folder in reversed(target.parents) if not folder.exists()]
            for folder in missing:
                try:
                    folder.mkdir()
                except FileExistsError:  # made meanwhile by someone else: theirs, never removed
                    continue
                written.append(folder)
            with target.open("x", encoding="utf-8") as stream:
                written.append(target)
                stream.write(text)
        notebook = jupytext.reads(texts[scaffold.notebook], fmt="py:percent")
        with scaffold.committed.open("x", encoding="utf-8") as stream:
            written.append(scaffold.committed)
            stream.write(jupytext.writes(notebook, fmt="ipynb"))
    except FileExistsError as exc:
        _remove(written)  # only what this call created: a path is listed once its exclusive creation succeeded
        raise ParameterError(f"{exc.filename} appeared meanwhile; trustlab new never overwrites a file") from None
    except BaseException:
        _remove(written)
        raise
    return [path for path in written if not path.is_dir()]


def _remove(paths: list[Path]) -> None:
    for path in reversed(paths):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):  # a folder someone else has put files into meanwhile stays
                path.rmdir()
        else:
            path.unlink(missing_ok=True)

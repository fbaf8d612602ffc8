"""``trustlab new``: scaffold a new question that builds, tests and runs with no further edits.

One call writes, from the Jinja2 templates in ``templates/new/``: the numbered notebook
``notebooks/NN_NAME.py`` (jupytext header and ``trustlab`` kernelspec, a typed ``parameters`` cell,
Summary first, then Data, Method, Result, Caveats, References and the environment cell),
``notebooks/params/NN_NAME.schema.yaml`` (naming its contract class and fast path) and ``smoke``
scenario, the analysis module ``lib/trustlab/NAME.py`` (its parameter contract ``Parameters``, one
small function, ``analysis`` and ``summary``)
and its test ``tests/test_NAME.py``. It then writes the committed ``notebooks/NN_NAME.ipynb``
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
        return self.root / "lib" / "trustlab" / f"{self.name}.py"

    @property
    def test(self) -> Path:
        return self.root / "tests" / f"test_{self.name}.py"

    def rendered(self) -> dict[Path, str]:
        """Target path -> template, for the files rendered from templates (in writing order)."""
        return {
            self.module: "module.py.j2",
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
    package = root / "lib" / "trustlab" / name
    if package.exists():
        raise ParameterError(f"NAME {name!r}: {package} exists already (trustlab.{name}); choose another name")
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
    }
    return {target: env.get_template(template).render(**context) for target, template in scaffold.rendered().items()}


def write(scaffold: Scaffold, question: str) -> list[Path]:
    """Write the scaffold's rendered files (each created exclusively: an existing file is never
    replaced) and the unexecuted ``NN_NAME.ipynb`` paired with the notebook. On any failure the
    files written so far are removed and the error raised. Returns the files written."""
    import jupytext

    texts = render(scaffold, question)
    written: list[Path] = []
    try:
        for target, text in texts.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as stream:
                written.append(target)
                stream.write(text)
        notebook = jupytext.reads(texts[scaffold.notebook], fmt="py:percent")
        with scaffold.committed.open("x", encoding="utf-8") as stream:
            written.append(scaffold.committed)
            stream.write(jupytext.writes(notebook, fmt="ipynb"))
    except FileExistsError as exc:
        _remove(written)  # only files this call created: a file is listed once its exclusive open succeeded
        raise ParameterError(f"{exc.filename} appeared meanwhile; trustlab new never overwrites a file") from None
    except BaseException:
        _remove(written)
        raise
    return written


def _remove(paths: list[Path]) -> None:
    for path in reversed(paths):
        path.unlink(missing_ok=True)

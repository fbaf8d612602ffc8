"""The docs stay true to the project: every relative link and #anchor of README.md and docs/*.md
resolves, every documented `make X` is a target of the Makefile, every documented
`trustlab SUBCOMMAND --flag` is known to the command's parser, docs/cli.md is what
scripts/cli_reference.py writes now, and the version is the newest release of CHANGELOG.md."""

from __future__ import annotations

import argparse
import importlib.util
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import trustlab
from trustlab import config
from trustlab.runner.cli import build_parser

ROOT = config.PROJECT_ROOT
DOC_PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])
SHELL_LANGUAGES = {"", "bash", "sh", "shell", "console"}

_FENCE = re.compile(r"^\s*```\s*([\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_MAKE = re.compile(r"(?:^|[\s;&|(])make\s+([A-Za-z0-9_.-]+)")
_TRUSTLAB_COMMAND = re.compile(r"^(?:\S*/)?trustlab(?:\s|$)")
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", re.MULTILINE)


def _blocks(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The lines of ``text`` outside fenced code blocks, and each fenced block as (language, lines)."""
    prose: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    inside: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if fence and inside is None:
            inside = (fence.group(1).lower(), [])
        elif line.strip().startswith("```") and inside is not None:
            blocks.append(inside)
            inside = None
        elif inside is not None:
            inside[1].append(line)
        else:
            prose.append(line)
    return prose, blocks


def anchors(text: str) -> set[str]:
    """The #anchors the headings of a Markdown page get, as GitHub makes them: lower case, every
    character but letters, digits, '-', '_' and spaces dropped, spaces made '-'; a repeated one gets
    -1, -2, ..."""
    prose, _ = _blocks(text)
    seen: dict[str, int] = {}
    found = set()
    for line in prose:
        heading = _HEADING.match(line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(2).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def link_problems(page: Path) -> list[str]:
    """Each relative link of ``page`` (outside code) whose file does not exist, or whose #anchor
    names no heading of the page it points to."""
    prose, _ = _blocks(page.read_text(encoding="utf-8"))
    problems = []
    for number, line in enumerate(prose, start=1):
        for target in _LINK.findall(_INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                continue
            path_part, _, anchor = target.partition("#")
            linked = (page.parent / path_part).resolve() if path_part else page
            if not linked.exists():
                problems.append(f"{page.name}: link to {target}: {path_part} does not exist")
            elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked.read_text(encoding="utf-8"))):
                problems.append(f"{page.name}: link to {target}: no heading #{anchor} in {linked.name}")
    return problems


def code_lines(text: str) -> list[str]:
    """Shell code the page documents: the lines of shell (or unmarked) code blocks and every
    inline code span, each split at ``&&``, ``;`` and ``|`` into single commands."""
    prose, blocks = _blocks(text)
    lines = [line for language, body in blocks if language in SHELL_LANGUAGES for line in body]
    lines += [span for line in prose for _, span in _INLINE_CODE.findall(line)]
    commands = []
    for line in lines:
        line = re.sub(r"^\s*\$\s+", "", line)
        commands += [part.strip() for part in re.split(r"&&|;|\|", line)]
    return commands


def make_targets_documented(text: str) -> set[str]:
    """The X of every ``make X`` in the page's code."""
    return {target for line in code_lines(text) for target in _MAKE.findall(line.split("#")[0])}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _values_taken(action: argparse.Action) -> int:
    if isinstance(action.nargs, int):
        return action.nargs
    return 1 if action.nargs is None else 0


def command_problems(command: str, parser: argparse.ArgumentParser) -> list[str]:
    """What ``parser`` does not know in one documented ``trustlab ...`` command: its subcommand, or
    an option of it (a VALUE taken by an option, such as ``-p x -inf``, is not read as an option).
    Placeholders (NAME, ``...``) pass: only subcommands and options are checked."""
    if not _TRUSTLAB_COMMAND.match(command):
        return []
    try:
        words = shlex.split(command, comments=True)[1:]
    except ValueError:
        words = command.split()[1:]
    subcommands = _subcommands(parser)
    current, sub_name, problems = parser, None, []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word.startswith("-") and len(word) > 1 and word != "--":
            option = word.split("=", 1)[0]
            action = current._option_string_actions.get(option) or parser._option_string_actions.get(option)
            if action is None:
                problems.append(f"`{command}`: trustlab {sub_name or ''} has no option {option}".replace("  ", " "))
            elif "=" not in word:
                i += _values_taken(action)
        elif sub_name is None and current is parser and word != "...":
            if word not in subcommands:
                problems.append(f"`{command}`: trustlab has no subcommand {word!r}")
                return problems
            current, sub_name = subcommands[word], word
    return problems


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    return build_parser()


def _load_cli_reference():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the checkers themselves, on pages written out by hand ---


def test_anchors_follow_githubs_slugs() -> None:
    text = "# Title\n## The explorer: `trustlab serve`\n## PDF: sharing a report by e-mail\n## Title\n```\n# not a heading\n```\n"
    assert anchors(text) == {"title", "the-explorer-trustlab-serve", "pdf-sharing-a-report-by-e-mail", "title-1"}


def test_link_problems_name_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n## Setting up\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n## Here\n[ok](other.md#setting-up) [self](#here) [web](https://example.org/x#y) `[code](nowhere.md)`\n"
        "[gone](missing.md) [bad anchor](other.md#tests) [bad self](#there)\n```\n[in code](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert link_problems(page) == [
        "page.md: link to missing.md: missing.md does not exist",
        "page.md: link to other.md#tests: no heading #tests in other.md",
        "page.md: link to #there: no heading #there in page.md",
    ]


def test_documented_make_targets_are_read_from_code_only() -> None:
    text = "To make sure, run `make report` or:\n```bash\nmake test   # make everything\ncd x && make lint\n```\n"
    assert make_targets_documented(text) == {"report", "test", "lint"}


def test_command_problems_name_an_unknown_subcommand_or_option(parser: argparse.ArgumentParser) -> None:
    assert command_problems(".venv/bin/trustlab run 01_governance -p orders_in_period -inf --pdf", parser) == []
    assert command_problems("trustlab --debug run NB --out=DIR  # --no-such-flag in a comment", parser) == []
    assert command_problems("papermill -k trustlab", parser) == []
    assert command_problems("trustlab frobnicate NB", parser) == [
        "`trustlab frobnicate NB`: trustlab has no subcommand 'frobnicate'"
    ]
    assert command_problems("trustlab run NB --fast", parser) == ["`trustlab run NB --fast`: trustlab run has no option --fast"]
    assert command_problems("trustlab sweep NB --grid g.yaml --fast --pdf", parser) == [
        "`trustlab sweep NB --grid g.yaml --fast --pdf`: trustlab sweep has no option --pdf"
    ]


# --- the project's pages ---


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert link_problems(page) == []


def test_the_guide_pages_exist() -> None:
    pages = {page.name for page in DOC_PAGES}
    assert {"user-guide.md", "research-conventions.md", "contributing.md", "cli.md", "CHANGELOG.md"} <= pages


def test_documented_make_targets_exist() -> None:
    targets = set(_MAKE_TARGET.findall((ROOT / "Makefile").read_text(encoding="utf-8")))
    documented = {
        (page.name, target) for page in DOC_PAGES for target in make_targets_documented(page.read_text(encoding="utf-8"))
    }
    assert {(name, target) for name, target in documented if target not in targets} == set()
    assert {"report", "test"} <= {target for _, target in documented}


def test_documented_trustlab_commands_are_known_to_the_parser(parser: argparse.ArgumentParser) -> None:
    problems = [
        f"{page.relative_to(ROOT)}: {problem}"
        for page in DOC_PAGES
        for command in code_lines(page.read_text(encoding="utf-8"))
        for problem in command_problems(command, parser)
    ]
    assert problems == []


def test_readme_stays_short_and_keeps_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "make report" in readme and "make test" in readme


def test_the_readme_names_the_fast_sweep_of_every_notebook_whose_schema_declares_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    for schema in sorted((ROOT / "notebooks" / "params").glob("*.schema.yaml")):
        name = schema.name.removesuffix(".schema.yaml")
        declares_fast = any(line.startswith("fast:") for line in schema.read_text(encoding="utf-8").splitlines())
        row = next(line for line in readme if line.startswith(f"| `{name}` |"))
        assert ("trustlab sweep --fast" in row) == declares_fast, name


def test_the_architecture_graph_is_what_the_code_imports_now() -> None:
    spec = importlib.util.spec_from_file_location("architecture_graph", ROOT / "scripts" / "architecture_graph.py")
    assert spec and spec.loader
    graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(graph)
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert graph.page_with_graph(page) == page, "docs/architecture.md is stale: run python scripts/architecture_graph.py"
    # a second route to one arrow: the runner imports the package's results module (collect, read_record)
    assert "  runner --> results" in page and "  results --> runner" not in page


def test_cli_reference_is_what_the_script_writes_now() -> None:
    page = ROOT / "docs" / "cli.md"
    expected = _load_cli_reference().render()
    assert page.exists(), "docs/cli.md is missing: run python scripts/cli_reference.py"
    assert page.read_text(encoding="utf-8") == expected, "docs/cli.md is out of date: run python scripts/cli_reference.py"


def test_cli_reference_holds_every_subcommands_help(parser: argparse.ArgumentParser) -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, sub in _subcommands(parser).items():
        assert f"## `trustlab {name}`" in page
        for action in sub._actions:
            for option in action.option_strings:
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", page), (name, option)


def test_the_version_is_the_newest_release_of_the_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$", changelog, re.MULTILINE)
    assert headings and headings[0] == ("Unreleased", ""), "CHANGELOG.md starts with ## [Unreleased]"
    released = headings[1:]
    assert released and all(date for _, date in released), "every release heading has its date: ## [X.Y.Z] - YYYY-MM-DD"
    versions = [tuple(int(part) for part in version.split(".")) for version, _ in released]
    assert versions == sorted(versions, reverse=True) and [date for _, date in released] == sorted(
        (date for _, date in released), reverse=True
    ), "releases are listed newest first"
    newest = released[0][0]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == newest
    assert trustlab.__version__ == newest

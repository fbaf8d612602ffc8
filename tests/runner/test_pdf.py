"""PDF copies of reports (`trustlab run --pdf`, `trustlab build --pdf`): what they hold, how a build
keeps them up to date, and that a PDF that cannot be printed leaves no half-written report."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab import provenance
from trustlab.runner import pdf, sites

FIXTURE = Path(__file__).parent / "fixtures" / "report_pages" / "94_summary.py"
NAME = FIXTURE.stem

pytestmark = pytest.mark.skipif(pdf.chromium_path() is None, reason="Chromium is missing: make system-deps")


def pdf_text(path: Path) -> str:
    """The text of a PDF as a reader would copy it (ligatures such as "fi" undone), one space for any run of blanks."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def folder_state(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): provenance.file_sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A report site holding the fixture's report built with --pdf, one parameter changed."""
    root = tmp_path_factory.mktemp("pdf-site")
    proc = trustlab("build", str(FIXTURE), "--out", str(root), "--pdf")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run = trustlab("run", str(FIXTURE), "-p", "x", "2.5", "--out", str(root / "runs" / "changed"), "--pdf")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root


@pytest.mark.browser
@pytest.mark.kernel
def test_the_pdf_holds_the_title_the_provenance_and_the_summary(site):
    folder = site / "runs" / "changed"
    target = folder / f"{NAME}.pdf"
    assert target.read_bytes().startswith(b"%PDF")
    record = json.loads((folder / "results.json").read_text())
    text = pdf_text(target)
    assert f"{NAME} " in text  # the header's title
    assert f"commit {record['provenance']['git_commit']}" in text
    assert "Parameters (1 changed from the notebook's defaults)" in text
    assert "x 2.5 changed 1.5" in text  # the value, its badge and the default
    assert "Package versions" in text and "papermill" in text  # collapsed on the page, opened in the PDF
    assert "A report that travels by e-mail" in text  # the notebook's own title
    assert "Summary Twice the parameter is 5, computed in this run." in text  # printed by the run
    assert "display(Markdown(" not in text, "code was printed although --pdf-code is hidden by default"
    assert f"PDF of {NAME}.html, code cells hidden" in text
    assert "Executed notebook (.ipynb)" not in text  # links mean nothing on paper
    assert record["provenance"]["pdf"] == {"code": "hidden"}
    assert record["provenance"]["outputs"][f"{NAME}.pdf"] == provenance.file_sha256(target)
    assert f"{NAME}.pdf" in sites.read_manifest(folder, sites.RUN_MANIFEST)["files"]


@pytest.mark.browser
@pytest.mark.kernel
def test_the_code_is_printed_when_asked(site, tmp_path):
    page = site / NAME / f"{NAME}.html"
    target = pdf.write_pdf(page, tmp_path / "shown.pdf", code="shown")
    text = pdf_text(target)
    assert "display(Markdown(" in text and "Twice the parameter is 3" in text
    assert f"PDF of {NAME}.html, code cells shown" in text
    assert [p.name for p in tmp_path.iterdir()] == ["shown.pdf"], "a temporary file was left behind"


@pytest.mark.browser
@pytest.mark.kernel
def test_a_build_keeps_its_pdfs_up_to_date(site, tmp_path):
    def plan(*args: str) -> str:
        proc = trustlab("build", str(FIXTURE), "--out", str(site), "--dry-run", *args)
        assert proc.returncode == 0, proc.stderr
        return " ".join(proc.stdout.split())

    assert plan("--pdf") == f"skip {NAME} up to date"
    assert plan() == f"skip {NAME} up to date"  # a PDF it does not ask for is no reason to rerun
    assert plan("--pdf", "--pdf-code", "shown") == f"run {NAME} its PDF was printed with the code hidden, not shown"
    copy = tmp_path / "copy"
    shutil.copytree(site / NAME, copy)
    recorded = json.loads((copy / "results.json").read_text())
    assert pdf.stale_reason(copy, NAME, recorded, "hidden") is None
    (copy / f"{NAME}.pdf").write_bytes(b"%PDF-1.4 edited by hand")
    assert pdf.stale_reason(copy, NAME, recorded, "hidden") == f"{NAME}.pdf changed since it was printed"
    (copy / f"{NAME}.pdf").unlink()
    assert pdf.stale_reason(copy, NAME, recorded, "hidden") == "no PDF (--pdf)"


def test_missing_chromium_is_refused_before_any_kernel_starts_and_names_the_fix(tmp_path):
    out = tmp_path / "out"
    proc = trustlab(
        "run", str(FIXTURE), "--out", str(out), "--pdf", extra_env={pdf.CHROMIUM_VARIABLE: str(tmp_path / "no-chromium")}
    )
    assert proc.returncode == 2
    assert "--pdf needs Chromium to print the report, and it was not found" in proc.stderr
    assert "make system-deps" in proc.stderr
    assert not out.exists() and "running" not in proc.stderr
    alone = trustlab("run", str(FIXTURE), "--out", str(out), "--pdf-code", "shown")
    assert alone.returncode == 2 and "--pdf-code says how to print the PDF: give --pdf too" in alone.stderr
    assert not out.exists()


@pytest.mark.browser
@pytest.mark.kernel
def test_a_pdf_that_cannot_be_printed_leaves_the_report_as_it_was(site, tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'this Chromium is broken' >&2\nexit 1\n")
    broken.chmod(0o755)
    folder = site / NAME
    before = folder_state(folder)
    proc = trustlab(
        "run", str(FIXTURE), "-p", "x", "4", "--out", str(folder), "--pdf", extra_env={pdf.CHROMIUM_VARIABLE: str(broken)}
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAILED {NAME}: the PDF could not be written: Chromium ({broken}) could not print {NAME}.html" in proc.stdout
    assert "no report was written" in proc.stdout
    assert folder_state(folder) == before, "the report in place was changed"
    assert not [p.name for p in site.iterdir() if p.name.startswith(f".{NAME}.tmp-")], "a staging folder was left"
    assert not (site / "failed").exists()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.kernel
def test_a_real_notebook_at_smoke_size_prints_its_summary_chinese_and_references(tmp_path):
    """00_source_facts on its smoke scenario: the PDF holds its Summary (as the run printed it), the
    Chinese of its title (CJK fonts) and its References list from the bibliography."""
    import nbformat

    out = tmp_path / "facts"
    proc = trustlab("run", "00_source_facts", "--scenario", "smoke", "--out", str(out), "--pdf")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = pdf_text(out / "00_source_facts.pdf")
    cells = nbformat.read(out / "00_source_facts.ipynb", as_version=4).cells
    heading = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.strip() == "## Summary")
    [summary] = [o["data"]["text/markdown"] for o in cells[heading + 1].outputs if "text/markdown" in o.get("data", {})]
    first = " ".join(summary.splitlines()[0].removeprefix("- ").replace("**", "").replace("`", "").split())
    assert first[:60] in text, f"the Summary's first line is not in the PDF: {first[:60]!r}"
    assert "00 · Source facts: what the article claims" in text
    assert "對話貝源世家" in text  # Chinese is printed as text, not boxes
    assert "Out[" not in text  # no output prompts when the code is hidden
    assert "莊帥零售電商頻道 (2022)" in text and "Trade article; scraped copy in" in text  # References

"""PDF copies of report pages, for reports that travel by e-mail.

``trustlab run --pdf`` and ``trustlab build --pdf`` print each report page ``NAME.html`` to
``NAME.pdf`` beside it: the page itself, provenance header included, printed by headless Chromium
(the project's, from Debian: ``make system-deps``) through playwright's ``page.pdf()``. The code
cells are hidden in the PDF unless ``--pdf-code shown`` is given: the page's own "Hide code"
switch is set to that state before printing. The header's folded sections (all parameters, data
files, package versions) are printed open, since a PDF cannot be clicked, in an appendix at the
end, so that page 1 holds the title, the changed parameters and the Summary; its links are left out.

nbconvert's ``webpdf`` exporter is not used: it launches playwright's own downloaded Chromium
with no way to name another executable (``allow_chromium_download`` only downloads one, which
these machines cannot), and it renders the notebook again from its own template, whereas
printing ``NAME.html`` gives exactly the page the run wrote.

The PDF is printed in the run's staging folder and moved into place with the rest of the report
(:func:`trustlab.runner.runs.run_notebook`); a PDF that cannot be printed fails the run and leaves
the report already in place as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustlab import provenance
from trustlab.errors import ParameterError

if TYPE_CHECKING:
    import argparse

CODE_CHOICES = ("hidden", "shown")  # the "Hide code" switch, as the PDF is printed
DEFAULT_CODE = "hidden"  # a report sent by e-mail is read for its prose, tables and figures
CHROMIUM_VARIABLE = "TRUSTLAB_CHROMIUM"  # another Chromium executable to print with
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRINT_TIMEOUT_SECONDS = 120

# Added to the page only as it is printed: no links or switches on paper, cells and figures not
# split across pages, a long table allowed to break, no output prompts when the code is hidden.
_PRINT_CSS = """
@media print {
  .trustlab-header nav { display: none !important; }
  .jp-Cell, .jp-OutputArea-output img, figure { break-inside: avoid; }
  .jp-RenderedHTMLCommon table { break-inside: auto; }
  .jp-RenderedHTMLCommon tr { break-inside: avoid; }  /* a row is never split across two pages */
  .trustlab-appendix { break-before: page; }
  .trustlab-header details > summary { list-style: none; font-weight: bold; }
  body.trustlab-hide-code .jp-OutputPrompt { visibility: hidden; }  /* "Out[13]:" without its code */
  /* paper cannot scroll: a table a little too wide runs into the margin instead of being cut */
  .jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
}
"""

# The width of an A4 page inside the PDF's margins, in CSS pixels (96 per inch): tables are fitted to it.
_PRINT_WIDTH_PX = round((210 - 10 - 10) / 25.4 * 96)
_SMALLEST_SCALE = 0.6  # a wider table's type is shrunk no further; its cells then break anywhere

# A table wider than the printed page is first allowed to wrap its cells (at spaces and, for a long
# word, inside it), then set in smaller type until it fits, and at the smallest type its cells may
# break anywhere. Returns how many tables were changed.
_FIT_TABLES = r"""([smallest]) => {
  const page = document.documentElement.clientWidth;
  // The right edge a table may reach: the page's, or that of the nearest box that clips it (the
  // output area of a notebook cell hides what runs past it).
  const edge = (table) => {
    let right = page;
    for (let box = table.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX !== 'visible') {
        right = Math.min(right, box.getBoundingClientRect().right - parseFloat(style.paddingRight || '0'));
      }
    }
    return right;
  };
  // Chromium's printed layout comes out a few pixels narrower than the same page on screen.
  const overflow = (table) => table.getBoundingClientRect().right - (edge(table) - 16);
  const number = /^\s*[-+−]?[\d.,]+(e[-+]?\d+)?\s*%?\s*$/i;
  let changed = 0;
  for (const table of document.querySelectorAll('table')) {
    if (overflow(table) <= 0.5) continue;
    changed += 1;
    table.style.width = '100%';  // it was wider than the page: let its columns share all of it
    table.style.maxWidth = 'none';
    table.querySelectorAll('th, td').forEach((cell) => {
      if (number.test(cell.textContent)) return;  // "2.58 %" stays on one line
      cell.style.whiteSpace = 'normal';
      cell.style.overflowWrap = 'break-word';
      // a snake_case name may break after each underscore (a zero-width space), as column labels do
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (/\w_\w/.test(node.data)) node.data = node.data.replace(/_(?=\w)/g, '_​');
      }
    });
    // Smaller type, step by step (Chromium does not print CSS zoom): every cell inherits the table's.
    const size = parseFloat(getComputedStyle(table).fontSize);
    table.querySelectorAll('th, td, caption').forEach((cell) => { cell.style.fontSize = 'inherit'; });
    for (let scale = 0.95; overflow(table) > 0.5 && scale >= smallest - 1e-9; scale -= 0.05) {
      table.style.fontSize = `${(size * scale).toFixed(2)}px`;
    }
    if (overflow(table) > 0.5) {
      table.querySelectorAll('th, td').forEach((cell) => {
        cell.style.overflowWrap = 'anywhere';
        cell.style.minWidth = '0';  // a text column's minimum width (tables_display) gives way too
      });
    }
  }
  return changed;
}"""

_FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
    '{name} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


class PdfError(RuntimeError):
    """A report page could not be printed to PDF."""


def chromium_path() -> str | None:
    """The Chromium to print with: ``$TRUSTLAB_CHROMIUM`` if set, else ``chromium`` on PATH, else
    Debian's ``/usr/bin/chromium``; None if there is none."""
    named = os.environ.get(CHROMIUM_VARIABLE)
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    for candidate in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def check_available() -> str:
    """The Chromium :func:`write_pdf` will use; refused (:class:`ParameterError`, before any kernel
    starts) when it or the playwright package is missing, with the fix."""
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        raise ParameterError("--pdf needs the playwright package, which is not installed: run `make install`")
    path = chromium_path()
    if path is None:
        named = os.environ.get(CHROMIUM_VARIABLE)
        looked = (
            f"${CHROMIUM_VARIABLE}={named} is not an executable file"
            if named
            else "no `chromium` on PATH and no /usr/bin/chromium"
        )
        raise ParameterError(
            f"--pdf needs Chromium to print the report, and it was not found ({looked}): "
            f"install it with `make system-deps` (Debian's chromium package), or set "
            f"{CHROMIUM_VARIABLE} to a Chromium executable"
        )
    return path


def check_code_choice(code: str) -> str:
    if code not in CODE_CHOICES:
        raise ParameterError(f"--pdf-code: expected one of {', '.join(CODE_CHOICES)}, got {code!r}")
    return code


def write_pdf(
    html: Path, target: Path, *, code: str = DEFAULT_CODE, name: str | None = None, timeout: float = PRINT_TIMEOUT_SECONDS
) -> Path:
    """Print the report page ``html`` to the PDF ``target`` (A4, backgrounds, a footer naming the
    report and the page) with its code cells ``code`` ("hidden" or "shown"); returns ``target``.

    Raises :class:`PdfError` when Chromium is missing, fails or does not finish within
    ``timeout`` seconds; ``target`` is then not written (the PDF goes to a temporary name first).
    """
    check_code_choice(code)
    html, target = Path(html), Path(target)
    executable = chromium_path()
    if executable is None:
        raise PdfError("Chromium was not found: install it with `make system-deps`")
    staged = target.with_name(f".{target.name}.tmp")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=timeout * 1000)
            try:
                page = browser.new_page(viewport={"width": _PRINT_WIDTH_PX, "height": 1100})
                page.set_default_timeout(timeout * 1000)
                page.goto(html.as_uri(), wait_until="load")
                page.add_style_tag(content=_PRINT_CSS)
                # The page's own switch, so the PDF shows what a reader who chose it would see.
                page.evaluate(
                    """([hide, note]) => {
                      const box = document.getElementById('trustlab-hide-code');
                      if (box) { box.checked = hide; box.dispatchEvent(new Event('change')); }
                      document.body.classList.toggle('trustlab-hide-code', hide);
                      document.querySelectorAll('details').forEach((d) => { d.open = true; });
                      // Answer first on paper too: the header's folded lists (all parameters, data
                      // files, package versions) move to an appendix at the end.
                      const folded = document.querySelectorAll('.trustlab-header details');
                      if (folded.length) {
                        const appendix = document.createElement('section');
                        appendix.className = 'trustlab-appendix';
                        const heading = document.createElement('h2');
                        heading.textContent = 'Appendix: the run in full';
                        appendix.append(heading, ...folded);
                        document.body.append(appendix);
                      }
                      const title = document.querySelector('#trustlab-provenance h1');
                      if (title) {
                        const line = document.createElement('p');
                        line.className = 'trustlab-pdf-note';
                        line.textContent = note;
                        title.after(line);
                      }
                    }""",
                    [code == "hidden", _note(html.name, code)],
                )
                page.emulate_media(media="print")
                page.evaluate(_FIT_TABLES, [_SMALLEST_SCALE])
                page.pdf(
                    path=str(staged),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=_FOOTER.format(name=_escape(name or html.stem)),
                    margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"},
                )
            finally:
                browser.close()
        if not staged.read_bytes().startswith(b"%PDF"):
            raise PdfError(f"Chromium wrote {staged.name}, but it is not a PDF")
        staged.replace(target)
    except PlaywrightError as exc:
        raise PdfError(f"Chromium ({executable}) could not print {html.name}: {str(exc).splitlines()[0]}") from None
    finally:
        staged.unlink(missing_ok=True)
    return target


def _note(page: str, code: str) -> str:
    """The line under the PDF's title saying what it is and how its code was printed."""
    how = (
        "code cells hidden (--pdf-code shown prints them)"
        if code == "hidden"
        else "code cells shown (--pdf-code hidden leaves them out)"
    )
    return f"PDF of {page}, {how}."


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def add_to_run(folder: Path, name: str, code: str) -> Path:
    """Print ``folder/NAME.html`` to ``folder/NAME.pdf`` and record it in the folder's
    ``results.json``: ``provenance.pdf`` says how it was printed (``{"code": "hidden"}``) and
    ``provenance.outputs`` gains its SHA-256, so a build can tell whether it is still the one it
    printed (:func:`stale_reason`)."""
    folder = Path(folder)
    pdf = write_pdf(folder / f"{name}.html", folder / f"{name}.pdf", code=code, name=name)
    path = folder / "results.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["provenance"]["pdf"] = {"code": code}
    record["provenance"].setdefault("outputs", {})[pdf.name] = provenance.file_sha256(pdf)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return pdf


def stale_reason(out_dir: Path, name: str, recorded: dict[str, Any], code: str) -> str | None:
    """Why the report in ``out_dir`` (its record ``recorded``) lacks the PDF a ``build --pdf``
    with ``--pdf-code code`` wants, or None if its PDF is that one."""
    prov = recorded.get("provenance") or {}
    file = f"{name}.pdf"
    expected = (prov.get("outputs") or {}).get(file)
    path = out_dir / file
    if not expected or not path.is_file():
        return "no PDF (--pdf)"
    if (prov.get("pdf") or {}).get("code") != code:
        return f"its PDF was printed with the code {(prov.get('pdf') or {}).get('code')}, not {code}"
    if provenance.file_sha256(path) != expected:
        return f"{file} changed since it was printed"
    return None


def add_arguments(parser: "argparse.ArgumentParser") -> None:
    """The command line's ``--pdf`` and ``--pdf-code`` (of ``run`` and ``build``)."""
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also write NAME.pdf of each report beside NAME.html (printed by Chromium: make system-deps)",
    )
    parser.add_argument(
        "--pdf-code",
        choices=CODE_CHOICES,
        default=None,
        help="the code cells in the PDF: hidden (default, for prose and figures) or shown",
    )


def requested(args: "argparse.Namespace") -> str | None:
    """The code choice of the PDF the command asked for (None: no PDF), its Chromium checked first."""
    if not getattr(args, "pdf", False):
        if getattr(args, "pdf_code", None) is not None:
            raise ParameterError("--pdf-code says how to print the PDF: give --pdf too")
        return None
    check_available()
    return check_code_choice(args.pdf_code or DEFAULT_CODE)

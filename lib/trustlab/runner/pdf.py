"""PDF copies of report pages, for reports that travel by e-mail.

``trustlab run --pdf`` and ``trustlab build --pdf`` print each report page ``NAME.html`` to
``NAME.pdf`` beside it: the page itself, provenance header included, printed by headless Chromium
(the project's, from Debian: ``make system-deps``) through playwright's ``page.pdf()``. The code
cells are hidden in the PDF unless ``--pdf-code shown`` is given: the page's own "Hide code"
switch is set to that state before printing. The header's collapsed sections (data files,
package versions) are opened, since a PDF cannot be clicked, and its links are left out.

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
  .trustlab-header details > summary { list-style: none; font-weight: bold; }
  body.trustlab-hide-code .jp-OutputPrompt { visibility: hidden; }  /* "Out[13]:" without its code */
}
"""

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
                page = browser.new_page()
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

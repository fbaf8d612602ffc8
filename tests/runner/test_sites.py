"""trustlab writes only where it owns: run folders, report sites and published copies carry a
manifest, anything else is refused untouched; the index lists what the site records; concurrent
writers of one site serialize on its lock."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab import config
from trustlab.errors import ParameterError
from trustlab.runner import folders, report, runs, sites
from trustlab.runner.notebook import Notebook, resolve_run

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- run folders


def test_run_refuses_an_existing_folder_it_did_not_make_and_touches_nothing(cli, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own work")
    before = snapshot(tmp_path)
    proc = cli("run", str(DEMO), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert f"{out}: this folder exists and trustlab did not make it" in proc.stderr
    assert "Traceback" not in proc.stderr and "running" not in proc.stderr
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"], "something was written beside the folder"


@pytest.fixture(scope="module")
def demo_run_template(tmp_path_factory) -> Path:
    """`trustlab run` of the demo notebook at its defaults into a folder of no site, run once per module."""
    out = tmp_path_factory.mktemp("demo") / "run"
    proc = trustlab("run", str(DEMO), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture
def demo_run(demo_run_template, tmp_path) -> Path:
    """A copy of that run folder, ``tmp_path / "run"``, for one test to change (its manifest names
    the files in it, not where it is)."""
    return Path(shutil.copytree(demo_run_template, tmp_path / "run", symlinks=True))


@pytest.mark.kernel
def test_a_run_outside_a_site_writes_only_its_folder_and_gets_no_index(tmp_path):
    # An unrelated results.json nearby (here: a list) must not be read: nothing scans the parent.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.json").write_text("[1, 2, 3]")
    out = tmp_path / "run"
    proc = trustlab("run", str(DEMO), "-p", "x", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "run"]
    assert sorted(p.name for p in out.iterdir()) == [".trustlab-run.json", "90_demo.html", "90_demo.ipynb", "results.json"]
    html = (out / "90_demo.html").read_text()
    assert "All reports" not in html and "index.html" not in html
    assert "index:" not in proc.stdout
    # trustlab's own folder is replaced by the next run into it.
    proc = trustlab("run", str(DEMO), "-p", "x", "4", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "results.json").read_text())["results"]["double"] == 8.0


@pytest.mark.kernel
def test_a_run_folder_holding_a_file_trustlab_did_not_write_is_refused(cli, demo_run):
    out = demo_run
    (out / "analysis-notes.md").write_text("added by hand")
    before = snapshot(out)
    proc = cli("run", str(DEMO), "-p", "x", "2", "--out", str(out))
    assert proc.returncode == 2
    assert "holds files trustlab did not write (analysis-notes.md)" in proc.stderr
    assert snapshot(out) == before


@pytest.mark.kernel
def test_a_failed_run_outside_a_site_keeps_its_failure_inside_its_folder(tmp_path, demo_run):
    out = demo_run
    good = snapshot(out)
    proc = trustlab("run", str(DEMO), "-p", "fail", "true", "--out", str(out))
    assert proc.returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert (out / "failed" / "90_demo.html").exists()
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(("failed/", ".trustlab"))} == {
        k: v for k, v in good.items() if not k.startswith(".trustlab")
    }
    # The folder is still trustlab's (its manifest lists the failure), so a good run replaces it.
    assert trustlab("run", str(DEMO), "--out", str(out)).returncode == 0
    assert not (out / "failed").exists()


def test_a_file_in_place_of_the_output_folder_is_refused(cli, tmp_path):
    target = tmp_path / "report"
    target.write_text("not a folder")
    proc = cli("run", str(DEMO), "--out", str(target))
    assert proc.returncode == 2 and "is not a folder trustlab made" in proc.stderr
    assert target.read_text() == "not a folder"


@pytest.mark.kernel
def test_unwritable_places_are_refused_before_any_kernel_starts(cli, tmp_path, immutable, demo_run):
    locked_parent = tmp_path / "read-only"
    locked_parent.mkdir()
    immutable(locked_parent)
    proc = cli("run", str(DEMO), "--out", str(locked_parent / "run"))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot write into {locked_parent}" in proc.stderr
    assert "running" not in proc.stderr and "Traceback" not in proc.stderr

    out = demo_run
    before = snapshot(out)
    immutable(out)  # trustlab's own folder, but it cannot be replaced
    proc = cli("run", str(DEMO), "-p", "x", "2", "--out", str(out))
    assert proc.returncode == 2 and f"cannot write into {out}" in proc.stderr and "running" not in proc.stderr
    assert snapshot(out) == before

    site = tmp_path / "site"
    sites.open_site(site)
    immutable(site)
    proc = cli("build", "00_source_facts", "--scenario", "smoke", "--out", str(site))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot write into {site}" in proc.stderr and "building" not in proc.stderr


@pytest.mark.kernel
def test_a_legacy_run_folder_of_an_older_trustlab_is_adopted_but_nothing_else(demo_run):
    out = demo_run
    (out / sites.RUN_MANIFEST).unlink()  # as written before manifests existed
    sites.check_run_folder(out)
    (out / "extra.csv").write_text("a\n1\n")
    with pytest.raises(sites.OwnershipError, match="trustlab did not make it"):
        sites.check_run_folder(out)


# ---------------------------------------------------------------- sites and the index


def test_build_refuses_an_existing_folder_that_is_not_a_site(cli, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.tex").write_text("\\begin{document}")
    proc = cli("build", "00_source_facts", "--out", str(folder))
    assert proc.returncode == 2
    assert "is not a report site trustlab made" in proc.stderr
    assert snapshot(folder) == {"thesis.tex": b"\\begin{document}"}
    proc = cli("build", "00_source_facts", "--dry-run", "--out", str(folder))
    assert proc.returncode == 2 and "is not a report site trustlab made" in proc.stderr


@pytest.mark.kernel
def test_the_index_lists_what_the_site_records_and_nothing_else(tmp_path, forked):
    site = sites.open_site(tmp_path / "site")
    run = resolve_run(DEMO)
    assert runs.run_notebook(run, site / "runs" / "a", runs.RunOptions(site_root=site, executor=forked)).ok
    assert (
        runs.run_notebook(
            resolve_run(DEMO, cli={"fail": "true"}),
            site / "runs" / "b",
            runs.RunOptions(site_root=site, executor=forked),
        ).status
        == "failed"
    )
    # Folders that only look like runs, and records of the wrong shape, are not the site's runs.
    shutil.copytree(site / "runs" / "a", site / "copied-by-hand")
    (site / "stray").mkdir()
    (site / "stray" / "results.json").write_text('{"provenance": []}')
    index = report.build_index(site, [DEMO]).read_text()
    assert "runs/a/90_demo.html" in index and "runs/failed/b/90_demo.html" in index
    assert "copied-by-hand" not in index and "stray" not in index
    assert sites.recorded_runs(site) == {"runs/a": "run", "runs/failed/b": "failed"}
    # A successful rerun supersedes the failure: its folder is removed and forgotten.
    assert runs.run_notebook(run, site / "runs" / "b", runs.RunOptions(site_root=site, executor=forked)).ok
    assert sites.recorded_runs(site) == {"runs/a": "run", "runs/b": "run"}
    assert not (site / "runs" / "failed" / "b").exists()


def test_a_recorded_run_with_a_broken_record_is_left_out_with_a_warning(tmp_path, capsys, fake_executor):
    site = sites.open_site(tmp_path / "site")
    assert runs.run_notebook(resolve_run(DEMO), site / "a", runs.RunOptions(site_root=site, executor=fake_executor)).ok
    (site / "a" / "results.json").write_text('{"parameters": [], "results": {}, "provenance": {}}')
    index = report.build_index(site, [DEMO]).read_text()
    assert "a/90_demo.html" not in index
    assert "results.json: not a run record: expected 'parameters' to be an object, got list" in capsys.readouterr().err


def test_the_index_is_written_only_in_a_site_trustlab_made(tmp_path):
    (tmp_path / "page.html").write_text("mine")
    with pytest.raises(sites.OwnershipError, match="not a report site trustlab made"):
        report.build_index(tmp_path, [DEMO])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_the_checkout_reports_folder_is_a_site(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "screenshots").mkdir()  # written by an older trustlab, without a manifest
    monkeypatch.setattr(config, "REPORTS_DIR", reports)
    assert sites.find_site(reports / "runs" / "x") == reports.resolve()
    assert sites.open_site(reports) == reports.resolve()
    assert sites.read_manifest(reports, sites.SITE_MANIFEST)["kind"] == "site"


# ---------------------------------------------------------------- publish


@pytest.fixture(scope="module")
def site_template(tmp_path_factory) -> Path:
    """A site holding one default run of the demo notebook (without a kernel: conftest.FakeExecutor)
    and its index, made once per module."""
    from conftest import FakeExecutor

    site = sites.open_site(tmp_path_factory.mktemp("template") / "site")
    assert runs.run_notebook(
        resolve_run(DEMO),
        site / "90_demo",
        runs.RunOptions(site_root=site, kind="default", executor=FakeExecutor()),
    ).ok
    report.build_index(site, [DEMO])
    return site


def copy_site(template: Path, dest: Path) -> Path:
    """A copy of ``template`` at ``dest`` (nothing in a site names the folder it is in)."""
    return Path(shutil.copytree(template, dest, symlinks=True))


@pytest.fixture
def built_site(site_template, tmp_path) -> Path:
    return copy_site(site_template, tmp_path / "site")


def test_publish_refuses_a_folder_it_did_not_publish(cli, built_site, tmp_path):
    dest = tmp_path / "shared"
    dest.mkdir()
    (dest / "keep.txt").write_text("keep me")
    proc = cli("publish", str(dest), "--site", str(built_site))
    assert proc.returncode == 2 and "is not a copy trustlab published" in proc.stderr
    assert snapshot(dest) == {"keep.txt": b"keep me"}


def test_publish_replaces_its_own_copy_but_not_files_added_to_it(cli, built_site, tmp_path):
    dest = tmp_path / "shared"
    assert cli("publish", str(dest), "--site", str(built_site)).returncode == 0
    assert (dest / "index.html").exists() and (dest / sites.PUBLISHED_MANIFEST).exists()
    assert cli("publish", str(dest), "--site", str(built_site)).returncode == 0
    (dest / "comments.txt").write_text("reviewer notes")
    proc = cli("publish", str(dest), "--site", str(built_site))
    assert proc.returncode == 2 and "holds files trustlab did not publish (comments.txt)" in proc.stderr
    assert (dest / "comments.txt").read_text() == "reviewer notes"


@pytest.mark.parametrize("where", ["site itself", "inside the site", "contains the site", "checkout", "inside the checkout"])
def test_publish_refuses_the_site_the_checkout_and_what_contains_them(cli, site_template, tmp_path, where):
    parent = tmp_path / "P"
    site = copy_site(site_template, parent / "sub" / "site")
    dest = {
        "site itself": site,
        "inside the site": site / "copy",
        "contains the site": parent,
        "checkout": config.PROJECT_ROOT,
        "inside the checkout": config.PROJECT_ROOT / "shared-site",
    }[where]
    before = snapshot(parent)
    proc = cli("publish", str(dest), "--site", str(site))
    assert proc.returncode == 2, proc.stderr
    assert "is, contains or lies inside" in proc.stderr
    assert snapshot(parent) == before
    assert not (config.PROJECT_ROOT / "shared-site").exists()


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_what_build_run_and_publish_write_has_the_modes_the_umask_allows(tmp_path, umask):
    """A web server running as another user can read a published site under umask 022 (and nobody
    else can under 077): every file is 0666 and every folder 0777 less the umask, as open() and
    mkdir() make them, in the site that build and run write and in its published copy."""
    site, dest = tmp_path / "site", tmp_path / "www" / "shared"
    for args in (
        ["build", str(DEMO), "--out", str(site)],
        ["run", str(DEMO), "-p", "x", "3", "--out", str(site / "runs" / "demo-3")],
        ["publish", str(dest), "--site", str(site)],
    ):
        proc = trustlab(*args, umask=umask)
        assert proc.returncode == 0, proc.stderr[-2000:]
    for root in (site, dest):
        modes = {str(p.relative_to(root)): p.stat().st_mode & 0o777 for p in [root, *root.rglob("*")]}
        expected = {name: (0o777 if (root / name).is_dir() else 0o666) & ~umask for name in modes}
        assert modes == expected
        assert {"index.html", "90_demo/90_demo.html", "runs/demo-3/results.json"} <= set(modes)


# ---------------------------------------------------------------- concurrent writers


def test_concurrent_index_writes_never_collide(built_site):
    errors: list[BaseException] = []

    def write() -> None:
        try:
            report.build_index(built_site, [DEMO])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    with ThreadPoolExecutor(max_workers=16) as pool:
        for _ in range(200):
            pool.submit(write)
    assert errors == []
    assert sorted(p.name for p in built_site.iterdir() if p.name.startswith(".index")) == []


def _replace_many(site: str, rounds: int) -> int:
    target = Path(site) / "report"
    for _ in range(rounds):
        with folders.locked(Path(site)):
            staged = Path(site) / f".staged-{os.getpid()}"
            staged.mkdir()
            (staged / "results.json").write_text(str(os.getpid()))
            folders.replace_dir(staged, target)
    return rounds


def test_replacing_a_folder_from_many_processes_under_the_site_lock_leaves_nothing_behind(tmp_path):
    site = sites.open_site(tmp_path / "site")
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        assert sum(pool.starmap(_replace_many, [(str(site), 15)] * 6)) == 90
    assert sorted(p.name for p in site.iterdir()) == [sites.SITE_MANIFEST, "report"]


def test_the_lock_is_reentrant_in_a_process_and_a_second_process_waits_saying_so(tmp_path):
    site = sites.open_site(tmp_path / "site")
    script = (
        "import sys; from pathlib import Path; from trustlab.runner import folders\n"
        "with folders.locked(Path(sys.argv[1])): print('got it', flush=True)\n"
    )
    entered = threading.Event()

    def enter_from_another_thread() -> None:
        with folders.locked(site):
            entered.set()

    with folders.locked(site), folders.locked(site):  # reentrant, also across threads of this process
        worker = threading.Thread(target=enter_from_another_thread)
        worker.start()
        worker.join(timeout=10)
        assert entered.is_set()
        other = subprocess.Popen(
            [sys.executable, "-c", script, str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        err_line = other.stderr.readline()
        assert "waiting for another trustlab process writing to" in err_line
        assert other.poll() is None, "the second process did not wait"
    out, _ = other.communicate(timeout=30)
    assert out.strip() == "got it"


@pytest.mark.slow
@pytest.mark.kernel
def test_two_runs_into_one_site_at_once_serialize_and_both_land(tmp_path):
    site = sites.open_site(tmp_path / "site")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "trustlab.runner.cli",
                "run",
                str(DEMO),
                "-p",
                "x",
                str(x),
                "-p",
                "sleep_seconds",
                "2",
                "--out",
                str(site / "runs" / f"x{x}"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        for x in (1, 2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert any("waiting for another trustlab process" in err for _, err in outputs)
    assert sorted(sites.recorded_runs(site)) == ["runs/x1", "runs/x2"]
    index = (site / "index.html").read_text()
    assert "runs/x1/90_demo.html" in index and "runs/x2/90_demo.html" in index
    leftovers = [p for p in site.rglob(".*") if p.name != sites.SITE_MANIFEST and p.name != sites.RUN_MANIFEST]
    assert leftovers == []


# ---------------------------------------------------------------- ownership, checked again under the lock


def test_a_file_written_into_the_report_folder_while_the_run_ran_is_refused_under_the_lock(tmp_path):
    """The folder is checked before the run starts and again under the site's lock just before the
    finished run is swapped in: a file someone else writes there meanwhile (here, while the run
    executes) is not swapped away with the old report."""
    from conftest import FakeExecutor

    site = sites.open_site(tmp_path / "site")
    out = site / "90_demo"
    demo = Notebook.load(DEMO)
    assert runs.run_notebook(resolve_run(demo), out, runs.RunOptions(site_root=site, executor=FakeExecutor())).ok

    def write_a_foreign_file(spec: dict) -> None:
        (out / "notes.txt").write_text("the analyst's notes")

    before = {**snapshot(out), "notes.txt": b"the analyst's notes"}
    rerun = FakeExecutor(during=write_a_foreign_file)
    with pytest.raises(sites.OwnershipError, match=r"holds files trustlab did not write \(notes.txt\)"):
        runs.run_notebook(resolve_run(demo, cli={"x": "3"}), out, runs.RunOptions(site_root=site, executor=rerun))
    assert snapshot(out) == before, "the report folder (with the foreign file) was touched"
    assert sorted(p.name for p in site.iterdir()) == [sites.SITE_MANIFEST, "90_demo"], "a staging folder was left behind"


def test_a_runs_label_is_kept_in_the_site_manifest_and_survives_the_run_being_registered_again(tmp_path):
    site = sites.open_site(tmp_path / "site")
    folder = site / "runs" / "90_demo-abc"
    folder.mkdir(parents=True)
    sites.register_run(site, folder, "run")
    sites.set_run_label(site, "runs/90_demo-abc", " board scenario ")
    sites.register_run(site, folder, "run")  # the same parameters run again into the same folder
    assert sites.run_labels(site) == {"runs/90_demo-abc": "board scenario"}
    assert sites.recorded_runs(site) == {"runs/90_demo-abc": "run"}
    for bad, message in (
        ("x" * 81, "label: expected at most 80 characters, got 81"),
        ("a\u202eb", "label: control character U+202E"),
    ):
        with pytest.raises(ParameterError, match=re.escape(message)):
            sites.set_run_label(site, "runs/90_demo-abc", bad)
    with pytest.raises(ParameterError, match="folder: no run 'runs/other'"):
        sites.set_run_label(site, "runs/other", "x")
    assert sites.run_labels(site) == {"runs/90_demo-abc": "board scenario"}


def test_the_index_reads_a_notebooks_source_once_per_version_of_it(tmp_path, monkeypatch):
    # the explorer rewrites the index after every run: each rewrite parsed every notebook's source again
    import jupytext

    source = tmp_path / "90_demo.py"
    source.write_text(DEMO.read_text())
    site = sites.open_site(tmp_path / "site")
    read = []
    real_read = jupytext.read
    monkeypatch.setattr(jupytext, "read", lambda path, *a, **k: read.append(path) or real_read(path, *a, **k))
    report.build_index(site, [source])
    first = (site / "index.html").read_text()
    report.build_index(site, [source])
    assert len(read) == 1 and (site / "index.html").read_text() == first
    title = DEMO.read_text().split("# # ", 1)[1].split("\n", 1)[0]  # the first markdown heading, as written
    assert title in first
    source.write_text(DEMO.read_text().replace(f"# # {title}", "# # An edited title"))
    report.build_index(site, [source])
    assert len(read) == 2 and "An edited title" in (site / "index.html").read_text()

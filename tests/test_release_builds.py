"""Release builds: incremental, sharded, reproducible, with a manifest; safe when killed."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from leaflets.build import build, plan, shard
from leaflets.cli import main
from leaflets.project import load_project

from .conftest import REPO, copy_project, tool


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def summary(output: str) -> tuple[int, int, int]:
    line = next(text for text in output.splitlines() if " built, " in text)
    built, up_to_date, failed = (int(part.split()[0]) for part in line.split(", ")[:3])
    return built, up_to_date, failed


def test_noop_rebuild_builds_nothing_and_touching_a_catalogue_rebuilds_that_locale(runner, project_dir):
    out = project_dir / "out"
    args = ["--project", str(project_dir), "build", "-o", str(out), "-j", "2"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    total = summary(first.output)[0]
    assert total == 10
    again = runner.invoke(main, args)
    assert summary(again.output) == (0, total, 0)
    assert "(up to date)" in again.output
    po = project_dir / "locales" / "tr" / "LC_MESSAGES" / "messages.po"
    stamp = po.stat().st_mtime_ns
    os.utime(po, ns=(stamp + 10**9, stamp + 10**9))
    # Fingerprints are content hashes: a touch alone changes nothing, an edit does.
    assert summary(runner.invoke(main, args).output) == (0, total, 0)
    with po.open("a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    touched = runner.invoke(main, args)
    assert summary(touched.output) == (2, total - 2, 0)
    rebuilt = [
        text for text in touched.output.splitlines() if text.endswith("DRAFT") and "(up to date)" not in text
    ]
    assert sorted(Path(text.split()[0]).name for text in rebuilt) == [
        "ablation-tr.pdf",
        "vertebroplasty-tr.pdf",
    ]
    forced = runner.invoke(main, [*args, "--force"])
    assert summary(forced.output) == (total, 0, 0)


def test_a_project_copied_elsewhere_with_its_out_folder_is_up_to_date(
    runner, project_dir, tmp_path, monkeypatch
):
    """A CI cache of out/ restored into another checkout path builds nothing, and rightly so."""
    import shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")

    def run(root: Path, out: Path) -> tuple[int, int, int]:
        result = runner.invoke(main, ["--project", str(root), "build", "-l", "tr", "-o", str(out), "-j", "1"])
        assert result.exit_code == 0, result.output
        return summary(result.output)

    assert run(project_dir, project_dir / "out") == (2, 0, 0)
    moved = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project_dir, moved)
    assert run(moved, moved / "out") == (0, 2, 0)
    # What it kept is what a fresh build there makes.
    assert run(moved, tmp_path / "fresh") == (2, 0, 0)
    kept = sorted((moved / "out").glob("*-tr.pdf"))
    assert len(kept) == 2
    for pdf in kept:
        assert sha(pdf) == sha(tmp_path / "fresh" / pdf.name)


def test_a_noop_build_keeps_the_manifest_and_restores_a_tampered_shelf_page(runner, project_dir):
    """Nothing changed: manifest.json keeps the time the set was built; index.html edited by
    hand (a status changed to "ready") is written again, since staff trust what it says."""
    out = project_dir / "out"
    args = ["--project", str(project_dir), "build", "-l", "tr", "-o", str(out), "-j", "1"]
    assert runner.invoke(main, args).exit_code == 0
    manifest, page = (out / "manifest.json").read_bytes(), (out / "index.html").read_bytes()
    again = runner.invoke(main, args)
    assert summary(again.output) == (0, 2, 0)
    assert (out / "manifest.json").read_bytes() == manifest
    assert (out / "index.html").read_bytes() == page
    (out / "index.html").write_bytes(page.replace(b"DRAFT", b"READY"))
    assert summary(runner.invoke(main, args).output) == (0, 2, 0)
    assert (out / "index.html").read_bytes() == page


def test_changing_a_shared_template_rebuilds_every_leaflet_using_it(project_dir):
    project = load_project(project_dir)
    documents = plan(project, locales=["en"])
    out = project_dir / "out"
    build(project, documents, out)
    partial = project_dir / "templates" / "_prepare.html"
    partial.write_text(partial.read_text() + "\n")
    report = build(project, documents, out)
    assert len(report.rendered) == 2  # both leaflets include _prepare.html
    own = project_dir / "templates" / "ablation.html"
    own.write_text(own.read_text() + "\n")
    report = build(project, documents, out)
    assert [b.document.leaflet for b in report.rendered] == ["ablation"]


def test_two_clean_builds_in_different_folders_are_identical_and_match_the_manifest(tmp_path):
    digests = []
    for name in ("one", "two"):
        project_dir = copy_project(tmp_path / name / "project")
        out = tmp_path / name / "out"
        project = load_project(project_dir)
        report = build(project, plan(project, editions=["all"]), out)
        assert not report.failed
        manifest = json.loads((out / "manifest.json").read_text())
        files = sorted(out.glob("*.pdf"))
        assert len(files) == 2 * (5 + 5 + 4)
        for pdf in files:
            entry = manifest["documents"][pdf.name]
            assert entry["sha256"] == sha(pdf) and entry["bytes"] == pdf.stat().st_size
        digests.append({pdf.name: sha(pdf) for pdf in files})
    assert digests[0] == digests[1]


def test_manifest_describes_every_document(default_build):
    manifest = json.loads((default_build / "manifest.json").read_text())
    entry = manifest["documents"]["vertebroplasty-tr.pdf"]
    assert entry["leaflet"] == "vertebroplasty" and entry["locale"] == "tr"
    assert entry["edition"] == "standard" and entry["version"] == "1.0"
    assert entry["pages"] >= 1 and entry["status"] == "draft" and entry["draft_reasons"]
    assert entry["catalogues"]["tr"]["sha256"] == sha(REPO / "locales/tr/LC_MESSAGES/messages.po")
    assert manifest["generator"]["leaflets"]


def test_shards_together_cover_every_document_once(runner, tmp_path):
    project = load_project(REPO)
    everything = plan(project, editions=["all"])
    slices = [shard(everything, f"{k}/3") for k in (1, 2, 3)]
    names = [d.pdf_name for s in slices for d in s]
    assert sorted(names) == sorted(d.pdf_name for d in everything)
    assert len(names) == len(set(names))
    assert all(slices)

    manifests = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        result = runner.invoke(
            main,
            [
                "--project",
                str(REPO),
                "build",
                "vertebroplasty",
                "-l",
                "en",
                "-l",
                "tr",
                "-l",
                "ar",
                "--shard",
                f"{k}/3",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        manifests.append(out / "manifest.json")
    merged = tmp_path / "manifest.json"
    result = runner.invoke(main, ["merge-manifests", *map(str, manifests), "-o", str(merged)])
    assert result.exit_code == 0, result.output
    documents = json.loads(merged.read_text())["documents"]
    assert sorted(documents) == [
        "vertebroplasty-ar.pdf",
        "vertebroplasty-en.pdf",
        "vertebroplasty-tr.pdf",
    ]


def test_bad_shard_is_a_clear_error(runner):
    result = runner.invoke(main, ["--project", str(REPO), "build", "--shard", "4/3"])
    assert result.exit_code == 1 and "K must be between 1 and N" in result.output


def test_a_failing_document_is_named_in_the_summary_and_the_rest_are_built(runner, project_dir):
    po = project_dir / "locales" / "ru" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('msgstr "Риски"', 'msgstr "Риски <img src=x>"'))
    out = project_dir / "out"
    result = runner.invoke(main, ["--project", str(project_dir), "build", "-o", str(out)])
    assert result.exit_code == 1
    assert "8 built, 0 up to date, 2 failed" in result.output
    assert "failed: vertebroplasty-ru" in result.output and "failed: ablation-ru" in result.output
    assert len(list(out.glob("*.pdf"))) == 8


def test_a_killed_build_leaves_only_whole_pdfs(tmp_path):
    project_dir = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "leaflets",
        "--project",
        str(project_dir),
        "build",
        "-e",
        "all",
        "-o",
        str(out),
        "--force",
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    # Killed right after the build reports its 1st, 5th, 10th and 20th document: workers are
    # in the middle of writing others then. Waiting on the build's own output, not a clock.
    for finished in (1, 5, 10, 20):
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        reported = 0
        for line in process.stdout:
            reported += ".pdf" in line
            if reported == finished:
                break
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, at once
        process.wait()
        process.stdout.close()
        assert reported == finished, "the build ended before it could be killed"
        pdfs = list(out.glob("*.pdf"))
        assert len(pdfs) == 28
        for pdf in pdfs:
            check = subprocess.run([tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
            assert check.returncode == 0, (pdf, check.stdout, check.stderr)
    # What a killed build left half-written is hidden, never a .pdf, and the next build clears it.
    result = subprocess.run(command[:-1], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert not list(out.glob(".*.tmp"))

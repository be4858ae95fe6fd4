"""Sign-off as a clinic runs it: `python -m leaflets` as real processes, from approval to release.

The CliRunner tests (test_signoff.py) cover each rule; this one checks that the exit codes,
streams and files a CI job or a shell user sees hold the same, and that the review sheet prints
exactly the fingerprint the review then records.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from leaflets.catalogs import read_catalog
from leaflets.pofile import po_bytes
from leaflets.project import load_project

from .conftest import pdftotext, squash

REVIEWER = "Dr Reviewer"
#: A warning sign of templates/_get_help.html, shown by every leaflet.
EDITED = "chest pain, or you are short of breath"


def leaflets(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leaflets", "--project", str(project), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=300,
    )


def release(project: Path) -> subprocess.CompletedProcess[str]:
    return leaflets(project, "build", "vertebroplasty", "-l", "tr", "--release", "-o", str(project / "out"))


def test_sign_off_edit_and_re_review_as_real_processes(project_dir: Path):
    approved = leaflets(project_dir, "approve", "vertebroplasty", "--by", "Prof Saim Yilmaz, MD")
    assert approved.returncode == 0, approved.stderr
    reviewed = leaflets(project_dir, "review", "tr", "--by", REVIEWER, "--on", "2026-12-02")
    assert reviewed.returncode == 0, reviewed.stderr
    first = release(project_dir)
    assert first.returncode == 0, first.stderr
    pdf = project_dir / "out" / "vertebroplasty-tr.pdf"
    assert "DRAFT" not in pdftotext(pdf)

    # One Turkish msgstr edited, its catalogue's header left as it was.
    path = project_dir / "locales" / "tr" / "LC_MESSAGES" / "messages.po"
    before = read_catalog(path)
    revision = before.revision_date
    before[EDITED].string = "nefes darlığı: endişelenmeyin, evde kalın"
    path.write_bytes(po_bytes(before))
    after = read_catalog(path)
    assert after.revision_date == revision
    line = after[EDITED].lineno

    refused = release(project_dir)
    assert refused.returncode == 1
    said = refused.stderr + refused.stdout
    assert f"{path}:{line}: changed since {REVIEWER}'s review on 2026-12-02" in said
    assert "Traceback" not in refused.stderr

    listed = leaflets(project_dir, "review", "tr", "--changed")
    assert listed.returncode == 0, listed.stderr
    rows = [row for row in listed.stdout.splitlines() if row.startswith(f"{path}:")]
    assert rows == [f"{path}:{line}: changed since {REVIEWER}'s review on 2026-12-02: {EDITED!r}"]

    # A plain build still writes the PDF, marked DRAFT on every page, the reason on page 1.
    draft = leaflets(project_dir, "build", "vertebroplasty", "-l", "tr", "-o", str(project_dir / "out"))
    assert draft.returncode == 0, draft.stderr
    pages = pdftotext(pdf).split("\f")[:-1]
    assert len(pages) >= 2 and all("DRAFT" in page for page in pages)
    assert f"changed since {REVIEWER}'s review on 2026-12-02" in squash(pages[0])

    again = leaflets(project_dir, "review", "tr", "--changed", "--by", REVIEWER, "--on", "2026-12-03")
    assert again.returncode == 0, again.stderr
    assert "1 tr string(s) reviewed" in again.stdout
    records = tomllib.loads((project_dir / "signoff.toml").read_text(encoding="utf-8"))
    assert [(r["by"], str(r["on"]), len(r["messages"])) for r in records["review"]][-1] == (
        REVIEWER,
        "2026-12-03",
        1,
    )
    final = release(project_dir)
    assert final.returncode == 0, final.stderr
    assert "DRAFT" not in pdftotext(pdf)


def test_review_sheet_prints_what_the_review_records(project_dir: Path, tmp_path: Path):
    # A translator's comment on one entry, as Poedit writes it.
    path = project_dir / "locales" / "tr" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(path)
    translation = catalog[EDITED].string
    assert translation
    catalog[EDITED].user_comments = ["Checked with the ward nurses."]
    path.write_bytes(po_bytes(catalog))
    line = read_catalog(path)[EDITED].lineno

    sheet = tmp_path / "sheet.html"
    args = ("review", "tr", "--leaflet", "vertebroplasty", "--by", REVIEWER, "--on", "2026-12-02")
    result = leaflets(project_dir, *args, "--sheet", str(sheet))
    assert result.returncode == 0, result.stderr
    html = sheet.read_text(encoding="utf-8")
    recorded = tomllib.loads((project_dir / "signoff.toml").read_text(encoding="utf-8"))["review"][-1]
    assert recorded["fingerprint"] in html
    assert f"<strong>{REVIEWER}</strong>" in html and "2026-12-02" in html
    row = html[html.index(f">{EDITED}<") :]
    row = row[: row.index("</tr>")]
    assert translation in row
    assert "Checked with the ward nurses." in row
    assert f"messages.po:{line}" in row
    assert html.index("<h2>vertebroplasty</h2>") < html.index(f">{EDITED}<")
    assert "<h2>ablation</h2>" not in html

    pdf = tmp_path / "sheet.pdf"
    printed = leaflets(project_dir, "review", "tr", "--leaflet", "vertebroplasty", "--sheet", str(pdf))
    assert printed.returncode == 0, printed.stderr
    text = squash(pdftotext(pdf))
    assert "Checked with the ward nurses." in text and recorded["fingerprint"][:16] in text


def test_documents_of_a_removed_leaflet_or_language_leave_the_shelf(runner, project_dir: Path):
    from leaflets.cli import main

    out = project_dir / "out"
    args = ["--project", str(project_dir), "build", "-l", "en", "-l", "tr", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert {"ablation-en.pdf", "ablation-tr.pdf", "vertebroplasty-tr.pdf"} <= before.keys()
    # The ablation leaflet and the Turkish language are taken out of the project.
    settings = project_dir / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r"\n\[leaflets\.ablation\]\n.*?(?=\n\[|\Z)", "\n", text, flags=re.S)
    text = re.sub(r'(?m)^(locales = \[.*?)"tr", ', r"\1", text)
    settings.write_text(text, encoding="utf-8")
    assert "ablation" not in load_project(project_dir).leaflets
    assert "tr" not in load_project(project_dir).locales

    result = runner.invoke(main, ["--project", str(project_dir), "build", "-l", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    gone = ("ablation-en.pdf", "ablation-tr.pdf", "vertebroplasty-tr.pdf")
    documents = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    shelf = (out / "index.html").read_text(encoding="utf-8")
    for name in gone:
        assert name not in documents and name not in shelf and not (out / name).exists()
        assert f"withdrawn: {name}" in result.output
    assert documents["vertebroplasty-en.pdf"]["status"] == "draft"
    assert "vertebroplasty-en.pdf" in shelf

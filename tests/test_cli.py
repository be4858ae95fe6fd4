"""The command line, through click's CliRunner and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leaflets.cli import main

from .conftest import REPO, copy_project, pdfinfo


def invoke(runner, project_dir: Path, *args: str):
    return runner.invoke(main, ["--project", str(project_dir), *args])


def test_build_one_leaflet_prints_path_pages_and_size(runner, project_dir):
    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "en", "-o", str(out), "--html")
    assert result.exit_code == 0, result.output
    line = next(text for text in result.output.splitlines() if text.startswith(str(out)))
    assert "vertebroplasty-en.pdf" in line and " pages " in line and "kB" in line
    assert (out / "vertebroplasty-en.pdf").read_bytes().startswith(b"%PDF-")
    html = (out / "vertebroplasty-en.html").read_text()
    assert '<html lang="en" dir="ltr"' in html
    assert "1 built" in result.output


def test_unknown_leaflet_lists_the_known_ones(runner, project_dir):
    result = invoke(runner, project_dir, "build", "kyphoplasty")
    assert result.exit_code == 2
    assert "unknown leaflet 'kyphoplasty'" in result.output
    assert "ablation, vertebroplasty" in result.output
    assert "Traceback" not in result.output


def test_unknown_locale_lists_the_known_ones(runner, project_dir):
    result = invoke(runner, project_dir, "build", "--locale", "fr")
    assert result.exit_code == 2
    assert "unknown locale 'fr'" in result.output
    assert "en, tr" in result.output


def test_list_shows_leaflets_and_locales_by_their_own_names(runner, project_dir):
    result = invoke(runner, project_dir, "list")
    assert result.exit_code == 0
    assert "vertebroplasty" in result.output and "ablation" in result.output
    assert "Türkçe (Turkish)" in result.output
    assert "rtl" in result.output  # Arabic


def test_broken_settings_name_path_and_line(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(settings.read_text().replace('version = "1.0"', 'version = "1.0', 1))
    result = invoke(runner, project_dir, "list")
    assert result.exit_code == 2
    assert f"{settings}:" in result.output and "Traceback" not in result.output


def test_a_failed_rebuild_keeps_the_previous_pdf(runner, project_dir):
    out = project_dir / "out"
    assert invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "-o", str(out)).exit_code == 0
    before = (out / "vertebroplasty-tr.pdf").read_bytes()
    po = project_dir / "locales" / "tr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    po.write_text(text[: len(text) // 2].rsplit("\nmsgstr", 1)[0] + '\nmsgstr "Yarım kal')
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "-o", str(out))
    assert result.exit_code == 1
    assert f"{po}:" in result.output and "Traceback" not in result.output
    assert (out / "vertebroplasty-tr.pdf").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_project_is_found_from_a_subfolder(runner, project_dir, monkeypatch):
    sub = project_dir / "templates" / "images"
    monkeypatch.chdir(sub)
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    assert str(project_dir) in result.output


def test_real_process_builds_the_default_content(tmp_path):
    """`leaflets build` as the README runs it, outside any project: the embedded default."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "leaflets",
            "build",
            "vertebroplasty",
            "-l",
            "en",
            "-l",
            "tr",
            "-o",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for locale in ("en", "tr"):
        pdf = tmp_path / "out" / f"vertebroplasty-{locale}.pdf"
        assert pdfinfo(pdf)["Tagged"] == "yes"
        assert str(pdf) in result.stdout


def test_real_process_reports_bad_input_without_traceback(tmp_path):
    project = copy_project(tmp_path / "p", REPO)
    result = subprocess.run(
        [sys.executable, "-m", "leaflets", "--project", str(project), "build", "--locale", "xx"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: unknown locale 'xx'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_and_is_in_the_readme(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help
    assert f"leaflets {command}" in (REPO / "README.md").read_text()


def test_default_build_writes_every_leaflet_in_every_locale_without_warnings(runner, tmp_path):
    """Both leaflets × every locale of leaflets.toml, no fallback and no page-budget warning."""
    from leaflets.project import load_project

    project = load_project(REPO)
    out = tmp_path / "out"
    result = runner.invoke(main, ["--project", str(REPO), "build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    expected = {f"{slug}-{code}.pdf" for slug in project.leaflets for code in project.locales}
    assert {p.name for p in out.glob("*.pdf")} == expected
    assert len(expected) == len(project.leaflets) * len(project.locales) >= 10

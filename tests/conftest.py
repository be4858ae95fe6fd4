"""Shared fixtures: the repository's content copied into tmp_path, a CLI runner, PDF readers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaflets.build import build, plan
from leaflets.project import load_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


#: The Debian package of each external program the tests run (the README's apt line).
PACKAGES = {
    "pdftotext": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "qpdf": "qpdf",
    "msgfmt": "gettext",
    "msgmerge": "gettext",
    "msgcat": "gettext",
}


def tool(name: str) -> str:
    """The path of an external program: a clear failure in CI, a skip on a machine without it.

    Console scripts of the test extra (pdfua, pofilter) are looked for beside this Python first,
    so the tests work from a virtual environment that is not activated.
    """
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found:
        return found
    where = PACKAGES.get(name)
    message = f"{name} is not installed" + (f" (Debian package {where})" if where else " (test extra)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


#: pybabel, run as a module of the Babel the project imports.
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def copy_project(dest: Path, source: Path = REPO) -> Path:
    """Copy a content project (settings, templates, catalogues) so a test may change it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "leaflets.toml", dest / "leaflets.toml")
    shutil.copytree(source / "templates", dest / "templates")
    shutil.copytree(source / "locales", dest / "locales")
    return dest


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> Path:
    """Every document of the repository's own content, built once for the session."""
    out = tmp_path_factory.mktemp("out")
    project = load_project(REPO)
    report = build(project, plan(project), out)
    assert not report.failed, [str(f.error) for f in report.failed]
    return out


@pytest.fixture(scope="session")
def all_editions_build(tmp_path_factory) -> Path:
    """Every leaflet, locale and edition (``--edition all``), built once for the session."""
    out = tmp_path_factory.mktemp("all-editions")
    project = load_project(REPO)
    report = build(project, plan(project, editions=["all"]), out)
    assert not report.failed, [str(f.error) for f in report.failed]
    return out


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pdf_pages_text(path: Path) -> list[str]:
    return pdftotext(path, "-layout").split("\f")[:-1]


def pdffonts(path: Path) -> list[dict[str, str]]:
    out = subprocess.run([tool("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... emb sub uni object ID: read from the right, the type has spaces.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run([tool("pdfinfo"), str(path)], check=True, capture_output=True, text=True).stdout
    return dict(re.split(r":\s+", line, maxsplit=1) for line in out.splitlines() if ":" in line)


def squash(text: str) -> str:
    """Whitespace folded and soft hyphens joined, as a reader would read the words."""
    text = re.sub(r"-\n\s*", "", text.replace("\u00ad", ""))
    return re.sub(r"\s+", " ", text).strip()

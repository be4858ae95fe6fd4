"""What a document depends on, so that a rebuild skips documents whose inputs have not changed.

Like make, it compares file sizes and modification times (cheap: a no-op build reads no file),
plus the versions of the tool and the libraries that shape the output.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from . import __version__
from .document import Document
from .locales import ASSETS_DIR
from .output import write_atomic
from .project import Project
from .templates import THEME_DIR, TOOL_LOCALE_DIR, parent_locales, template_files

CACHE_FILE = ".leaflets-cache.json"
PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def library_versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import version

    names = ("weasyprint", "pydyf", "babel", "jinja2", "fonttools", "phonenumbers", "segno")
    found = []
    for name in names:
        try:
            found.append((name, version(name)))
        except Exception:  # not installed under that name: the fingerprint simply lacks it
            found.append((name, "?"))
    return (("leaflets", __version__), *found)


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return f"{path}:missing"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _tree(folder: Path, skip_suffix: str | None = None) -> list[str]:
    if not folder.is_dir():
        return []
    return [
        _stamp(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != skip_suffix and "__pycache__" not in p.parts
    ]


def fingerprints(project: Project, documents: list[Document], html: bool) -> dict[Document, str]:
    """For each document, a digest of everything that can change its output.

    What documents share (settings, assets, versions, each leaflet's templates) is read once.
    """
    common = [
        f"html={html}",
        f"epoch={os.environ.get('SOURCE_DATE_EPOCH', '')}",
        repr(library_versions()),
        _stamp(project.settings_path),
        # Sign-off records decide whether a document carries the DRAFT marker.
        _stamp(project.root / "signoff.toml"),
        # Approval and the source strings' places come from the template catalogue.
        _stamp(project.pot_path),
        *_tree(project.templates_dir, skip_suffix=".html"),
        *_tree(ASSETS_DIR),
        *_tree(THEME_DIR),
        *_tree(TOOL_LOCALE_DIR),
        *_fonts(project),
        *_package_code(),
    ]
    templates = {
        slug: [_stamp(p) for p in template_files(project, project.leaflet(slug))]
        for slug in {d.leaflet for d in documents}
    }
    catalogues = {
        # A regional variant reads its language's catalogue too (de for de-AT).
        code: "\n".join(
            _stamp(project.po_path(each))
            for each in (code, *parent_locales(code))
            if each != project.source_locale
        )
        for d in documents
        for code in (d.locale, d.partner)
        if code and code != project.source_locale
    }
    result = {}
    for document in documents:
        parts = [repr(document), *common, *templates[document.leaflet]]
        parts += [catalogues[c] for c in (document.locale, document.partner) if c in catalogues]
        result[document] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return result


def _fonts(project: Project) -> list[str]:
    # The project's fonts/ folder (a font added or removed changes which family draws a
    # character) and the system fonts the tool found by path (CJK).
    from .fonts import PROJECT_FONTS, fontset

    found = fontset(project.root)
    return [f"fonts-dir={found.project_dir}", *_tree(project.root / PROJECT_FONTS)] + [
        _stamp(path) for path in found.files() if not path.is_relative_to(project.root)
    ]


def _package_code() -> list[str]:
    # An editable install changes code without changing the version; its files count too.
    return [_stamp(p) for p in sorted(PACKAGE_DIR.glob("*.py"))]


def load(out_dir: Path) -> dict[str, dict]:
    try:
        return json.loads((out_dir / CACHE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save(out_dir: Path, entries: dict[str, dict]) -> None:
    write_atomic(out_dir / CACHE_FILE, json.dumps(entries, indent=1, sort_keys=True).encode())

"""What a document depends on, so that a rebuild skips documents whose inputs have not changed.

A fingerprint is made of content: the sha256 of every file a document reads (settings, every
template it can reach, stylesheets, images, fonts, catalogues, the tool's own code) and the
versions of the libraries that shape the output. Hashing is kept cheap the way git's index
does it: a file's hash is remembered with its size, modification time, change time and inode,
and read again whenever one of them differs. The change time is set by the kernel on every
write and cannot be set back, so an edit that keeps a file's size and modification time is
still seen. The PDF already in ``out/`` is checked against the sha256 the manifest records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from functools import cache
from pathlib import Path

from . import __version__
from .document import Document
from .locales import ASSETS_DIR
from .output import MANIFEST, write_atomic
from .project import Project
from .templates import THEME_DIR, TOOL_LOCALE_DIR, TemplateIndex, parent_locales

CACHE_FILE = ".leaflets-cache.json"
HASHES_FILE = ".leaflets-hashes.json"
#: What each template includes, by the sha256 of its content (see :func:`template_index`).
TEMPLATES_FILE = ".leaflets-templates.json"
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


class FileHashes:
    """sha256 of files, remembered by (size, mtime_ns, ctime_ns, inode) between builds."""

    def __init__(self, known: dict[str, list] | None = None):
        self.known = dict(known or {})
        self.used: dict[str, list] = {}
        #: Folders whose files a stamp names relative to them (see :meth:`name`).
        self.roots: tuple[tuple[Path, str], ...] = ()

    @classmethod
    def load(cls, out_dir: Path) -> FileHashes:
        try:
            data = json.loads((out_dir / HASHES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(data if isinstance(data, dict) else {})

    def save(self, out_dir: Path) -> None:
        # Files this build did not look at (other locales' PDFs) keep their entries.
        entries = {**self.known, **self.used}
        write_atomic(out_dir / HASHES_FILE, json.dumps(entries, sort_keys=True).encode())

    def digest(self, path: Path) -> str:
        key = str(path)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return "missing"
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        entry = self.used.get(key) or self.known.get(key)
        if entry and entry[:4] == signature:
            self.used[key] = entry
            return str(entry[4])
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.used[key] = [*signature, digest]
        return digest

    def name(self, path: Path) -> str:
        """``path`` as a fingerprint names it: relative to the project or the tool when inside one,
        so that a project checked out or copied elsewhere (a CI cache of ``out/``) is up to date."""
        for root, label in self.roots:
            if path.is_relative_to(root):
                return f"{label}:{path.relative_to(root).as_posix()}"
        return str(path)

    def stamp(self, path: Path) -> str:
        return f"{self.name(path)}:{self.digest(path)}"

    def tree(self, folder: Path, skip_suffix: str | None = None) -> list[str]:
        if not folder.is_dir():
            return []
        return [
            self.stamp(p)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != skip_suffix and "__pycache__" not in p.parts
        ]


def fingerprints(
    project: Project,
    documents: list[Document],
    html: bool,
    hashes: FileHashes | None = None,
    index: TemplateIndex | None = None,
) -> dict[Document, str]:
    """For each document, a digest of the content of everything that can change its output.

    What documents share (settings, assets, versions, each leaflet's templates) is read once;
    ``index`` (see :func:`template_index`) knows what each template includes.
    """
    hashes = hashes or FileHashes()
    hashes.roots = _roots(project)
    common = [
        f"html={html}",
        f"epoch={os.environ.get('SOURCE_DATE_EPOCH', '')}",
        repr(library_versions()),
        hashes.stamp(project.settings_path),
        # Sign-off records decide whether a document carries the DRAFT marker.
        hashes.stamp(project.root / "signoff.toml"),
        # Approval and the source strings' places come from the template catalogue.
        hashes.stamp(project.pot_path),
        *hashes.tree(project.templates_dir, skip_suffix=".html"),
        *hashes.tree(ASSETS_DIR),
        *hashes.tree(THEME_DIR, skip_suffix=".html"),
        *hashes.tree(TOOL_LOCALE_DIR),
        *_fonts(project, hashes),
        *[hashes.stamp(p) for p in sorted(PACKAGE_DIR.glob("*.py"))],
    ]
    index = index or TemplateIndex(project)
    stamps: dict[Path, str] = {}
    templates = {
        slug: [
            stamps.setdefault(p, _template_stamp(p, index, hashes))
            for p in index.files(project.leaflet(slug))
        ]
        for slug in {d.leaflet for d in documents}
    }
    catalogues = {
        # A regional variant reads its language's catalogue too (de for de-AT).
        code: "\n".join(
            hashes.stamp(project.po_path(each))
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


def published_digests(out_dir: Path) -> dict[str, str]:
    """The sha256 the manifest records for each PDF of ``out_dir``."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {name: str(entry["sha256"]) for name, entry in data.get("documents", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _fonts(project: Project, hashes: FileHashes) -> list[str]:
    # The project's fonts/ folder (a font added or removed changes which family draws a
    # character) and the system fonts the tool found by path (CJK).
    from .fonts import PROJECT_FONTS, fontset

    found = fontset(project.root)
    folder = hashes.name(found.project_dir) if found.project_dir else ""
    return [f"fonts-dir={folder}", *hashes.tree(project.root / PROJECT_FONTS)] + [
        hashes.stamp(path) for path in found.files() if not path.is_relative_to(project.root)
    ]


def _template_stamp(path: Path, index: TemplateIndex, hashes: FileHashes) -> str:
    # The index read the template's bytes to parse it; their digest is the content's.
    digest = index.digests.get(path)
    return f"{hashes.name(path)}:{digest}" if digest else hashes.stamp(path)


def _roots(project: Project) -> tuple[tuple[Path, str], ...]:
    # Both spellings of the project's folder: templates are named by their resolved paths.
    folders = dict.fromkeys([project.root, project.root.resolve()])
    return (*((folder, "project") for folder in folders), (PACKAGE_DIR, "tool"))


def template_index(project: Project, out_dir: Path) -> TemplateIndex:
    """An index of the project's templates that starts from what the last build learned.

    What a template includes depends only on its content, so it is kept by the content's
    sha256 (``TEMPLATES_FILE``): a no-op build reads every template but parses none.
    """
    try:
        known = json.loads((out_dir / TEMPLATES_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        known = {}
    return TemplateIndex(project, known if isinstance(known, dict) else {})


def save_template_index(out_dir: Path, index: TemplateIndex) -> None:
    if index.learned == index.known:
        return
    write_atomic(out_dir / TEMPLATES_FILE, json.dumps(index.learned, sort_keys=True).encode())


#: The digest of what the shelf page was last written from (see :func:`shelf_key`).
SHELF_KEY_FILE = ".leaflets-shelf-key"


def shelf_key(project: Project, out_dir: Path, today: dt.date, hashes: FileHashes) -> str:
    """A digest of everything ``index.html`` is made from, to skip rewriting an unchanged page."""
    parts = [
        today.isoformat(),
        repr(library_versions()),
        hashes.stamp(out_dir / MANIFEST),
        hashes.stamp(project.settings_path),
        hashes.stamp(project.root / "signoff.toml"),
        # The documents there (a row's status says when its file is missing), not the tool's own
        # files, which this build may write after the key is made.
        *sorted(
            p.name for p in out_dir.glob("*.*") if p.suffix in (".pdf", ".html") and p.name != "index.html"
        ),
        *hashes.tree(PACKAGE_DIR / "assets" / "shelf"),
        *hashes.tree(TOOL_LOCALE_DIR),
        *[hashes.stamp(p) for p in sorted(PACKAGE_DIR.glob("*.py"))],
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def stored_shelf_key(out_dir: Path) -> str:
    try:
        return (out_dir / SHELF_KEY_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def store_shelf_key(out_dir: Path, key: str) -> None:
    write_atomic(out_dir / SHELF_KEY_FILE, key.encode())


def load(out_dir: Path) -> dict[str, dict]:
    try:
        data = json.loads((out_dir / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(out_dir: Path, entries: dict[str, dict], previous: dict[str, dict] | None = None) -> None:
    """Write the cache, unless it is ``previous`` (what :func:`load` read) unchanged."""
    if previous is not None and entries == previous and (out_dir / CACHE_FILE).is_file():
        return
    write_atomic(out_dir / CACHE_FILE, json.dumps(entries, indent=1, sort_keys=True).encode())

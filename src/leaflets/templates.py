"""Where templates come from: the project's ``templates/`` first, then the tool's theme.

The theme (``leaflets/theme/``) holds the frame every leaflet shares: ``layout.html`` with its
header, footer, draft notice, ``_contact.html`` and ``_about.html``, and ``leaflet.css``. A
project overrides a theme template by putting a file of the same name in its ``templates/``;
such a file may extend the theme's own version as ``"!layout.html"`` (the way Sphinx themes are
extended) and replace only the blocks it changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import meta

from .confine import inside
from .errors import TemplateError
from .i18n import LOCALE_DIR, po_path
from .locales import ASSETS_DIR
from .project import Leaflet, Project

THEME_DIR = Path(__file__).resolve().parent / "theme"
#: Names starting with this resolve in the theme only, skipping the project's override.
THEME_PREFIX = "!"


def find_template(project: Project, name: str) -> Path | None:
    """The file ``name`` resolves to: the project's own, else the theme's; ``!name``: the theme's."""
    if name.startswith(THEME_PREFIX):
        folders = [THEME_DIR]
        name = name[len(THEME_PREFIX) :]
    else:
        folders = [project.templates_dir, THEME_DIR]
    for folder in folders:
        # Resolved, and refused when it leads outside its folder, before anything is opened.
        path = inside(folder, name, "template")
        if path.is_file():
            return path
    return None


def asset_roots(project: Project) -> list[Path]:
    """Folders a document may load CSS, images and fonts from, the project's first."""
    return [project.templates_dir, THEME_DIR, ASSETS_DIR]


class ThemeLoader(jinja2.BaseLoader):
    """Loads ``name`` from the project, falling back to the theme; ``!name`` from the theme."""

    def __init__(self, project: Project):
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = find_template(self.project, template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")
        mtime = path.stat().st_mtime
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


class TemplateIndex:
    """What each template file of a project refers to, each file read and parsed once.

    A build asks for the templates of every leaflet, and every leaflet shares ``layout.html``
    and the partials: with one index per build, each file is read once, and parsed only when
    its content is new to the process (:func:`_references` is keyed on the bytes' digest), so a
    no-op build of 100 leaflets does not parse the layout 100 times.
    """

    def __init__(self, project: Project, known: dict[str, list[str]] | None = None):
        self.project = project
        self._references: dict[str, tuple[Path, tuple[str, ...]]] = {}
        #: Each file's sha256, as read for this index; a content fingerprint can reuse it.
        self.digests: dict[Path, str] = {}
        #: What each content (by sha256) refers to: given from an earlier build (``known``),
        #: completed by this one. A template whose content was seen before is not parsed.
        self.learned: dict[str, list[str]] = {}
        self.known = known or {}

    def references(self, name: str) -> tuple[Path, tuple[str, ...]]:
        """The path of template ``name`` and the names it extends, includes or imports."""
        if name not in self._references:
            found = find_template(self.project, name)
            if found is None:
                missing = self.project.templates_dir / name.removeprefix(THEME_PREFIX)
                raise TemplateError(missing, None, "template not found")
            path = found
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            self.digests[path] = digest
            known = self.known.get(digest)
            if isinstance(known, list) and all(isinstance(ref, str) for ref in known):
                refs = tuple(known)
            else:
                refs = _references(digest, data, str(path), name)
            self.learned[digest] = list(refs)
            self._references[name] = (path, refs)
        return self._references[name]

    def files(self, leaflet: Leaflet) -> list[Path]:
        """Every template ``leaflet`` renders from, following extends, include and import."""
        seen: dict[str, Path] = {}
        pending = [leaflet.template]
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            path, refs = self.references(name)
            seen[name] = path
            for ref in refs:
                # A computed include can reach any template: all of them count.
                pending.extend(all_templates(self.project) if ref == ANY_TEMPLATE else [ref])
        return sorted(set(seen.values()))


def _references(digest: str, data: bytes, path: str, name: str) -> tuple[str, ...]:
    # Keyed on the content alone: the path only names a syntax error, which is not cached.
    if digest not in _PARSED:
        _PARSED[digest] = _parse_references(data, path, name)
    return _PARSED[digest]


#: Stands, among a template's references, for an include whose name is computed.
ANY_TEMPLATE = "*"

#: What each template content refers to, for this process (``preview --watch`` and tests).
_PARSED: dict[str, tuple[str, ...]] = {}


def _parse_references(data: bytes, path: str, name: str) -> tuple[str, ...]:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    try:
        ast = env.parse(data.decode("utf-8"), name, path)
    except UnicodeDecodeError as exc:
        raise TemplateError(Path(path), None, f"not UTF-8: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(Path(path), exc.lineno, exc.message or "syntax error") from None
    return tuple(ref or ANY_TEMPLATE for ref in meta.find_referenced_templates(ast))


def template_files(project: Project, leaflet: Leaflet, index: TemplateIndex | None = None) -> list[Path]:
    """Every template ``leaflet`` renders from; pass one ``index`` for many leaflets."""
    return (index or TemplateIndex(project)).files(leaflet)


def all_templates(project: Project) -> list[str]:
    """Every template a name can reach: the project's, and the theme's by their ``!`` names."""
    root = project.templates_dir
    own = [p.relative_to(root).as_posix() for p in root.rglob("*.html") if p.is_file()]
    theme = [THEME_PREFIX + p.relative_to(THEME_DIR).as_posix() for p in THEME_DIR.rglob("*.html")]
    return sorted(own) + sorted(theme)


def template_names(project: Project, leaflet: Leaflet) -> set[str]:
    """The templates of ``leaflet`` as catalogue references name them (theme files by their name)."""
    names = set()
    for path in template_files(project, leaflet):
        if path.is_relative_to(project.root):
            names.add(path.relative_to(project.root).as_posix())
        else:
            names.add(path.relative_to(THEME_DIR.parent).as_posix())
    return names


#: The tool's own catalogues (domain ``leaflets``, shared with the shelf page: i18n.py).
TOOL_LOCALE_DIR = LOCALE_DIR


def tool_po_path(locale: str) -> Path:
    """The tool's catalogue for ``locale`` (``de-AT`` → ``locale/de_AT/LC_MESSAGES/leaflets.po``)."""
    return po_path(locale)


def parent_locales(locale: str) -> list[str]:
    """The languages a regional or script variant falls back to: ``zh-Hant-HK`` → zh-Hant, zh."""
    parts = locale.replace("_", "-").split("-")
    return ["-".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]

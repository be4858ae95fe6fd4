"""Where templates come from: the project's ``templates/`` first, then the tool's theme.

The theme (``leaflets/theme/``) holds the frame every leaflet shares: ``layout.html`` with its
header, footer, draft notice, ``_contact.html`` and ``_about.html``, and ``leaflet.css``. A
project overrides a theme template by putting a file of the same name in its ``templates/``;
such a file may extend the theme's own version as ``"!layout.html"`` (the way Sphinx themes are
extended) and replace only the blocks it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import meta

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
        path = folder / name
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


def template_files(project: Project, leaflet: Leaflet) -> list[Path]:
    """Every template ``leaflet`` renders from, following extends, include and import."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    seen: dict[str, Path] = {}
    pending = [leaflet.template]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = find_template(project, name)
        if path is None:
            raise TemplateError(project.templates_dir / name.lstrip(THEME_PREFIX), None, "template not found")
        try:
            ast = env.parse(path.read_text(encoding="utf-8"), name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(path, exc.lineno, exc.message or "syntax error") from None
        seen[name] = path
        pending.extend(ref for ref in meta.find_referenced_templates(ast) if ref)
    return sorted(set(seen.values()))


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

"""Which template files a leaflet is made of: its own, and what it extends or includes."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta

from .confine import inside
from .errors import TemplateError
from .project import Leaflet, Project


def template_files(project: Project, leaflet: Leaflet) -> list[Path]:
    """Every template ``leaflet`` renders from, following extends, include and import."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    seen: dict[str, Path] = {}
    pending = [leaflet.template]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = inside(project.templates_dir, name, "template")
        try:
            source = path.read_text(encoding="utf-8")
            ast = env.parse(source, name, str(path))
        except FileNotFoundError:
            raise TemplateError(path, None, "template not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(path, exc.lineno, exc.message or "syntax error") from None
        seen[name] = path
        references = list(meta.find_referenced_templates(ast))
        if None in references:
            # A computed include can reach any template: all of them count.
            pending.extend(all_templates(project))
        pending.extend(ref for ref in references if ref)
    return sorted(seen.values())


def all_templates(project: Project) -> list[str]:
    """Every template of the project, as names relative to ``templates/``."""
    root = project.templates_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if p.is_file())


def template_names(project: Project, leaflet: Leaflet) -> set[str]:
    """The templates of ``leaflet`` as relative paths, the way catalogue references name them."""
    return {path.relative_to(project.root).as_posix() for path in template_files(project, leaflet)}

"""Which template files a leaflet is made of: its own, and what it extends or includes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from jinja2 import meta

from .confine import inside
from .errors import TemplateError
from .project import Leaflet, Project


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
            path = inside(self.project.templates_dir, name, "template")
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise TemplateError(path, None, "template not found") from None
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
        return sorted(seen.values())


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
    """Every template of the project, as names relative to ``templates/``."""
    root = project.templates_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if p.is_file())


def template_names(project: Project, leaflet: Leaflet) -> set[str]:
    """The templates of ``leaflet`` as relative paths, the way catalogue references name them."""
    return {path.relative_to(project.root).as_posix() for path in template_files(project, leaflet)}

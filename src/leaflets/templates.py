"""Which template files a leaflet is made of: its own, and what it extends or includes."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import jinja2
from jinja2 import meta

from .errors import TemplateError
from .project import Leaflet, Project


class TemplateIndex:
    """What each template file of a project refers to, each file read and parsed once.

    A build asks for the templates of every leaflet, and every leaflet shares ``layout.html``
    and the partials: with one index per build, each file is read once, and parsed only when
    its content is new to the process (:func:`_references` is keyed on the bytes' digest), so a
    no-op build of 100 leaflets does not parse the layout 100 times.
    """

    def __init__(self, project: Project):
        self.project = project
        self._references: dict[str, tuple[Path, tuple[str, ...]]] = {}
        #: Each file's sha256, as read for this index; a content fingerprint can reuse it.
        self.digests: dict[Path, str] = {}

    def references(self, name: str) -> tuple[Path, tuple[str, ...]]:
        """The path of template ``name`` and the names it extends, includes or imports."""
        if name not in self._references:
            path = self.project.templates_dir / name
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise TemplateError(path, None, "template not found") from None
            digest = hashlib.sha256(data).hexdigest()
            self.digests[path] = digest
            self._references[name] = (path, _references(str(path), name, digest, data))
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
            pending.extend(refs)
        return sorted(seen.values())


@functools.lru_cache(maxsize=1024)
def _references(path: str, name: str, digest: str, data: bytes) -> tuple[str, ...]:
    # ``digest`` keys the cache on the content; ``data`` is compared too, so it cannot be wrong.
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    try:
        ast = env.parse(data.decode("utf-8"), name, path)
    except UnicodeDecodeError as exc:
        raise TemplateError(Path(path), None, f"not UTF-8: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(Path(path), exc.lineno, exc.message or "syntax error") from None
    return tuple(ref for ref in meta.find_referenced_templates(ast) if ref)


def template_files(project: Project, leaflet: Leaflet, index: TemplateIndex | None = None) -> list[Path]:
    """Every template ``leaflet`` renders from; pass one ``index`` for many leaflets."""
    return (index or TemplateIndex(project)).files(leaflet)


def template_names(project: Project, leaflet: Leaflet) -> set[str]:
    """The templates of ``leaflet`` as relative paths, the way catalogue references name them."""
    return {path.relative_to(project.root).as_posix() for path in template_files(project, leaflet)}

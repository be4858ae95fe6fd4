"""WeasyPrint kept warm: one object that renders many documents in one process.

Setting WeasyPrint up is the slow part of a small document: a ``FontConfiguration`` with the
bundled fonts costs about 0.1 s, and a hyphenation dictionary (German: 0.6–0.75 s) is read from
its text file the first time a document of that language is laid out. A :class:`Renderer` pays
both once and keeps them for its lifetime: one per build worker, one per ``preview --watch``.

:func:`quiet_gc` is the garbage collector's side: WeasyPrint allocates millions of small objects
a document, and with the default thresholds the collector walks them (and the modules and
dictionaries loaded before) dozens of times. Freezing what exists before the workers fork and
raising the thresholds cuts that to a few collections a document; the output does not change.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .locales import locale_info
from .project import Project
from .render import Rendered, font_config, render_pdf

__all__ = ["GC_THRESHOLDS", "Renderer", "load_dictionaries", "quiet_gc"]

#: Generation thresholds while rendering (Python's default is 700, 10, 10): a young-generation
#: collection every 50,000 net allocations instead of 700, a full one far less often.
GC_THRESHOLDS = (50_000, 20, 20)


def load_dictionaries(locales: Iterable[str]) -> list[str]:
    """Read the hyphenation dictionaries of ``locales`` into Pyphen's process-wide cache.

    WeasyPrint asks Pyphen for a dictionary by language; Pyphen keeps each file it parsed
    (``pyphen.hdcache``), so loading them in the parent before the workers fork gives every
    worker the parsed dictionary for free. Returns the dictionaries loaded (for tests).
    """
    import pyphen

    loaded = []
    for code in dict.fromkeys(locales):
        try:
            info = locale_info(code)
        except Exception:  # an unknown code fails its documents later, with its own message
            continue
        name = pyphen.language_fallback(info.lang.replace("-", "_"))
        if name and name not in loaded:
            pyphen.Pyphen(lang=name)
            loaded.append(name)
    return loaded


@contextmanager
def quiet_gc(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> Iterator[None]:
    """Freeze what is alive now and collect less often; restores the collector on exit.

    Frozen objects are never scanned again, and forked workers do not touch (and so copy) the
    pages that hold them. Workers forked inside the block inherit both settings.
    """
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


class Renderer:
    """Renders documents with one font configuration and loaded dictionaries; one per process.

    Use it as a context manager, or call :meth:`close`; a closed renderer cannot render. A
    renderer belongs to the process that made it: a forked child must make its own, because
    collecting the parent's font configuration in the child would delete the folder of font
    files that both share (``FontConfiguration.__del__``).
    """

    def __init__(self, locales: Iterable[str] = ()):
        self.dictionaries = load_dictionaries(locales)
        self._fonts: Any = font_config()
        self.pid = os.getpid()
        #: Documents rendered so far.
        self.count = 0

    @classmethod
    def for_project(cls, project: Project) -> Renderer:
        return cls([project.source_locale, *project.locales])

    @property
    def fonts(self) -> Any:
        if self._fonts is None:
            raise RuntimeError("this Renderer is closed")
        return self._fonts

    def pdf(self, project: Project, rendered: Rendered) -> tuple[bytes, int]:
        """PDF bytes and page count of a rendered document (see :func:`render.render_pdf`)."""
        result = render_pdf(project, rendered, self.fonts)
        self.count += 1
        return result

    def close(self) -> None:
        """Let the fonts go (their temporary folder is removed with them)."""
        self._fonts = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

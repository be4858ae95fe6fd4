"""WeasyPrint kept warm: one object that renders many documents in one process.

Setting WeasyPrint up is the slow part of a small document: a ``FontConfiguration`` with the
bundled fonts costs about 0.1 s, and a hyphenation dictionary (German: 0.6–0.75 s) is read from
its text file the first time a document of that language is laid out. A :class:`Renderer` pays
both once and keeps them for its lifetime: one per build worker, one per ``preview --watch``.
Each stylesheet is parsed once per process too (:mod:`leaflets.stylesheets`).

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
from pathlib import Path
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
            path = pyphen.LANGUAGES[name]
            if path not in pyphen.hdcache:
                _load_parsed(path)
            pyphen.Pyphen(lang=name)
            loaded.append(name)
    return loaded


def cache_dir() -> Path:
    """Where the tool keeps what it can make again: ``LEAFLETS_CACHE_DIR``, else the user's cache."""
    named = os.environ.get("LEAFLETS_CACHE_DIR")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leaflets"


#: What a parsed ``pyphen.HyphDict`` holds, all of which the cache restores.
_HYPH_ATTRIBUTES = {"patterns", "cache", "maxlen"}


def _load_parsed(path: Path) -> None:
    """Put the dictionary at ``path`` into Pyphen's cache, parsed once per machine.

    Pyphen parses a ``hyph_*.dic`` text file on first use: 0.9 s for German, at the start of
    every build and preview. The parsed patterns are kept as JSON under :func:`cache_dir`, named
    by the sha256 of the file they come from; anything unreadable there is parsed again.
    Dictionaries with nonstandard hyphenation (which JSON cannot hold) are not kept.
    """
    import hashlib
    import json

    import pyphen

    try:
        data = path.read_bytes()
    except OSError:
        return
    version = getattr(pyphen, "VERSION", getattr(pyphen, "__version__", "0"))
    kept = cache_dir() / f"pyphen-{version}-{hashlib.sha256(data).hexdigest()[:32]}.json"
    try:
        patterns = json.loads(kept.read_text(encoding="utf-8"))
        parsed = {
            str(key): (int(start), tuple(int(v) for v in values))
            for key, (start, values) in patterns.items()
            if isinstance(values, list) and all(type(v) is int for v in values)
        }
        if parsed and len(parsed) == len(patterns):
            hyph = object.__new__(pyphen.HyphDict)
            hyph.patterns, hyph.cache, hyph.maxlen = parsed, {}, max(len(key) for key in parsed)
            pyphen.hdcache[path] = hyph
            return
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    hyph = pyphen.HyphDict(path)
    pyphen.hdcache[path] = hyph
    if set(vars(hyph)) != _HYPH_ATTRIBUTES:
        return  # a Pyphen whose dictionaries hold more than this cache restores
    if any(type(v) is not int for _start, values in hyph.patterns.values() for v in values):
        return
    try:
        from .output import write_atomic

        kept.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({k: [s, list(v)] for k, (s, v) in hyph.patterns.items()}, separators=(",", ":"))
        write_atomic(kept, text.encode("utf-8"))
    except OSError:  # a read-only home: parse again next time
        pass


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

"""Each stylesheet parsed once per process, not once per document: a small adapter over WeasyPrint.

WeasyPrint parses every sheet a document links or embeds again for each document it renders
(about 20 ms for the theme's ``leaflet.css``, 4 % of a document), and has no public way to hand
a parsed sheet to the next document (``docs/upstream/weasyprint-parsed-stylesheets.md``).

While :func:`parsed_once` is active, the ``CSS`` that WeasyPrint's ``find_stylesheets`` makes for
each sheet comes from :func:`_sheet`, which

- reads the sheet exactly as WeasyPrint would, through the document's own URL fetcher (so every
  document's fetcher still decides what may be loaded, and sees every load);
- keys it on what was read, the base URL and the media type, so an edited sheet (``preview
  --watch``) is parsed again;
- parses a sheet it has not seen with empty containers and a font-face recorder, and keeps the
  result only when its whole effect on a document is its selectors, its ``@page`` rules and its
  ``@font-face`` rules, and parsing logged nothing;
- hands each document a sheet that shares the parsed selectors, adds the ``@page`` rules to the
  document's list and registers the font faces with the document's font configuration, as
  parsing would have.

Anything else (``@import``, ``@layer``, ``@counter-style``, ``@color-profile``, a sheet with a
parse warning, a charset from the fetcher, a WeasyPrint whose functions do not look as expected)
is parsed by WeasyPrint itself, every time. The PDFs are byte-identical either way (tested).
"""

from __future__ import annotations

import inspect
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

__all__ = ["clear", "parsed_once", "supported"]

#: Parsed sheets kept per process (a preview session parses each edit of a sheet once).
LIMIT = 64

_lock = threading.RLock()
_depth = 0
#: key → the parsed sheet and its font faces, or None for a sheet WeasyPrint parses each time.
_parsed: OrderedDict[tuple, tuple[Any, list[dict]] | None] = OrderedDict()
_UNSEEN: Any = object()
#: Set when a sheet being recorded imports another (WeasyPrint calls ``CSS`` again, nested).
_nested = threading.local()

#: What ``find_stylesheets`` passes to ``CSS`` (WeasyPrint 70), and what it expects to get.
_FIND_ARGUMENTS = [
    "wrapper_element",
    "device_media_type",
    "url_fetcher",
    "base_url",
    "font_config",
    "counter_style",
    "color_profiles",
    "page_rules",
    "layers",
]
_CSS_ARGUMENTS = {
    "string",
    "url",
    "file_obj",
    "base_url",
    "url_fetcher",
    "_check_mime_type",
    "media_type",
    "font_config",
    "counter_style",
    "color_profiles",
    "matcher",
    "page_rules",
    "layers",
}
#: The arguments of the two calls ``find_stylesheets`` makes; any other call is passed through.
_STYLE_CALL = {"string", "base_url", "url_fetcher", "media_type", "font_config"}
_STYLE_CALL |= {"counter_style", "page_rules", "color_profiles", "layers"}
_LINK_CALL = (_STYLE_CALL - {"string", "base_url"}) | {"url", "_check_mime_type"}
#: All that a parsed ``CSS`` holds (WeasyPrint 70), and so all that a reused sheet is given.
_CSS_ATTRIBUTES = {"base_url", "matcher", "page_rules", "layers"}


@cache
def supported() -> bool:
    """Whether the installed WeasyPrint looks the way this adapter expects (else it stays off)."""
    try:
        import weasyprint
        import weasyprint.css
        import weasyprint.urls

        find = list(inspect.signature(weasyprint.css.find_stylesheets).parameters)
        css = set(inspect.signature(weasyprint.CSS.__init__).parameters)
    except (ImportError, AttributeError, TypeError, ValueError):
        return False
    return (
        getattr(weasyprint.css, "CSS", None) is weasyprint.CSS
        and find == _FIND_ARGUMENTS
        and _CSS_ARGUMENTS <= css
        and callable(getattr(weasyprint.urls, "select_source", None))
    )


@contextmanager
def parsed_once() -> Iterator[None]:
    """While active, WeasyPrint reuses the sheets it parsed for earlier documents."""
    global _depth
    if not supported():
        yield
        return
    import weasyprint
    import weasyprint.css

    with _lock:
        if _depth == 0:
            weasyprint.css.CSS = _sheet
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                weasyprint.css.CSS = weasyprint.CSS


def clear() -> None:
    """Forget every parsed sheet (tests)."""
    with _lock:
        _parsed.clear()


class _FontFaces:
    """Stands in for the font configuration while a sheet is parsed: remembers its font faces."""

    def __init__(self) -> None:
        self.faces: list[dict] = []

    def add_font_face(self, rule_descriptors: dict, url_fetcher: Any) -> None:
        self.faces.append(rule_descriptors)


class _Swallow(logging.Filter):
    """Keeps what parsing logs from reaching any handler, and remembers that it logged."""

    def __init__(self) -> None:
        super().__init__()
        self.logged = False

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            self.logged = True
            return False
        return True


def _sheet(**arguments: Any) -> Any:
    """What ``weasyprint.css.CSS(...)`` returns, from the cache where that gives the same sheet."""
    from weasyprint import CSS

    keys = set(arguments)
    if keys not in (_STYLE_CALL, _LINK_CALL):
        # A nested call (an @import while parsing) or one this adapter does not know.
        _nested.seen = True
        return CSS(**arguments)
    fetcher = arguments["url_fetcher"]
    if "string" in keys:
        text: str | bytes = arguments["string"]
        base_url = arguments["base_url"]
    else:
        from weasyprint.urls import select_source

        with select_source(
            url=arguments["url"], url_fetcher=fetcher, check_css_mime_type=arguments["_check_mime_type"]
        ) as (file_obj, base_url, charset, _mime):
            text = file_obj.read()
        if charset is not None:
            return CSS(**arguments)  # a charset from the fetcher: decoding is WeasyPrint's
    key = ("string" if "string" in keys else "url", text, base_url, arguments["media_type"])
    with _lock:
        found = _parsed.get(key, _UNSEEN)
        if found is not _UNSEEN:
            _parsed.move_to_end(key)
    if found is _UNSEEN:
        found = _parse(key, fetcher)
        with _lock:
            _parsed[key] = found
            while len(_parsed) > LIMIT:
                _parsed.popitem(last=False)
    if found is None:
        return CSS(**_source(key), **_containers(arguments))
    parsed, faces = found
    sheet = object.__new__(CSS)
    sheet.base_url = parsed.base_url
    sheet.matcher = parsed.matcher
    sheet.page_rules = arguments["page_rules"] if arguments["page_rules"] is not None else []
    sheet.layers = arguments["layers"] if arguments["layers"] is not None else []
    sheet.page_rules.extend(parsed.page_rules)
    font_config = arguments["font_config"]
    if font_config is not None:
        for descriptors in faces:
            font_config.add_font_face(descriptors, fetcher)
    return sheet


def _source(key: tuple) -> dict[str, Any]:
    """The sheet as ``CSS`` arguments, from what was read (a URL is not fetched twice)."""
    kind, text, base_url, _media_type = key
    if kind == "string":
        return {"string": text, "base_url": base_url}
    return {
        "file_obj": io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text),
        "base_url": base_url,
    }


def _containers(arguments: dict[str, Any]) -> dict[str, Any]:
    names = (
        "url_fetcher",
        "media_type",
        "font_config",
        "counter_style",
        "color_profiles",
        "page_rules",
        "layers",
    )
    return {name: arguments[name] for name in names}


def _parse(key: tuple, fetcher: Any) -> tuple[Any, list[dict]] | None:
    """The sheet parsed on its own, with its font faces; None when it does more than that."""
    from weasyprint import CSS

    faces = _FontFaces()
    counter_style: dict = {}
    color_profiles: dict = {}
    swallow = _Swallow()
    logger = logging.getLogger("weasyprint")
    logger.addFilter(swallow)
    _nested.seen = False
    try:
        parsed = CSS(
            **_source(key),
            url_fetcher=fetcher,
            media_type=key[3],
            font_config=faces,
            counter_style=counter_style,
            color_profiles=color_profiles,
            page_rules=[],
            layers=[],
        )
    except Exception:  # WeasyPrint parses it again for the document, and reports it there
        return None
    finally:
        logger.removeFilter(swallow)
    if swallow.logged or _nested.seen or counter_style or color_profiles or parsed.layers:
        return None
    if set(vars(parsed)) != _CSS_ATTRIBUTES:
        return None  # a WeasyPrint whose sheets hold more than a reused sheet would be given
    return parsed, faces.faces

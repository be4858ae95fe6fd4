"""The accessible HTML edition: one self-contained, responsive web page per leaflet and language.

For patients who read on a phone, with a screen reader, zoomed or through a browser's
translation. It is the leaflet's own HTML (same strings, same draft notice), made to stand
alone: stylesheets and images inlined, bundled fonts left out (the page names them first
and falls back to the reader's own), nothing fetched, and a DRAFT marker that stays in view
while the page scrolls, as the PDF's stamp is on every page.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import FetchRefusedError
from .project import Project
from .render import Rendered
from .templates import asset_roots

#: What a screen adds to the print styles: fluid width, readable measure, no print margins.
SCREEN_CSS = """
@media screen {
  html { font-size: 112.5%; }
  body { max-width: 42rem; margin: 0 auto; padding: 0 1rem 2rem; overflow-wrap: anywhere; }
  img, svg { max-width: 100%; height: auto; }
  .illustration img { width: 100%; max-width: 24rem; }
  .qr { float: none; margin: 0 auto 1rem; }
  .masthead { border-radius: 0 0 .5rem .5rem; }
  a { color: #0d4a6b; text-decoration: underline; }
  .masthead a, .masthead { color: #fff; }
  h1, h2, h3 { overflow-wrap: break-word; }
}
.draft-stamp {
  position: sticky; top: 0; z-index: 1; margin: 0 -1rem; padding: .4rem 1rem;
  background: #a4000f; color: #fff; font-weight: 700; text-align: center; letter-spacing: .04em;
}
"""


def web_page(project: Project, rendered: Rendered) -> str:
    """The leaflet's HTML as a page that needs nothing but itself."""
    html = rendered.html
    roots = [root.resolve() for root in asset_roots(project)]
    html = re.sub(
        r'<link rel="stylesheet" href="([^"]+)">',
        lambda m: f"<style>{_stylesheet(m[1], roots)}</style>",
        html,
    )
    html = re.sub(
        r'(<img\b[^>]*\bsrc=")(file:[^"]+)(")', lambda m: m[1] + _data_uri(m[2], roots) + m[3], html
    )
    # The tool's own <style> (render.py) names the fonts the PDF embeds: a page names them too,
    # without their files, and falls back to the reader's fonts.
    html = re.sub(r"@font-face\s*\{[^}]*\}\n?", "", html)
    html = re.sub(
        r"(html \{ font-family: )([^;]*)(; \})",
        lambda m: f"{m[1]}{m[2]}, system-ui, sans-serif{m[3]}",
        html,
    )
    html = html.replace(
        '<meta charset="utf-8">',
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">',
        1,
    )
    html = html.replace("</head>", f"<style>{SCREEN_CSS}</style>\n</head>", 1)
    if rendered.draft:
        # The word DRAFT in every language, as on the PDF's stamp; the notice below says why.
        # A landmark of its own, so that a screen reader lists it among the page's regions.
        stamp = '<aside class="draft-stamp" lang="en" dir="ltr" aria-label="DRAFT">DRAFT</aside>'
        html = re.sub(r"(<body\b[^>]*>)", lambda m: m[1] + "\n" + stamp, html, count=1)
    if re.search(r'\b(?:src|href)="(?!data:|#|https://wa\.me/|tel:|mailto:)[a-z]+:', html):
        raise FetchRefusedError(f"{rendered.document}: the web page would load an external resource")
    return html


def _path(url: str, roots: list[Path]) -> Path:
    path = Path(unquote(urlparse(url).path)).resolve()
    if url.startswith("file:") and any(path.is_relative_to(root) for root in roots) and path.is_file():
        return path
    raise FetchRefusedError(f"refused to inline {url[:80]} into the web page")


def _stylesheet(url: str, roots: list[Path]) -> str:
    css = _path(url, roots).read_text(encoding="utf-8")
    # Fonts are optional on a web page: the reader's own fonts are used instead of a
    # download, and the bundled files stay out of every page.
    css = re.sub(r"@font-face\s*\{[^}]*\}", "", css)
    return css.replace("</", "<\\/")


def _data_uri(url: str, roots: list[Path]) -> str:
    path = _path(url, roots)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"

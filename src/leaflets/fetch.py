"""The only way a document may load anything: files from the allowed asset folders.

WeasyPrint follows ``file:``, ``http(s):``, ``ftp:`` and ``data:`` URLs by default, so a string
in a template or a translation could read local files or reach the network. This fetcher serves
files of known asset types below the allowed folders, and ``data:`` URLs that the tool itself
makes (QR codes), and refuses everything else without opening it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ttc": "font/collection",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
DATA_TYPES = ("data:image/svg+xml", "data:image/png")


class AssetFetcher(URLFetcher):
    """Serve assets from ``roots``; refuse, and remember, any other URL."""

    def __init__(self, roots: list[Path] | tuple[Path, ...], generated: dict[str, bytes] | None = None):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = tuple(Path(root).resolve() for root in roots)
        #: Files the tool made from an allowed file (size-adjusted fonts), by URL.
        self.generated = generated or {}
        self.refused: list[tuple[str, str]] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        reason = self.refusal(url)
        if reason:
            self.refused.append((url, reason))
            raise ValueError(f"refused {url!r}: {reason}")
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.path_of(url)
        body = self.generated[url] if url in self.generated else path.read_bytes()
        mime = ASSET_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(url, body, {"Content-Type": mime or "application/octet-stream"})

    def path_of(self, url: str) -> Path:
        parts = urlsplit(url)
        return Path(unquote(parts.path)).resolve()

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be loaded, or None when it may."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            if url.lower().startswith(DATA_TYPES):
                return None
            return "only inline SVG and PNG images may be given as data: URLs"
        if scheme != "file":
            return f"{scheme or 'relative'} URLs are not loaded; documents use only bundled assets"
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return "file URLs on other hosts are not loaded"
        path = self.path_of(url)
        if not any(path.is_relative_to(root) for root in self.roots):
            return "outside the allowed asset folders (" + ", ".join(map(str, self.roots)) + ")"
        if path.suffix.lower() not in ASSET_TYPES:
            return f"not an asset type ({', '.join(sorted(ASSET_TYPES))})"
        if not path.is_file():
            return "no such asset"
        return None

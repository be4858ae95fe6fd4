"""One document of the build matrix: a leaflet in a locale and an edition."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Document:
    leaflet: str
    locale: str
    edition: str = "standard"
    #: The second language of a bilingual edition.
    partner: str | None = None
    #: 3 mm bleed and crop marks for a print shop; office output has neither.
    print_shop: bool = False
    #: Paper size chosen on the command line; empty means the settings' or the locale's.
    paper: str = ""

    @property
    def stem(self) -> str:
        """A file name that sorts by leaflet, then language, then edition."""
        lang = f"{self.locale}+{self.partner}" if self.partner else self.locale
        suffix = "" if self.edition in ("standard", "bilingual") else f"-{self.edition}"
        shop = "-print-shop" if self.print_shop else ""
        return f"{self.leaflet}-{lang}{suffix}{shop}"

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"

    @property
    def web(self) -> bool:
        """Whether this edition is a web page rather than a PDF."""
        from .project import WEB_EDITIONS

        return self.edition in WEB_EDITIONS

    @property
    def file_name(self) -> str:
        """The file the document is: its PDF, or the web page of the HTML edition."""
        return f"{self.stem}.html" if self.web else self.pdf_name

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"

    def __str__(self) -> str:
        return self.stem

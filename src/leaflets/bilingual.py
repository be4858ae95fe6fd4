"""The bilingual edition: two renderings of a leaflet set side by side, block by block.

Every element of the leaflet's ``<main>`` is paired with its counterpart, whatever its markup:
a ``<section>`` row by row (each heading kept with the block after it), any other element
(a box, an aside, a figure, a table) whole. Text that is not inside an element, or two
renderings whose elements do not match, cannot be paired: that is an error, never a loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .errors import TemplateError
from .locales import LocaleInfo

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class Element:
    tag: str
    attributes: str
    outer: str
    inner: str

    @property
    def css_class(self) -> str:
        match = re.search(r'\bclass="([^"]*)"', self.attributes)
        return match[1] if match else ""

    @property
    def name(self) -> str:
        match = re.search(r'\bid="([^"]*)"', self.attributes)
        return f"<{self.tag}{' id=' + repr(match[1]) if match else ''}>"


class _Children(HTMLParser):
    """The top-level elements of a fragment, with their source text, and any stray text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.depth = 0
        self.start = 0
        self.open_end = 0
        self.elements: list[Element] = []
        self.stray: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs) -> None:
        if self.depth == 0:
            self.start = self._offset()
            self.open_end = self.start + len(self.get_starttag_text() or "")
            if tag in VOID:
                outer = self.text[self.start : self.open_end]
                self.elements.append(Element(tag, outer, outer, ""))
                return
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs) -> None:
        if self.depth == 0:
            start = self._offset()
            outer = self.get_starttag_text() or ""
            self.elements.append(Element(tag, outer, self.text[start : start + len(outer)], ""))

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self.text.index(">", self._offset()) + 1
            opening = self.text[self.start : self.open_end]
            close = self.text.rindex("<", 0, end)
            self.elements.append(
                Element(tag, opening, self.text[self.start : end], self.text[self.open_end : close])
            )

    def handle_data(self, data) -> None:
        if self.depth == 0 and data.strip():
            self.stray.append(data.strip())

    def handle_entityref(self, name) -> None:
        if self.depth == 0:
            self.stray.append(f"&{name};")

    def handle_charref(self, name) -> None:
        if self.depth == 0:
            self.stray.append(f"&#{name};")


def children(fragment: str, where: str) -> list[Element]:
    """The top-level elements of ``fragment``; text outside any element is an error."""
    parser = _Children(fragment)
    parser.feed(fragment)
    parser.close()
    if parser.stray:
        raise TemplateError(
            where,
            None,
            f"the bilingual edition cannot pair text outside an element: {parser.stray[0][:60]!r}",
        )
    return parser.elements


def _rows(section: Element) -> list[str]:
    """A section's blocks, each heading kept with the block after it."""
    rows: list[str] = []
    heading = False
    for child in children(section.inner, section.name):
        if heading:
            rows[-1] += "\n" + child.outer
        else:
            rows.append(child.outer)
        heading = bool(re.fullmatch(r"h[1-6]", child.tag))
    return rows


def _groups(main: str) -> list[tuple[str, list[str]]]:
    """Each top-level element of ``<main>`` as (class of its table body, rows)."""
    groups = []
    for element in children(main, "<main>"):
        if element.tag == "section":
            groups.append((element.css_class, _rows(element)))
        else:
            groups.append(("", [element.outer]))
    return groups


def bilingual(first: str, second: str, patient: LocaleInfo, partner: LocaleInfo) -> str:
    """Set two renderings of a leaflet side by side, block by block, each in its language.

    Each block and its counterpart share a table row, and a row never splits across pages,
    so the clinician follows what the patient reads.
    """
    main_a = _between(first, "<main>", "</main>")
    main_b = _between(second, "<main>", "</main>")
    groups_a, groups_b = _groups(main_a), _groups(main_b)
    shape_a = [len(rows) for _cls, rows in groups_a]
    shape_b = [len(rows) for _cls, rows in groups_b]
    if shape_a != shape_b or not groups_a:
        raise TemplateError(
            "<main>",
            None,
            f"the bilingual edition cannot pair the two languages: {patient.code} has blocks "
            f"{shape_a} and {partner.code} {shape_b} (each number: the rows of one element of <main>)",
        )
    body = [
        '<table class="bilingual">',
        f'<thead><tr><th scope="col" class="part-patient">{patient.native_name}</th>'
        f'<th scope="col" class="part-partner" lang="{partner.lang}" dir="{partner.direction}">'
        f"{partner.native_name}</th></tr></thead>",
    ]
    for (cls, rows_a), (_cls, rows_b) in zip(groups_a, groups_b, strict=True):
        # A section's class (contact, about) styles its cells, as it styled the section.
        body.append(f'<tbody class="{cls}">' if cls else "<tbody>")
        for a, b in zip(rows_a, rows_b, strict=True):
            b = re.sub(r'\bid="([^"]+)"', rf'id="\1-{partner.code}"', b)
            body.append(
                f'<tr><td class="part-patient">{a}</td>'
                f'<td class="part-partner" lang="{partner.lang}" dir="{partner.direction}">'
                f"{b}</td></tr>"
            )
        body.append("</tbody>")
    body.append("</table>")
    title_b = _between(second, "<h1>", "</h1>")
    subtitle = (
        f'<p class="title-partner" lang="{partner.lang}" dir="{partner.direction}">{title_b}</p>\n</header>'
    )
    html = first.replace(main_a, "\n" + "\n".join(body) + "\n", 1)
    html = html.replace("</header>", subtitle, 1)
    title_a = _between(first, "<title>", "</title>")
    return html.replace(
        f"<title>{title_a}</title>",
        f"<title>{title_a} – {_between(second, '<title>', '</title>')}</title>",
        1,
    )


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start) + len(start)
    return text[i : text.index(end, i)]

"""A screen reader's view of a tagged PDF, read back with pikepdf.

The text of the structure tree in its order: each element's ``/ActualText`` when it has one,
else its marked content decoded through the fonts' ``ToUnicode`` maps; artifacts are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pikepdf

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
#: Painting operators (PDF 32000-1 tables 59, 107, 87, 92).
PAINTING = {"Tj", "TJ", "'", '"', "Do", "sh", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "BI"}


def to_unicode(font: pikepdf.Object) -> dict[int, str]:
    data = font.ToUnicode.read_bytes()
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for start, end, first in _BFRANGE.findall(block):
            base = int(first, 16)
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                table[code] = chr(base + offset)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, target in _BFCHAR.findall(block):
            table[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    return table


@dataclass
class PageContent:
    """What one page's content stream marks: text per MCID, artifacts, stray painting."""

    texts: dict[int, str] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)


def page_content(page: pikepdf.Page) -> PageContent:
    fonts = page.obj.Resources.get("/Font", {})
    maps = {str(name): to_unicode(font) for name, font in fonts.items() if "/ToUnicode" in font}
    content = PageContent()
    stack: list[tuple[str, int | None]] = []
    current: dict[int, str] = {}
    artifact_text: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "BDC":
            properties = operands[1] if isinstance(operands[1], pikepdf.Dictionary) else {}
            mcid = properties.get("/MCID")
            stack.append((str(operands[0]), int(mcid) if mcid is not None else None))
        elif name == "BMC":
            stack.append((str(operands[0]), None))
        elif name == "EMC":
            tag, mcid = stack.pop()
            if tag == "/Artifact":
                content.artifacts.append("".join(artifact_text))
                artifact_text = []
        elif name == "Tf":
            current = maps.get(str(operands[0]), {})
        elif name in PAINTING and not stack:
            content.unmarked.append(name)
        if name in ("Tj", "TJ", "'", '"'):
            strings = operands[0] if name == "TJ" else [operands[-1]]
            text = ""
            for item in strings:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    text += "".join(
                        current.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
                    )
            marked = [m for t, m in stack if m is not None]
            if any(t == "/Artifact" for t, _ in stack):
                artifact_text.append(text)
            elif marked:
                content.texts[marked[-1]] = content.texts.get(marked[-1], "") + text
    return content


@dataclass
class ReaderView:
    text: str
    #: (page, MCID) of marked content that no element of the tree reads.
    orphans: list[tuple[int, int]]
    pages: list[PageContent]
    #: /Lang of each element on the way to each text piece: (lang, text) in order.
    spans: list[tuple[str, str]]


def reader_view(path: Path) -> ReaderView:
    with pikepdf.open(path) as pdf:
        pages = [page_content(page) for page in pdf.pages]
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        read: set[tuple[int, int]] = set()
        spans: list[tuple[str, str]] = []

        def walk(node: pikepdf.Object, lang: str) -> None:
            lang = str(node.get("/Lang", lang))
            page = index.get(node.Pg.objgen) if "/Pg" in node else None
            kids = node.get("/K", pikepdf.Array())
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            if "/ActualText" in node:
                spans.append((lang, str(node.ActualText)))
            for kid in kids:
                if isinstance(kid, int) and page is not None:
                    read.add((page, kid))
                    if "/ActualText" not in node:
                        spans.append((lang, pages[page].texts.get(kid, "")))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    where = index[kid.Pg.objgen]
                    read.add((where, int(kid.MCID)))
                    if "/ActualText" not in node:
                        spans.append((lang, pages[where].texts.get(int(kid.MCID), "")))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if "/ActualText" in node:
                        walk_silently(kid)
                    else:
                        walk(kid, lang)

        def walk_silently(node: pikepdf.Object) -> None:
            page = index.get(node.Pg.objgen) if "/Pg" in node else None
            for kid in node.get("/K", pikepdf.Array()):
                if isinstance(kid, int) and page is not None:
                    read.add((page, kid))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk_silently(kid)

        walk(pdf.Root.StructTreeRoot.K[0], str(pdf.Root.get("/Lang", "")))
        orphans = [(p, m) for p, page in enumerate(pages) for m in page.texts if (p, m) not in read]
        return ReaderView("".join(text for _, text in spans), orphans, pages, spans)


def normalise(text: str) -> str:
    """Whitespace folded; soft hyphens and bidi controls dropped (a voice does not read them)."""
    text = "".join(c for c in text if c != "\u00ad" and not 0x2066 <= ord(c) <= 0x2069)
    return re.sub(r"\s+", " ", text).strip()


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "th", "figcaption", "td", "caption"}


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.in_body = False
        self.skip = 0

    def flush(self) -> None:
        text = normalise("".join(self.current))
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "body":
            self.in_body = True
        if tag in ("style", "script"):
            self.skip += 1
        if tag in _BLOCKS or tag in ("ul", "ol", "dl", "table", "tr", "section", "figure", "aside"):
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1
        if tag in _BLOCKS or tag in ("ul", "ol", "dl", "table", "tr", "section", "figure", "aside"):
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.skip:
            self.current.append(data)


def html_blocks(html: str) -> list[str]:
    """The visible text of an HTML body, block by block, in document order."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks

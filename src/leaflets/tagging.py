"""Repairs to WeasyPrint's tagged PDF, so that a screen reader reads what the page shows.

WeasyPrint 70 writes a structure tree that validators accept but that reads badly aloud (see
``docs/upstream/``). This module fixes it in two steps, both deterministic:

1. :func:`recording` watches WeasyPrint build its structure tree and notes what WeasyPrint
   knows there but does not write: which HTML element made each structure element (so that
   pieces of one list or table split over pages become one element again), its ``lang``, its
   list style, a link's ``title``, a figure's box and the page's height, the logical text of
   every line fragment, and which marked content belongs to a page margin box. It writes
   nothing into the PDF.
2. :func:`repair` rewrites the PDF with pikepdf from those facts:

   - marked content outside the structure tree (margin boxes: footer, page numbers, a
     DRAFT stamp; repeated table headers) and unmarked painting become ``/Artifact``
     (``/Pagination``), so a reader skips it once, not on every page;
   - ``/Lang`` on every element whose HTML element has another language than its parent;
   - ``/ActualText`` on each text fragment whose drawn glyphs do not read as its text:
     right-to-left runs (the glyphs are in visual order; ``/ActualText`` on the structure
     element is what PDF 32000-1 14.9.4 defines for replacement text and what Acrobat-based
     screen readers, NVDA and JAWS, and poppler honour), a line-end hyphen that hyphenation
     inserted (read as U+00AD, a soft hyphen, so the word is read whole), and the space that
     ends a line (WeasyPrint drops it, so a reader joining the spans reads "yourspine");
   - a ``ToUnicode`` map that gives each glyph its own character (HarfBuzz draws ``(`` in
     right-to-left text with the glyph of ``)``; WeasyPrint maps the glyph to the first
     character it met, which swaps the parentheses of Latin text later in the document);
   - fragments of one list, table or paragraph on consecutive pages joined into one element;
   - description lists (``<dl>``) as list items of a label (``<dt>``) and a body (``<dd>``);
   - ``/ListNumbering`` from the list's style; a link's ``/Contents`` from its ``title``;
   - figure bounding boxes in PDF user space; an ``/IDTree`` for the table headers' IDs.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf

#: CSS pixels to PDF points.
PX = 0.75
#: Characters after which a line may break without a space (UAX #14 classes BA, HY, SY, B2).
_BREAK_AFTER = set("-/\u2010\u2013\u2014\u00ad\u200b")
#: CSS list-style-type → PDF /ListNumbering (PDF 32000-1 table 347).
LIST_NUMBERING = {
    "decimal": "/Decimal",
    "decimal-leading-zero": "/Decimal",
    "lower-roman": "/LowerRoman",
    "upper-roman": "/UpperRoman",
    "lower-alpha": "/LowerAlpha",
    "lower-latin": "/LowerAlpha",
    "upper-alpha": "/UpperAlpha",
    "upper-latin": "/UpperAlpha",
    "disc": "/Disc",
    "circle": "/Circle",
    "square": "/Square",
}
#: Path operators whose operands are points (``re`` is a point and a size).
_POINTS = {"m", "l", "c", "v", "y", "re"}
#: Operators whose operands the pass reads (marked content, the matrix, paths).
_READ = {"BDC", "cm", *_POINTS}
#: Operators that paint; outside any marked content they must be an artifact (PDF/UA 7.1).
_PAINTING = {"Tj", "TJ", "'", '"', "Do", "sh", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "BI"}


@dataclass(frozen=True)
class ElementFact:
    """What WeasyPrint knew about the HTML element behind one structure element."""

    key: tuple[int, str]
    tag: str
    lang: str
    list_style: str = ""
    title: str = ""
    #: A figure's box in PDF user space (x1, y1, x2, y2).
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class Facts:
    """Everything :func:`recording` noted, keyed by PDF object number and (page, MCID)."""

    elements: dict[int, ElementFact] = field(default_factory=dict)
    #: (page index, MCID) → the text a reader should get for that marked content, where it
    #: differs from what the glyphs say.
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    #: The fragments (page index, MCID) whose text also goes into the content stream, on the
    #: marked content itself: scripts whose glyphs a text extractor cannot map back alone.
    drawn: set[tuple[int, int]] = field(default_factory=set)
    #: (page index, MCID) → artifact subtype for content of page margin boxes.
    margins: dict[tuple[int, int], str] = field(default_factory=dict)
    page_heights: dict[int, float] = field(default_factory=dict)
    _serials: dict[int, int] = field(default_factory=dict)
    _keep: list[Any] = field(default_factory=list)

    def key(self, element: Any, tag: str) -> tuple[int, str]:
        # A serial per HTML element, stable within one document: id() alone could be reused.
        if id(element) not in self._serials:
            self._serials[id(element)] = len(self._serials)
            self._keep.append(element)
        return self._serials[id(element)], tag


@contextmanager
def recording() -> Iterator[Facts]:
    """Note, while WeasyPrint writes a tagged PDF inside this block, what :func:`repair` needs.

    WeasyPrint builds its tree in ``weasyprint.pdf.tags._build_box_tree``, a generator that
    calls itself by its module-level name; wrapping it sees every box and the structure
    element made for it, without changing either.
    """
    from weasyprint.pdf import tags as module

    original = module._build_box_tree
    facts = Facts()

    def observed(box, parent, pdf, page_number, nums, annotations, tags):
        _observe(facts, box, page_number, tags)
        for element in original(box, parent, pdf, page_number, nums, annotations, tags):
            _note_element(facts, element, box, page_number)
            yield element

    module._build_box_tree = observed
    try:
        yield facts
    finally:
        module._build_box_tree = original


def _observe(facts: Facts, box: Any, page: int, tags: dict) -> None:
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if isinstance(box, boxes.PageBox):
        facts.page_heights[page] = box.margin_height() * PX
    elif isinstance(box, boxes.MarginBox):
        subtype = "/Header" if box.at_keyword.startswith("@top") else "/Footer"
        if not box.at_keyword.startswith(("@top", "@bottom")):
            subtype = ""
        for leaf in _descendants(box):
            if leaf in tags:
                facts.margins[page, tags[leaf]["mcid"]] = subtype
                # A header or footer is an artifact a reader skips, but copying it or a text
                # extractor still needs the characters of a reordered script.
                if isinstance(leaf, boxes.TextBox) and _reordered(leaf.text):
                    facts.texts[page, tags[leaf]["mcid"]] = leaf.text
                    facts.drawn.add((page, tags[leaf]["mcid"]))
        return
    if isinstance(box, boxes.ParentBox) and box.children and isinstance(box.children[-1], boxes.LineBox):
        lines = [child for child in box.children if isinstance(child, boxes.LineBox)]
        leaves = [(leaf, n) for n, line in enumerate(lines) for leaf in _leaves(line) if leaf in tags]
        source = _source_text(box.element)
        for i, (leaf, line) in enumerate(leaves):
            following = leaves[i + 1][0].text if i + 1 < len(leaves) else ""
            line_end = bool(following) and leaves[i + 1][1] != line
            text = reader_text(leaf.text, leaf.style, line_end, following, source)
            shaped = _reordered(leaf.text)
            if text != leaf.text or shaped or _right_to_left(leaf.text, leaf.style):
                facts.texts[page, tags[leaf]["mcid"]] = text
            if shaped:
                facts.drawn.add((page, tags[leaf]["mcid"]))


def _source_text(element: Any) -> str:
    """An element's text with whitespace folded, as the lines were broken from it."""
    if element is None:
        return ""
    return re.sub(r"\s+", " ", "".join(element.itertext()))


def _leaves(box: Any) -> Iterator[Any]:
    """The text boxes of a line, in logical order, through inline elements."""
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if isinstance(child, boxes.TextBox):
            yield child
        elif isinstance(child, boxes.InlineBox):
            yield from _leaves(child)


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def reader_text(text: str, style: Any, line_end: bool, following: str = "", source: str = "") -> str:
    """What a reader should hear for one drawn line fragment, in logical order.

    A hyphen that hyphenation added at the end of a line becomes a soft hyphen; a line that
    ended at a space gets the space back (WeasyPrint drops it). ``text`` is WeasyPrint's
    logical text of the box, ``following`` the next line's first fragment and ``source`` the
    text of the element the lines were broken from.
    """
    if not line_end or not text or text[-1].isspace():
        return text
    hyphen = style["hyphenate_character"]
    if hyphen and text.endswith(hyphen) and style["hyphens"] != "none":
        return text[: -len(hyphen)] + "\u00ad"
    head = following.lstrip()[:24]
    if source and head:
        if f"{text} {head}" in source:
            return text + " "
        if f"{text}{head}" in source:
            return text
    return text if text[-1] in _BREAK_AFTER else text + " "


#: Scripts whose glyphs are reordered, split or merged so that glyph-by-glyph ``ToUnicode``
#: cannot give the characters back: Indic (Devanagari to Sinhala), Thai and Lao, Tibetan,
#: Myanmar, Khmer. Copying, searching and pdftotext read them from ``/ActualText``.
_REORDERED = re.compile(
    "[\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
    "\ua9e0-\ua9ff\uaa60-\uaa7f]"
)


def _reordered(text: str) -> bool:
    """Whether ``text`` has a character of a script in :data:`_REORDERED`."""
    return _REORDERED.search(text) is not None


def _right_to_left(text: str, style: Any) -> bool:
    """Whether the glyphs of ``text`` may be drawn in another order than the characters.

    Keyed on the CSS direction (from the locale's ``dir``), and on strong right-to-left
    characters for a right-to-left word inside left-to-right text.
    """
    return style["direction"] == "rtl" or any(
        unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text
    )


def _note_element(facts: Facts, element: Any, box: Any, page: int) -> None:
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if box.element is None or element.number is None or element.number in facts.elements:
        # html, body and page boxes pass their children's elements on: the innermost call,
        # the one that made the element, has noted it already.
        return
    tag = str(box.element_tag)
    bbox = None
    attributes = element.get("A")
    if element.get("S") == "/Figure" and attributes is not None and "BBox" in attributes:
        x1, y1, x2, y2 = (float(v) for v in attributes["BBox"])
        height = facts.page_heights.get(page, 0.0)
        bbox = (x1 * PX, height - y2 * PX, x2 * PX, height - y1 * PX)
    list_style = str(box.style["list_style_type"]) if tag in ("ol", "ul") else ""
    title = str(box.element.get("title") or "") if tag.split(":")[0] == "a" else ""
    facts.elements[element.number] = ElementFact(
        facts.key(box.element, tag), tag, str(box.style["lang"] or ""), list_style, title, bbox
    )


# --- The pikepdf pass ------------------------------------------------------------------------


def repair(data: bytes, facts: Facts) -> bytes:
    """The PDF ``data`` with its structure tree repaired from ``facts``; deterministic bytes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _Repair(pdf, facts).run()
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            fix_metadata_version=False,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return out.getvalue()


class _Repair:
    def __init__(self, pdf: pikepdf.Pdf, facts: Facts):
        self.pdf = pdf
        self.facts = facts
        self.root = pdf.Root.StructTreeRoot
        self.pages = [page.obj for page in pdf.pages]
        self.page_index = {page.objgen: i for i, page in enumerate(self.pages)}
        nums = self.root.ParentTree.Nums
        self.parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        #: Marked content that becomes an artifact: (page, MCID) → subtype.
        self.artifacts: dict[tuple[int, int], str] = {}
        #: IDs of header cells of a repeated table header → their HTML element.
        self.dropped_ids: dict[bytes, tuple[int, str]] = {}
        #: (page, MCID) → the user-space points its paths touch.
        self.extents: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def fact(self, element: pikepdf.Object) -> ElementFact | None:
        return self.facts.elements.get(element.objgen[0])

    def run(self) -> None:
        document = self.root.K[0]
        replaced: dict[tuple[int, int], pikepdf.Object] = {}
        document.K = pikepdf.Array(self._join(document, list(document.K), replaced))
        reachable = self._reachable(document)
        self._artifacts(reachable, replaced)
        for element in reachable:
            self._element(element)
        self._description_lists(reachable)
        self._languages(document, str(self.pdf.Root.get("/Lang", "")))
        self._actual_text(reachable)
        self._id_tree(reachable)
        self._table_headers(reachable)
        self._to_unicode()

    # Joining fragments -------------------------------------------------------------------

    def _join(self, parent: pikepdf.Object, kids: list, replaced: dict) -> list:
        """``kids`` with adjacent fragments of one HTML element merged, recursively."""
        out: list = []
        seen: set[tuple[int, str]] = set()
        for kid in kids:
            fact = self.fact(kid) if isinstance(kid, pikepdf.Dictionary) else None
            previous = out[-1] if out and isinstance(out[-1], pikepdf.Dictionary) else None
            before = self.fact(previous) if previous is not None else None
            if fact and before and previous is not None and fact.key == before.key:
                self._merge(previous, kid, replaced)
                continue
            if fact and fact.key in seen and fact.tag in ("thead", "tfoot"):
                # A table header repeated on a new page: furniture, read once.
                self._drop(kid)
                continue
            if fact:
                seen.add(fact.key)
            out.append(kid)
        for kid in out:
            if isinstance(kid, pikepdf.Dictionary) and "/K" in kid and isinstance(kid.K, pikepdf.Array):
                kid.K = pikepdf.Array(self._join(kid, list(kid.K), replaced))
        return out

    def _merge(self, first: pikepdf.Object, second: pikepdf.Object, replaced: dict) -> None:
        page = first.get("/Pg")
        kids = list(first.K)
        for kid in second.K:
            if isinstance(kid, int) and second.get("/Pg") is not None and second.Pg.objgen != page.objgen:
                kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=second.Pg, MCID=kid)
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kid.P = first
            kids.append(kid)
        first.K = pikepdf.Array(kids)
        replaced[second.objgen] = first

    def _drop(self, element: pikepdf.Object) -> None:
        for page, mcid in self._contents(element):
            self.artifacts[page, mcid] = "/Header"
        for cell in self._reachable(element):
            fact = self.fact(cell)
            if "/ID" in cell and fact is not None:
                self.dropped_ids[bytes(cell.ID)] = fact.key

    def _contents(self, element: pikepdf.Object) -> Iterator[tuple[int, int]]:
        """(page, MCID) of every marked content under ``element``."""
        kids = element.get("/K")
        if kids is None:
            return
        page = self.page_index.get(element.Pg.objgen) if "/Pg" in element else None
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int) and page is not None:
                yield page, int(kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
                yield self.page_index[kid.Pg.objgen], int(kid.MCID)
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield from self._contents(kid)

    def _reachable(self, document: pikepdf.Object) -> list[pikepdf.Object]:
        found = []

        def walk(node: pikepdf.Object) -> None:
            found.append(node)
            for kid in node.get("/K", pikepdf.Array()):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid)

        walk(document)
        return found

    # Artifacts ---------------------------------------------------------------------------

    def _artifacts(self, reachable: list[pikepdf.Object], replaced: dict) -> None:
        inside = {element.objgen for element in reachable}
        for page, elements in self.parent_tree.items():
            if page >= len(self.pages) or not isinstance(elements, pikepdf.Array):
                if isinstance(elements, pikepdf.Dictionary) and elements.objgen in replaced:
                    self.parent_tree[page] = replaced[elements.objgen]
                continue
            for mcid, element in enumerate(elements):
                if element.objgen in replaced:
                    elements[mcid] = replaced[element.objgen]
                elif element.objgen not in inside and (page, mcid) not in self.artifacts:
                    self.artifacts[page, mcid] = self.facts.margins.get((page, mcid), "")
            for mcid in range(len(elements)):
                if (page, mcid) in self.artifacts:
                    elements[mcid] = pikepdf.Object.parse(b"null")
        nums = pikepdf.Array()
        for key in sorted(self.parent_tree):
            nums.append(key)
            nums.append(self.parent_tree[key])
        self.root.ParentTree.Nums = nums
        for index, page_object in enumerate(self.pages):
            self._rewrite_stream(index, page_object)

    def _rewrite_stream(self, index: int, page: pikepdf.Object) -> None:
        """Mark artifacts, and measure what each marked content paints (for figure boxes)."""
        operations = pikepdf.parse_content_stream(page)
        # An instruction left as it is goes back as the parsed object: unparsing that is
        # several times faster than unparsing its operands made into Python objects.
        out: list[Any] = []
        marks: list[int | None] = []
        #: For each open marked content: whether its end closes a nested /Span as well.
        nested: list[bool] = []
        matrix: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        saved: list[tuple[float, ...]] = []
        operation: Any
        for operation in operations:
            operator = operation.operator
            name = str(operator)
            operands: Any = operation.operands if name in _READ else None
            if name == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
                span = False
                if mcid is not None:
                    where = (index, int(mcid))
                    drawn = where in self.facts.drawn
                    if drawn:
                        # Marked content may carry its replacement text itself (PDF 32000-1
                        # 14.9.4): text extraction reads it there, where it ignores the tree.
                        properties = pikepdf.Dictionary(dict(operands[1].items()))
                        properties.ActualText = pikepdf.String(self.facts.texts[where])
                        operands = [operands[0], properties]
                    if where in self.artifacts:
                        properties = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
                        subtype = self.artifacts[where]
                        if subtype:
                            properties.Subtype = pikepdf.Name(subtype)
                        span = drawn
                        operands = [pikepdf.Name.Artifact, properties]
                        mcid = None
                        if span:
                            # Text extractors ignore /ActualText on an artifact itself (poppler
                            # does): it goes on a /Span inside, for a header or footer to copy.
                            out.append((operands, operator))
                            text = pikepdf.String(self.facts.texts.get(where, ""))
                            operands = [pikepdf.Name.Span, pikepdf.Dictionary(ActualText=text)]
                marks.append(int(mcid) if mcid is not None else None)
                nested.append(span)
            elif name == "BMC":
                marks.append(None)
                nested.append(False)
            elif name == "EMC" and marks:
                marks.pop()
                if nested.pop():
                    out.append(([], pikepdf.Operator("EMC")))
            elif name == "q":
                saved.append(matrix)
            elif name == "Q" and saved:
                matrix = saved.pop()
            elif name == "cm":
                matrix = _multiply(tuple(float(v) for v in operands), matrix)
            elif name in _POINTS and marks and marks[-1] is not None:
                values = [float(v) for v in operands]
                points = list(zip(values[0::2], values[1::2], strict=False))
                if name == "re":
                    x, y, w, h = values
                    points = [(x, y), (x + w, y + h)]
                extent = self.extents.setdefault((index, marks[-1]), [])
                extent.extend(_apply(matrix, x, y) for x, y in points)
            if operands is not None:
                # Written back from its values, as before this pass kept parsed instructions:
                # WeasyPrint's "0." comes out as "0", and the bytes stay the same as they were.
                operation = (operands, operator)
            if not marks and name in _PAINTING:
                out.append(([pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
                out.append(operation)
                out.append(([], pikepdf.Operator("EMC")))
            else:
                out.append(operation)
        page.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(out))

    def _figure_box(self, element: pikepdf.Object) -> list[float] | None:
        """The box that a figure's marked content paints, in user space."""
        points = [point for where in self._contents(element) for point in self.extents.get(where, [])]
        if not points:
            return None
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return [min(xs), min(ys), max(xs), max(ys)]

    # Per element -------------------------------------------------------------------------

    def _element(self, element: pikepdf.Object) -> None:
        fact = self.fact(element)
        if fact is None:
            return
        if fact.list_style and element.get("/S") == pikepdf.Name.L:
            numbering = LIST_NUMBERING.get(fact.list_style, "/None")
            self._attribute(element, "/List", "/ListNumbering", pikepdf.Name(numbering))
        if element.get("/S") == pikepdf.Name.Figure:
            box = self._figure_box(element) or (list(fact.bbox) if fact.bbox else None)
            if box is not None:
                self._attribute(element, "/Layout", "/BBox", pikepdf.Array(round(v, 3) for v in box))
        if fact.title:
            for kid in element.get("/K", pikepdf.Array()):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
                    kid.Obj.Contents = pikepdf.String(fact.title)

    @staticmethod
    def _attribute(element: pikepdf.Object, owner: str, key: str, value: pikepdf.Object) -> None:
        attributes = element.get("/A")
        dictionaries = (
            list(attributes)
            if isinstance(attributes, pikepdf.Array)
            else [attributes]
            if attributes is not None
            else []
        )
        for dictionary in dictionaries:
            if isinstance(dictionary, pikepdf.Dictionary) and dictionary.get("/O") == pikepdf.Name(owner):
                dictionary[key] = value
                return
        added = pikepdf.Dictionary({"/O": pikepdf.Name(owner), key: value})
        if not dictionaries:
            element.A = added
        else:
            element.A = pikepdf.Array([*dictionaries, added])

    def _description_lists(self, reachable: list[pikepdf.Object]) -> None:
        """``<dl>``: one list item per term, its ``<dt>`` the label, its ``<dd>`` the body."""
        for element in reachable:
            fact = self.fact(element)
            if fact is None or fact.tag != "dl":
                continue
            items: list[pikepdf.Object] = []
            for item in element.K:
                item_fact = self.fact(item) if isinstance(item, pikepdf.Dictionary) else None
                tag = item_fact.tag if item_fact else ""
                body = [k for k in item.get("/K", []) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
                if tag == "dt":
                    for part in body:
                        part.S = pikepdf.Name.Lbl
                    items.append(item)
                elif tag == "dd" and items:
                    owner = items[-1]
                    for part in body:
                        part.P = owner
                    owner.K = pikepdf.Array([*owner.K, *body])
                else:
                    items.append(item)
            element.K = pikepdf.Array(items)
            self._attribute(element, "/List", "/ListNumbering", pikepdf.Name("/None"))

    def _languages(self, node: pikepdf.Object, inherited: str) -> None:
        for kid in node.get("/K", pikepdf.Array()):
            if not (isinstance(kid, pikepdf.Dictionary) and "/S" in kid):
                continue
            fact = self.fact(kid)
            lang = inherited
            if fact and fact.lang and fact.lang.lower() != inherited.lower():
                kid.Lang = pikepdf.String(fact.lang)
                lang = fact.lang
            self._languages(kid, lang)

    def _actual_text(self, reachable: list[pikepdf.Object]) -> None:
        texts = self.facts.texts
        for element in reachable:
            page = self.page_index.get(element.Pg.objgen) if "/Pg" in element else None
            kids = element.get("/K")
            if page is None or not isinstance(kids, pikepdf.Array):
                continue
            mcids = [int(k) for k in kids if isinstance(k, int)]
            # /ActualText replaces everything under the element: only where every piece of
            # its content on its page has a text (a link joined across pages keeps its glyphs).
            across = any(
                isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.MCR for k in kids
            )
            if mcids and not across and all((page, m) in texts for m in mcids):
                element.ActualText = pikepdf.String("".join(texts.get((page, m), "") for m in mcids))

    def _table_headers(self, reachable: list[pikepdf.Object]) -> None:
        """Cells that pointed at a repeated header's cells point at the header read once."""
        if not self.dropped_ids:
            return
        kept = {}
        for element in reachable:
            fact = self.fact(element)
            if "/ID" in element and fact is not None:
                kept[fact.key] = element.ID
        for element in reachable:
            attributes = element.get("/A")
            if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                attributes.Headers = pikepdf.Array(
                    kept.get(self.dropped_ids.get(bytes(h), (-1, "")), h) for h in attributes.Headers
                )

    def _id_tree(self, reachable: list[pikepdf.Object]) -> None:
        pairs = sorted((bytes(element.ID), element) for element in reachable if "/ID" in element)
        if pairs:
            names = pikepdf.Array()
            for key, element in pairs:
                names.append(pikepdf.String(key))
                names.append(element)
            self.root.IDTree = self.pdf.make_indirect(pikepdf.Dictionary(Names=names))

    # Fonts -------------------------------------------------------------------------------

    def _to_unicode(self) -> None:
        done: set[tuple[int, int]] = set()
        for page in self.pdf.pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
            for font in fonts.values() if isinstance(fonts, pikepdf.Dictionary) else ():
                if font.objgen in done or "/ToUnicode" not in font or "/DescendantFonts" not in font:
                    continue
                done.add(font.objgen)
                _fix_to_unicode(self.pdf, font)


def _multiply(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix ``a`` × ``b`` (``cm`` concatenates its operand before the current matrix)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_EMPTY_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<>")


def _fix_to_unicode(pdf: pikepdf.Pdf, font: pikepdf.Object) -> None:
    """Map each glyph that the font's own cmap gives a character to that character.

    Only the mirrored pairs are changed: a glyph mapped to ``)`` that the font's cmap says is
    ``(`` is ``(``. Ligatures and glyphs outside the cmap (Arabic forms) keep their mapping;
    a glyph mapped to nothing gets one (see ``fill``).
    """
    from fontTools.ttLib import TTFont

    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor")
    file = descriptor.get("/FontFile2") if isinstance(descriptor, pikepdf.Dictionary) else None
    if file is None or descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
        return
    try:
        ttf = TTFont(io.BytesIO(file.read_bytes()), lazy=True)
        cmap = ttf.getBestCmap() or {}
        glyph_ids = {name: ttf.getGlyphID(name) for name in set(cmap.values())}
    except Exception:  # a font fontTools cannot read keeps WeasyPrint's map
        return
    by_glyph: dict[int, set[int]] = {}
    for point, name in cmap.items():
        by_glyph.setdefault(glyph_ids[name], set()).add(point)
    stream = font.ToUnicode.read_bytes()
    changed = False

    def fix(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        cid, target = int(match[1], 16), match[2].decode()
        if len(target) != 4:
            return match[0]
        char = chr(int(target, 16))
        own = by_glyph.get(cid, set())
        mirrored = unicodedata.mirrored(char) and _mirror(char)
        if own and ord(char) not in own and mirrored and ord(mirrored) in own:
            changed = True
            return b"<" + match[1] + b"> <" + f"{ord(mirrored):04x}".encode() + b">"
        return match[0]

    def fill(match: re.Match[bytes]) -> bytes:
        # WeasyPrint maps a glyph that shares its cluster with another (a Devanagari reph, a
        # half form) to nothing, which PDF/UA forbids: the glyph's own character if the font
        # has one, else a zero-width space. The line's /ActualText gives the real text.
        nonlocal changed
        changed = True
        own = sorted(by_glyph.get(int(match[1], 16), ())) or [0x200B]
        return b"<" + match[1] + b"> <" + chr(own[0]).encode("utf-16-be").hex().encode() + b">"

    fixed = _EMPTY_BFCHAR.sub(fill, _BFCHAR.sub(fix, stream))
    if changed:
        font.ToUnicode = pdf.make_stream(fixed)


#: Bidi mirroring pairs of the ASCII and common punctuation (Unicode BidiMirroring.txt).
_MIRRORS = dict(zip("()<>[]{}«»‹›", ")(><][}{»«›‹", strict=True))


def _mirror(char: str) -> str:
    return _MIRRORS.get(char, "")

"""tagging.py's small parts: what a line fragment reads as, and no state left behind."""

from __future__ import annotations

import pytest

from leaflets.tagging import reader_text, recording

STYLE = {"hyphenate_character": "\u2010", "hyphens": "auto", "direction": "ltr"}


@pytest.mark.parametrize(
    ("text", "line_end", "following", "source", "heard"),
    [
        ("the bones of your ", False, "", "", "the bones of your "),
        ("vertebro\u2010", True, "plasty", "vertebroplasty", "vertebro\u00ad"),
        ("carry your", True, "spine", "carry your spine", "carry your "),
        ("Lungen-, Brust-", True, "und Schilddrüsen", "Lungen-, Brust- und Schilddrüsen", "Lungen-, Brust- "),
        ("vertebroplasty-", True, "en-html.html", "vertebroplasty-en-html.html", "vertebroplasty-"),
        ("https://example.org/", True, "path", "", "https://example.org/"),
        ("last line.", False, "", "", "last line."),
    ],
    ids=["inside", "hyphenated", "space", "suspended-hyphen", "file-name", "url", "paragraph-end"],
)
def test_a_line_fragment_reads_as_its_words(text, line_end, following, source, heard):
    assert reader_text(text, STYLE, line_end, following, source) == heard


def test_recording_leaves_weasyprint_as_it_found_it():
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    with recording() as facts:
        assert tags._build_box_tree is not original
    assert tags._build_box_tree is original and facts.elements == {}
    with pytest.raises(RuntimeError), recording():
        raise RuntimeError
    assert tags._build_box_tree is original

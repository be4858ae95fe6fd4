"""Sign-off bound to content: a release ships exactly what the clinic approved and a reviewer checked.

Each test works on a copy of the sample, signs it off through the CLI, changes one thing, and
reads back the PDF, signoff.toml and the manifest.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pikepdf
import pytest

from leaflets.catalogs import read_catalog
from leaflets.cli import main
from leaflets.pofile import po_bytes

from .conftest import pdftotext, squash

APPROVER, REVIEWER = "Prof Saim Yilmaz, MD", "Dr Reviewer"
#: A warning sign that needs the emergency number first.
SIGN = "chest pain, or you are short of breath"


def retranslate(path: Path, msgid: str, text: str) -> int:
    """Change one translation as a translator's editor would (header untouched); its line."""
    catalog = read_catalog(path)
    catalog[msgid].string = text
    path.write_bytes(po_bytes(catalog))
    return next(m.lineno for m in read_catalog(path) if m.id == msgid)


def translation(path: Path, msgid: str) -> str:
    return read_catalog(path)[msgid].string


def invoke(runner, project_dir: Path, *args: str):
    return runner.invoke(main, ["--project", str(project_dir), *args])


def po(project_dir: Path, code: str = "tr") -> Path:
    return project_dir / "locales" / code / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def signed(runner, project_dir: Path) -> Path:
    """The sample with vertebroplasty approved and Turkish reviewed, released once."""
    assert (
        invoke(
            runner, project_dir, "approve", "vertebroplasty", "--by", APPROVER, "--on", "2026-12-01"
        ).exit_code
        == 0
    )
    result = invoke(runner, project_dir, "review", "tr", "--by", REVIEWER, "--on", "2026-12-02")
    assert result.exit_code == 0, result.output
    out = project_dir / "out"
    result = invoke(
        runner, project_dir, "build", "vertebroplasty", "--locale", "tr", "--release", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    return project_dir


def release(runner, project_dir: Path):
    out = project_dir / "out"
    return invoke(
        runner, project_dir, "build", "vertebroplasty", "--locale", "tr", "--release", "-o", str(out)
    )


def draft_pages(pdf: Path) -> list[bool]:
    """For each page, whether the word DRAFT is drawn on it."""
    pages = pdftotext(pdf).split("\f")[:-1]
    return ["DRAFT" in page for page in pages]


def test_signed_off_leaflet_is_released_without_a_draft_marker(signed):
    pdf = signed / "out" / "vertebroplasty-tr.pdf"
    assert "DRAFT" not in pdftotext(pdf)
    records = tomllib.loads((signed / "signoff.toml").read_text())
    approval = records["approval"][0]
    assert approval["leaflet"] == "vertebroplasty" and approval["by"] == APPROVER
    assert str(approval["on"]) == "2026-12-01" and approval["fingerprint"].startswith("sha256:")
    assert SIGN in approval["strings"]
    assert approval["settings"]["clinic.emergency_number"] == "112"
    review = records["review"][0]
    assert review["locale"] == "tr" and review["by"] == REVIEWER
    assert SIGN in review["messages"]
    manifest = json.loads((signed / "out" / "manifest.json").read_text())
    assert manifest["documents"]["vertebroplasty-tr.pdf"]["status"] == "release"
    assert manifest["built_at"]


def test_an_edited_translation_refuses_the_release_until_reviewed_again(runner, signed):
    path = po(signed)
    line = retranslate(path, SIGN, "nefes darlığı: endişelenmeyin, evde kalın")
    result = release(runner, signed)
    assert result.exit_code == 1
    assert f"{path}:{line}: changed since {REVIEWER}'s review on 2026-12-02" in result.output
    changed = invoke(runner, signed, "review", "tr", "--changed")
    assert changed.exit_code == 0
    listed = [row for row in changed.output.splitlines() if ": changed since" in row]
    assert listed == [f"{path}:{line}: changed since {REVIEWER}'s review on 2026-12-02: {SIGN!r}"]
    out = signed / "out"
    assert invoke(runner, signed, "build", "vertebroplasty", "-l", "tr", "-o", str(out)).exit_code == 0
    pdf = out / "vertebroplasty-tr.pdf"
    assert all(draft_pages(pdf)) and len(draft_pages(pdf)) >= 2
    assert "changed since Dr Reviewer" in squash(pdftotext(pdf, "-l", "1"))
    assert invoke(runner, signed, "review", "tr", "--changed", "--by", REVIEWER).exit_code == 0
    result = release(runner, signed)
    assert result.exit_code == 0, result.output
    assert "DRAFT" not in pdftotext(pdf)


def test_a_warning_sign_deleted_from_a_template_is_named_with_its_text(runner, signed):
    partial = signed / "templates" / "_get_help.html"
    text = partial.read_text()
    line = '    <li>{{ _("chest pain, or you are short of breath") }}</li>\n'
    assert line in text
    partial.write_text(text.replace(line, ""))
    result = release(runner, signed)
    assert result.exit_code == 1
    assert f"source string removed since {APPROVER}'s approval on 2026-12-01: {SIGN!r}" in result.output


def test_a_changed_emergency_number_in_the_settings_is_named(runner, signed):
    settings = signed / "leaflets.toml"
    settings.write_text(settings.read_text().replace('emergency_number = "112"', 'emergency_number = "911"'))
    result = release(runner, signed)
    assert result.exit_code == 1
    assert (
        "setting clinic.emergency_number changed since" in result.output and "'112' → '911'" in result.output
    )


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [("24 saat", "42 saat", "[numbers]"), ("%(number)s", "911", "drops %(number)s")],
    ids=["number", "emergency-number"],
)
def test_a_translation_that_changes_a_number_refuses_the_release_whatever_the_sign_off(
    runner, signed, old, new, code
):
    path = po(signed)
    text = path.read_text()
    # In the translation (msgstr), not in the source it translates.
    at = next(
        i
        for i in (m.start() for m in re.finditer(re.escape(old), text))
        if text.rfind("\nmsgstr", 0, i) > text.rfind("\nmsgid", 0, i)
    )
    path.write_text(text[:at] + new + text[at + len(old) :])
    # Even reviewed again, a check error keeps it out of a release.
    invoke(runner, signed, "review", "tr", "--changed", "--by", REVIEWER)
    result = release(runner, signed)
    assert result.exit_code == 1
    assert code in result.output, result.output
    assert f"{path}:" in result.output


def test_withdrawn_approval_leaves_no_pdf_called_ready(runner, project_dir):
    assert invoke(runner, project_dir, "approve", "vertebroplasty", "--by", APPROVER).exit_code == 0
    for code in ("tr", "ar", "ru", "de"):
        assert invoke(runner, project_dir, "review", code, "--by", REVIEWER).exit_code == 0
    out = project_dir / "out"
    result = invoke(
        runner, project_dir, "build", "vertebroplasty", "--edition", "all", "--release", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    released = {p.name for p in out.glob("vertebroplasty-*") if p.suffix in (".pdf", ".html")}
    assert len(released) >= 10
    # The approval is withdrawn (the record removed, as `git revert` would).
    signoff = project_dir / "signoff.toml"
    text = signoff.read_text()
    start = text.index("[[approval]]")
    end = text.index("[[review]]")
    signoff.write_text(text[:start] + text[end:])
    result = invoke(runner, project_dir, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    for name, entry in manifest["documents"].items():
        if entry["leaflet"] == "vertebroplasty":
            assert entry["status"] != "release", name
            assert all(draft_pages(out / name)) if name.endswith(".pdf") else True
    shelf = (out / "index.html").read_text()
    for name in released:
        if (out / name).exists():
            assert manifest["documents"][name]["status"] == "draft"
    assert "withdrawn" in result.output
    assert not re.search(r"vertebroplasty[^\"]*\.pdf\"[^<]*</a>[^<]*<[^>]*>\s*(?:Ready|ready)", shelf)


def test_a_layout_without_a_draft_notice_still_gets_the_marker_on_every_page(runner, project_dir):
    layout = project_dir / "templates" / "layout.html"
    layout.write_text(
        '<!DOCTYPE html><html lang="{{ lang }}" dir="{{ dir }}"><head><meta charset="utf-8">'
        "<title>{% block title %}{% endblock %}</title>"
        "<style>@page { size: A4; @top-center { content: none } } .draft-notice { display: none }</style>"
        "</head><body><main>{% block content %}{% endblock %}</main></body></html>\n"
    )
    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "de", "-o", str(out))
    assert result.exit_code == 0, result.output
    pdf = out / "vertebroplasty-de.pdf"
    pages = draft_pages(pdf)
    assert len(pages) >= 2 and all(pages)
    first = squash(pdftotext(pdf, "-l", "1"))
    assert "This leaflet is not ready to give to patients" in first or "nicht" in first
    assert "not approved by the clinic" in first
    with pikepdf.open(pdf) as document:
        assert len(document.pages) == len(pages)


def test_a_translated_stamp_cannot_replace_the_word_draft(runner, project_dir):
    path = po(project_dir, "de")
    catalog = read_catalog(path)
    # A hostile label: it tries to replace the word and to end the CSS string it is put in.
    catalog["DRAFT – not approved for use with patients"].string = 'APPROVED \\" } body { display: none'
    path.write_bytes(po_bytes(catalog))
    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "de", "-o", str(out))
    assert result.exit_code == 0, result.output
    pages = pdftotext(out / "vertebroplasty-de.pdf").split("\f")[:-1]
    assert len(pages) >= 2
    for page in pages:
        assert page.lstrip().startswith("DRAFT · APPROVED")
    assert "Vertebroplastie" in pages[0]  # the body is still there: the label did not escape its string


def test_legacy_sign_off_keys_say_how_to_move(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace(
            "page_budget = { standard = 5 }",
            'approved_by = "Prof X"\napproved_on = 2026-12-01\npage_budget = { standard = 5 }',
            1,
        )
    )
    result = invoke(runner, project_dir, "list")
    assert result.exit_code != 0
    assert "leaflets approve vertebroplasty --by 'Prof X' --on 2026-12-01" in result.output
    assert "Traceback" not in result.output


def test_review_sheet_lists_each_string_with_source_translation_and_place(runner, project_dir, tmp_path):
    sheet = tmp_path / "sheet.html"
    result = invoke(
        runner,
        project_dir,
        "review",
        "tr",
        "--leaflet",
        "vertebroplasty",
        "--by",
        REVIEWER,
        "--sheet",
        str(sheet),
    )
    assert result.exit_code == 0, result.output
    html = sheet.read_text()
    assert f"Reviewer: <strong>{REVIEWER}</strong>" in html and "Fingerprint of what is signed" in html
    turkish = translation(po(project_dir), SIGN)
    assert SIGN in html and turkish in html
    assert re.search(r"messages\.po:\d+", html)
    pdf = tmp_path / "sheet.pdf"
    assert invoke(runner, project_dir, "review", "tr", "--sheet", str(pdf)).exit_code == 0
    assert squash(turkish) in squash(pdftotext(pdf))


def test_check_and_release_share_one_rule_set(runner, project_dir):
    development = invoke(runner, project_dir, "check", "--no-pages")
    assert development.exit_code == 0, development.output
    assert "[not-approved] warning" in development.output
    strict = invoke(runner, project_dir, "check", "--no-pages", "--release")
    assert strict.exit_code == 1
    assert "[not-approved] error" in strict.output and "[not-reviewed] error" in strict.output


def test_the_shelf_never_lists_the_pseudo_locale(runner, project_dir):
    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "en", "-l", "en-XA", "-o", str(out))
    assert result.exit_code == 0, result.output
    shelf = (out / "index.html").read_text()
    assert "vertebroplasty-en.pdf" in shelf and "en-XA" not in shelf
    assert "List made " in shelf  # when the set was built

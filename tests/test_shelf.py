"""The shelf page's rows as the manifest makes them, without a browser: status, languages, QR."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from leaflets.errors import ConfigError
from leaflets.i18n import staff_languages, words
from leaflets.project import ShelfSettings, load_project
from leaflets.shelf import fold, shelf_rows, write_shelf

from .conftest import REPO, copy_project

TODAY = dt.date(2026, 12, 1)


def entry(name: str, **fields) -> dict:
    base = {
        "file": name,
        "leaflet": "vertebroplasty",
        "locale": "tr",
        "edition": "standard",
        "partner": None,
        "title": "Vertebroplasti",
        "pages": 4,
        "version": "1.0",
        "published": "2026-11-24",
        "next_review": "2027-11-24",
        "status": "release",
        "draft_reasons": [],
    }
    return {**base, **fields}


def rows_of(tmp_path: Path, documents: dict, touch: bool = True, project=None):
    for name in documents:
        if touch:
            (tmp_path / name).touch()
    project = project or load_project(REPO)
    return shelf_rows(tmp_path, {"documents": documents}, project, words("en"), TODAY)


def test_status_is_ready_only_when_released_present_and_in_review(tmp_path):
    documents = {
        "a-tr.pdf": entry("a-tr.pdf", leaflet="a"),
        "b-tr.pdf": entry("b-tr.pdf", leaflet="b", status="draft", draft_reasons=["not approved"]),
        "c-tr.pdf": entry("c-tr.pdf", leaflet="c", status="withdrawn"),
        "d-tr.pdf": entry("d-tr.pdf", leaflet="d", status="something new"),
        "e-tr.pdf": entry("e-tr.pdf", leaflet="e", next_review="2026-11-30"),
        "f-tr.pdf": entry("f-tr.pdf", leaflet="f", status="ready"),
    }
    rows = {row.leaflet: row for row in rows_of(tmp_path, documents)}
    assert rows["a"].status == "ready" and rows["a"].linked
    assert rows["b"].status == "draft" and rows["b"].reasons == ["not approved"]
    assert rows["c"].status == "withdrawn" and not rows["c"].linked
    assert rows["d"].status == "draft" and rows["d"].reasons
    assert rows["e"].status == "draft" and "review date" in rows["e"].reasons[0]
    assert rows["f"].status == "ready"
    (tmp_path / "a-tr.pdf").unlink()
    rows = {row.leaflet: row for row in rows_of(tmp_path, documents, touch=False)}
    assert rows["a"].status == "missing" and not rows["a"].linked


def test_pseudo_locale_never_listed_and_html_edition_is_a_format(tmp_path):
    documents = {
        "v-tr.pdf": entry("v-tr.pdf"),
        "v-tr.html": entry("v-tr.html", edition="html"),
        "v-en-XA.pdf": entry("v-en-XA.pdf", locale="en-XA"),
    }
    rows = rows_of(tmp_path, documents)
    assert [row.href for row in rows] == ["v-tr.pdf"]
    assert [f["href"] for f in rows[0].formats] == ["v-tr.html"]
    assert "HTML" in rows[0].formats[0]["label"]


def test_fold_matches_without_case_or_accents():
    assert fold("Türkçe") == "turkce"
    assert fold("LARGE-PRINT") == "large print"
    assert fold("İstanbul ışık") == "istanbul isik"
    assert fold("Größe") == "grosse"


def page_data(folder: Path) -> dict:
    """The rows' data the page's script draws from."""
    page = (folder / "index.html").read_text(encoding="utf-8")
    text = page.split('<script type="application/json" id="shelf-data">', 1)[1].split("</script>", 1)[0]
    return json.loads(text)


def test_qr_codes_only_with_a_base_url(tmp_path):
    project = load_project(REPO)
    documents = {"v-tr.pdf": entry("v-tr.pdf"), "v-ar.pdf": entry("v-ar.pdf", locale="ar")}
    for name in documents:
        (tmp_path / name).touch()
    manifest = {"documents": documents}
    write_shelf(tmp_path, manifest, project)
    assert not list(tmp_path.glob("qr/*.svg"))
    assert [row[13] for row in page_data(tmp_path)["rows"]] == ["", ""]

    published = dataclasses.replace(project, shelf=ShelfSettings(base_url="https://clinic.example/leaflets/"))
    write_shelf(tmp_path, manifest, published)
    codes = list(tmp_path.glob("qr/*.svg"))
    assert len(codes) == 2 and all(c.read_bytes().startswith(b"<svg") for c in codes)
    data = page_data(tmp_path)
    assert sorted(row[13] for row in data["rows"]) == sorted(f"qr/{c.name}" for c in codes)
    assert "https://clinic.example/leaflets/v-ar.pdf" in data["t"]
    # Without the base URL again, the codes go.
    write_shelf(tmp_path, manifest, project)
    assert not list(tmp_path.glob("qr/*.svg"))


def test_shelf_settings_are_checked_with_their_line(tmp_path):
    folder = copy_project(tmp_path / "p")
    settings = folder / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + '\n[shelf]\nbase_url = "ftp://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"leaflets\.toml:\d+: shelf\.base_url must be an http"):
        load_project(folder)
    settings.write_text(text + '\n[shelf]\nstaff_language = "xx"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"leaflets\.toml:\d+: shelf\.staff_language 'xx'"):
        load_project(folder)
    settings.write_text(
        text + '\n[shelf]\nbase_url = "https://c.example/l"\nstaff_language = "de"\n', encoding="utf-8"
    )
    shelf = load_project(folder).shelf
    assert shelf == ShelfSettings(base_url="https://c.example/l/", staff_language="de")


def test_tool_catalogues_translate_every_string():
    """Every string of the domain's template is translated in every language the tool speaks."""
    from babel.messages.pofile import read_po

    from leaflets.i18n import LOCALE_DIR, po_path

    with (LOCALE_DIR / "leaflets.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert "DRAFT: not for patients" in template
    languages = staff_languages()
    assert set(languages) >= {"en", "tr", "ar", "ru", "de"}
    for code in languages[1:]:
        with po_path(code).open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert translated == template, code


def test_template_is_up_to_date_with_the_source(tmp_path):
    """``leaflets.pot`` holds exactly the strings the code and the shelf templates mark."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    from leaflets.i18n import LOCALE_DIR

    with (LOCALE_DIR / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {
        message
        for _f, _l, message, _c, _x in extract_from_dir(
            str(REPO),
            method_map,
            options_map,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        )
    }
    with (LOCALE_DIR / "leaflets.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert found == template, "run the README's catalogue update step"


def test_cli_names_a_bad_shelf_setting_without_a_traceback(runner, project_dir):
    from leaflets.cli import main

    settings = project_dir / "leaflets.toml"
    lines = settings.read_text(encoding="utf-8").splitlines()
    settings.write_text("\n".join([*lines, "[shelf]", 'staff_language = "sw"']) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["--project", str(project_dir), "list"])
    assert result.exit_code == 2
    assert f"{settings}:{len(lines) + 2}: shelf.staff_language 'sw'" in result.output
    assert "known: " + ", ".join(staff_languages()) in result.output
    assert {"en", "tr", "ar", "ru", "de"} <= set(staff_languages())
    assert "Traceback" not in result.output

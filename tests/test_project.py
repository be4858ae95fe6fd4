"""Settings: leaflets.toml is read, validated, and found from the working directory upward."""

from __future__ import annotations

import pytest

from leaflets.contact import format_phone
from leaflets.errors import ConfigError, UnknownNameError
from leaflets.project import default_project_root, find_project, load_project, localized


def test_the_repository_content_is_the_default(tmp_path):
    assert find_project(tmp_path) == default_project_root()
    project = load_project(default_project_root())
    assert {"vertebroplasty", "ablation"} <= set(project.leaflets)
    assert project.source_locale == "en" and "tr" in project.locales


def test_leaflet_records_version_dates_and_sources(project_dir):
    leaflet = load_project(project_dir).leaflet("vertebroplasty")
    assert leaflet.version == "1.0"
    assert leaflet.next_review > leaflet.published
    assert leaflet.sources


def test_missing_required_key_names_the_table(project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(settings.read_text().replace('phone = "+90 850 255 24 23"\n', ""))
    with pytest.raises(ConfigError, match=r"leaflets.toml:\d+: \[clinic\] needs 'phone'"):
        load_project(project_dir)


def test_review_date_before_publication_is_refused(project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace("next_review = 2027-11-24", "next_review = 2020-01-01", 1)
    )
    with pytest.raises(ConfigError, match="next_review must come after published"):
        load_project(project_dir)


def test_unknown_names_list_the_known(project_dir):
    project = load_project(project_dir)
    with pytest.raises(UnknownNameError, match="known: ablation, vertebroplasty"):
        project.leaflet("nope")
    with pytest.raises(UnknownNameError, match="en, tr"):
        project.check_locale("xx")


def test_localized_settings_fall_back_to_the_source():
    name = {"en": "Clinic", "tr": "Klinik"}
    assert localized(name, "tr", "en") == "Klinik"
    assert localized(name, "de", "en") == "Clinic"
    assert localized("Same", "ar", "en") == "Same"


@pytest.mark.parametrize("written", ["+90 850 255 24 23", "+90850 255 24 23", "0850 255 24 23"])
def test_phone_is_shown_for_international_dialling(written):
    display, uri = format_phone(written, "TR", "here")
    assert display == "+90 850 255 24 23"
    assert uri == "tel:+90-850-255-2423"


def test_impossible_phone_is_a_config_error():
    with pytest.raises(ConfigError, match="not a"):
        format_phone("+90 12", "TR", "leaflets.toml: [clinic]")


def test_an_unknown_locale_in_the_settings_names_its_line(project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(settings.read_text().replace('"de"]', '"de", "xx-nonsense"]'))
    with pytest.raises(ConfigError, match=r"leaflets\.toml:\d+: 'xx-nonsense' is not a locale Babel knows"):
        load_project(project_dir)


@pytest.mark.parametrize(
    ("code", "override", "paper"),
    [
        ("tr", "", "A4"),
        ("en", "", "A4"),
        ("en_US", "", "letter"),
        ("es_MX", "", "letter"),
        ("de", "letter", "letter"),
        ("en_US", "A4", "A4"),
    ],
)
def test_paper_follows_the_territory_unless_overridden(code, override, paper):
    from leaflets.locales import locale_info

    assert locale_info(code).paper(override) == paper


def test_paper_override_from_settings_and_command_line(runner, project_dir):
    from leaflets.cli import main

    from .conftest import pdfinfo

    settings = project_dir / "leaflets.toml"
    settings.write_text(settings.read_text() + '\n[languages.de]\npaper = "letter"\n')
    out = project_dir / "out"
    result = runner.invoke(
        main, ["--project", str(project_dir), "build", "ablation", "-l", "de", "-l", "tr", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert pdfinfo(out / "ablation-de.pdf")["Page size"].endswith("(letter)")
    assert pdfinfo(out / "ablation-tr.pdf")["Page size"].endswith("(A4)")
    result = runner.invoke(
        main,
        ["--project", str(project_dir), "build", "ablation", "-l", "tr", "--paper", "letter", "-o", str(out)],
    )
    assert pdfinfo(out / "ablation-tr.pdf")["Page size"].endswith("(letter)")
    bad = runner.invoke(main, ["--project", str(project_dir), "build", "--paper", "B5"])
    assert bad.exit_code == 1 and "unknown paper size 'B5'" in bad.output

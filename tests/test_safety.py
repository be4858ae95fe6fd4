"""A translation may not inject markup nor make the document fetch anything."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from leaflets.build import build, plan
from leaflets.cli import main
from leaflets.document import Document
from leaflets.errors import FetchRefusedError, UnsafeTranslationError
from leaflets.fetch import AssetFetcher
from leaflets.project import load_project
from leaflets.render import render_html, render_pdf

TARGET = "Benefits"


def translate(project_dir: Path, locale: str, msgid: str, text: str) -> int:
    """Set one translation in a copied catalogue; return the line of its entry."""
    path = project_dir / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    if msgid not in catalog:
        # A theme string: the project overrides the tool's translation in its own catalogue.
        catalog.add(msgid, "", flags=["python-format"] if "%(" in msgid else [])
    catalog[msgid].string = text
    catalog[msgid].flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=79)
    with path.open("rb") as handle:
        return read_po(handle)[msgid].lineno


class Listener:
    """A TCP server on loopback that counts connections, to prove none is made."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="http://127.0.0.1:{port}/x">',
        '<a href="file:///etc/passwd">Faydalar</a>',
        '<img src="file:///etc/hostname">',
        'Faydalar<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">',
        '<span style="background: url(http://127.0.0.1:{port}/b)">Faydalar</span>',
    ],
    ids=["img-http", "a-file", "img-file", "link", "style"],
)
def test_injected_markup_is_refused_naming_the_string(project_dir, listener, runner, payload):
    line = translate(project_dir, "tr", TARGET, payload.format(port=listener.port))
    out = project_dir / "out"
    result = runner.invoke(
        main,
        [
            "--project",
            str(project_dir),
            "build",
            "vertebroplasty",
            "--locale",
            "tr",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert f"messages.po:{line}" in result.output
    assert "'Benefits'" in result.output and "adds markup" in result.output
    assert not (out / "vertebroplasty-tr.pdf").exists()
    assert listener.connections == 0
    assert "Traceback" not in result.output


def test_refused_markup_is_an_exception_with_path_and_line(project_dir):
    line = translate(project_dir, "tr", TARGET, '<img src="http://127.0.0.1:9/x">')
    project = load_project(project_dir)
    with pytest.raises(UnsafeTranslationError) as info:
        render_html(project, Document("vertebroplasty", "tr"))
    assert info.value.line == line
    assert info.value.path == project.po_path("tr")


def test_allowed_inline_tags_stay_and_attributes_do_not(project_dir):
    with (project_dir / "locales/messages.pot").open("rb") as handle:
        msgid = next(
            m.id
            for m in read_po(handle)
            if isinstance(m.id, str) and "<strong>vertebroplasty</strong>" in m.id
        )
    translate(project_dir, "tr", msgid, msgid.replace("<strong>", '<strong onclick="x">'))
    with pytest.raises(UnsafeTranslationError):
        render_html(load_project(project_dir), Document("vertebroplasty", "tr"))


def test_dropped_placeholder_is_refused(project_dir):
    msgid = "Page %(page)s of %(pages)s"
    translate(project_dir, "tr", msgid, "Sayfa %(page)s")
    with pytest.raises(UnsafeTranslationError, match="drops %\\(pages\\)s"):
        render_html(load_project(project_dir), Document("vertebroplasty", "tr"))


def test_plain_text_is_escaped_not_interpreted(project_dir):
    translate(project_dir, "tr", TARGET, "Faydalar & yararlar < 5 > 3")
    rendered = render_html(load_project(project_dir), Document("vertebroplasty", "tr"))
    assert "Faydalar &amp; yararlar &lt; 5 &gt; 3" in rendered.html


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/a.css",
        "ftp://example.org/f.svg",
        "file:///etc/passwd",
        "file:///etc/../etc/hostname.svg",
        "data:text/html,<b>x</b>",
        "file://otherhost/share/x.svg",
    ],
)
def test_fetcher_refuses_everything_outside_the_assets(tmp_path, url):
    fetcher = AssetFetcher([tmp_path])
    assert fetcher.refusal(url)
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused[0][0] == url


def test_fetcher_refuses_a_symlink_out_of_the_assets(tmp_path):
    (tmp_path / "assets").mkdir()
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg/>")
    (tmp_path / "assets" / "link.svg").symlink_to(secret)
    fetcher = AssetFetcher([tmp_path / "assets"])
    assert "outside" in fetcher.refusal((tmp_path / "assets" / "link.svg").as_uri())


def test_template_that_fetches_fails_the_document(project_dir, listener):
    template = project_dir / "templates" / "vertebroplasty.html"
    text = template.read_text().replace(
        '<section id="why">',
        f'<img src="http://127.0.0.1:{listener.port}/x.png" alt="">\n<section id="why">',
    )
    template.write_text(text)
    project = load_project(project_dir)
    rendered = render_html(project, Document("vertebroplasty", "en"))
    with pytest.raises(FetchRefusedError, match="refused to load http://127.0.0.1"):
        render_pdf(project, rendered)
    assert listener.connections == 0


def test_one_failing_document_does_not_stop_the_others(project_dir):
    translate(project_dir, "tr", TARGET, '<img src="file:///etc/passwd">')
    project = load_project(project_dir)
    documents = plan(project, ["vertebroplasty"], ["en", "tr"])
    report = build(project, documents, project_dir / "out")
    assert [b.document.locale for b in report.built] == ["en"]
    assert [f.document.locale for f in report.failed] == ["tr"]


def test_a_lone_percent_sign_names_the_string(project_dir):
    line = translate(project_dir, "tr", TARGET, "Faydalar %100")
    with pytest.raises(UnsafeTranslationError) as info:
        render_html(load_project(project_dir), Document("vertebroplasty", "tr"))
    assert info.value.line == line and "lone %" in str(info.value)

"""Command line: parses arguments, calls the library, turns its exceptions into messages.

Every command is a few lines over a library function; nothing here renders or reads catalogues.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import LeafletsError
from .project import EDITIONS, find_project, load_project, writable_root

if TYPE_CHECKING:  # build.py imports WeasyPrint's helpers lazily; the CLI stays quick to start
    from .build import Built


class Context:
    def __init__(self, project_dir: Path | None):
        self.project_dir = project_dir

    @functools.cached_property
    def project(self):
        root = self.project_dir or find_project()
        return load_project(root)

    @functools.cached_property
    def writable_project(self):
        """The project for commands that write: refuses the sample content inside the tool."""
        return load_project(writable_root(self.project_dir))


def handle_errors(function):
    """Turn a :class:`LeafletsError` into ``Error: …`` and its exit code; never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except LeafletsError as exc:
            for line in str(exc).splitlines() or [""]:
                click.echo(f"Error: {line}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # a file or folder the system refuses: name it, in one line
            click.echo(f"Error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            sys.exit(1)

    return wrapper


def size(n: int) -> str:
    return f"{n / 1024:.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def extent(built: Built) -> str:
    """A PDF's page count, or what a web page is."""
    return "web page" if built.document.web else f"{built.pages} pages"


#: Where PDFs (and HTML) are written; shared by build and preview.
out_option = click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the PDFs.",
)


def locales_option(help: str):
    """The repeatable ``--locale/-l`` of the commands that work on several locales."""
    return click.option("--locale", "-l", "locales", multiple=True, metavar="LOCALE", help=help)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "-p",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Content project folder (holds leaflets.toml). Default: the nearest one from "
    "here upward, else the sample content that ships with the tool.",
)
@click.version_option(__version__, prog_name="leaflets")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Render translated patient-information leaflets to print-ready PDFs."""
    ctx.obj = Context(project_dir)


@main.command("list")
@click.pass_obj
@handle_errors
def list_command(obj: Context) -> None:
    """Show the project's leaflets, locales and editions."""
    from .locales import locale_info
    from .signoff import read_records

    project = obj.project
    records = read_records(project)
    click.echo(f"Project: {project.root}")
    click.echo("Leaflets:")
    for slug, leaflet in project.leaflets.items():
        approval = records.approval(slug)
        status = f"approved by {approval.by} on {approval.on}" if approval else "not approved (draft)"
        click.echo(
            f"  {slug:<20} v{leaflet.version}  published {leaflet.published}  "
            f"review by {leaflet.next_review}  {status}"
        )
    click.echo("Locales:")
    for code in project.locales:
        info = locale_info(code)
        reviews = [r for r in records.reviews if r.locale == code]
        role = (
            "source"
            if code == project.source_locale
            else (f"last reviewed by {reviews[-1].by} on {reviews[-1].on}" if reviews else "not reviewed")
        )
        click.echo(f"  {code:<8} {info.native_name} ({info.english_name}), {info.direction}, {role}")
    click.echo(f"Editions: {', '.join(project.editions)} (available: {', '.join(EDITIONS)})")


@main.command()
@click.argument("leaflets", nargs=-1)
@locales_option("Build only this locale (repeatable). Default: every locale of the project.")
@out_option
@click.option(
    "--edition",
    "-e",
    "editions",
    multiple=True,
    metavar="EDITION",
    help=f"Edition to build (repeatable): {', '.join(EDITIONS)} or all. "
    "Default: the editions setting of leaflets.toml.",
)
@click.option(
    "--with",
    "partner",
    metavar="LOCALE",
    help="Second language of the bilingual edition (default: the source locale).",
)
@click.option(
    "--print-shop/--office",
    "print_shop",
    default=None,
    help="3 mm bleed and crop marks for a print shop (default: the print_shop setting).",
)
@click.option(
    "--paper",
    default="",
    metavar="SIZE",
    help="Paper size for every document: A4, letter or A5 (default: the settings, "
    "else the locale's territory).",
)
@click.option("--html", is_flag=True, help="Also write the HTML each PDF is rendered from.")
@click.option(
    "--release",
    is_flag=True,
    help="Refuse to write any PDF that would be marked DRAFT (untranslated or fuzzy "
    "strings, no approval, no reviewer, review date passed).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=None,
    help="Worker processes (default: the number of cores).",
)
@click.option("--force", is_flag=True, help="Rebuild every document, even those up to date.")
@click.option("--shard", metavar="K/N", help="Build only the K-th of N slices of the documents.")
@click.pass_obj
@handle_errors
def build(
    obj: Context,
    leaflets: tuple[str, ...],
    locales: tuple[str, ...],
    out_dir: Path,
    editions: tuple[str, ...],
    partner: str | None,
    print_shop: bool | None,
    paper: str,
    html: bool,
    release: bool,
    jobs: int | None,
    force: bool,
    shard: str | None,
) -> None:
    """Render leaflets to PDF: by default every leaflet in every locale into out/."""
    from .build import Built, plan
    from .build import build as run
    from .build import shard as slice_of

    project = obj.project
    documents = plan(project, leaflets, locales, editions, partner, print_shop, paper)
    if shard:
        documents = slice_of(documents, shard)
    interactive = sys.stdout.isatty() and not os.environ.get("CI")
    bar = click.progressbar(length=len(documents), label="Building", file=sys.stderr) if interactive else None

    def done(result):
        if bar is not None:
            bar.update(1)
        if isinstance(result, Built):
            note = "  DRAFT" if result.draft else ""
            state = "  (up to date)" if result.cached else ""
            if bar is None:
                click.echo(f"{result.path}  {extent(result)}  {size(result.size)}{note}{state}")
            if result.fallbacks:
                first = "; ".join(
                    f"{item.msgid[:60]!r} ({item.status}"
                    + (f", {shorten(project.po_path(item.locale))}:{item.line}" if item.line else "")
                    + ")"
                    for item in result.fallbacks[:3]
                )
                click.echo(
                    f"warning: {result.document}: {len(result.fallbacks)} string(s) shown "
                    f"in the source language: {first}",
                    err=True,
                )
            for warning in result.warnings:
                click.echo(f"warning: {warning}", err=True)
        else:
            click.echo(f"error: {result.message}", err=True)

    report = run(
        project,
        documents,
        out_dir,
        html=html,
        release=release,
        jobs=jobs,
        force=force,
        on_done=done,
    )
    if bar is not None:
        bar.render_finish()
        for built in report.built:
            click.echo(
                f"{built.path}  {extent(built)}  {size(built.size)}" + ("  DRAFT" if built.draft else "")
            )
    drafts = sum(1 for b in report.built if b.draft)
    click.echo(
        f"{len(report.rendered)} built, {len(report.up_to_date)} up to date, "
        f"{len(report.failed)} failed, {drafts} draft, in {report.seconds:.1f} s"
    )
    for name, reasons in report.withdrawn:
        click.echo(f"withdrawn: {name} (removed: {reasons[0]})", err=True)
    for failure in report.failed:
        click.echo(f"failed: {failure.document}", err=True)
    if report.failed:
        sys.exit(1)


def shorten(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@main.command("merge-manifests")
@click.argument(
    "manifests",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "-o",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the merged manifest.",
)
@handle_errors
def merge_manifests_command(manifests: tuple[Path, ...], out_file: Path) -> None:
    """Merge the manifest.json files of sharded builds into one."""
    from .output import merge_manifests, write_atomic

    try:
        merged = merge_manifests(list(manifests))
    except ValueError as exc:
        raise LeafletsError(str(exc)) from None
    write_atomic(out_file, (json.dumps(merged, indent=2, ensure_ascii=False) + "\n").encode())
    click.echo(f"{out_file}: {len(merged['documents'])} documents")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@handle_errors
def new(folder: Path) -> None:
    """Start a project in FOLDER: settings, an example leaflet, a README; then `leaflets build`."""
    from .scaffold import new_project

    for path in new_project(folder):
        click.echo(f"{path}: written")
    click.echo(f"Next: cd {folder} && leaflets build")


@main.command()
@click.pass_obj
@handle_errors
def extract(obj: Context) -> None:
    """Extract the templates' strings into locales/messages.pot."""
    from .translate import extract as run

    path, count, changed = run(obj.writable_project)
    click.echo(f"{path}: {count} strings" + ("" if changed else " (unchanged)"))


@main.command()
@locales_option("Update only this catalogue (repeatable).")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if messages.pot or a catalogue is out of date with the templates (for CI).",
)
@click.pass_obj
@handle_errors
def update(obj: Context, locales: tuple[str, ...], check_only: bool) -> None:
    """Merge messages.pot into every catalogue; changed strings become fuzzy."""
    from .translate import extract
    from .translate import update as run

    project = obj.writable_project
    for code in locales:
        project.check_locale(code)
    stale = 0
    if check_only:
        path, _count, changed = extract(project, dry_run=True)
        if changed:
            stale += 1
            click.echo(f"{path}: out of date; run `leaflets extract`")
    for result in run(project, list(locales) or None, dry_run=check_only):
        if check_only:
            state = "out of date" if result.changed else "up to date"
            stale += result.changed
        else:
            state = "updated" if result.changed else "unchanged"
        click.echo(
            f"{result.path}: {state}; {result.new} new, {result.fuzzy} fuzzy, {result.obsolete} obsolete"
        )
    if stale:
        raise click.exceptions.Exit(1)


@main.command()
@click.argument("locale")
@click.pass_obj
@handle_errors
def init(obj: Context, locale: str) -> None:
    """Start a catalogue for a new language and add it to leaflets.toml."""
    from .fonts import fontset, language_problem
    from .locales import locale_info
    from .translate import init as run

    project = obj.writable_project
    path, registered = run(project, locale)
    click.echo(f"{path}: created from messages.pot")
    if registered:
        click.echo(f"{project.settings_path}: added {locale!r} to locales")
    problem = language_problem(locale_info(locale), fontset(project.root))
    if problem:
        click.echo(f"warning: {problem}", err=True)


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--on") from None


@main.command()
@click.argument("leaflet")
@click.option("--by", required=True, help="Who approves the content for the clinic.")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="Date of the approval (default: today).")
@click.option("--note", default="", help="A note kept with the record.")
@click.pass_obj
@handle_errors
def approve(obj: Context, leaflet: str, by: str, on: str | None, note: str) -> None:
    """Record the clinic's approval of LEAFLET's content as it is now (in signoff.toml)."""
    from .signoff import approve as run
    from .signoff import signoff_path

    record = run(obj.writable_project, leaflet, by, _date(on), note)
    click.echo(
        f"{signoff_path(obj.project)}: {leaflet} approved by {record.by} on {record.on.isoformat()} "
        f"({len(record.strings)} strings, {len(record.settings)} settings; {record.fingerprint[:19]}…)"
    )


@main.command()
@click.argument("locale")
@click.option("--by", help="Who reviewed the translation (records the review).")
@click.option(
    "--leaflet", "leaflets", multiple=True, metavar="LEAFLET", help="Only this leaflet (repeatable)."
)
@click.option("--on", "on", metavar="YYYY-MM-DD", help="Date of the review (default: today).")
@click.option("--note", default="", help="A note kept with the record.")
@click.option(
    "--changed", is_flag=True, help="Only the strings never reviewed or changed since their review."
)
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the review sheet (HTML, or PDF for a .pdf name) of the strings to review.",
)
@click.pass_obj
@handle_errors
def review(
    obj: Context,
    locale: str,
    by: str | None,
    leaflets: tuple[str, ...],
    on: str | None,
    note: str,
    changed: bool,
    sheet: Path | None,
) -> None:
    """Record a reviewer's check of LOCALE's translation, or list (--changed) what needs one.

    Without --by nothing is recorded: the strings to review are listed (and --sheet writes them).
    """
    from .sheet import sheet_html, write_sheet
    from .signoff import Review, message_fingerprint, message_key, signoff_path, to_review
    from .signoff import review as run

    project = obj.project
    when = _date(on)
    for slug in leaflets:
        project.leaflet(slug)
    pending = to_review(project, locale, list(leaflets) or None, changed)
    fingerprint = Review(
        locale,
        by or "-",
        when,
        leaflets,
        {message_key(*p.key): message_fingerprint(p.message) for p in pending},
    ).fingerprint
    if sheet is not None:
        write_sheet(sheet, sheet_html(project, locale, pending, by or "", when, fingerprint))
        click.echo(f"{sheet}: review sheet of {len(pending)} string(s)")
    if by is None:
        for item in pending:
            click.echo(f"{item.where}: {item.why}: {item.key[1][:80]!r}")
        click.echo(f"{len(pending)} string(s) to review in {locale}")
        return
    record, pending = run(obj.writable_project, locale, by, when, list(leaflets) or None, note, changed)
    click.echo(
        f"{signoff_path(project)}: {len(record.messages)} {locale} string(s) reviewed by {record.by} "
        f"on {record.on.isoformat()}"
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 if any locale is less than this percent translated.",
)
@locales_option("Count only this locale (repeatable).")
@click.pass_obj
@handle_errors
def stats(obj: Context, as_json: bool, minimum: float | None, locales: tuple[str, ...]) -> None:
    """Translated, fuzzy, untranslated and obsolete strings per locale and leaflet."""
    from .stats import ALL, statistics

    project = obj.project
    for code in locales:
        project.check_locale(code)
    rows = statistics(project, list(locales) or None)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
    else:
        click.echo(
            f"{'locale':<8} {'leaflet':<18} {'translated':>10} {'fuzzy':>6} "
            f"{'untranslated':>12} {'obsolete':>8} {'done':>7}"
        )
        for row in rows:
            click.echo(
                f"{row.locale:<8} {row.leaflet:<18} {row.translated:>10} {row.fuzzy:>6} "
                f"{row.untranslated:>12} {row.obsolete:>8} {row.percent:>6.1f}%"
            )
    broken = {row.error for row in rows if row.error}
    for error in sorted(broken):
        click.echo(f"error: {error}", err=True)
    if minimum is not None:
        short = [row for row in rows if row.leaflet == ALL and row.percent < minimum]
        for row in short:
            click.echo(
                f"error: {row.locale} is {row.percent:.1f}% translated, below {minimum:g}%",
                err=True,
            )
        if short:
            sys.exit(1)
    if broken:
        sys.exit(1)


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--release",
    is_flag=True,
    help="Check as a release build would: a leaflet not approved or a string not reviewed is an error.",
)
@click.option(
    "--pages/--no-pages",
    default=True,
    show_default=True,
    help="Render the leaflets that have a page budget and warn where one is over it.",
)
@click.pass_obj
@handle_errors
def check(obj: Context, strict: bool, release: bool, pages: bool) -> None:
    """Check catalogues and leaflets: markup, placeholders, numbers, completeness, review dates."""
    from .checks import ERROR, WARNING, check_project

    project = obj.project
    findings = check_project(project, pages=pages, release=release)
    base = Path.cwd()
    for finding in findings:
        click.echo(finding.format(base), err=finding.severity == ERROR)
    errors = sum(1 for f in findings if f.severity == ERROR)
    # Information (readability figures) is printed but never counts against --strict.
    warnings = sum(1 for f in findings if f.severity == WARNING)
    click.echo(f"{errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)


@main.command()
@click.argument("leaflet")
@click.option("--locale", "-l", required=True, metavar="LOCALE", help="The locale to preview.")
@out_option
@click.option(
    "--watch",
    "-w",
    is_flag=True,
    help="Rebuild each time a template, stylesheet, catalogue or the settings change; stop with Ctrl-C.",
)
@click.pass_obj
@handle_errors
def preview(obj: Context, leaflet: str, locale: str, out_dir: Path, watch: bool) -> None:
    """Build one leaflet in one locale (PDF and HTML), and with --watch keep it up to date."""
    import datetime as dt

    from .build import build_document
    from .document import Document
    from .errors import LeafletsError as Failed
    from .preview import changes
    from .project import load_project
    from .renderer import Renderer, quiet_gc

    project = obj.project
    project.leaflet(leaflet)
    project.check_locale(locale)
    document = Document(leaflet, locale)
    # One renderer for the whole session: fonts and dictionaries are loaded once, not per save.
    renderer = Renderer([project.source_locale, locale])

    def once(project) -> bool:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        try:
            built = build_document(project, document, out_dir, html=True, renderer=renderer)
        except Failed as exc:
            click.echo(f"{stamp} error: {exc}", err=True)
            return False
        click.echo(f"{stamp} {built.path}  {built.pages} pages" + ("  DRAFT" if built.draft else ""))
        return True

    ok = once(project)
    if not watch:
        sys.exit(0 if ok else 1)
    watcher = changes(project)
    click.echo("watching templates, styles, catalogues and settings; Ctrl-C stops", err=True)
    # What the first render loaded (WeasyPrint, fonts, dictionaries) lives as long as the
    # session: frozen out of the collector's way, as in a build worker.
    with quiet_gc():
        try:
            for _changed in watcher:
                try:
                    project = load_project(project.root)
                except Failed as exc:
                    click.echo(f"error: {exc}", err=True)
                    continue
                once(project)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()

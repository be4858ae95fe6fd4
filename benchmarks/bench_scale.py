#!/usr/bin/env python3
"""How ``leaflets build`` grows with leaflets and locales, and how fast ``preview --watch`` is.

Two generated projects, made from a copy of this repository's content: 100 leaflets (copies of
``vertebroplasty.html`` under new names) with the first 5 locales, and the same with 30 locales
(catalogues copied from the German one under the new codes). Standard edition only.

For each project, in the same run, median of ``--repeat`` runs:

- per-document cost: the same subset of documents (``SUBSET_LEAFLETS`` × ``SUBSET_LOCALES``)
  rendered in one warm process (as a build worker renders them), the time divided by the
  documents. The two projects' runs alternate, and the growth is the median of each round's
  ratio, so that the machine's load changing between phases does not show as growth;
- peak RSS of the process that rendered them;
- no-op rebuild of every document of the project (500 or 3,000), interpreter start-up included.
  Rendering 3,000 documents would take half an hour, so after the subset is rendered for real,
  every other document's PDF is a copy of a real one and its cache entry is made with
  ``leaflets.cache.fingerprints``: exactly what a finished build leaves, without the wait.

Then ``preview --watch``: a real ``leaflets preview vertebroplasty -l de --watch`` process; the
German catalogue is saved ``--saves`` times and each save is timed until the process prints the
new PDF's line; then the same with ``-l en``, whose template is saved. Their baseline, in the
same run: the render itself, warm (``render_html`` and a ``Renderer`` kept across renders) and
cold (a new ``Renderer`` per render, as the old preview did), each in one process.

``python benchmarks/bench_scale.py [--repeat 3] [--saves 7] [--preview-only] [--json] [--keep]``;
the exit status is 1 when a build failed or a no-op rebuild rendered anything.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import MEASURED_BUILD, SUMMARY, copy_project, log  # noqa: E402

LEAFLETS = 100
#: The sample's 5 locales first; every name is in a script the bundled fonts cover.
LOCALES = (
    "en tr ar ru de fr es it pt nl pl sv da fi nb cs sk sl hr ro hu et lv lt el uk bg sr fa id"
).split()
LOCALE_COUNTS = (5, 30)
SUBSET_LEAFLETS = ("leaflet-001", "leaflet-050", "leaflet-100")
SUBSET_LOCALES = ("de", "tr")
#: The German leaflet is the longest 4-page one (long words, hyphenation); English is the source.
PREVIEWS = (("vertebroplasty", "de"), ("vertebroplasty", "en"))

SEED = """\
import json, shutil, sys
from pathlib import Path
from leaflets import cache
from leaflets.build import plan
from leaflets.output import MANIFEST
from leaflets.project import load_project
project_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
project = load_project(project_dir)
documents = plan(project)
keys = cache.fingerprints(project, documents, False)
entries = cache.load(out)
manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
hashes = cache.FileHashes.load(out)
real = next(iter(entries.values()))
source = out / real["record"]["file"]
listed = manifest["documents"][real["record"]["file"]]
for document in documents:
    if document.stem in entries:
        continue
    shutil.copyfile(source, out / document.pdf_name)
    record = dict(real["record"], file=document.pdf_name, leaflet=document.leaflet,
                  locale=document.locale)
    entries[document.stem] = dict(real, key=keys[document], record=record)
    # What a build leaves besides its cache: the manifest's entry (the PDF's sha256 is checked
    # against it) and the PDF's hash, remembered by its size, times and inode.
    manifest["documents"][document.pdf_name] = dict(listed, file=document.pdf_name,
                                                    leaflet=document.leaflet, locale=document.locale)
    hashes.digest(out / document.pdf_name)
cache.save(out, entries)
hashes.save(out)
(out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
print(len(documents))
"""

# The subset in one process, as a build worker renders it: one Renderer, a first document
# untimed (it loads fonts, dictionaries, Babel's data for every locale), then every document of
# the subset timed; prints the seconds per document and the process's peak RSS.
PER_DOCUMENT = """\
import json, resource, sys, time
from leaflets.build import plan
from leaflets.project import load_project
from leaflets.render import render_html
from leaflets.renderer import Renderer, quiet_gc
project = load_project(sys.argv[1])
documents = plan(project, sys.argv[2].split(","), sys.argv[3].split(","), ["standard"])
# As a worker: the renderer made, then everything alive frozen out of the collector's way.
with Renderer.for_project(project) as renderer, quiet_gc():
    renderer.pdf(project, render_html(project, documents[-1]))
    started, cpu = time.perf_counter(), time.process_time()
    for document in documents:
        renderer.pdf(project, render_html(project, document))
    seconds = (time.perf_counter() - started) / len(documents)
    cpu = (time.process_time() - cpu) / len(documents)
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "documents": len(documents),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

RENDER_ONCE = """\
import json, statistics, sys, time
from leaflets.document import Document
from leaflets.project import load_project
from leaflets.render import render_html
from leaflets.renderer import Renderer
project = load_project(sys.argv[1])
document = Document(sys.argv[2], sys.argv[3])
times = {"warm": [], "cold": []}
with Renderer([project.source_locale, document.locale]) as warm:
    warm.pdf(project, render_html(project, document))  # first render: caches and fonts
    for _ in range(int(sys.argv[4])):
        started = time.perf_counter()
        warm.pdf(project, render_html(project, document))
        times["warm"].append(time.perf_counter() - started)
for _ in range(int(sys.argv[4])):
    started = time.perf_counter()
    with Renderer([project.source_locale, document.locale]) as cold:
        cold.pdf(project, render_html(project, document))
    times["cold"].append(time.perf_counter() - started)
print(json.dumps(times))
"""


def generate(target: Path, locales: int) -> Path:
    """A project of LEAFLETS leaflets and the first ``locales`` locales."""
    project = copy_project(target)
    settings = (project / "leaflets.toml").read_text(encoding="utf-8")
    codes = LOCALES[:locales]
    settings = re.sub(r"^locales = \[.*\]$", f"locales = {json.dumps(list(codes))}", settings, flags=re.M)
    template = (project / "templates" / "vertebroplasty.html").read_text(encoding="utf-8")
    german = (project / "locales" / "de" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    for code in codes:
        po = project / "locales" / code / "LC_MESSAGES" / "messages.po"
        if code != "en" and not po.exists():
            po.parent.mkdir(parents=True)
            po.write_text(german.replace('"Language: de\\n"', f'"Language: {code}\\n"'), encoding="utf-8")
    blocks = []
    for i in range(1, LEAFLETS + 1):
        slug = f"leaflet-{i:03d}"
        (project / "templates" / f"{slug}.html").write_text(template, encoding="utf-8")
        blocks.append(
            f'\n[leaflets.{slug}]\ntemplate = "{slug}.html"\nversion = "1.0"\n'
            'published = 2026-11-24\nnext_review = 2027-11-24\nsources = ["Generated."]\n'
        )
    (project / "leaflets.toml").write_text(settings + "".join(blocks), encoding="utf-8")
    return project


def leaflets(project: Path, *args: str, work: Path) -> tuple[float, dict, str]:
    """Run ``leaflets --project P ARGS`` inside the measuring wrapper: seconds, rusage, stdout."""
    report = work / "rusage.json"
    report.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_BUILD, str(report), "--project", str(project), *args],
        capture_output=True,
        text=True,
        cwd=work,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"leaflets {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    usage = json.loads(report.read_text()) if report.is_file() else {}
    return seconds, usage, done.stdout


def prepare_project(work: Path, locales: int) -> tuple[Path, Path]:
    """The generated project with ``locales``, and its output folder with the subset built."""
    project = generate(work / f"project-{locales}", locales)
    out = work / f"out-{locales}"
    subset = [*SUBSET_LEAFLETS, *[arg for code in SUBSET_LOCALES for arg in ("--locale", code)]]
    leaflets(project, "build", *subset, "--force", "--out", str(out), work=work)  # for the no-op
    return project, out


def per_document(project: Path) -> tuple[float, float, float]:
    """Seconds a subset document takes in one warm process, its CPU seconds, and the peak MiB."""
    done = subprocess.run(
        [sys.executable, "-c", PER_DOCUMENT, str(project), ",".join(SUBSET_LEAFLETS)]
        + [",".join(SUBSET_LOCALES)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout)
    return figures["seconds"], figures["cpu_seconds"], figures["peak_kib"] / 1024


def measure_noop(work: Path, project: Path, out: Path, repeat: int) -> dict:
    """Every other document seeded as a finished build leaves it, then no-op rebuilds timed."""
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(project), str(out)], capture_output=True, text=True, check=True
    )
    documents = int(seeded.stdout.strip())
    noops = []
    for _ in range(repeat):
        seconds, _, stdout = leaflets(project, "build", "--out", str(out), work=work)
        summary = SUMMARY.search(stdout)
        if not summary or int(summary["built"]) != 0:
            raise SystemExit(f"no-op rebuild of {documents} documents rendered something: {stdout[-500:]}")
        noops.append(seconds)
    return {"documents": documents, "noop_seconds": statistics.median(noops), "noop_runs": noops}


def measure_scale(work: Path, repeat: int) -> tuple[list[dict], list[float], list[float]]:
    """Each locale count's figures, and the growth of the per-document cost (wall-clock and CPU
    time) in each round.

    The per-document runs of the two projects alternate, so each round's ratio compares
    figures measured moments apart: a change in the machine's load between the two phases
    would otherwise show as growth (or shrinkage).
    """
    prepared = {}
    for count in LOCALE_COUNTS:
        log(f"{LEAFLETS} leaflets x {count} locales: generating and building the subset ...")
        prepared[count] = prepare_project(work, count)
    costs: dict[int, list[float]] = {count: [] for count in LOCALE_COUNTS}
    cpu: dict[int, list[float]] = {count: [] for count in LOCALE_COUNTS}
    memory: dict[int, list[float]] = {count: [] for count in LOCALE_COUNTS}
    for round_ in range(1, repeat + 1):
        for count in LOCALE_COUNTS:
            log(f"[{round_}/{repeat}] per-document cost, {count} locales ...")
            seconds, cpu_seconds, mib = per_document(prepared[count][0])
            costs[count].append(seconds)
            cpu[count].append(cpu_seconds)
            memory[count].append(mib)
    first, last = LOCALE_COUNTS[0], LOCALE_COUNTS[-1]
    growth = [b / a - 1 for a, b in zip(costs[first], costs[last], strict=True)]
    cpu_growth = [b / a - 1 for a, b in zip(cpu[first], cpu[last], strict=True)]
    scale = []
    for count in LOCALE_COUNTS:
        log(f"{count} locales: no-op rebuilds ...")
        project, out = prepared[count]
        scale.append(
            {
                "locales": count,
                "leaflets": LEAFLETS,
                "subset_documents": len(SUBSET_LEAFLETS) * len(SUBSET_LOCALES),
                "per_document_seconds": statistics.median(costs[count]),
                "per_document_runs": costs[count],
                "per_document_cpu_seconds": statistics.median(cpu[count]),
                "per_document_cpu_runs": cpu[count],
                "render_peak_mib": statistics.median(memory[count]),
                **measure_noop(work, project, out, repeat),
            }
        )
    return scale, growth, cpu_growth


def measure_preview(work: Path, saves: int, leaflet: str, locale: str) -> dict:
    """Save → new PDF through a real ``preview --watch`` process, and the render's own time."""
    project = copy_project(work / f"project-preview-{locale}")
    out = work / f"out-preview-{locale}"
    process = subprocess.Popen(
        [sys.executable, "-m", "leaflets", "--project", str(project), "preview", leaflet, "-l", locale]
        + ["-o", str(out), "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    def wait_for(pattern: str) -> float:
        while True:
            line = lines.get(timeout=120)
            if re.search(pattern, line):
                return time.perf_counter()
            if "error" in line:
                raise SystemExit(f"preview: {line}")

    # What a translator saves: the catalogue; for the source language, the template.
    catalogue = project / "locales" / locale / "LC_MESSAGES" / "messages.po"
    if not catalogue.is_file():
        catalogue = project / "templates" / f"{leaflet}.html"
    original = catalogue.read_text(encoding="utf-8")
    timings = []
    try:
        wait_for(r"\.pdf  \d+ pages")
        wait_for(r"^watching")
        for i in range(saves):
            catalogue.write_text(original + "\n" * (i % 2 + 1), encoding="utf-8")
            saved = time.perf_counter()
            done = wait_for(r"\.pdf  \d+ pages")
            timings.append(done - saved)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    from pypdf import PdfReader

    pages = len(PdfReader(out / f"{leaflet}-{locale}.pdf").pages)
    render = subprocess.run(
        [sys.executable, "-c", RENDER_ONCE, str(project), leaflet, locale, str(saves)],
        capture_output=True,
        text=True,
        check=True,
    )
    inside = json.loads(render.stdout)
    return {
        "document": f"{leaflet}-{locale}.pdf",
        "pages": pages,
        "save_to_pdf_seconds": statistics.median(timings),
        "save_to_pdf_runs": timings,
        "warm_render_seconds": statistics.median(inside["warm"]),
        "cold_render_seconds": statistics.median(inside["cold"]),
    }


def table(results: dict) -> str:
    rows: list[tuple[str, str]] = []
    if "scale" in results:
        small, large = results["scale"]
        growth = results["growth"]
        each = ", ".join(f"{g:+.1%}" for g in results["growth_runs"])
        cpu_each = ", ".join(f"{g:+.1%}" for g in results["cpu_growth_runs"])
        cpu = [f"{run['per_document_cpu_seconds'] * 1000:.0f} ms" for run in (small, large)]
        memory = large["render_peak_mib"] / small["render_peak_mib"] - 1
        per_document = [f"{run['per_document_seconds'] * 1000:.0f} ms" for run in (small, large)]
        peak = [f"{run['render_peak_mib']:.0f} MiB" for run in (small, large)]
        rows += [
            (f"{small['leaflets']} leaflets x locales", f"{small['locales']}  |  {large['locales']}"),
            ("documents (standard edition)", f"{small['documents']}  |  {large['documents']}"),
            (
                f"per-document cost ({small['subset_documents']} rendered, one warm process)",
                "  |  ".join(per_document) + f"  ({growth:+.1%}: median of the rounds' {each})",
            ),
            (
                "  the same in CPU time (what other work on the machine disturbs least)",
                "  |  ".join(cpu) + f"  ({results['cpu_growth']:+.1%}: median of {cpu_each})",
            ),
            ("peak RSS of the rendering process", "  |  ".join(peak) + f"  ({memory:+.1%})"),
            (
                "no-op rebuild of every document",
                f"{small['noop_seconds']:.2f} s  |  {large['noop_seconds']:.2f} s",
            ),
        ]
    for preview in results["preview"]:
        rows += [
            (
                f"preview save -> PDF ({preview['document']}, {preview['pages']} pages)",
                f"{preview['save_to_pdf_seconds'] * 1000:.0f} ms median",
            ),
            ("  the render itself, warm renderer", f"{preview['warm_render_seconds'] * 1000:.0f} ms"),
            (
                "  the render itself, new renderer each time",
                f"{preview['cold_render_seconds'] * 1000:.0f} ms",
            ),
        ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines.append(f"(load average {results['load_before']:.2f} before, {results['load_after']:.2f} after)")
    return "\n".join(lines)


def compile_package() -> None:
    """The package's bytecode, as ``pip install`` of a wheel leaves it (see bench_build)."""
    import leaflets

    package = str(Path(leaflets.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build figure (median)")
    parser.add_argument("--saves", type=int, default=7, help="timed saves in preview --watch (median)")
    parser.add_argument("--preview-only", action="store_true", help="only the preview figures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leaflets-scale-"))
    compile_package()
    results: dict = {"load_before": os.getloadavg()[0]}
    try:
        if not args.preview_only:
            results["scale"], results["growth_runs"], results["cpu_growth_runs"] = measure_scale(
                work, args.repeat
            )
            results["growth"] = statistics.median(results["growth_runs"])
            results["cpu_growth"] = statistics.median(results["cpu_growth_runs"])
        results["preview"] = []
        for leaflet, locale in PREVIEWS:
            log(f"preview --watch {leaflet} -l {locale} ...")
            results["preview"].append(measure_preview(work, args.saves, leaflet, locale))
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["load_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

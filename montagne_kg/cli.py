"""The ``montagne-kg`` command: build, locate (and serve, with the endpoint)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from montagne_kg.build import BuildError, build
from montagne_kg.config import CHECKOUT, DEFAULT_BUILD_DIR, Project
from montagne_kg.namespaces import DEFAULT_BASE, release_iri
from montagne_kg.releases import locate, read_release


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        path = build(Project(Path(args.root)), Path(args.out), args.base)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        print("the previous build, if any, is unchanged", file=sys.stderr)
        return 1
    print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    project = Project(Path(args.root))
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="montagne-kg", description=__doc__)
    top.add_argument("--root", default=str(CHECKOUT), help="project root (ontology/, data/, queries/)")
    sub = top.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="reason, validate and write dumps into a new build directory")
    b.add_argument("--out", default=str(DEFAULT_BUILD_DIR), help="build directory (default: build/)")
    b.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI of every resource (default: {DEFAULT_BASE})")
    b.set_defaults(func=cmd_build)

    loc = sub.add_parser("locate", help="print the code-point offsets of every occurrence of a quote in a release")
    loc.add_argument("release", help="release id, e.g. 000")
    loc.add_argument("quote", help="the exact text to find")
    loc.add_argument("--base", default=DEFAULT_BASE, help="base IRI used to print span IRIs")
    loc.set_defaults(func=cmd_locate)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

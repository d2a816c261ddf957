"""``montagne-kg ingest propose``: a new release's text, metadata and review file, written under review/ only."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from montagne_kg.building.ingestion.addition import ReleaseMeta, ReviewFiles
from montagne_kg.building.ingestion.cues import dateline
from montagne_kg.building.ingestion.facts import FactRow, propose_facts, write_facts
from montagne_kg.building.ingestion.gazetteer import Gazetteer
from montagne_kg.building.ingestion.proposals import propose, slug
from montagne_kg.building.ingestion.recognition import pipeline
from montagne_kg.building.ingestion.review import ReviewError, Row, write_review
from montagne_kg.building.ingestion.text import ReleaseText, fold_key
from montagne_kg.building.project import Project

RELEASE_ID = re.compile(r"^[0-9a-z][0-9a-z-]*$")


@dataclass(frozen=True)
class Proposed:
    files: ReviewFiles
    rows: list[Row]
    facts: list[FactRow]
    meta: ReleaseMeta
    title_guessed: bool
    date_guessed: bool  # read from the release's dateline, since propose was given no date
    model_seconds: float  # loading the French model
    propose_seconds: float  # reading the text and proposing, once the model is loaded


def guess_title(text: ReleaseText) -> str:
    """The first sentence that reads as a headline: a capital first, four words or more, no closing full stop."""
    for sentence in text.sentences:
        passage = " ".join(text.text[sentence.start:sentence.end].split())
        if passage[:1].isupper() and len(passage.split()) >= 4 and not passage.endswith("."):
            return passage.replace("*", "")
    return ""


def decoded(source: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ReviewError(f"{source}:{line}: not UTF-8 (byte 0x{data[err.start]:02x}); releases are stored as "
                          "UTF-8 text, byte for byte") from None


IRI_UNSAFE = re.compile(r"[\s<>\"{}|\\^`]")


def resolve_publisher(meta: ReleaseMeta, gazetteer: Gazetteer) -> None:
    """``meta.publisher`` as a slug: a known entity named by its slug or by one of its names, or the new
    organisation ``meta.publisher_name`` (slugged); ReviewError saying what to give otherwise."""
    known = {n.iri.rsplit("/id/", 1)[-1]: n.name for n in gazetteer.names}
    if meta.publisher_name:
        new = slug(meta.publisher_name)
        if not new:
            raise ReviewError(f"--publisher-name {meta.publisher_name!r}: a name needs letters or digits")
        if new in known:
            raise ReviewError(f"--publisher-name {meta.publisher_name!r}: {new} is already an entity "
                              f"(« {known[new]} »): give --publisher {new}")
        url = urlsplit(meta.publisher_url)
        if meta.publisher_url and (url.scheme not in ("http", "https") or not url.netloc
                                   or IRI_UNSAFE.search(meta.publisher_url)):
            raise ReviewError(f"--publisher-url {meta.publisher_url!r}: an http(s) URL without spaces")
        meta.publisher = new
        return
    if not meta.publisher or meta.publisher in known:
        return
    named = sorted({n.iri.rsplit("/id/", 1)[-1] for n in gazetteer.names if n.key == fold_key(meta.publisher)})
    if len(named) == 1:
        meta.publisher = named[0]
    elif named:
        raise ReviewError(f"--publisher {meta.publisher!r} names several entities ({', '.join(named)}): give the slug")
    else:
        raise ReviewError(f"--publisher {meta.publisher!r} names no known entity (by slug or name); a new publisher "
                          "is given with --publisher-name \"…\" [--publisher-url URL]")


def propose_release(project: Project, review_dir: Path, build: Path, source: Path, release: str,
                    meta: ReleaseMeta) -> Proposed:
    """Write review/<id>.txt, .json and .tsv for ``source``; ReviewError (nothing written) when it cannot be."""
    if not RELEASE_ID.match(release):
        raise ReviewError(f"--id {release!r}: an id is lowercase letters, digits and hyphens (e.g. 004)")
    if taken := project.taken_release_id(release):
        raise ReviewError(f"--id {release}: release {taken} is already in {project.data} (ids are never reused; "
                          "they are compared as numbers too)")
    files = ReviewFiles(review_dir, release)
    if files.table.exists():
        raise ReviewError(f"{files.table}: a review of {release} is open; remove review/{release}.* to propose again")
    gazetteer = Gazetteer.from_build(build)
    resolve_publisher(meta, gazetteer)
    data = source.read_bytes()  # once: the stored copy, its hash and the analysed text are of the same bytes
    text = decoded(source, data)
    started = time.perf_counter()
    pipeline()
    loaded = time.perf_counter()
    rows = propose(release, text, gazetteer)
    stated = dateline(ReleaseText(text))
    date_guessed = not (meta.date or meta.date_not_before or meta.date_not_after) and stated is not None
    if date_guessed:
        meta.date = stated.isoformat()
    facts = propose_facts(release, ReleaseText(text), rows, written(meta))
    proposed_at = time.perf_counter()
    title_guessed = not meta.title
    meta.title = meta.title or guess_title(ReleaseText(text))
    meta.original_file_name = meta.original_file_name or source.name
    meta.sha256 = hashlib.sha256(data).hexdigest()
    review_dir.mkdir(parents=True, exist_ok=True)
    files.text.write_bytes(data)
    meta.save(files.meta)
    write_review(files.table, rows)
    write_facts(files.facts, facts)
    return Proposed(files, rows, facts, meta, title_guessed, date_guessed, loaded - started, proposed_at - loaded)


def written(meta: ReleaseMeta) -> tuple[date, date] | None:
    """When the release was written, as ``propose`` was told: its date twice, or its date range."""
    try:
        if meta.date:
            return date.fromisoformat(meta.date), date.fromisoformat(meta.date)
        if meta.date_not_before and meta.date_not_after:
            return date.fromisoformat(meta.date_not_before), date.fromisoformat(meta.date_not_after)
    except ValueError:
        return None  # apply reports a date that does not parse
    return None


def summary(proposed: Proposed) -> str:
    rows = proposed.rows
    cue_rows = [r for r in rows if r.why.startswith("cue:")]
    known = [r for r in rows if r.iri.startswith(("http://", "https://"))]
    kinds = Counter(r.kind for r in rows if r not in cue_rows)
    lines = [f"{len(rows)} rows in {proposed.files.table}: {len(known)} known entities, "
             f"{len(rows) - len(known) - len(cue_rows)} new names, {len(cue_rows)} agreement or trip sentences",
             "kinds: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
             f"{len(proposed.facts)} facts in {proposed.files.facts} ("
             + ", ".join(f"{rule} {count}" for rule, count in sorted(Counter(f.rule for f in proposed.facts).items()))
             + ")",
             f"text: {proposed.files.text}; metadata: {proposed.files.meta}",
             f"French model loaded in {proposed.model_seconds:.1f} s; proposed in {proposed.propose_seconds:.2f} s"]
    if proposed.title_guessed:
        lines.append(f"title guessed (check it in {proposed.files.meta}): {proposed.meta.title}")
    if proposed.date_guessed:
        lines.append(f"date read from the dateline (check it in {proposed.files.meta}): {proposed.meta.date}")
    missing = proposed.meta.problems(proposed.files.meta)
    lines.extend(f"to fill in before apply — {m}" for m in missing)
    lines.append("next: write a decision in every row of both files (names: accept, reject, same:<slug>, kind:<Class>, "
                 "rename:<label>, span:<start>,<end>, parties:<slug>,<slug>; facts: accept or reject, after editing "
                 f"the subject, property or object), then `montagne-kg ingest apply {proposed.files.release}`")
    return "\n".join(lines)

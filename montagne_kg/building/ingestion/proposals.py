"""Proposals for one release: known names, the model's entities after the post-rules, and cue rows — as review rows.

Deterministic: the same text, build and model give the same rows in the same order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace

from montagne_kg.building.ingestion.cues import cues
from montagne_kg.building.ingestion.gazetteer import Gazetteer
from montagne_kg.building.ingestion.recognition import Recognised, recognise
from montagne_kg.building.ingestion.review import Row
from montagne_kg.building.ingestion.rules import EVENT_KINDS, NER_KINDS, RULES, Candidate, Rule, apply_rules
from montagne_kg.building.ingestion.text import ReleaseText, fold_key


def slug(name: str) -> str:
    """A slug from a name: lowercase ASCII words joined by - (« Ville de Zhangjiakou » → ville-de-zhangjiakou)."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "Oe")).encode("ascii", "ignore")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.decode().lower()))


def event_key(name: str) -> tuple[str, str] | None:
    """An event's initials and year, so that its forms group together (« JO de 2022 », « Jeux Olympiques d'Hiver à
    Pékin en 2022 »: JO 2022); None without a year."""
    year = re.search(r"\b(\d{4})\b", name)
    words = re.findall(r"[A-ZÀ-Ý][\w]*", name)
    if year is None or not words:
        return None
    initials = words[0] if words[0].isupper() and len(words[0]) > 1 else "".join(w[0] for w in words[:2])
    return fold_key(initials), year.group(1)


def candidates(text: ReleaseText, gazetteer: Gazetteer, recognised: list[Recognised],
               rules: tuple[Rule, ...] = RULES) -> list[Candidate]:
    """Known names first; the model's entities after the rules, except where they only repeat or cut a known name."""
    known = [Candidate(m.start, m.end, m.known.kind.rsplit("#", 1)[-1], ("gazetteer",), m.known.iri)
             for m in gazetteer.find(text)]
    found = [Candidate(r.start, r.end, NER_KINDS.get(r.label), (f"NER:{r.label}",)) for r in recognised
             if not any(d.start < r.end and r.start < d.end for d in text.debris)]
    found = apply_rules(text, found, rules)
    kept = [c for c in found
            if not any(k.start < c.end and c.start < k.end and not (c.start <= k.start and k.end <= c.end
                                                                    and (c.start, c.end) != (k.start, k.end))
                       for k in known)]
    return known + kept


def _propagated(text: ReleaseText, found: list[Candidate]) -> list[Candidate]:
    """Every other occurrence of a proposed new name, where nothing else was proposed, is a mention too."""
    taken = bytearray(len(text.text))
    for c in found:
        taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    added = []
    for c in sorted({(fold_key(text.text[c.start:c.end]), c.kind): c for c in found if not c.iri}.values(),
                    key=lambda c: (c.start, c.end)):
        name = fold_key(text.text[c.start:c.end])
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)")
        for match in pattern.finditer(text.folded):
            start, end = match.span()
            if not any(taken[start:end]) and text.analysed[start:end] == text.text[start:end].replace("’", "'"):
                added.append(Candidate(start, end, c.kind, ("same-form",)))
                taken[start:end] = b"\x01" * (end - start)
    return found + added


def rows(release: str, text: ReleaseText, gazetteer: Gazetteer, recognised: list[Recognised],
         rules: tuple[Rule, ...] = RULES) -> list[Row]:
    """One row per distinct proposed form (and known entity), then one per cue; sorted by first offset."""
    found = _propagated(text, candidates(text, gazetteer, recognised, rules))
    groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    events = {event_key(n.name): n.iri for n in gazetteer.names if n.kind.rsplit("#", 1)[-1] in EVENT_KINDS}
    events.pop(None, None)
    for c in sorted(found, key=lambda c: (c.start, c.end, c.iri)):
        key = event_key(text.text[c.start:c.end]) if c.kind in EVENT_KINDS else None
        if key is not None:
            c = replace(c, iri=events.setdefault(key, c.iri)) if not c.iri else c
            groups[(" ".join(key), c.iri)].append(c)
        else:
            groups[(fold_key(text.text[c.start:c.end]), c.iri)].append(c)
    out = []
    for (_, iri), members in groups.items():
        first = max(members, key=lambda m: (m.end - m.start, -m.start))  # the fullest form names the row
        form = " ".join(text.text[first.start:first.end].split())
        kind = Counter(m.kind for m in members).most_common(1)[0][0] or "Organisation"
        why = sorted({w for m in members for w in m.why})
        mentions = tuple(sorted({(m.start, m.end) for m in members}))
        out.append(Row(release, form, mentions, _sentences(text, mentions), kind, iri or slug(form), ", ".join(why)))
    for cue in cues(text):
        names = sorted({text.text[c.start:c.end] for c in found
                        if cue.sentence[0] <= c.start < cue.sentence[1] and c.kind not in (None,)},
                       key=lambda n: text.text.find(n, cue.sentence[0]))
        out.append(Row(release, text.text[cue.start:cue.end], ((cue.start, cue.end),), (cue.sentence,), cue.kind,
                       slug(f"{text.text[cue.start:cue.end]} {release} {cue.start}"), f"cue:{cue.word}",
                       note="parties? " + "; ".join(names) if cue.kind != "Visit" else "who? " + "; ".join(names)))
    return sorted(out, key=lambda r: (r.mentions[0], r.form, r.iri))


def _sentences(text: ReleaseText, mentions: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    found = {(s.start, s.end) for start, _ in mentions if (s := text.sentence_at(start)) is not None}
    return tuple(sorted(found))


Recogniser = Callable[[str], list[Recognised]]


def propose(release: str, text: str, gazetteer: Gazetteer, recogniser: Recogniser = recognise,
            rules: tuple[Rule, ...] = RULES) -> list[Row]:
    """The review rows for a release's stored text."""
    analysed = ReleaseText(text)
    return rows(release, analysed, gazetteer, recogniser(analysed.analysed), rules)

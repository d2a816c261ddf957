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
from montagne_kg.building.ingestion.rules import (
    COMPASS,
    EVENT_KINDS,
    FIRST_WORD_KINDS,
    NER_KINDS,
    PLACE_KINDS,
    RULES,
    Candidate,
    Rule,
    apply_rules,
    default_kinds,
    event_names,
    type_cues,
)
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


# words that may stand between a known name and the rest of a longer proper name, and capitalised words that never
# belong to one (sentence openers, determiners, honorifics, office titles, months)
NAME_BEFORE = re.compile(r"([A-ZÀ-Ý][\w'-]*)[ \t]+(?:(?:de la|du|des|de)[ \t]+|d')?$")
NAME_AFTER = re.compile(r"(?:[ \t]+(?:(?:de la|du|des|de)[ \t]+|de l'|d')?)([A-ZÀ-Ý][\w-]*)")
NOT_IN_NAMES = frozenset(fold_key(word) for word in
    "le la les l un une des du de au aux à en et ou pour par avec sans sur sous dans chez selon depuis lors après "
    "avant "
    "ce cet cette ces son sa ses leur leurs notre nos votre vos il elle ils elles on nous vous mais donc car ainsi "
    "m mme mmes mlle monsieur madame messieurs mesdames dr pr président présidente maire adjoint adjointe directeur "
    "directrice ministre ambassadeur ambassadrice consul préfet député sénateur secrétaire délégué déléguée "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "lundi mardi mercredi jeudi vendredi samedi dimanche communiqué contact".split())
TYPING: tuple[Rule, ...] = (type_cues, event_names, default_kinds)
# people acting for a body, or the body acting: what such a word is « of » is the body (« délégation de la … »)
ACTING_BEFORE = re.compile(r"(?i)\b(?:délégations?|représentants?|représentantes?|élus?|élues?|gouvernement|autorités|"
                           r"dirigeants?|membres?|services?|président\w*|vice-président\w*|gouverneur\w*|"
                           r"secrétaire\w*|conseil)\s+(?:de la |de l'|du |des |de |d')$")
LOCATIVE_BEFORE = re.compile(r"(?i)\b(?:à|en|dans|vers|depuis)\s+(?:la |l')?$")
DETERMINER_BEFORE = re.compile(r"(?i)\b(?:le|la|les|l'|du|de la|de l'|au|à la|à l'|aux|des)\s*$")


def _name_word(word: str) -> bool:
    return word[:1].isupper() and fold_key(word).strip("'") not in NOT_IN_NAMES | COMPASS


def _longer_name(text: ReleaseText, start: int, end: int) -> tuple[int, int]:
    """The proper name a known name at [start, end) is part of: capitalised words written on to it on the same line,
    directly or after « de » (« France Montagnes », « Université Savoie Mont Blanc », « Trophée Rossignol des
    Neiges »); [start, end) itself when it stands alone."""
    analysed = text.analysed
    while (before := NAME_BEFORE.search(analysed, 0, start)) and _name_word(before.group(1)):
        start = before.start(1)
    while (after := NAME_AFTER.match(analysed, end)) and _name_word(after.group(1)):
        end = after.end()
    return start, end


def _inside(inner: Candidate, outer: Candidate) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and (outer.start, outer.end) != (inner.start,
                                                                                                   inner.end)


def _keeps_inner_mention(text: ReleaseText, known: Candidate, longer: Candidate) -> bool:
    """Whether a known name inside a longer one is still a mention of its entity: a place in a description
    (« club de ski de X », « ville de X ») or in an event's name (« Jeux d'Hiver de X »), as DESIGN.md's curation
    keeps them; anything else inside a longer proper name (« France Montagnes ») is part of that name."""
    if known.kind not in PLACE_KINDS:
        return False
    return text.text[longer.start:longer.start + 1].islower() or longer.kind in EVENT_KINDS or \
        text.text[longer.start:known.start].lower() in ("ville de ", "ville d'")


def _only_joins(text: ReleaseText, longer: Candidate, known: list[Candidate]) -> bool:
    """Whether ``longer`` is nothing but known names joined by « et », « & » or commas (« Pékin et Oslo »)."""
    inner = [k for k in known if longer.start <= k.start and k.end <= longer.end]
    rest = list(text.analysed[longer.start:longer.end])
    for k in inner:
        rest[k.start - longer.start:k.end - longer.start] = " " * (k.end - k.start)
    return len(inner) >= 2 and re.fullmatch(r"[\s,&]*(?:(?:et|ou)[\s,&]*)*", "".join(rest)) is not None


def candidates(text: ReleaseText, gazetteer: Gazetteer, recognised: list[Recognised],
               rules: tuple[Rule, ...] = RULES) -> list[Candidate]:
    """Known names, the model's entities after the rules, and the longer proper names known names are part of.

    A known name inside a longer proper name is not a mention of its entity (« France » in « France Montagnes »):
    the longer name is proposed instead, linked when it is another known name but for its function words.
    Otherwise the model's entities that only repeat or cut a known name are left out."""
    known = _one_reading(text, [Candidate(m.start, m.end, m.known.kind.rsplit("#", 1)[-1], ("gazetteer",),
                                         m.known.iri) for m in gazetteer.find(text)])
    found = [Candidate(r.start, r.end, NER_KINDS.get(r.label), (f"NER:{r.label}",)) for r in recognised
             if not any(d.start < r.end and r.start < d.end for d in text.debris)]
    found = [c for c in apply_rules(text, found, rules) if not _only_joins(text, c, known)]
    if rules is RULES:
        longer = []
        for k in known:
            start, end = _longer_name(text, k.start, k.end)
            if (start, end) != (k.start, k.end) and not any(c.start <= start and end <= c.end for c in found + longer):
                longer.append(Candidate(start, end, None, ("longer-name",)))
        found += apply_rules(text, longer, TYPING)
    found = [_linked(text, gazetteer, c) for c in found]
    known = [k for k in known
             if not any(_inside(k, c) and not _keeps_inner_mention(text, k, c) for c in found)]
    found = [c for c in found if not c.iri or not any(_inside(c, longer) and not _keeps_inner_mention(text, c, longer)
                                                      for longer in found)]
    kept = [c for c in found
            if not any(k.start < c.end and c.start < k.end and not _inside(k, c) for k in known)
            and not any(c.iri == k.iri and (c.start, c.end) == (k.start, k.end) for k in known)]
    return known + _short_forms(text, known + kept)


def _one_reading(text: ReleaseText, known: list[Candidate]) -> list[Candidate]:
    """A name that names both a place and a body (« province du X »: the region and its government) is the body
    after a word for people acting (« une délégation de la province du X ») and the place after « à », « en »,
    « dans »; elsewhere both rows stay, for the curator to pick."""
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for k in known:
        by_span[(k.start, k.end)].append(k)
    out = []
    for (start, _), readings in by_span.items():
        places = [k for k in readings if k.kind in PLACE_KINDS]
        bodies = [k for k in readings if k.kind not in PLACE_KINDS]
        before = text.analysed[max(0, start - 60):start]
        if places and bodies and ACTING_BEFORE.search(before):
            readings = bodies
        elif places and bodies and LOCATIVE_BEFORE.search(before):
            readings = places
        out += readings
    return out


def _loose_key(name: str) -> str:
    return " ".join(w for w in re.split(r"[\s']+", fold_key(name)) if w not in ("de", "du", "des", "la", "le", "l",
                                                                               "d", "les"))


def _linked(text: ReleaseText, gazetteer: Gazetteer, c: Candidate) -> Candidate:
    """A new name that is a known name but for its function words (« Université Savoie Mont Blanc », known as
    « université de Savoie Mont Blanc ») is that entity, when only one entity has that name."""
    if c.iri:
        return c
    key = _loose_key(text.text[c.start:c.end])
    entities = {n.iri: n for n in gazetteer.names if _loose_key(n.name) == key}
    if len(entities) != 1:
        return c
    (entity,) = entities.values()
    return replace(c, iri=entity.iri, kind=entity.kind.rsplit("#", 1)[-1], why=(*c.why, "same-name-but-function-words"))


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-ZÀ-Ý][\w-]*", name)).upper()


def _short_forms(text: ReleaseText, found: list[Candidate]) -> list[Candidate]:
    """Short forms of a name the text gives in full join its row: its head noun after a determiner (« le Cluster »
    for « Cluster Montagne », « la Fédération » — the nearest full name before it, else the first after), its
    initials (« FFS » for « Fédération Française de Ski »), the last word of a place's name (« Bariloche » for « San
    Carlos de Bariloche »). A head noun the model did not propose is found in the text too."""
    full = [c for c in found if len(text.text[c.start:c.end].split()) >= 2 and text.text[c.start:c.start + 1].isupper()]
    heads = {fold_key(text.text[c.start:c.end].split()[0]) for c in full}
    head_nouns = {fold_key(word) for word in FIRST_WORD_KINDS}
    taken = bytearray(len(text.text))
    for c in found:
        taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    extra = []
    for head in sorted(heads & head_nouns):
        for match in re.finditer(rf"(?<!\w){re.escape(head)}(?!\w)", text.folded):
            start, end = match.span()
            if not any(taken[start:end]) and text.text[start].isupper() \
                    and DETERMINER_BEFORE.search(text.analysed[max(0, start - 8):start]):
                extra.append(Candidate(start, end, None, ("short-form",)))
    out = []
    for c in found + extra:
        form = text.text[c.start:c.end]
        if c.iri or len(form.split()) != 1:
            out.append(c)
            continue
        fuller = [f for f in full if f is not c and (
            (fold_key(text.text[f.start:f.end].split()[0]) == fold_key(form) and form[:1].isupper()
             and DETERMINER_BEFORE.search(text.analysed[max(0, c.start - 8):c.start]))
            or (form.isupper() and len(form) >= 2 and _initials(text.text[f.start:f.end]) == form)
            or (c.kind in PLACE_KINDS and f.kind in PLACE_KINDS and not f.iri
                and fold_key(text.text[f.start:f.end].split()[-1]) == fold_key(form)))]
        if not fuller:
            if c not in extra:  # a head noun found in the text is proposed only as a short form
                out.append(c)
            continue
        before = [f for f in fuller if f.end <= c.start]
        target = max(before, key=lambda f: f.end) if before else min(fuller, key=lambda f: f.start)
        out.append(replace(c, kind=target.kind, iri=target.iri, of=fold_key(text.text[target.start:target.end]),
                           why=(*c.why, "short-form")))
    return out


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
            # the same case at its start: « la Fédération », not « la fédération »
            if not any(taken[start:end]) and text.analysed[start:end] == text.text[start:end].replace("’", "'") \
                    and text.text[start].isupper() == text.text[c.start].isupper():
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
            groups[(c.of or fold_key(text.text[c.start:c.end]), c.iri)].append(c)
    out = []
    for (_, iri), members in groups.items():
        first = max(members, key=lambda m: (m.end - m.start, -m.start))  # the fullest form names the row
        form = " ".join(text.text[first.start:first.end].split())
        # a kind a rule gave outweighs the model's bare label (« France Montagnes, l'association … » over LOC)
        votes = Counter({kind: 0 for kind in dict.fromkeys(m.kind for m in members)})
        for m in members:
            votes[m.kind] += 1 + (m.kind != NER_KINDS.get(m.why[0].removeprefix("NER:"), m.kind))
        kind = votes.most_common(1)[0][0] or "Organisation"
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

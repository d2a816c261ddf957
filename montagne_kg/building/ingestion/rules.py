"""Post-rules: general French press-release rules that turn the model's raw entities into proposals.

Each rule is a small function of the release text and the candidates, returning the new candidates; ``RULES`` runs
them in order and each one that changes a candidate adds its name to the candidate's ``why``. They are written for
the genre (honorifics, office titles, « la Ville de », « station de », lists of firms), never for our names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from montagne_kg.building.ingestion.text import ReleaseText, fold

NER_KINDS = {"PER": "Person", "LOC": "Place", "ORG": "Organisation"}
PLACE_KINDS = frozenset({"Place", "City", "Country", "AdministrativeRegion", "GeographicArea", "Locality", "SkiResort",
                         "Mountain", "MountainRange", "Landmark", "District"})

HONORIFIC = re.compile(r"^(?:M\.|MM\.|Mme|Mmes|Mlle|Monsieur|Madame|Dr\.?|Me|Pr\.?)\s+")
DETERMINER = re.compile(r"^(?:(?:les|le|la|de la|du|des|de|au|aux|un|une)\s+|(?:de l'|l'|d'))(?=\S)")
TRAILING_FUNCTION_WORDS = re.compile(r"(?:\s+(?:et|ou|de|du|des|d'|la|le|les|à|en|au|aux))+$")
TITLE = re.compile(r"^(?:ambassadeur|ambassadrice|ministre|président|présidente|maire|adjoint|adjointe|directeur|"
                   r"directrice|secrétaire|préfet|préfète|député|députée|sénateur|sénatrice|consul|consule|"
                   r"conseiller|conseillère|délégué|déléguée)\b(?:.*?\b(?:de la|de l'|du|des|de|d'|au|aux)\s*)?", re.I)
OF = r"(?:de la|de l'|du|des|de|d')\s*"
GENERIC_HEAD = re.compile(rf"^([a-zà-ÿ][a-zà-ÿ-]*(?:\s+[a-zà-ÿ][a-zà-ÿ-]*)?)\s+{OF}(?=[A-ZÀ-Ý])")
# head nouns that name what follows them: place heads replace the name, organisation heads name a new body
PLACE_HEADS = {"station": "SkiResort", "province": "AdministrativeRegion", "massif": "MountainRange"}
ORGANISATION_HEADS = {"club": "Club", "université": "University", "fédération": "Federation", "ministère": "Ministry",
                      "région": "RegionalAuthority", "commune": "Municipality"}
HEAD_BEFORE = re.compile(rf"(?i)\b({'|'.join(PLACE_HEADS | ORGANISATION_HEADS)})((?:\s+[a-zà-ÿ]+){{0,3}})\s+{OF}$")
CITY_AUTHORITY = re.compile(r"\b(Ville|ville)\s+(?:de\s+|d')$")
ACTING = re.compile(r"\b(?:sign\w*|conclu\w*|paraph\w*|ratifi\w*|s'engag\w*)\b", re.I)  # signs or commits
FIRST_WORD_KINDS = {"fédération": "Federation", "syndicat": "ProfessionalUnion", "université": "University",
                    "club": "Club", "compagnie": "Firm", "groupe": "Firm", "société": "Firm", "cluster": "Cluster",
                    "ministère": "Ministry", "comité": "Organisation", "association": "Organisation",
                    "agence": "Organisation", "institut": "Organisation", "jeux": "SportsEvent", "jo": "SportsEvent",
                    "championnat": "SportsEvent", "championnats": "SportsEvent", "coupe": "SportsEvent",
                    "festival": "Event", "salon": "Event", "forum": "Event", "sommet": "Event", "congrès": "Event",
                    "massif": "MountainRange", "station": "SkiResort", "province": "AdministrativeRegion",
                    "mont": "Mountain", "région": "RegionalAuthority"}
# words inside a name that say what it is (« Chambéry métropole Cœur des Bauges », « Grand Lyon Agglomération »)
INNER_WORD_KINDS = {"métropole": "Intercommunality", "agglomération": "Intercommunality",
                    "communauté": "Intercommunality", "département": "RegionalAuthority"}
FAX_SENDER = re.compile(r"(?im)^[ \t]*(?:de la part de[ \t]*:?|expéditeur[ \t]*:|de[ \t]*:)[ \t]*(\S[^\n]*?)[ \t]*$")
UNIT_HEAD = re.compile(r"(?i)(?:service|direction|département|pôle|bureau|cabinet)\b")
PROJECT_BEFORE = re.compile(r"\b(?:aménagement|construction|rénovation|extension|modernisation|création)\s+"
                            r"(?:de la|de l'|du|des|de|d')\s*$")
YEAR_AFTER = re.compile(r"^(?:\s+(?:à|de)\s+[A-ZÀ-Ý][\w-]*)?\s+(?:de\s+|en\s+)?\d{4}\b")
EVENT_KINDS = frozenset({"Event", "SportsEvent"})
# a name's last word that says it is an event or a body, whatever its first word (« Cluster Days », « Alpine Resort
# Summit »; « Savoie Mont Blanc Tourisme », « Italie Neige Développement »)
EVENT_NOUNS = frozenset({"summit", "forum", "festival", "congress", "conference", "expo", "show", "days", "week",
                         "cup", "games", "trophy", "challenge", "open", "sommet", "salon", "congrès", "rencontres",
                         "assises", "journées", "trophée", "trophées", "championnat", "championnats", "coupe",
                         "biennale", "fête", "marathon", "raid", "jeux", "olympiades", "meeting", "derby"})
SPORTS_EVENT_NOUNS = frozenset({"cup", "games", "trophy", "trophée", "championnat", "championnats", "coupe",
                                "marathon", "raid", "jeux", "olympiades", "derby", "challenge", "open"})
ORGANISATION_NOUNS = frozenset({"tourisme", "export", "développement", "industrie", "industries", "association",
                                "group", "groupe", "agency", "agence", "ingénierie", "engineering", "services",
                                "consulting", "conseil", "sas", "sa", "sarl", "gmbh", "spa", "inc", "ltd", "company",
                                "federation", "fédération", "institute", "institut", "foundation", "fondation",
                                "network", "réseau", "partners", "technologies", "systems", "club", "cluster"})
YEAR_NEXT = re.compile(r"^ \d{4}\b")  # « Mountain Planet 2026 »: a name and its year with nothing between
# an office in a body: what follows « président de », « directeur général de » is an organisation — a firm after a
# firm's officer — never a person nor, as after « maire de », a place
BODY_OFFICE = re.compile(r"(?i)\b(?:(?:vice-)?président(?:e)?|directeur|directrice|pdg|p\.-d\.g\.|gérant|gérante|"
                         r"fondateur|fondatrice|cofondateur|cofondatrice|dirigeant|dirigeante|secrétaire|trésorier|"
                         r"trésorière|responsable|chef)(?:\s+[a-zà-ÿ-]+){0,2}\s+(?:de la |de l'|du |des |de |d')$")
FIRM_OFFICE = re.compile(r"(?i)\b(?:directeur général|directrice générale|pdg|p\.-d\.g\.|gérant|gérante|fondateur|"
                         r"fondatrice|cofondateur|cofondatrice)\b")
# a building named after its head noun: « au palais des congrès Le Belvédère », « à la salle Olympe »
VENUE_BEFORE = re.compile(r"(?:\b(?:palais|centre|salle|espace|hôtel|théâtre|stade|musée|parc|halle|auditorium|"
                          r"maison|cité|refuge|chalet|complexe)(?:\s+(?:des|de la|de l'|du|de|d')?\s*[a-zà-ÿ-]+){0,2}"
                          r"\s+)$")
# what is not an entity: a meeting described, a label or award, a publication's title, a « Contact » heading
MEETING = re.compile(r"(?i)^(?:assemblées? générales?|réunions?|séances?|conférences? de presse|points? presse)\b")
# (never « marque »: a brand is a firm's name)
LABEL_BEFORE = re.compile(r"(?i)\b(?:label|labels|labellisée?s?|certification|certifiée?s?|norme|prix|distinction|"
                          r"récompense)\s+«?\s*$")
# a publication's title: right after the noun (« le rapport Montagnes 2040 »), or quoted after a few words (« le
# rapport annuel « Neige et Avenir » »); never « guide » (a mountain guide is a person) nor « livre » (a verb too)
PUBLICATION = (r"(?:rapport|rapports|étude|études|livre blanc|brochure|ouvrage|lettre d'information|newsletter|"
               r"plaquette|annuaire)")
PUBLICATION_BEFORE = re.compile(rf"(?i)\b{PUBLICATION}\s+$")
PUBLICATION_QUOTED = re.compile(rf"(?i)\b{PUBLICATION}(?:\s+[a-zà-ÿ]+){{0,2}}\s*«?\s*$")
CONTACT = re.compile(r"(?i)^contacts?(?:\s+(?:presse|média|médias))?$")
APPOSITION = re.compile(r"\s*,\s*(?:l'|le\s+|la\s+|un\s+|une\s+)([a-zà-ÿ]+)\b")
LOCATIVE_BEFORE = re.compile(r"\b(?:à|en|au|aux|dans|depuis|vers)\s+$")  # « Fondée à X, l'entreprise … »
APPOSITION_FIRMS = frozenset({"entreprise", "firme", "start-up", "pme", "fabricant", "équipementier"})
COORDINATION = re.compile(r"\s+(?:&|et)\s+(?=[A-ZÀ-Ý])")
PLURAL_BEFORE = re.compile(r"(?i)\b(?:entreprises|sociétés|firmes|industriels|fabricants|marques|groupes|PME|start-ups|"
                           r"partenaires|clubs|stations|villes|fédérations|associations)(?:\s+[a-zà-ÿ]+){0,3}\s+$")
FIRM_BEFORE = re.compile(r"\b(?:[Ss]ociété|[Gg]roupe|[Ee]ntreprise|[Ff]irme|start-up|PME)(?:\s+[a-zà-ÿ]+){0,3}\s+$")
FIRMS_LIST_BEFORE = re.compile(r"(?i)\b(?:entreprises|sociétés|firmes|industriels|fabricants|PME)\b")
COMPASS = frozenset({"nord", "sud", "est", "ouest", "nord ouest", "nord est", "sud ouest", "sud est", "centre"})
LIST_SEPARATOR = re.compile(r"^\s*(?:,|\bet\b|\bou\b)\s*$")


@dataclass(frozen=True)
class Candidate:
    """A proposed entity mention: code-point span of the stored text, kind (ontology class, local name) if known."""

    start: int
    end: int
    kind: str | None
    why: tuple[str, ...]
    iri: str = ""
    note: str = ""
    of: str = ""  # a short form's fuller name (fold_key), whose row it joins


    def moved(self, start: int, end: int, rule: str) -> Candidate:
        return replace(self, start=start, end=end, why=(*self.why, rule))

    def typed(self, kind: str, rule: str) -> Candidate:
        return self if kind == self.kind else replace(self, kind=kind, why=(*self.why, rule))


Rule = Callable[[ReleaseText, list[Candidate]], list[Candidate]]


def _slice(text: ReleaseText, c: Candidate) -> str:
    return text.analysed[c.start:c.end]


def cut_at_line_break(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A name never runs over a line: keep its first non-empty line (« JO d'Hiver Pékin 2022\\n\\nDu 14 »)."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        if "\n" not in piece:
            out.append(c)
            continue
        offset = 0
        for line in piece.split("\n"):
            if line.strip():
                out.append(c.moved(c.start + offset, c.start + offset + len(line), "cut-at-line-break"))
                break
            offset += len(line) + 1
    return out


def strip_edges(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """No space or punctuation at either end (« Jeux Olympiques d'hiver de 2022 ! »)."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        left = len(piece) - len(piece.lstrip(" \t«»\"'([,;:-"))
        right = len(piece) - len(piece.rstrip(" \t«»\"')],;:!?.-"))
        if c.start + left >= c.end - right:
            continue
        out.append(c if (left, right) == (0, 0) else c.moved(c.start + left, c.end - right, "strip-edges"))
    return out


def _trim_start(pattern: re.Pattern[str], rule: str) -> Rule:
    def trim(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
        out = []
        for c in candidates:
            match = pattern.match(_slice(text, c))
            if match and c.start + match.end() < c.end:
                c = c.moved(c.start + match.end(), c.end, rule)
            elif match:
                continue  # nothing but the trimmed words
            out.append(c)
        return out

    trim.__name__ = rule.replace("-", "_")
    trim.__doc__ = f"Trim a leading {rule.removeprefix('trim-')} (pattern {pattern.pattern!r})."
    return trim


trim_honorifics = _trim_start(HONORIFIC, "trim-honorifics")
trim_determiners = _trim_start(DETERMINER, "trim-determiners")


def trim_titles(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """An office title is not a name: « Ambassadeur de France » keeps « France », « ministre des Sports » keeps
    « Sports » (dropped later if the text uses the word in lowercase), a title alone is dropped."""
    out = []
    for c in candidates:
        match = TITLE.match(_slice(text, c))
        if match is None:
            out.append(c)
            continue
        rest = c.start + match.end()
        if rest < c.end and text.text[rest].isupper():
            trimmed = c.moved(rest, c.end, "trim-titles")
            if c.kind in (None, "Organisation") and _slice(text, c)[match.end():].istitle():
                trimmed = trimmed.typed("Place", "trim-titles")  # « Ambassadeur de France »: a title's country
            out.append(trimmed)
    return out


def trim_trailing_function_words(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """No name ends with « et », « de », « la »… (« Jeunesse et »)."""
    out = []
    for c in candidates:
        match = TRAILING_FUNCTION_WORDS.search(_slice(text, c))
        if match and match.start() > 0:
            c = c.moved(c.start, c.start + match.start(), "trim-trailing-function-words")
        out.append(c)
    return out


def trim_generic_heads(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A lowercase common noun before « de » + a capitalised name is not part of the name (« expérience de Savoie
    Grand Revard », « ski de Thaiwoo »), unless it is a head that names the thing (station, club, université…)."""
    out = []
    for c in candidates:
        match = GENERIC_HEAD.match(_slice(text, c))
        heads = match.group(1).split() if match else []
        if match and not any(h in PLACE_HEADS or h in ORGANISATION_HEADS for h in heads):
            c = c.moved(c.start + match.end(), c.end, "trim-generic-heads")
        out.append(c)
    return out


def _sentence_start(text: ReleaseText, offset: int) -> int:
    sentence = text.sentence_at(offset)
    return sentence.start if sentence else 0


def city_authorities(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """« la Ville de X » names the authority of X (a Municipality, DESIGN.md keeps it apart from the place X, which is
    proposed as a City too); so does a lowercase « ville de X » in a sentence where it signs or commits."""
    out = []
    for c in candidates:
        before = text.analysed[_sentence_start(text, c.start):c.start]
        match = CITY_AUTHORITY.search(before)
        piece = _slice(text, c)
        if piece.startswith(("Ville de ", "Ville d'")):
            out.append(c.typed("Municipality", "city-authority"))
            continue
        if match is None:
            out.append(c)
            continue
        start = c.start - (len(before) - match.start())
        sentence = text.sentence_at(c.start)
        acts = sentence is not None and ACTING.search(text.analysed[sentence.start:sentence.end])
        out.append(c.typed("City", "city-authority"))  # the place is named too, as DESIGN.md keeps it apart
        if match.group(1) == "Ville":
            out.append(Candidate(start, c.end, "Municipality", (*c.why, "city-authority")))
            continue
        if acts:
            out.append(Candidate(start, c.end, "Municipality", ("city-authority",)))
    return out


def expand_to_heads(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A head noun before « de » names the thing: « station de (ski de) X » is a ski resort, « province du X » a
    region (the name is the whole phrase); « club … de X », « université de X », « région X » name a body, and a
    place X inside a club's name stays a place of its own."""
    out = []
    for c in candidates:
        before = text.analysed[_sentence_start(text, c.start):c.start]
        match = HEAD_BEFORE.search(before)
        if match is None:
            out.append(c)
            continue
        head = match.group(1).lower()
        start = c.start - (len(before) - match.start())
        if head in PLACE_HEADS:
            out.append(c.moved(start, c.end, "expand-to-heads").typed(PLACE_HEADS[head], "expand-to-heads"))
        else:
            out.append(Candidate(start, c.end, ORGANISATION_HEADS[head], (*c.why, "expand-to-heads")))
            if head != "région":
                out.append(c.typed("Place", "expand-to-heads") if c.kind in (None, "Organisation") else c)
    return out


def development_projects(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Works on a named site are a project of their own (« l'aménagement de la station de Kok Zhailau »); the site
    stays a place."""
    added = []
    for c in candidates:
        before = text.analysed[_sentence_start(text, c.start):c.start]
        match = PROJECT_BEFORE.search(before) if c.kind in PLACE_KINDS else None
        if match:
            start = c.start - (len(before) - match.start())
            added.append(Candidate(start, c.end, "DevelopmentProject", (*c.why, "development-projects")))
    return candidates + added


def fax_sender(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A fax cover sheet's « de la part de … » line names the sending body, often a department in lowercase
    (« de la part de service communication »)."""
    added = []
    for match in FAX_SENDER.finditer(text.analysed):
        start, end = match.span(1)
        if not any(c.start < end and start < c.end for c in candidates):
            kind = "OrganisationalUnit" if UNIT_HEAD.match(match.group(1)) else "Organisation"
            added.append(Candidate(start, end, kind, ("fax-sender",)))
    return candidates + added


def merge_adjacent_places(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Place fragments separated only by spaces, hyphens or capitalised words are one place (« Auvergne » +
    « Rhône Alpes », « Auvergne » … « Alpes »)."""
    ordered = sorted(candidates, key=lambda c: (c.start, c.end))
    out: list[Candidate] = []
    for c in ordered:
        previous = out[-1] if out else None
        if previous is not None and previous.kind in PLACE_KINDS and c.kind in PLACE_KINDS and not previous.iri \
                and not c.iri and previous.end <= c.start:
            gap = text.analysed[previous.end:c.start]
            if re.fullmatch(r"(?:[ -]+[A-ZÀ-Ý][\w-]*)*[ -]+", gap) and "\n" not in gap:
                out[-1] = previous.moved(previous.start, c.end, "merge-adjacent-places")
                continue
        out.append(c)
    return out


def drop_directions(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Compass points are directions, not places (« le Nord-Ouest de Pékin »)."""
    return [c for c in candidates if " ".join(fold(_slice(text, c)).split()) not in COMPASS]


def drop_common_words(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A single capitalised word the text also writes in lowercase (singular or plural) is a common noun: a
    heading's « Sport », « la Ville »."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        if not c.iri and re.fullmatch(r"[A-ZÀ-Ý][a-zà-ÿ]+", piece):
            word = piece.lower()
            stem = word[:-1] if word.endswith(("s", "x")) else word
            if re.search(rf"\b{re.escape(stem)}[sx]?\b", text.analysed):
                continue
        out.append(c)
    return out


def type_cues(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Kinds from the name's first word (« Fédération … », « Compagnie … », « Jeux … », « Mont … »), from a word
    inside it (« … métropole … ») and from the words just before it (« la société POMA », « le groupe savoyard
    MND »)."""
    out = []
    for c in candidates:
        if c.iri:
            out.append(c)
            continue
        words = _slice(text, c).split()
        before = text.analysed[_sentence_start(text, c.start):c.start]
        inner = next((INNER_WORD_KINDS[w.lower()] for w in words[1:] if w.lower() in INNER_WORD_KINDS), None)
        if words[0].lower() in FIRST_WORD_KINDS and c.kind not in ("Municipality", "RegionalAuthority"):
            c = c.typed(FIRST_WORD_KINDS[words[0].lower()], "type-cues")
        elif inner:
            c = c.typed(inner, "type-cues")
        elif FIRM_BEFORE.search(before):
            c = c.typed("Firm", "type-cues")
        out.append(c)
    return out


def lists(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Names listed together (commas, « et ») are of one kind: the majority's, or firms when the sentence introduces
    them as firms; a capitalised item the model skipped joins the list (« …, Géode, MDP, Dianeige, … »)."""
    ordered = sorted(candidates, key=lambda c: (c.start, c.end))
    runs: list[list[Candidate]] = []
    for c in ordered:
        if c.iri and c.kind not in ("Firm", "Organisation"):
            runs.append([c])
            continue
        run = runs[-1] if runs else None
        if run and run[-1].end <= c.start and _is_list_gap(text, run[-1].end, c.start):
            run.append(c)
        else:
            runs.append([c])
    changed = {}
    for run in (r for r in runs if len(r) >= 3):
        before = text.analysed[_sentence_start(text, run[0].start):run[0].start]
        kinds = Counter(c.kind for c in run if c.kind)
        kind = "Firm" if FIRMS_LIST_BEFORE.search(before) else kinds.most_common(1)[0][0] if kinds else None
        if kind is None:
            continue
        for c in run:
            changed[(c.start, c.end, c.iri)] = c if c.iri else c.typed(kind, "lists")
    out = [changed.get((c.start, c.end, c.iri), c) for c in ordered]
    return out + _skipped_items(text, runs, changed)


def _is_list_gap(text: ReleaseText, end: int, start: int) -> bool:
    gap = text.analysed[end:start]
    if LIST_SEPARATOR.match(gap):
        return True
    return bool(re.fullmatch(r"\s*,\s*[A-ZÀ-Ý][\w-]*(?:\s+[A-ZÀ-Ý][\w-]*)*\s*,\s*", gap))


def _skipped_items(text: ReleaseText, runs: list[list[Candidate]], changed: dict) -> list[Candidate]:
    added = []
    for run in (r for r in runs if len(r) >= 3):
        kind = next((changed[(c.start, c.end, c.iri)].kind for c in run if not c.iri), None)
        for left, right in pairwise(run):
            gap = text.analysed[left.end:right.start]
            item = re.fullmatch(r"(\s*,\s*)([A-ZÀ-Ý][\w-]*(?:\s+[A-ZÀ-Ý][\w-]*)*)\s*,\s*", gap)
            if item and kind:
                start = left.end + item.start(2)
                added.append(Candidate(start, start + len(item.group(2)), kind, ("lists",)))
    return added


def drop_non_entities(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Not things with a name: a meeting described (« l'assemblée générale du Cluster »), a label or award (« le
    label Qualité Tourisme »), a publication's title (« le rapport « Neige et Avenir » »), a « Contact » heading, and
    an abbreviation of lowercase words the text spells out (« AG » for « assemblée générale »)."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        before = text.analysed[_sentence_start(text, c.start):c.start]
        quoted = _inside_quotes(text, c)
        if not c.iri and (MEETING.match(piece) or CONTACT.match(piece) or LABEL_BEFORE.search(before)
                          or PUBLICATION_BEFORE.search(before)
                          or (quoted is not None and PUBLICATION_QUOTED.search(text.analysed[:quoted]))
                          or _abbreviates_common_words(text, piece)):
            continue
        out.append(c)
    return out


def _inside_quotes(text: ReleaseText, c: Candidate) -> int | None:
    """The offset of the « that opens a quotation ``c`` starts in, if any (on the same line)."""
    line_start = text.analysed.rfind("\n", 0, c.start) + 1
    opening = text.analysed.rfind("«", line_start, c.start)
    return None if opening < 0 or "»" in text.analysed[opening:c.start] else opening


def _abbreviates_common_words(text: ReleaseText, piece: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2,5}", piece):
        return False
    words = r"\s+(?:(?:de|du|des|d'|de la|l')\s*)?".join(f"{letter.lower()}[a-zà-ÿ]+" for letter in piece)
    return re.search(rf"\b{words}\b", text.analysed) is not None


def split_coordinations(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """« X & Y » or « X et Y » is two names when the sentence introduces several (« les sociétés X & Y ») or when
    each part is written alone elsewhere in the text; a single name stays whole (« Pierre & Vacances »)."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        match = COORDINATION.search(piece)
        if c.iri or match is None or c.kind in PLACE_KINDS:
            out.append(c)
            continue
        left, right = piece[:match.start()], piece[match.end():]
        before = text.analysed[_sentence_start(text, c.start):c.start]
        if PLURAL_BEFORE.search(before) or (_written_alone(text, c, left) and _written_alone(text, c, right)):
            kind = "Firm" if FIRMS_LIST_BEFORE.search(before) else c.kind
            out.append(Candidate(c.start, c.start + len(left), kind, (*c.why, "split-coordinations")))
            out.append(Candidate(c.start + match.end(), c.end, kind, (*c.why, "split-coordinations")))
        else:
            out.append(c)
    return out


def _written_alone(text: ReleaseText, c: Candidate, part: str) -> bool:
    """Whether ``part`` of candidate ``c`` is written elsewhere in the text, outside ``c``."""
    return any(not (c.start <= m.start() < c.end)
               for m in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text.analysed))


def split_at_prepositions(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """« X aux Y », « X à Y »: two names when X is written alone elsewhere (« Grand Chambéry aux Rencontres … »)."""
    out = []
    for c in candidates:
        piece = _slice(text, c)
        match = re.search(r"\s+(?:aux|au|à|chez|avec|pour)\s+(?=[A-ZÀ-Ý])", piece)
        if c.iri or match is None or not _written_alone(text, c, piece[:match.start()]):
            out.append(c)
            continue
        out.append(Candidate(c.start, c.start + match.start(), None, (*c.why, "split-at-prepositions")))
        out.append(Candidate(c.start + match.end(), c.end, None, (*c.why, "split-at-prepositions")))
    return out


def trim_words_named_without(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """Lowercase words at the end of a name that the text also gives without them are not part of it (« France
    Montagnes ensemble » in a headline, « France Montagnes » in the body)."""
    forms = {" ".join(_slice(text, c).split()) for c in candidates}
    out = []
    for c in candidates:
        words = _slice(text, c).split()
        cut = len(words)
        while cut > 1 and words[cut - 1][:1].islower():
            cut -= 1
        if cut < len(words) and " ".join(words[:cut]) in forms:
            end = c.start + _slice(text, c).index(words[cut - 1]) + len(words[cut - 1])
            c = c.moved(c.start, end, "trim-words-named-without")
        out.append(c)
    return out


def appositions(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A name followed by what it is, after a comma, takes that kind (« France Montagnes, l'association de … »,
    « Névéa, la société savoyarde »)."""
    out = []
    for c in candidates:
        match = APPOSITION.match(text.analysed, c.end)
        head = match.group(1).lower() if match and not LOCATIVE_BEFORE.search(text.analysed, 0, c.start) else ""
        kind = "Firm" if head in APPOSITION_FIRMS else FIRST_WORD_KINDS.get(head)
        # « X, la région … » describes the place, never makes it its council
        if kind and not c.iri and c.kind != "Municipality" \
                and not (c.kind in PLACE_KINDS and kind in ("RegionalAuthority", "Municipality")):
            c = c.typed(kind, "appositions")
        out.append(c)
    return out


def office_bodies(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """After « président de », « directrice générale de »… comes the body the office is in: an organisation (a firm
    after a firm's officer), never a person (« directeur général de Jean Martin » is a firm named after its
    founder) nor a place; after « maire de » or « ambassadeur de » a place stays a place."""
    out = []
    for c in candidates:
        before = text.analysed[_sentence_start(text, c.start):c.start]
        office = BODY_OFFICE.search(before)
        if office and not c.iri and c.kind in ("Person", "Place", None):
            c = c.typed("Firm" if FIRM_OFFICE.match(office.group(0)) else "Organisation", "office-bodies")
        out.append(c)
    return out


def venues(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A place's name runs back over a building's head noun (« palais des congrès Le Belvédère »): a landmark."""
    out = []
    for c in candidates:
        before = text.analysed[_sentence_start(text, c.start):c.start]
        match = VENUE_BEFORE.search(before) if not c.iri and c.kind in (None, "Place") else None
        if match and _slice(text, c)[:1].isupper():  # a body's name after « centre de recherche de » stays a body
            start = c.start - (len(before) - match.start())
            c = c.moved(start, c.end, "venues").typed("Landmark", "venues")
        out.append(c)
    return out


def event_names(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """A name followed by its year is an event and runs on to it (« Mountain Planet 2026 »); a name whose last word
    is an event noun is an event, whatever its first word (« Alpine Resort Summit », « Cluster Days »), a name whose
    last word names a body is an organisation (« Savoie Mont Blanc Tourisme »)."""
    out = []
    for c in candidates:
        if c.iri or c.kind in ("Person", "Municipality", "Landmark"):
            out.append(c)
            continue
        following = YEAR_NEXT.match(text.analysed[c.end:c.end + 6])
        if following:
            c = c.moved(c.start, c.end + following.end(), "event-names")
        year = following or re.search(r" \d{4}$", _slice(text, c))
        words = [w.lower() for w in re.findall(r"[\w-]+", _slice(text, c)) if not w.isdigit()]
        nouns = [w for w in words[1:] if w in EVENT_NOUNS]
        if nouns or (words and words[0] in EVENT_NOUNS):
            sports = any(w in SPORTS_EVENT_NOUNS for w in words)
            c = c.typed("SportsEvent" if sports else "Event", "event-names")
        elif year and c.kind not in EVENT_KINDS and (words[0] not in FIRST_WORD_KINDS if words else True):
            c = c.typed("Event", "event-names")
        elif words and words[-1] in ORGANISATION_NOUNS and c.kind in PLACE_KINDS | {None}:
            c = c.typed("Organisation", "event-names")
        out.append(c)
    return out


def event_years(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """An event's name runs on to its year, and its place before the year (« JO de 2022 », « Jeux Olympiques
    d'Hiver à Pékin en 2022 »)."""
    out = []
    for c in candidates:
        match = YEAR_AFTER.match(text.analysed[c.end:c.end + 40]) if c.kind in EVENT_KINDS else None
        out.append(c.moved(c.start, c.end + match.end(), "event-years") if match else c)
    return out


def default_kinds(text: ReleaseText, candidates: list[Candidate]) -> list[Candidate]:
    """What no cue typed: a MISC name that reads as an event is an Event, any other an Organisation."""
    out = []
    for c in candidates:
        if c.kind is None:
            eventful = re.search(r"(?i)\b(?:jeux|jo|olympi\w*|championnats?|coupe|festival|salon|forum|sommet)\b",
                                 _slice(text, c))
            c = c.typed("Event" if eventful else "Organisation", "default-kinds")
        out.append(c)
    return out


RULES: tuple[Rule, ...] = (
    fax_sender, cut_at_line_break, strip_edges, trim_honorifics, trim_titles, trim_determiners,
    trim_trailing_function_words, strip_edges, trim_generic_heads, drop_non_entities, split_coordinations,
    split_at_prepositions, city_authorities, expand_to_heads, development_projects, merge_adjacent_places,
    drop_directions, drop_common_words, trim_words_named_without, venues, type_cues, appositions, office_bodies,
    event_names, lists, default_kinds, event_years,
)


def apply_rules(text: ReleaseText, candidates: list[Candidate], rules: tuple[Rule, ...] = RULES) -> list[Candidate]:
    for rule in rules:
        candidates = rule(text, candidates)
    return candidates

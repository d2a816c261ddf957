"""A release's text for analysis: same length as the stored file, so every offset stays a code point of that file.

Two copies are derived, character for character: ``folded`` for matching names (case, accents, apostrophes and
hyphens folded) and ``analysed`` for the NER model (debris blanked, curly apostrophes and Markdown emphasis
normalised). Debris — contact details, comment forms, captchas, share buttons, fax header fields — is found by
the explicit rules of ``DEBRIS_RULES``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

APOSTROPHES = "’‘ʼ`´"
DASHES = "-‐‑‒–—"
SPACES = "\u00a0\u202f\u2009"

# Each rule: (name, pattern); every match is blanked in ``analysed``. Lines are matched with re.MULTILINE.
DEBRIS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("e-mail address", re.compile(r"(?:\b(?:courriel|e-?mail|mail|mél)\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)),
    ("phone number", re.compile(r"(?:\b(?:t[ée]l|tél[ée]phone|fax|portable|mobile)\.?\s*:?\s*)?"
                                r"(?<![\d])(?:\+\d{2,3}[\s.]?\(?0?\)?[\s.]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)", re.I)),
    ("comment form", re.compile(r"^[ \t]*(?:laisser un commentaire|laisser une réponse|répondre|annuler la réponse|"
                                r"votre adresse (?:de messagerie|e-?mail|mail) ne sera pas publiée.*|"
                                r"les champs obligatoires sont indiqués avec.*|commentaire ?\*?|nom ?\*?|"
                                r"adresse (?:de messagerie|e-?mail) ?\*?|site web|"
                                r"enregistrer mon nom.*|publier le commentaire)[ \t]*$", re.I | re.M)),
    ("captcha", re.compile(r"^[ \t]*[\w]+[ \t]*[−+×x*÷/-][ \t]*[\w]+[ \t]*=[ \t]*\w*[ \t]*$", re.M)),
    ("share buttons", re.compile(r"^[ \t]*(?:(?:partager|partagez|tweet|tweeter|facebook|twitter|linkedin|"
                                 r"pinterest|whatsapp|imprimer|envoyer par e-?mail|j['’]aime|share)"
                                 r"(?:[ \t]*(?:sur|cet article|la page))*[ \t,|·]*)+$", re.I | re.M)),
    ("fax header field", re.compile(r"^[ \t]*(?:date[ \t]*:?[ \t]*\d{1,2}/\d{1,2}/\d{2,4}|"
                                    r"nombre de pages.*|page[ \t]+\d+[ \t]*(?:/|sur)[ \t]*\d+)[ \t]*$", re.I | re.M)),
)


def fold_char(char: str) -> str:
    """One character folded for name matching: apostrophes to ', dashes and odd spaces to a space, accents off,
    lower case; always exactly one character."""
    if char in APOSTROPHES:
        return "'"
    if char in DASHES or char in SPACES:
        return " "
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    return lower if len(lower) == 1 else base


def fold(text: str) -> str:
    """``text`` folded character by character (same length)."""
    return "".join(fold_char(c) for c in text)


def fold_key(name: str) -> str:
    """A name's matching key: folded, runs of spaces collapsed, trimmed."""
    return " ".join(fold(name).split())


def blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) replaced by spaces, newlines kept."""
    return text[:start] + "".join("\n" if c == "\n" else " " for c in text[start:end]) + text[end:]


@dataclass(frozen=True)
class Debris:
    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int

    @property
    def fragment(self) -> str:
        return f"{self.start},{self.end}"


ABBREVIATIONS = frozenset({"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "av", "bd", "cf", "env",
                           "etc", "p", "n", "no", "vol", "art", "ch", "tel", "tél"})
SENTENCE_END = re.compile(r"[.!?…]+[»\"”)]*(?=\s+[«\"“(]?[\w\d*-])")


def is_abbreviation(word: str) -> bool:
    """Whether a full stop after ``word`` marks an abbreviation or an initial rather than a sentence end."""
    return word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper())


class ReleaseText:
    """The stored text of one release and what is derived from it for analysis."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def debris(self) -> list[Debris]:
        found = [Debris(name, m.start(), m.end()) for name, pattern in DEBRIS_RULES for m in pattern.finditer(self.text)
                 if m.end() > m.start()]
        return sorted(found, key=lambda d: (d.start, d.end, d.rule))

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def analysed(self) -> str:
        """What the NER model reads: debris blanked, apostrophes straightened, Markdown emphasis and list
        bullets blanked (a bullet or asterisk would otherwise start or end a name)."""
        out = self.text
        for item in self.debris:
            out = blank(out, item.start, item.end)
        out = "".join("'" if c in APOSTROPHES else " " if c in "*_#" else c for c in out)
        return re.sub(r"(?m)^([ \t]*)[-•]([ \t])", lambda m: m.group(1) + " " + m.group(2), out)

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Sentences: a blank line, a new line starting a list item, or a full stop before a capital ends one
        (not after an abbreviation such as « M. »); debris-only passages are not sentences."""
        analysed = self.analysed
        found = []
        for block in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)(?![ \t]*[-•][ \t])[^\n]*)*", self.text):
            begin = block.start()
            for end in SENTENCE_END.finditer(self.text, block.start(), block.end()):
                word = re.search(r"(\w+)\W*$", self.text[begin:end.start()])
                if word and is_abbreviation(word.group(1)):
                    continue  # « M. Francis Etienne », « J. Dupont »
                found.append((begin, end.end()))
                begin = end.end()
            found.append((begin, block.end()))
        sentences = []
        for start, end in found:
            for item in self.debris:  # a sentence ends before the debris that closes it (contact details)
                if start < item.start < end and not analysed[item.start:end].strip():
                    end = item.start
                    break
            piece = self.text[start:end]
            start += len(piece) - len(piece.lstrip())
            end = start + len(piece.strip().rstrip(",;:"))
            if end > start and analysed[start:end].strip():
                sentences.append(Sentence(start, end))
        return sentences

    def sentence_at(self, offset: int) -> Sentence | None:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        return None

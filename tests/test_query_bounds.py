"""Query size is bounded before any parser: deep or long forms get a 400 naming the setting, never a crashed query
process; every form at the bound is answered (or stopped by the time limit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bench.query_size import FORMS
from montagne_kg.serving import create_app
from montagne_kg.serving.query_bounds import QueryTooLarge, check_nesting, check_terms, count_terms
from montagne_kg.serving.settings import BY_NAME, Settings

LIMIT = int(BY_NAME["max_terms"].default)
# The smallest size at which each form crashed a query process as configured (bench/query_size.py, README): the
# default bound is at most half the smallest of them.
CRASHED_AT = {"not": 303_104}


def test_terms_count_every_word_and_every_other_character_that_is_not_a_space() -> None:
    assert count_terms("ASK { FILTER(!!true) }") == 9
    assert count_terms('SELECT ("a # b" AS ?x) {} # c') == 15  # in strings and comments too
    assert count_terms("<http://e/a>") == 9


def test_the_term_bound_names_its_setting() -> None:
    check_terms("!" * 10, 10)
    with pytest.raises(QueryTooLarge, match=r"holds 11 terms .* the limit is 10 \(max_terms\)"):
        check_terms("!" * 11, 10)


def test_nesting_is_bounded_before_any_parser() -> None:
    check_nesting("(" * 10 + ")" * 10, 10)
    with pytest.raises(QueryTooLarge, match=r"more than 10 deep \(the nesting limit, max_nesting\)"):
        check_nesting("SELECT * { " + "(" * 11, 10)


def test_the_default_is_at_most_half_the_smallest_crash() -> None:
    smallest = min(count_terms(FORMS[form](size)) for form, size in CRASHED_AT.items())
    assert LIMIT <= smallest // 2


def at_the_limit(form: str) -> str:
    """The longest query of ``form`` within the bound (repetitions found by bisection)."""
    low, high = 1, LIMIT
    while low < high:
        middle = (low + high + 1) // 2
        if count_terms(FORMS[form](middle)) <= LIMIT:
            low = middle
        else:
            high = middle - 1
    return FORMS[form](low)


@pytest.fixture(scope="module")
def roomy_app(build_dir: Path) -> Iterator[Flask]:
    """Bodies up to 8 MB, so that the term bound (not the body cap) is what refuses; a time limit of 1 s."""
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, max_body=8_000_000, time_limit=1)})
    yield app
    app.extensions["kg"].close()


@pytest.mark.parametrize("form", sorted(CRASHED_AT))
def test_a_form_at_the_size_that_crashed_gets_a_400(roomy_app: Flask, form: str) -> None:
    query = FORMS[form](CRASHED_AT[form])
    response = roomy_app.test_client().post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert response.status_code == 400
    assert b"(max_terms)" in response.data


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_past_the_bound_gets_a_400_and_at_the_bound_never_crashes(roomy_app: Flask, form: str) -> None:
    client = roomy_app.test_client()
    longest = at_the_limit(form)
    past = longest + " " + "!" * (LIMIT + 1 - count_terms(longest))
    refused = client.post("/sparql", data=past.encode(), content_type="application/sparql-query")
    assert refused.status_code == 400 and b"(max_terms)" in refused.data
    answered = client.post("/sparql", data=longest.encode(), content_type="application/sparql-query",
                           headers={"Accept": "application/sparql-results+json"})
    assert answered.status_code in (200, 503), answered.data[:300]
    if answered.status_code == 503:
        assert b"(the time limit)" in answered.data, answered.data


def test_what_crashed_before_the_larger_stack_is_answered(roomy_app: Flask) -> None:
    """10 000 `!` killed a query process on an 8 MiB stack (the outside test's reproducer)."""
    response = roomy_app.test_client().get("/sparql?query=" + "ASK%20%7B%20FILTER(" + "!" * 10_000 + "true)%20%7D")
    assert response.status_code == 200 and response.get_json()["boolean"] is True

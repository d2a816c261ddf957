"""Syntax errors people understand (query_errors.explain over Oxigraph's refusals): the mistake, where it is."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from montagne_kg.serving.query_errors import explain

CASES = [
    ("", "the query is empty"),
    ("  \n# nothing but a comment\n", "the query is empty"),
    ("SELECT * WHERE { ?s foo:bar ?o }",
     "line 1, column 21: prefix foo: is not declared; add PREFIX foo: <…> before the query"),
    ("PREFIX foo: <http://f/>\nSELECT * WHERE {\n  ?s foo:p ?o .\n  ?o bar:q ?x }",
     "line 4, column 6: prefix bar: is not declared; add PREFIX bar: <…> before the query"),
    ("SELECT * WHERE { ?s a :Thing }",
     "line 1, column 23: prefix : is not declared; add PREFIX : <…> before the query"),
    ("SELECT ?x\nWHERE {\n  ?x ?p ?o FILTER(?x = )\n}\n", "line 3, column 22: « = » needs an expression after it"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > 3 && ) }", "line 1, column 41: « && » needs an expression after it"),
    ("SELECT * WHERE { ?s ?p ?o", "line 1, column 16: this « { » is never closed"),
    ("SELECT * WHERE { ?s ?p ?o ) }",
     "line 1, column 27: « ) » where « } » was expected (to close the « { » of line 1)"),
    ("SELECT * WHERE { ?s ?p ?o } }", "line 1, column 29: « } » closes a bracket that was never opened"),
    ('SELECT * WHERE {\n ?s ?p "abc }', 'line 2, column 8: this string is never closed (a " is missing)'),
    ("SELEC * WHERE {}", "line 1, column 1: a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE (after its PREFIX "
                         "and BASE lines), not « SELEC »"),
]


@pytest.mark.parametrize("query,message", CASES, ids=[str(i) for i in range(len(CASES))])
def test_a_refused_query_is_explained_at_the_place_of_its_mistake(query: str, message: str) -> None:
    with pytest.raises(SyntaxError) as refused:
        ox.Store().query(query)
    assert explain(query, str(refused.value)) == message


@pytest.mark.parametrize("query", ['SELECT * WHERE { ?s ?p "# not a comment, ex:not a prefix" }',
                                   "PREFIX ex: <http://e/#x> SELECT * WHERE { ?s ex:p <http://x/#y> }",
                                   'SELECT * WHERE { ?s ?p """a { b\n" c""" }'])
def test_strings_iris_and_comments_are_read_as_such(query: str) -> None:
    ox.Store().query(query)  # valid: nothing to explain; and reading them finds no mistake either
    assert explain(query, "error at 1:1: expected something") == "line 1, column 1: expected something"


def test_other_errors_keep_oxigraph_s_words_shortened_and_point_at_the_last_token_when_it_says_the_end() -> None:
    query = "SELECT * WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as refused:
        ox.Store().query(query)
    assert "\\u{" in str(refused.value) or "[_]" in str(refused.value)  # what people used to get
    message = explain(query, str(refused.value))
    assert message.startswith("line 1, column 24: the query cannot go on from « } » (the parser expected ")
    assert "[_]" not in message and "..=" not in message and len(message) < 250

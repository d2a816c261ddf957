"""Syntax errors people understand: what is wrong with a query, at the line and column where it is wrong.

Oxigraph's parser reports the furthest point it reached — often the end of the text — and the set of tokens it
expected there, Unicode ranges included (« prefix foo: » undeclared is a 500-byte list). When it refuses a query,
the text is read again here, token by token, for the mistakes people make: an empty query, an undeclared prefix, a
string, IRI or bracket left open, a bracket closed that was never opened, an operator with nothing after it. Only
messages are decided here; whether a query is valid is always Oxigraph's answer (and the SERVICE guard uses a full
parser, never this reading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>\#[^\n]*)
    |(?P<long_string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?''')
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<open_string>\"\"\"|'''|["'])
    |(?P<iri><[^<>"{}|^`\\\s]*>)
    |(?P<variable>[?$][\w\u00b7-\uffff]+)
    |(?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff]|\\.|\.(?=[\w:%]))*)
    |(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
    |(?P<word>[A-Za-z_][\w]*)
    |(?P<operator>\|\||&&|!=|<=|>=|\^\^|[=<>+\-*/!|^])
    |(?P<open>[{(\[])|(?P<close>[})\]])
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
PAIRS = {"{": "}", "(": ")", "[": "]"}
QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
POSITION = re.compile(r"^error at (\d+):(\d+): ")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


def tokens(query: str) -> list[Token]:
    """The query's tokens, spaces and comments left out."""
    return [Token(m.lastgroup or "other", m.group(), m.start()) for m in TOKEN.finditer(query)
            if m.lastgroup not in ("space", "comment")]


def line_column(query: str, offset: int) -> tuple[int, int]:
    line = query.count("\n", 0, offset) + 1
    return line, offset - (query.rfind("\n", 0, offset) + 1) + 1


def at(query: str, offset: int, message: str) -> str:
    line, column = line_column(query, offset)
    return f"line {line}, column {column}: {message}"


def undeclared_prefix(query: str, found: list[Token]) -> str | None:
    declared = {found[i + 1].text.split(":", 1)[0] for i, token in enumerate(found[:-1])
                if token.kind == "word" and token.text.upper() == "PREFIX" and found[i + 1].kind == "pname"}
    for i, token in enumerate(found):
        previous = found[i - 1] if i else None
        if token.kind != "pname" or (previous and previous.kind == "word" and previous.text.upper() == "PREFIX"):
            continue
        prefix = token.text.split(":", 1)[0]
        if prefix not in declared:
            return at(query, token.offset, f"prefix {prefix}: is not declared; add PREFIX {prefix}: <…> before "
                                           "the query")
    return None


def unbalanced(query: str, found: list[Token]) -> str | None:
    opened: list[Token] = []
    for token in found:
        if token.kind == "open_string":
            return at(query, token.offset, f"this string is never closed (a {token.text} is missing)")
        if token.kind == "open":
            opened.append(token)
        elif token.kind == "close":
            if not opened:
                return at(query, token.offset, f"« {token.text} » closes a bracket that was never opened")
            if PAIRS[opened[-1].text] != token.text:
                line = line_column(query, opened[-1].offset)[0]
                return at(query, token.offset, f"« {token.text} » where « {PAIRS[opened[-1].text]} » was expected "
                                               f"(to close the « {opened[-1].text} » of line {line})")
            opened.pop()
    if opened:
        return at(query, opened[-1].offset, f"this « {opened[-1].text} » is never closed")
    return None


def after_prologue(found: list[Token]) -> int:
    """The index of the first token after the query's PREFIX and BASE declarations."""
    i = 0
    while i < len(found) and found[i].kind == "word" and found[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if found[i].text.upper() == "PREFIX" else 2
    return i


def query_form(query: str, found: list[Token]) -> str | None:
    i = after_prologue(found)
    if i < len(found) and found[i].text.upper() not in QUERY_FORMS:
        return at(query, found[i].offset, f"a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE (after its "
                                          f"PREFIX and BASE lines), not « {found[i].text} »")
    return None


def dangling_operator(query: str, found: list[Token]) -> str | None:
    for token, following in zip(found, [*found[1:], None], strict=True):
        if token.kind == "operator" and token.text not in ("*", "!", "^", "|", "/") and (
                following is None or following.kind == "close" or following.text == ","):
            return at(query, token.offset, f"« {token.text} » needs an expression after it")
    return None


def shorter(message: str, query: str) -> str:
    """Oxigraph's own message with its position in words and its list of expectations cut short."""
    match = POSITION.match(message)
    body = message[match.end():] if match else message
    body = re.sub(r"\[[^\]]*\.\.=[^\]]*\]|\[_\]", "", body.replace("\n", " "))  # ranges and "any character" say nothing
    body = re.sub(r"(,\s*)+", ", ", body).strip(" ,")
    if len(body) > 160:
        body = body[:160].rsplit(",", 1)[0] + ", …"
    if not match:
        return body
    line, column = int(match.group(1)), int(match.group(2))
    offset = sum(len(text) + 1 for text in query.split("\n")[: line - 1]) + column - 1
    found = tokens(query)
    if found and not query[offset:].strip():  # reported at the very end: say where the text stops making sense
        return at(query, found[-1].offset, f"the query cannot go on from « {found[-1].text} » (the parser "
                                           f"expected {body.removeprefix('expected ')})")
    return f"line {line}, column {column}: {body}"


def explain(query: str, message: str) -> str:
    """What a person reads when Oxigraph refuses ``query`` with ``message``: the first mistake found by reading the
    query again, or Oxigraph's message made shorter; always with the line and column."""
    found = tokens(query)
    if not found:
        return "the query is empty"
    for check in (query_form, unbalanced, undeclared_prefix, dangling_operator):
        if reason := check(query, found):
            return reason
    return shorter(message, query)

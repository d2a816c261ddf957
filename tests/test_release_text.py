"""The release text as HTML: Markdown emphasis rendered at the data's offsets, mentions linked, a passage marked."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from montagne_kg.serving.release_text import Mark, release_html, styles


class Nesting(HTMLParser):
    """Fails on a closing tag that is not the innermost open one; collects the text."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"</{tag}> closes {self.open}"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_nested_text(html: str) -> str:
    parser = Nesting()
    parser.feed(html)
    parser.close()
    assert parser.open == []
    return "".join(parser.text)


@pytest.mark.parametrize("text,html", [
    ("a *b c* d", "a <em>b c</em> d"),
    ("- **Coopération** en général", "- <strong>Coopération</strong> en général"),
    ("**fort** et *léger*", "<strong>fort</strong> et <em>léger</em>"),
    ("5 * 3 = 15 * 1", "5 * 3 = 15 * 1"),  # a lone asterisk is text
    ("*pas\nfermé*", "*pas\nfermé*"),  # emphasis stays within a line
    ("<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"),
])
def test_emphasis_is_rendered_and_everything_else_escaped(text: str, html: str) -> None:
    assert release_html(text, []) == html


def test_emphasis_around_a_mention_stays_well_nested_and_the_link_keeps_its_words() -> None:
    text = "Xavier Dullin, *président du Cluster Montagne et de Chambéry*, était là."
    begin = text.index("Cluster Montagne")
    html = release_html(text, [Mark(begin, begin + len("Cluster Montagne"), "/page/cluster-montagne", "Cluster")])
    assert '<a class="mention" href="/page/cluster-montagne" title="Cluster"><em>Cluster Montagne</em></a>' in html
    assert well_nested_text(html) == text.replace("*", "")


def test_a_passage_is_marked_and_a_mention_across_its_edge_stays_text() -> None:
    text = "**Chambéry** signe avec Zhangjiakou. Puis Pékin."
    sentence = (0, text.index(" Puis"))
    across = Mark(text.index("Zhangjiakou"), text.index("Pékin") + 5, "/page/x", "x")
    inside = Mark(2, 10, "/page/chambery", "Chambéry")
    html = release_html(text, [across, inside], sentence)
    assert html.startswith('<mark id="passage"><a class="mention" href="/page/chambery" title="Chambéry">'
                           "<strong>Chambéry</strong></a>")
    assert "/page/x" not in html
    assert well_nested_text(html) == text.replace("*", "")


def test_delimiters_are_hidden_characters_so_offsets_stay_those_of_the_text() -> None:
    style = styles("a **b** *c*")
    assert style == ["", "", "hidden", "hidden", "strong", "hidden", "hidden", "", "hidden", "em", "hidden"]

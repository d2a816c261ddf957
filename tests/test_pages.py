"""Linked Data pages: 303 negotiation, entity and release pages, data documents, ontology, home, search, safety."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from montagne_kg import cli
from montagne_kg.building.build import Assembled, write_build
from montagne_kg.namespaces import DEFAULT_BASE, FOAF, MKG
from montagne_kg.serving import create_app
from montagne_kg.serving.settings import Settings

ID = DEFAULT_BASE + "id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept,location", [
    (BROWSER, "/page/chambery"),
    ("text/html", "/page/chambery"),
    ("text/turtle", "/data/chambery.ttl"),
    ("application/ld+json", "/data/chambery.jsonld"),
    ("application/n-triples", "/data/chambery.nt"),
    ("text/plain", "/data/chambery.nt"),
    ("*/*", "/data/chambery.ttl"),
    (None, "/data/chambery.ttl"),
    ("text/html;q=0.5, text/turtle", "/data/chambery.ttl"),
    ("application/ld+json;q=0.9, text/html;q=0.2", "/data/chambery.jsonld"),
    ("application/rdf+xml, text/turtle;q=0.5", "/data/chambery.rdf"),
    ("rdf/xml, text/turtle;q=0.5", "/data/chambery.ttl"),  # not a media type: never matched, never echoed
])
def test_entity_iri_303s_by_accept(client: FlaskClient, accept: str | None, location: str) -> None:
    r = client.get("/id/chambery", headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(location)
    assert "Accept" in r.vary


@pytest.mark.parametrize("accept", ["image/png", "rdf/xml"])
def test_entity_iri_with_nothing_acceptable_is_406(client: FlaskClient, accept: str) -> None:
    r = client.get("/id/chambery", headers={"Accept": accept})
    assert r.status_code == 406 and "Accept" in r.vary


@pytest.mark.parametrize("path", ["/id/nowhere", "/page/nowhere", "/id/Chamb%C3%A9ry", "/page/release/999",
                                  "/data/nowhere.ttl", "/data/chambery.exe", "/id/release/999"])
def test_unknown_things_are_404(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert r.mimetype == "text/html"


def test_release_iri_303s(client: FlaskClient) -> None:
    assert client.get("/id/release/000", headers={"Accept": "text/html"}).headers["Location"].endswith(
        "/page/release/000")
    assert client.get("/id/release/003", headers={"Accept": "text/turtle"}).headers["Location"].endswith(
        "/data/release/003.ttl")


@pytest.mark.parametrize("ext,fmt", [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                     ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML)])
def test_data_documents_describe_the_entity(client: FlaskClient, ext: str, fmt: ox.RdfFormat) -> None:
    r = client.get(f"/data/zhangjiakou.{ext}")
    assert r.status_code == 200
    g = Graph().parse(data=ox.serialize(ox.parse(r.data, format=fmt), format=ox.RdfFormat.N_TRIPLES).decode(),
                      format="nt")
    z = URIRef(ID + "zhangjiakou")
    assert (URIRef(f"{DEFAULT_BASE}data/zhangjiakou.{ext}"), FOAF.primaryTopic, z) in g
    assert (z, RDFS.label, Literal("Zhangjiakou", lang="fr")) in g
    assert (z, MKG.locatedIn, URIRef(ID + "hebei")) in g
    assert (URIRef(ID + "hebei"), RDFS.label, Literal("Hebei", lang="fr")) in g  # labels of linked resources
    assert (URIRef(ID + "ville-de-zhangjiakou"), MKG.hasJurisdictionOver, z) in g  # incoming
    assert any(o == Literal(900000) for o in g.objects(None, MKG.numericValue))  # its figure
    quotes = {str(o) for o in g.objects(None, MKG.exactQuote)}
    assert "Zhangjiakou" in quotes  # mentions
    assert any(q.startswith("Cette ville de plus de 900 000 habitants") for q in quotes)  # source sentence


def test_entity_page_shows_labels_types_facts_sources_and_diagram(client: FlaskClient) -> None:
    html = client.get("/page/zhangjiakou").get_data(as_text=True)
    assert "<h1 lang=\"fr\">Zhangjiakou</h1>" in html
    assert 'href="/ontology#City"' in html
    assert ">schema:City</a>" in html  # external types as prefixed names
    assert "900\u202f000" in html and "lower bound" in html and "inhabitant" in html
    assert 'href="/page/hebei"' in html and 'href="/page/ville-de-zhangjiakou"' in html
    assert "Du 14 au 18 Février 2017, une délégation" in html  # the sentence around a mention
    assert 'href="/page/release/000"' in html
    assert "<svg" in html and "Hebei" in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert '<link rel="alternate" type="text/turtle" href="/data/zhangjiakou.ttl"' in html
    assert 'href="/data/zhangjiakou.jsonld"' in html


def test_amounts_and_qualified_quantities_are_formatted(client: FlaskClient) -> None:
    contract = client.get("/page/contrat-station-de-ski-snowland").get_data(as_text=True)
    assert "110\u202f000\u202f000 EUR" in contract
    assert "approximate" in contract and "planned" in contract and "grand territoire chambérien" in contract
    resort = client.get("/page/kok-zhailau").get_data(as_text=True)
    assert "7\u202f000" in resort and "tourist bed" in resort
    plan = client.get("/page/plan-strategique-cooperation-auvergne-rhone-alpes-hebei").get_data(as_text=True)
    assert "10 years" in plan


def test_release_page_highlights_mentions_and_lists_facts(client: FlaskClient) -> None:
    html = client.get("/page/release/003").get_data(as_text=True)
    assert '<a class="mention" href="/page/almaty"' in html
    assert "2014-07-07" in html and "2014-09-30" in html and "IOC decision" in html  # the range and its reason
    assert "curators&#39; attribution" in html and "comment form" in html
    assert 'href="/page/convention-partenariat-cluster-montagne-federation-de-ski-kazakh"' in html
    assert 'type="text/turtle" href="/data/release/003.ttl"' in html


@pytest.mark.parametrize("rid", ["000", "003"])
def test_release_page_lists_every_fact_the_release_states(client: FlaskClient, assembled: Assembled, rid: str) -> None:
    graph = assembled.graphs[URIRef(f"{DEFAULT_BASE}graph/release/{rid}")]
    facts = [(s, p, o) for s, p, o in graph if str(p).startswith(str(MKG)) and p not in (MKG.mention, MKG.impliedBy)
             and str(s).startswith(ID) and not str(s).startswith(ID + "release/")]
    subjects = {s for s, _, _ in facts}
    html = client.get(f"/page/release/{rid}").get_data(as_text=True)
    assert f"Facts drawn from it <span class=\"muted\">({len(facts)} about {len(subjects)} entities)</span>" in html
    groups = re.findall(r'<th scope="rowgroup" rowspan="(\d+)"><a href="/page/([a-z0-9-]+)"',
                        html.split("Facts drawn from it", 1)[1])
    assert {slug for _, slug in groups} == {str(s)[len(ID):] for s in subjects}
    assert sum(int(n) for n, _ in groups) == len(facts)


def test_release_page_shows_emphasis_and_a_fact_as_subject_property_value(client: FlaskClient) -> None:
    html = client.get("/page/release/000").get_data(as_text=True)
    text = html.split('<div class="release-text" lang="fr">', 1)[1].split("</div>", 1)[0]
    assert "*" not in text and "<strong>Coopération dans le secteur du développement durable</strong>" in text
    assert "<em>ministre des Sports et de la Jeunesse</em>" in text
    assert re.search(r'<td>partner city</td><td><a href="/page/shawinigan"', html)


def test_ontology_is_html_for_browsers_and_turtle_for_rdf_clients(client: FlaskClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'id="City"' in html and "ville" in html and "city" in html and "schema:City" in html
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    assert (MKG.City, RDF.type, OWL.Class) in g


def test_home_page_describes_the_dataset(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "CC BY 4.0" in html and 'action="/search"' in html
    assert "Firm" in html and "agreements" in html and 'href="/dumps/"' in html


def test_home_page_lists_the_releases_of_the_build_with_a_json_twin(client: FlaskClient, graph: Graph) -> None:
    releases = {str(r).rsplit("/", 1)[1]: str(graph.value(r, DCTERMS.title)) for r in graph.subjects(RDF.type,
                                                                                                   MKG.PressRelease)}
    data = client.get("/?format=json").get_json()
    assert {r["id"]: r["title"] for r in data["releases"]} == releases
    assert data["classes"]["Firm"]["page"] == "/class/Firm" and data["triples"] > 1000
    html = client.get("/").get_data(as_text=True)
    for rid in releases:
        assert f'href="/page/release/{rid}"' in html
    assert "2014-07-07 – 2014-09-30" in html  # an undated release shows the range it was dated to
    assert client.get("/", headers={"Accept": "application/json"}).is_json


@pytest.mark.parametrize("text,slug", [("chambery", "chambery"), ("CHAMBÉRY", "chambery"),
                                       ("zhangjiakou", "zhangjiakou"),
                                       ("feclaz", "la-feclaz"), ("POMA", "poma"), ("pekin", "pekin")])
def test_search_ignores_accents_and_case(client: FlaskClient, text: str, slug: str) -> None:
    html = client.get(f"/search?q={text}").get_data(as_text=True)
    assert f'href="/page/{slug}"' in html
    data = client.get(f"/search?q={text}&format=json").get_json()
    assert slug in [r["slug"] for r in data["results"]]


def test_search_for_nothing_finds_nothing(client: FlaskClient) -> None:
    assert client.get("/search?q=zzzzqqq&format=json").get_json()["results"] == []


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory):
    """An app over a fixture build holding hostile literals and IRIs, and deprecated IRIs."""
    g = Graph()
    evil, span = URIRef(ID + "evil"), URIRef(ID + "release/999#char=0,4")
    g.add((evil, RDF.type, MKG.Firm))
    g.add((evil, RDFS.label, Literal("<script>alert('label')</script>", lang="fr")))
    g.add((evil, MKG.purpose, Literal('"><img src=x onerror=alert(1)>')))
    g.add((evil, MKG.basedIn, URIRef("javascript:alert(document.cookie)")))
    g.add((evil, MKG.mention, span))
    g.add((span, MKG.exactQuote, Literal("<b>x</b>")))
    g.add((span, MKG.inRelease, URIRef(ID + "release/999")))
    g.add((URIRef(ID + "old-name"), OWL.deprecated, Literal(True)))
    g.add((URIRef(ID + "old-name"), DCTERMS.isReplacedBy, evil))
    g.add((URIRef(ID + "withdrawn"), OWL.deprecated, Literal(True)))
    out = tmp_path_factory.mktemp("hostile")
    write_build(Assembled(DEFAULT_BASE, {URIRef(DEFAULT_BASE + "graph/release/999"): g}), out)
    app = create_app({"SETTINGS": Settings(build_dir=out)})
    yield app.test_client()
    app.extensions["kg"].close()


def test_hostile_values_are_escaped_and_only_web_iris_are_links(hostile_client: FlaskClient) -> None:
    html = hostile_client.get("/page/evil").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html and "javascript:alert(document.cookie)" in html
    assert "<b>x</b>" not in html
    search = hostile_client.get("/search?q=script").get_data(as_text=True)
    assert "<script>alert" not in search


def test_deprecated_iris_301_to_their_replacement_or_410(hostile_client: FlaskClient) -> None:
    moved = hostile_client.get("/id/old-name")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/id/evil")
    assert hostile_client.get("/id/withdrawn", headers={"Accept": "text/html"}).status_code == 410


def test_lookups_never_inline_unvalidated_text(client: FlaskClient) -> None:
    for path in ("/page/a%3E%20%3Fp%20%3Fo%20%7D", "/data/x%3E.ttl", "/id/%3F"):
        assert client.get(path).status_code == 404


def route_pattern(rule: str) -> re.Pattern:
    """A Flask rule as the README writes it: its full path, any <placeholder> name, in a code span."""
    parts = re.split(r"<[^>]+>", rule)
    return re.compile("`" + r"<[^>`]+>".join(re.escape(part) for part in parts) + "`")


def test_every_route_and_query_is_documented_and_every_documented_route_exists(app, project) -> None:
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    table = [line for line in readme.splitlines() if line.startswith("| `/")]
    for rule in rules:
        assert any(route_pattern(rule).search(line.split(" | ")[0]) for line in table), \
            f"route {rule} has no row in the README's route table"
    for line in table:
        for documented in re.findall(r"`(/[^`]*)`", line.split(" | ")[0]):
            assert any(route_pattern(rule).fullmatch(f"`{documented}`") for rule in rules), \
                f"the README documents {documented}, which no route serves"
    for query in sorted(Path(project.queries).glob("*.rq")):
        assert f"`{query.name}`" in readme, f"{query.name} is not in the README"


def test_every_command_is_documented(project) -> None:
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    top = cli.parser()
    commands = top._subparsers._group_actions[0].choices  # argparse keeps its sub-commands here
    for name, sub in commands.items():
        steps = [action for action in sub._actions if action.dest == "step"]
        for step in (steps[0].choices if steps else [""]):
            command = f"montagne-kg {name} {step}".rstrip()
            assert command in readme, f"`{command}` is not in the README"


@pytest.mark.parametrize("path", ["/", "/page/chambery", "/page/release/000", "/dumps/", "/search?q=poma",
                                  "/ontology"])
def test_every_page_links_its_machine_twin(client: FlaskClient, path: str) -> None:
    html = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate"' in head
    twin = head.split('<link rel="alternate"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    with client.get(twin) as r:
        assert r.status_code == 200 and r.mimetype != "text/html", twin


def test_machine_twins_are_json(client: FlaskClient) -> None:
    body = client.get("/dumps/?format=json").get_json()
    assert body["files"] and json.dumps(body)


def test_a_fact_the_curators_concluded_says_so_and_a_fact_read_in_the_text_does_not(client: FlaskClient) -> None:
    """Issue 10: « fait partie de » is the curators' conclusion about the delegation; its participants are read."""
    page = client.get("/page/delegation-montagne-auvergne-rhone-alpes-2017").get_data(as_text=True)
    rows = {row.split("</th>")[0]: row for row in page.split('<tr><th scope="row">')[1:]}
    part_of = next(row for head, row in rows.items() if "part of" in head.lower())
    participants = next(row for head, row in rows.items() if "participant" in head.lower())
    assert "(concluded by the curators: Le communiqué regroupe les trois déplacements" in part_of
    assert "concluded by the curators" not in participants


def test_turtle_documents_group_by_subject_and_declare_only_the_prefixes_they_use(client: FlaskClient) -> None:
    for path in ("/data/zhangjiakou.ttl",
                 "/sparql?query=CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7DWHERE%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%20300"):
        text = client.get(path, headers={"Accept": "text/turtle"}).get_data(as_text=True)
        declared = re.findall(r"^@prefix (\w+): ", text, flags=re.MULTILINE)
        body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix "))
        assert declared and [prefix for prefix in declared if f"{prefix}:" not in body] == []
        assert "sd" not in declared and "spdx" not in declared  # no prefix the document does not use
        assert not re.search(r"\b[a-z]+:\S*\\[/#=,]", text)  # no escaped local names (mkgid:release\/000\#…)
        subjects = [line.split(" ", 1)[0] for line in body.splitlines() if line and not line[0].isspace()]
        assert len(subjects) == len(set(subjects))  # each subject's triples together, once
        assert len(Graph().parse(data=text, format="turtle")) > 20


def test_json_ld_documents_are_compacted_with_a_published_context(client: FlaskClient) -> None:
    document = client.get("/data/zhangjiakou.jsonld").get_json()
    published = client.get("/context.jsonld").get_json()["@context"]
    assert document["@context"].items() <= published.items() and document["@context"]["mkg"] == str(MKG)
    ids = [node["@id"] for node in document["@graph"]]
    assert len(ids) == len(set(ids))  # one node object per resource
    node = next(n for n in document["@graph"] if n["@id"] == "mkgid:zhangjiakou")
    assert {"@language": "fr", "@value": "Zhangjiakou"} in node["rdfs:label"] or node["rdfs:label"] == {
        "@language": "fr", "@value": "Zhangjiakou"}
    turtle = list(ox.parse(client.get("/data/zhangjiakou.ttl").data, format=ox.RdfFormat.TURTLE))
    expanded = list(ox.parse(client.get("/data/zhangjiakou.jsonld").data, format=ox.RdfFormat.JSON_LD))
    assert len(expanded) == len(turtle) > 20  # the same triples (document IRIs differ by suffix)

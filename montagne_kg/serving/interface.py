"""The interface's language, English or French: chosen with ``?lang=`` (remembered in a cookie), else by
``Accept-Language``; templates say ``t("English text")`` and get it in the page's language.

The data keep their own languages (entities are named as the releases name them, in French; ontology terms have
labels in both); only the interface's words are translated here, one table, English → French.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, g, request

LANGUAGES = ("en", "fr")
COOKIE = "lang"
YEAR = 365 * 24 * 3600

FRENCH = {
    # chrome
    "Query": "Requête", "Ontology": "Ontologie", "Downloads": "Téléchargements", "VoID": "VoID",
    "Search entities…": "Rechercher des entités…", "Search entities": "Rechercher des entités", "Search": "Rechercher",
    "Curated data and ontology:": "Données curées et ontologie :",
    "Release texts remain their publishers' and are quoted as evidence.":
        "Les textes des communiqués restent à leurs éditeurs et sont cités comme preuves.",
    "Language": "Langue", "Home": "Accueil", "Machine-readable:": "Pour les machines :",
    # home
    "The French mountain industry's international cooperation":
        "La coopération internationale de la filière montagne française",
    "An open knowledge graph of the French mountain industry's international cooperation — cities, ministers, "
    "firms, clusters, ski resorts, events and agreements — built from press releases, with the sentence behind "
    "every fact.":
        "Un graphe de connaissances ouvert de la coopération internationale de la filière montagne française — "
        "villes, ministres, entreprises, clusters, stations de ski, événements et accords — tiré de communiqués de "
        "presse, avec la phrase derrière chaque fait.",
    "Licence: curated data and ontology": "Licence : données curées et ontologie",
    "the release texts remain their publishers' and are quoted as evidence.":
        "les textes des communiqués restent à leurs éditeurs et sont cités comme preuves.",
    "Base IRI": "IRI de base", "triples": "triplets", "What is in it": "Ce qu'il contient", "Releases": "Communiqués",
    "Download": "Télécharger", "All dumps": "Tous les fichiers", "VoID / DCAT description": "Description VoID / DCAT",
    "SPARQL endpoint": "Point d'accès SPARQL", "and query page": "et page de requête",
    "Example queries": "Requêtes d'exemple",
    # entity, release, resources
    "(inferred)": "(inféré)", "also": "aussi", "Wikidata:": "Wikidata :", "its record": "sa fiche",
    "with the source that confirms it": "avec la source qui le confirme", "Neighbourhood": "Voisinage",
    "Facts": "Faits", "Linked from": "Cité par", "of|inverse": "de", "In the releases": "Dans les communiqués",
    "implied by": "impliqué par", "concluded by the curators": "conclu par les curateurs",
    "curators' attribution": "attribution des curateurs", "Text": "Texte", "mentions linked": "mentions liées",
    "Facts drawn from it": "Faits qui en sont tirés", "about": "sur", "entities": "entités",
    "subject": "sujet", "property": "propriété", "value": "valeur", "release": "communiqué",
    "Named graph": "Graphe nommé", "Wikidata link record": "Fiche de lien Wikidata", "Dataset": "Jeu de données",
    "A Wikidata link record: the entity, the item, and the source that confirms it.":
        "Une fiche de lien Wikidata : l'entité, l'élément, et la source qui le confirme.",
    "A dataset of the VoID/DCAT description (/.well-known/void).":
        "Un jeu de données de la description VoID/DCAT (/.well-known/void).",
    "Download it (Turtle)": "Le télécharger (Turtle)",
    "Its first 100 triples in the query page": "Ses 100 premiers triplets dans la page de requête",
    "more neighbours in the tables below": "autres voisins dans les tableaux ci-dessous",
    "Neighbourhood of": "Voisinage de",
    # class, search, dumps, ontology, query, errors
    "class": "classe", "of|count": "sur", "instances": "instances", "match": "correspondent à",
    "Named in release": "Nommé dans le communiqué", "Class": "Classe", "Wikidata link": "Lien Wikidata",
    "Label": "Libellé", "Wikidata": "Wikidata", "yes": "oui", "no": "non", "page": "page",
    "← previous": "← précédente", "next →": "suivante →",
    "entities match": "entités correspondent à", "entity matches": "entité correspond à",
    "every word, accents and case ignored; exact names first":
        "tous les mots, sans tenir compte des accents ni de la casse ; noms exacts d'abord",
    "In the release texts": "Dans les textes des communiqués", "sentences": "phrases", "sentence": "phrase",
    "the first": "les", "shown": "premières montrées", "Release": "Communiqué", "characters": "caractères",
    "file": "fichier", "format": "format", "size": "taille", "Build": "Build",
    "SPARQL query": "Requête SPARQL", "Time limit": "Limite de temps", "at most": "au plus", "rows": "lignes",
    "Run": "Exécuter", "Link to this query": "Lien vers cette requête", "Examples": "Exemples",
    "montagne-kg ontology": "Ontologie montagne-kg",
}
# Words of the query page's script (static/query.js, static/views.js), handed to it as JSON.
SCRIPT_WORDS = ("Running…", "rows", "row", "triples", "triple", "in", "Download:", "← Previous", "Next →", "of|count",
                "The result was cut at", "rows (the row cap). Download or refine the query.",
                "The server could not be reached:", "Table", "Timeline", "Map", "Graph", "ASK answered in")
FRENCH.update({
    "Running…": "Exécution…", "row": "ligne", "triple": "triplet", "in": "en", "Download:": "Télécharger :",
    "← Previous": "← Précédentes", "Next →": "Suivantes →", "The result was cut at": "Le résultat a été coupé à",
    "rows (the row cap). Download or refine the query.":
        "lignes (la limite de lignes). Téléchargez-le ou précisez la requête.",
    "The server could not be reached:": "Le serveur est injoignable :", "Table": "Tableau", "Timeline": "Frise",
    "Map": "Carte", "Graph": "Graphe", "ASK answered in": "ASK répondu en",
    "year not stated": "année non dite", "years": "ans", "source": "source",
    # properties of vocabularies we use but never import (pages.EXTERNAL_PROPERTY_LABELS)
    "derived from": "tiré de", "attributed to": "attribué à", "label": "libellé", "comment": "commentaire",
    "see also": "voir aussi", "also called": "aussi appelé", "exact match": "correspondance exacte",
    "same as": "identique à", "title": "titre", "publisher": "éditeur", "language": "langue",
    "description": "description", "replaced by": "remplacé par", "type": "type", "date": "date",
    "licence": "licence", "part of": "partie de", "example resource": "ressource d'exemple",
    "subjects from": "sujets pris dans", "objects from": "objets pris dans", "link property": "propriété de lien",
})


def interface_language() -> str:
    """The page's language: ``?lang=``, else the remembered choice, else the browser's preference, else English."""
    if "lang" not in g:
        chosen = request.args.get("lang") or request.cookies.get(COOKIE)
        g.lang = chosen if chosen in LANGUAGES else request.accept_languages.best_match(LANGUAGES, default="en")
    return g.lang


def translate(text: str) -> str:
    """``text`` in the page's language; a key may carry its sense after a bar (« of|count », « of|inverse »)."""
    english = text.split("|", 1)[0]
    return FRENCH.get(text, english) if interface_language() == "fr" else english


def language_url(code: str) -> str:
    """This page in another language: its path and parameters, ``lang`` replaced."""
    args = request.args.copy()
    args["lang"] = code
    return f"{request.path}?{urlencode(list(args.items(multi=True)))}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["t"] = translate  # also in templates rendered by macros and includes

    @app.context_processor
    def words() -> dict:
        return {"lang": interface_language(), "languages": LANGUAGES, "language_url": language_url,
                "script_words": {word: translate(word) for word in SCRIPT_WORDS}}

    @app.after_request
    def remember(response: Response) -> Response:
        """A page's language depends on ``Accept-Language`` and the cookie; ``?lang=`` is remembered for a year."""
        if response.mimetype == "text/html":
            response.vary.update(("Accept-Language", "Cookie"))
            chosen = request.args.get("lang")
            if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
                response.set_cookie(COOKIE, chosen, max_age=YEAR, samesite="Lax")
        return response

"""One test per post-rule, each with the case it must leave alone (texts written for the tests, not our releases)."""

from __future__ import annotations

from montagne_kg.building.ingestion import rules
from montagne_kg.building.ingestion.rules import Candidate
from montagne_kg.building.ingestion.text import ReleaseText


def run(rule, text: str, *spans: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Apply ``rule`` to candidates given as (quoted text, kind); return (text, kind) of what it gives back."""
    release = ReleaseText(text)
    found, start = [], 0
    for quote, kind in spans:
        start = text.index(quote, start)
        found.append(Candidate(start, start + len(quote), kind, ("test",)))
    return [(text[c.start:c.end], c.kind) for c in sorted(rule(release, found), key=lambda c: (c.start, -c.end))]


def test_cut_at_line_break() -> None:
    assert run(rules.cut_at_line_break, "Les JO d'Hiver 2030\n\nDu 4 mars", ("JO d'Hiver 2030\n\nDu 4", None)) == \
        [("JO d'Hiver 2030", None)]
    assert run(rules.cut_at_line_break, "à Val Thorens.", ("Val Thorens", "Place")) == [("Val Thorens", "Place")]


def test_strip_edges() -> None:
    assert run(rules.strip_edges, "Vive les Jeux de Milan 2026 !", ("Jeux de Milan 2026 !", None)) == \
        [("Jeux de Milan 2026", None)]
    assert run(rules.strip_edges, "à Saint-Gervais", ("Saint-Gervais", "Place")) == [("Saint-Gervais", "Place")]


def test_trim_honorifics() -> None:
    assert run(rules.trim_honorifics, "reçu par Mme Anne Durand", ("Mme Anne Durand", "Person")) == \
        [("Anne Durand", "Person")]
    assert run(rules.trim_honorifics, "avec Mathieu Martin", ("Mathieu Martin", "Person")) == \
        [("Mathieu Martin", "Person")]


def test_trim_titles_keeps_the_place_after_a_title_and_drops_a_title_alone() -> None:
    text = "en présence du Consul de Suisse et du Maire"
    assert run(rules.trim_titles, text, ("Consul de Suisse", "Organisation"), ("Maire", "Person")) == \
        [("Suisse", "Place")]
    assert run(rules.trim_titles, "la Compagnie du Mont-Blanc", ("Compagnie du Mont-Blanc", "Organisation")) == \
        [("Compagnie du Mont-Blanc", "Organisation")]


def test_trim_determiners_only_lowercase_ones() -> None:
    assert run(rules.trim_determiners, "vers la Savoie", ("la Savoie", "Place")) == [("Savoie", "Place")]
    assert run(rules.trim_determiners, "à La Clusaz", ("La Clusaz", "Place")) == [("La Clusaz", "Place")]
    assert run(rules.trim_determiners, "l'université de Grenoble", ("université de Grenoble", "Organisation")) == \
        [("université de Grenoble", "Organisation")]  # « un » is not a determiner inside « université »


def test_trim_trailing_function_words() -> None:
    assert run(rules.trim_trailing_function_words, "de la Jeunesse et de", ("Jeunesse et", None)) == \
        [("Jeunesse", None)]
    assert run(rules.trim_trailing_function_words, "Rhône et Loire", ("Rhône et Loire", "Place")) == \
        [("Rhône et Loire", "Place")]


def test_trim_generic_heads_but_not_naming_heads() -> None:
    text = "le savoir-faire de Val Cenis, du club de ski de Bessans"
    assert run(rules.trim_generic_heads, text, ("savoir-faire de Val Cenis", None)) == [("Val Cenis", None)]
    assert run(rules.trim_generic_heads, text, ("club de ski de Bessans", "Club")) == \
        [("club de ski de Bessans", "Club")]


def test_city_authorities() -> None:
    signs = "La Ville de Grenoble a signé un accord avec la ville de Tomsk."
    assert run(rules.city_authorities, signs, ("Grenoble", "Place"), ("Tomsk", "Place")) == [
        ("Ville de Grenoble", "Municipality"), ("Grenoble", "City"), ("ville de Tomsk", "Municipality"),
        ("Tomsk", "City")]
    visits = "Ils ont visité la ville de Tomsk."  # no act: the place only
    assert run(rules.city_authorities, visits, ("Tomsk", "Place")) == [("Tomsk", "City")]
    assert run(rules.city_authorities, "vers Tomsk.", ("Tomsk", "Place")) == [("Tomsk", "Place")]


def test_expand_to_heads() -> None:
    text = "la station de ski de Tignes, le club de ski de Bessans"
    assert run(rules.expand_to_heads, text, ("Tignes", "Place"), ("Bessans", "Place")) == [
        ("station de ski de Tignes", "SkiResort"), ("club de ski de Bessans", "Club"), ("Bessans", "Place")]
    assert run(rules.expand_to_heads, "la gare de Modane", ("Modane", "Place")) == [("Modane", "Place")]


def test_merge_adjacent_places() -> None:
    text = "la région Provence Alpes Côte d'Azur, et Nice, Cannes"
    assert run(rules.merge_adjacent_places, text, ("Provence", "Place"), ("Côte", "Place")) == \
        [("Provence Alpes Côte", "Place")]
    assert run(rules.merge_adjacent_places, text, ("Nice", "Place"), ("Cannes", "Place")) == \
        [("Nice", "Place"), ("Cannes", "Place")]


def test_drop_directions() -> None:
    assert run(rules.drop_directions, "au Sud-Est de Lyon", ("Sud-Est", "Place"), ("Lyon", "Place")) == \
        [("Lyon", "Place")]


def test_drop_common_words() -> None:
    text = "- **Coopération dans le Tourisme** : le tourisme de montagne, avec Annecy."
    assert run(rules.drop_common_words, text, ("Tourisme", "Place"), ("Annecy", "Place")) == [("Annecy", "Place")]


def test_type_cues() -> None:
    text = "la société Sigma, la Fédération Française de Luge, Grand Annecy Agglomération, le Mont Ventoux"
    assert run(rules.type_cues, text, ("Sigma", "Place"), ("Fédération Française de Luge", "Organisation"),
               ("Grand Annecy Agglomération", "Place"), ("Mont Ventoux", "Place")) == [
        ("Sigma", "Firm"), ("Fédération Française de Luge", "Federation"), ("Grand Annecy Agglomération",
                                                                          "Intercommunality"),
        ("Mont Ventoux", "Mountain")]
    assert run(rules.type_cues, "avec Sigma", ("Sigma", "Place")) == [("Sigma", "Place")]


def test_lists_take_the_majority_or_firms_and_add_skipped_items() -> None:
    text = "des entreprises de la région (Alpha, Beta, Gamma, Delta, Epsilon)."
    assert run(rules.lists, text, ("Alpha", "Place"), ("Beta", "Organisation"), ("Delta", "Organisation"),
               ("Epsilon", "Place")) == [("Alpha", "Firm"), ("Beta", "Firm"), ("Gamma", "Firm"), ("Delta", "Firm"),
                                         ("Epsilon", "Firm")]
    cities = "à Lyon, Turin et Genève"
    assert run(rules.lists, cities, ("Lyon", "Place"), ("Turin", "Organisation"), ("Genève", "Place")) == \
        [("Lyon", "Place"), ("Turin", "Place"), ("Genève", "Place")]
    assert run(rules.lists, "Lyon et Turin", ("Lyon", "Place"), ("Turin", "Organisation")) == \
        [("Lyon", "Place"), ("Turin", "Organisation")]  # two are not a list


def test_default_kinds() -> None:
    assert run(rules.default_kinds, "le Salon Mountain Planet et Alpha Tech", ("Salon Mountain Planet", None),
               ("Alpha Tech", None)) == [("Salon Mountain Planet", "Event"), ("Alpha Tech", "Organisation")]


def test_event_years() -> None:
    text = "les JO de 2030, les Jeux d'Hiver à Milan en 2026, les JO"
    assert run(rules.event_years, text, ("JO", "SportsEvent"), ("Jeux d'Hiver", "SportsEvent"),
               ("JO", "SportsEvent")) == [("JO de 2030", "SportsEvent"), ("Jeux d'Hiver à Milan en 2026",
                                                                         "SportsEvent"), ("JO", "SportsEvent")]
    assert run(rules.event_years, "Lyon en 2026", ("Lyon", "Place")) == [("Lyon", "Place")]


def test_fax_sender() -> None:
    text = "Date 03/03/2019\nde la part de direction des sports\n\nLa direction des sports a reçu Anne Durand."
    release = ReleaseText(text)
    assert [(text[c.start:c.end], c.kind) for c in rules.fax_sender(release, [])] == \
        [("direction des sports", "OrganisationalUnit")]
    plain = "Un message de la part de Anne Durand a été lu."  # not a header line
    assert rules.fax_sender(ReleaseText(plain), []) == []


def test_development_projects() -> None:
    text = "La rénovation de la station de Valloire débute, près de Valmeinier."
    assert run(rules.development_projects, text, ("station de Valloire", "SkiResort"), ("Valmeinier", "Place")) == [
        ("rénovation de la station de Valloire", "DevelopmentProject"), ("station de Valloire", "SkiResort"),
        ("Valmeinier", "Place")]


def test_drop_non_entities() -> None:
    meeting = "L'assemblée générale de l'Union Alpine se tiendra à Lyon ; l'AG élira son bureau."
    assert run(rules.drop_non_entities, meeting, ("assemblée générale de l'Union Alpine", None), ("Lyon", "Place"),
               ("AG", "Organisation")) == [("Lyon", "Place")]
    label = "La station a reçu le label Famille Plus et le prix Flocon Vert, remis par Mountain Riders."
    assert run(rules.drop_non_entities, label, ("Famille Plus", None), ("Flocon Vert", None),
               ("Mountain Riders", "Organisation")) == [("Mountain Riders", "Organisation")]
    title = "Le rapport « Neiges de demain » de l'Institut Alpin est paru.\nContact presse\nJeanne Roux"
    assert run(rules.drop_non_entities, title, ("Neiges", None), ("Institut Alpin", "Organisation"),
               ("Contact presse", None), ("Jeanne Roux", "Person")) == [
        ("Institut Alpin", "Organisation"), ("Jeanne Roux", "Person")]
    brands = "la marque Glisso, un guide de montagne Paul Roy, le rapport Cimes 2040"
    assert run(rules.drop_non_entities, brands, ("Glisso", "Firm"), ("Paul Roy", "Person"), ("Cimes 2040", None)) == \
        [("Glisso", "Firm"), ("Paul Roy", "Person")]  # a brand and a mountain guide stay; a report's title goes
    # an acronym the text does not spell out in lowercase is a name (« JO » for « Jeux Olympiques »)
    assert run(rules.drop_non_entities, "Les Jeux Olympiques (JO) de 2030.", ("JO", "Organisation")) == \
        [("JO", "Organisation")]


def test_split_coordinations() -> None:
    listed = "avec les sociétés Altéa & Nivéo, partenaires du projet"
    assert run(rules.split_coordinations, listed, ("Altéa & Nivéo", "Organisation")) == \
        [("Altéa", "Firm"), ("Nivéo", "Firm")]
    alone = "Glisse et Cime a signé. Glisse fabrique des skis ; Cime des piolets."
    assert run(rules.split_coordinations, alone, ("Glisse et Cime", "Organisation")) == \
        [("Glisse", "Organisation"), ("Cime", "Organisation")]
    one = "le voyagiste Soleil & Neige propose des séjours"
    assert run(rules.split_coordinations, one, ("Soleil & Neige", "Organisation")) == \
        [("Soleil & Neige", "Organisation")]


def test_split_at_prepositions() -> None:
    text = "Alpes Nord participera. Alpes Nord aux Journées du Ski, en juin."
    assert run(rules.split_at_prepositions, text, ("Alpes Nord aux Journées du Ski", "Place")) == \
        [("Alpes Nord", None), ("Journées du Ski", None)]
    assert run(rules.split_at_prepositions, "la Maison du Tourisme à Morzine", ("Maison du Tourisme à Morzine",
                                                                                "Organisation")) == \
        [("Maison du Tourisme à Morzine", "Organisation")]  # the left part is never written alone


def test_trim_words_named_without() -> None:
    text = "Neige Export présent à Tokyo\n\nNeige Export, l'agence, sera à Tokyo."
    assert run(rules.trim_words_named_without, text, ("Neige Export présent", "Place"),
               ("Neige Export", "Organisation")) == [("Neige Export", "Place"), ("Neige Export", "Organisation")]
    assert run(rules.trim_words_named_without, "Savoie métropole", ("Savoie métropole", "Place")) == \
        [("Savoie métropole", "Place")]


def test_appositions() -> None:
    text = "Alti Pro, l'entreprise de Sallanches, et Nivalis, l'association des moniteurs"
    assert run(rules.appositions, text, ("Alti Pro", "Place"), ("Nivalis", "Place")) == \
        [("Alti Pro", "Firm"), ("Nivalis", "Organisation")]
    region = "Vallée Blanche, la région voisine, et Val Neige, la station du massif"
    assert run(rules.appositions, region, ("Vallée Blanche", "Place"), ("Val Neige", "Place")) == \
        [("Vallée Blanche", "Place"), ("Val Neige", "SkiResort")]  # a place is never turned into its council
    fronted = "Installée à Sallanches, l'entreprise recrute."  # a place before a fronted clause keeps its kind
    assert run(rules.appositions, fronted, ("Sallanches", "Place")) == [("Sallanches", "Place")]


def test_office_bodies() -> None:
    text = "Paul Morel, directeur général de Jean Vial, et Anne Roy, présidente de l'Espace Nordique"
    assert run(rules.office_bodies, text, ("Jean Vial", "Person"), ("Espace Nordique", "Place")) == \
        [("Jean Vial", "Firm"), ("Espace Nordique", "Organisation")]
    mayor = "Luc Petit, maire de Val Cenis"
    assert run(rules.office_bodies, mayor, ("Luc Petit", "Person"), ("Val Cenis", "Place")) == \
        [("Luc Petit", "Person"), ("Val Cenis", "Place")]


def test_venues() -> None:
    text = "au centre des congrès Le Manège, puis à la Grande Halle"
    assert run(rules.venues, text, ("Le Manège", "Place")) == [("centre des congrès Le Manège", "Landmark")]
    assert run(rules.venues, "avec le directeur Jean Roy", ("Jean Roy", "Person")) == [("Jean Roy", "Person")]
    assert run(rules.venues, "au centre de recherche de Glisso", ("Glisso", "Organisation")) == \
        [("Glisso", "Organisation")]


def test_event_names() -> None:
    text = "à Snow Days 2027, au Peak Summit, à la Cluster Week et chez Val Tourisme, vers Tignes 2000 Sud"
    assert run(rules.event_names, text, ("Snow Days", "Organisation"), ("Peak Summit", "Place"),
               ("Cluster Week", "Cluster"), ("Val Tourisme", "Place")) == [
        ("Snow Days 2027", "Event"), ("Peak Summit", "Event"), ("Cluster Week", "Event"),
        ("Val Tourisme", "Organisation")]
    assert run(rules.event_names, "Jean Morel 2027, Comité Alpes 2030", ("Jean Morel", "Person"),
               ("Comité Alpes 2030", "Organisation")) == [("Jean Morel", "Person"),
                                                          ("Comité Alpes 2030", "Organisation")]

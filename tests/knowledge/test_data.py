"""The curated data conform to the shapes and say what the sources say, fact group by group.

Expected values are read from the source documents (data/sources/) where they can be, so a
test fails when the data drift from the text, not merely when they change.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from tests.knowledge.conftest import ID, IQ, SOURCES_DIR, shacl_results

TEXT = (SOURCES_DIR / "kp-iq-2011-2014.de.txt").read_text(encoding="utf-8")
STATES_MD = (SOURCES_DIR / "federal-states.md").read_text(encoding="utf-8")
KP_IQ_SOURCE = URIRef(ID + "source/kp-iq-2011-2014")
STATES_SOURCE = URIRef(ID + "source/states-of-germany")
PROGRAMME = URIRef(ID + "programme/iq")
PHASE = URIRef(ID + "programme/iq-2011-2014")
SCHEMA = Namespace("https://schema.org/")
ANY_URI = URIRef("http://www.w3.org/2001/XMLSchema#anyURI")
KP_IQ = URIRef(ID + "project/kp-iq")
GYEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")
DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def iq(name: str) -> URIRef:
    return URIRef(IQ + name)


def label(graph: Graph, subject: URIRef, lang: str = "de") -> str:
    values = [o for o in graph.objects(subject, RDFS.label) if o.language == lang]
    assert len(values) == 1, (subject, lang, values)
    return str(values[0])


def instances(graph: Graph, cls: str) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, iq(cls)) if isinstance(s, URIRef)}


def normalise(text: str) -> str:
    """Collapse whitespace and typographic quotes so labels compare with the plain text."""
    return re.sub(r"\s+", " ", re.sub('[„“”"]', '"', text))


def in_source(phrase: str) -> bool:
    return normalise(phrase).lower() in normalise(TEXT).lower()


def federal_states_table() -> list[dict[str, str]]:
    """Rows of the markdown table in federal-states.md, keyed by its header cells."""
    lines = [line for line in STATES_MD.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def action_fields_in_source() -> list[str]:
    """The bullet list after "Die fünf Handlungsfelder waren:"."""
    after = TEXT.split("Die fünf Handlungsfelder waren:", 1)[1]
    return [line.strip(" •\t") for line in after.splitlines() if line.strip().startswith("•")]


# --- conformance ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["rdfs", "none"])
def test_curated_data_conforms_without_violations_or_warnings(
    curated: Graph, shapes: Graph, ontology: Graph, mode: str
) -> None:
    conforms, report = shacl_results(curated, shapes, ontology, inference=mode)
    results = [
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)))
        for r in report.objects(None, SH.result)
    ]
    assert conforms and not results, results


def test_every_curated_resource_names_its_source(curated: Graph) -> None:
    sources = instances(curated, "SourceDocument")
    assert {KP_IQ_SOURCE, STATES_SOURCE} < sources
    subjects = {s for s in curated.subjects() if str(s).startswith(ID)} - sources
    assert len(subjects) > 60
    for subject in subjects:
        # a statement about it (as subject or object) carries an annotation naming a source
        derived = {
            curated.value(axiom, DCTERMS.source)
            for position in (OWL.annotatedSource, OWL.annotatedTarget)
            for axiom in curated.subjects(position, subject)
        }
        # or, for what only the project states (publishers of sources), its editorial index
        derived |= set(curated.objects(subject, DCTERMS.source))
        assert derived and derived <= sources, subject
    # prov:wasDerivedFrom holds between entities; most curated resources are not (PROV-O)
    assert not list(curated.subject_objects(PROV.wasDerivedFrom))


def test_source_documents_say_what_they_are(curated: Graph) -> None:
    for source in (KP_IQ_SOURCE, STATES_SOURCE):
        assert curated.value(source, DCTERMS.title) is not None
        assert {o.language for o in curated.objects(source, DCTERMS.description)} == {"de", "en"}
        assert curated.value(source, DCTERMS.type) is not None
    assert str(curated.value(KP_IQ_SOURCE, DCTERMS.title)) in TEXT
    assert "CC0" in STATES_MD
    assert curated.value(STATES_SOURCE, DCTERMS.license) == URIRef(
        "http://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert curated.value(STATES_SOURCE, DCTERMS.created) == Literal("2015-01-19", datatype=DATE)
    assert "2015-01-19" in STATES_MD
    # where each source comes from (issue 8: the first edition's record said nothing)
    assert curated.value(KP_IQ_SOURCE, SCHEMA.url) == Literal(
        "http://www.ebb-bildung.de/index.php?id=70", datatype=ANY_URI
    )
    assert curated.value(KP_IQ_SOURCE, DCTERMS.publisher) == URIRef(ID + "organisation/ebb")
    for source in (KP_IQ_SOURCE, STATES_SOURCE):
        copy = curated.value(source, iq("localCopy"))
        assert copy is not None and (SOURCES_DIR.parent.parent / str(copy)).is_file(), source


def test_iris_are_lower_case_ascii_slugs(curated: Graph) -> None:
    pattern = re.compile(r"^https://w3id\.org/iqkg/id/[a-z-]+/[a-z0-9-]+$")
    for subject in {s for s in curated.subjects() if isinstance(s, URIRef)}:
        assert pattern.match(str(subject)), subject


# --- fact groups of the source ---------------------------------------------------------------


def test_programme_and_its_aim(curated: Graph) -> None:
    assert (PROGRAMME, RDF.type, iq("FundingProgramme")) in curated
    assert in_source(f'Förderprogramm "{label(curated, PROGRAMME)}"')
    aim_de = [o for o in curated.objects(PROGRAMME, iq("aim")) if o.language == "de"]
    assert len(aim_de) == 1
    assert in_source(str(aim_de[0]).replace("verbessern", "zu verbessern"))
    target = URIRef(ID + "target-group/adult-migrants")
    assert set(curated.objects(PROGRAMME, iq("addressesTargetGroup"))) == {target}
    assert "erwachsenen Migrantinnen und Migranten" in TEXT  # declined in the source
    assert label(curated, target) == "Erwachsene Migrantinnen und Migranten"
    assert PHASE in set(curated.objects(PROGRAMME, iq("hasPhase")))
    phase = PHASE
    assert curated.value(phase, iq("startYear")) == Literal("2011", datatype=GYEAR)
    assert curated.value(phase, iq("endYear")) == Literal("2014", datatype=GYEAR)


def test_three_bodies_jointly_initiated_the_2011_2014_phase(curated: Graph) -> None:
    # stated on the phase: the source describes the programme of 2011-2014
    assert curated.value(PROGRAMME, iq("initiatedBy")) is None
    initiators = set(curated.objects(PHASE, iq("initiatedBy")))
    expected = {
        "bmas": "Federal Ministry of Labour and Social Affairs",
        "bmbf": "Federal Ministry of Education and Research",
        "ba": "Federal Employment Agency",
    }
    assert initiators == {URIRef(ID + f"organisation/{slug}") for slug in expected}
    for slug, english in expected.items():
        body = URIRef(ID + f"organisation/{slug}")
        abbreviation = slug.upper()
        # the source writes "des Bundesministeriums für … (BMAS)": compare the stem
        german = label(curated, body)
        assert re.search(
            re.escape(german).replace("ministerium", "ministeriums?") + rf"\s*\({abbreviation}\)",
            TEXT,
        ), german
        assert label(curated, body, "en") == english
        assert Literal(abbreviation, lang="de") in set(curated.objects(body, SKOS.altLabel))
    assert {URIRef(ID + "organisation/ba")} == instances(curated, "FederalAgency")


def test_coordination_project_period_and_operators(curated: Graph) -> None:
    assert (KP_IQ, RDF.type, iq("CoordinationProject")) in curated
    assert "Koordinierungsprojekt (KP IQ)" in TEXT
    assert "von 2011 bis 2014" in TEXT
    assert curated.value(KP_IQ, iq("startYear")) == Literal("2011", datatype=GYEAR)
    assert curated.value(KP_IQ, iq("endYear")) == Literal("2014", datatype=GYEAR)
    operators = {URIRef(ID + "organisation/ebb"), URIRef(ID + "organisation/zwh")}
    assert set(curated.objects(KP_IQ, iq("developedBy"))) == operators
    assert set(curated.objects(KP_IQ, iq("implementedBy"))) == operators
    assert "von der ebb und ZWH entwickelte und umgesetzte" in TEXT
    for operator in operators:
        # the label is the short name the programme text gives ...
        assert label(curated, operator) == label(curated, operator, "en")
        assert f" {label(curated, operator)} " in TEXT
        # ... the full names come from other sources, each spelling with its own source
        names = set(curated.objects(operator, iq("legalName")))
        assert len(names) == 2, names
        for name in names:
            cited = {
                curated.value(a, DCTERMS.source)
                for a in curated.subjects(OWL.annotatedTarget, name)
                if curated.value(a, OWL.annotatedSource) == operator
            }
            assert len(cited) == 1 and KP_IQ_SOURCE not in cited, (name, cited)
    assert (URIRef(ID + "organisation/ebb"), RDF.type, iq("Company")) in curated
    assert (URIRef(ID + "organisation/zwh"), RDF.type, iq("Association")) in curated


def test_one_regional_network_in_each_of_the_16_federal_states(curated: Graph) -> None:
    assert "In allen Bundesländern wurden regionale Verbünde geschaffen" in TEXT
    networks = instances(curated, "RegionalNetwork")
    states = instances(curated, "FederalState")
    assert len(networks) == len(states) == 16
    covered = {}
    for network in networks:
        covers = list(curated.objects(network, iq("coversFederalState")))
        assert len(covers) == 1, network
        covered[network] = covers[0]
        # descriptive labels, never an invented proper name
        assert re.match(r"IQ-Landesnetzwerk i[nm] ", label(curated, network))
        assert label(curated, network, "en").startswith("IQ regional network in")
        assert (network, iq("partOfProgramme"), PROGRAMME) in curated
    assert set(covered.values()) == states


def test_networks_linked_with_local_labour_market_actors(curated: Graph, ontology: Graph) -> None:
    assert 'mit weiteren Arbeitsmarktakteuren "vor Ort" vernetzten' in TEXT
    restrictions = [
        r
        for r in ontology.objects(iq("RegionalNetwork"), RDFS.subClassOf)
        if ontology.value(r, OWL.onProperty) == iq("cooperatesWith")
    ]
    assert len(restrictions) == 1
    assert ontology.value(restrictions[0], OWL.someValuesFrom) == iq("LabourMarketActor")
    for network in instances(curated, "RegionalNetwork"):
        descriptions = [
            o for o in curated.objects(network, DCTERMS.description) if o.language == "de"
        ]
        assert "Arbeitsmarktakteuren vor Ort" in str(descriptions[0])
    # the source names no actor, so none is invented
    assert not instances(curated, "LabourMarketActor")


def test_five_competence_centres_one_per_action_field(curated: Graph) -> None:
    assert "Fünf Fachstellen bauten jeweils zu einem von fünf Handlungsfeldern" in TEXT
    fields = instances(curated, "ActionField")
    german = {label(curated, f) for f in fields}
    assert german == set(action_fields_in_source())
    assert len(german) == 5
    for field in fields:
        assert {o.language for o in curated.objects(field, SKOS.prefLabel)} == {"de", "en"}
        assert (field, SKOS.inScheme, URIRef(ID + "concept-scheme/action-fields")) in curated
    centres = instances(curated, "CompetenceCentre")
    assert len(centres) == 5
    served = [curated.value(c, iq("buildsExpertiseIn")) for c in centres]
    assert all(len(list(curated.objects(c, iq("buildsExpertiseIn")))) == 1 for c in centres)
    assert set(served) == fields and len(set(served)) == 5  # a bijection
    for centre in centres:
        field = curated.value(centre, iq("buildsExpertiseIn"))
        assert (
            label(curated, centre) == f"IQ-Fachstelle für das Handlungsfeld {label(curated, field)}"
        )


def test_kinds_of_output_of_networks_and_centres(curated: Graph) -> None:
    kind = {
        "instrument": "Instrumente",
        "recommendation": "Handlungsempfehlungen",
        "concept": "Konzepte",
        "quality-standard": "Qualitätsstandards",
        "training-material": "Schulungsmaterialien",
        "dissemination-of-scientific-findings": "Verbreitung wissenschaftlicher Erkenntnisse",
    }
    for slug, german in kind.items():
        assert label(curated, URIRef(ID + f"output-kind/{slug}")) == german
        assert german in TEXT
    assert "entwickelten Instrumente, Handlungsempfehlungen und Konzepte" in TEXT
    by_networks = {URIRef(ID + f"output-kind/{s}") for s in list(kind)[:3]}
    by_centres = {URIRef(ID + f"output-kind/{s}") for s in list(kind)[3:]}
    for network in instances(curated, "RegionalNetwork"):
        assert set(curated.objects(network, iq("producesOutputKind"))) == by_networks
    # "Das konnte … sein": possible forms of the centres' work, not what each produced
    assert "Das konnte die Entwicklung von Qualitätsstandards sein" in TEXT
    for centre in instances(curated, "CompetenceCentre"):
        assert curated.value(centre, iq("producesOutputKind")) is None
        assert set(curated.objects(centre, iq("possibleOutputKind"))) == by_centres


def test_the_two_examples_are_what_the_networks_work_was_for(curated: Graph) -> None:
    """ "… zum Beispiel für die Beratung …": application areas, not instruments."""
    assert not instances(curated, "Instrument")
    areas = instances(curated, "ApplicationArea")
    assert areas == {
        URIRef(ID + "instrument/recognition-counselling"),
        URIRef(ID + "instrument/intercultural-opening"),
    }
    for area in areas:
        assert in_source("zum Beispiel für die " + label(curated, area)) or in_source(
            "oder die " + label(curated, area)
        ), label(curated, area)
        assert curated.value(area, iq("addressesActionField")) is None
    for network in instances(curated, "RegionalNetwork"):
        assert set(curated.objects(network, iq("exampleApplicationArea"))) == areas
    # the source does not say which network produced what
    networks = instances(curated, "RegionalNetwork")
    assert not [o for o in curated.objects(None, iq("producedBy")) if o in networks]


def test_tasks_of_the_coordination_project(curated: Graph) -> None:
    tasks = set(curated.objects(KP_IQ, iq("hasTask")))
    assert len(tasks) == 4
    phrases = {
        "steering-network-structures": "den Auf- und Ausbau der Netzwerkstrukturen",
        "exchange-and-transfer": (
            "den Austausch zwischen den Landesnetzwerken und den Transfer guter Praxis"
        ),
        "making-results-known": (
            "auf Bundesebene, in den Ministerien, der BA und in der Fachöffentlichkeit"
        ),
        "interface-to-politics": "als Schnittstelle zur Politik",
    }
    assert tasks == {URIRef(ID + f"task/{slug}") for slug in phrases}
    for slug, phrase in phrases.items():
        assert phrase in TEXT
        quote = next(
            o
            for o in curated.objects(URIRef(ID + f"task/{slug}"), DCTERMS.description)
            if o.language == "de"
        )
        assert phrase in str(quote)


def test_programme_embedded_in_dialogue_forum_within_national_action_plan(curated: Graph) -> None:
    assert (
        'Teil des Dialogforums "Arbeitsmarkt und Erwerbsleben" '
        "im Rahmen des Nationalen Aktionsplans" in TEXT
    )
    forum = URIRef(ID + "framework/dialogforum-arbeitsmarkt-und-erwerbsleben")
    plan = URIRef(ID + "framework/nationaler-aktionsplan")
    assert curated.value(PROGRAMME, iq("embeddedIn")) is None  # stated on the phase
    assert set(curated.objects(PHASE, iq("embeddedIn"))) == {forum}
    assert set(curated.objects(forum, iq("embeddedIn"))) == {plan}
    assert (forum, RDF.type, iq("DialogueForum")) in curated
    assert (plan, RDF.type, iq("ActionPlan")) in curated
    assert "Arbeitsmarkt und Erwerbsleben" in label(curated, forum)
    assert label(curated, plan) == "Nationaler Aktionsplan"


def test_federal_state_identifiers_match_the_states_of_germany_table(curated: Graph) -> None:
    rows = federal_states_table()
    assert len(rows) == 16
    by_name = {label(curated, s): s for s in instances(curated, "FederalState")}
    assert set(by_name) == {row["Land (de)"] for row in rows}
    for row in rows:
        state = by_name[row["Land (de)"]]
        assert label(curated, state, "en") == row["English"]
        assert set(curated.objects(state, SCHEMA.sameAs)) == {
            URIRef(f"http://www.wikidata.org/entity/{row['Wikidata']}"),
            URIRef(f"https://d-nb.info/gnd/{row['GND']}"),
            URIRef(f"https://sws.geonames.org/{row['GeoNames']}/"),
        }
        annotations = set(curated.subjects(OWL.annotatedSource, state))
        assert len(annotations) == 5  # two labels, three links
        for axiom in annotations:
            assert curated.value(axiom, DCTERMS.source) == STATES_SOURCE
            assert row["Land (de)"] in str(curated.value(axiom, iq("locator")))
    # schema:sameAs: not owl:sameAs (identity would merge the records' own claims), not
    # skos:exactMatch (its domain skos:Concept is disjoint from iq:FederalState)
    assert not list(curated.subject_objects(OWL.sameAs))
    assert not list(curated.subject_objects(SKOS.exactMatch))


def test_no_people_or_invented_organisations(curated: Graph) -> None:
    organisations = {
        s
        for cls in (
            "Organisation",
            "GovernmentBody",
            "FederalMinistry",
            "FederalAgency",
            "Company",
            "Association",
        )
        for s in instances(curated, cls)
    }
    assert {str(o).rsplit("/", 1)[1] for o in organisations} == {
        *("bmas", "bmbf", "ba", "ebb", "zwh"),  # the programme text
        *("univation", "tuer-an-tuer", "hwk-hamburg"),  # named in data/history.ttl's sources
        *("migra", "involas", "basfi"),  # coordinators, each named by the page that cites it
        *("nurec", "ihk-rostock", "bayerische-gemeindezeitung", "bibb", "wikimedia-foundation"),
        *("stuttgart", "bundesregierung"),
        "iq-consult",  # operator of faire-integration.de, named by that site's privacy notice
    }  # the last two lines: publishers of sources, each named by the site that publishes them
    assert not list(curated.subjects(RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")))

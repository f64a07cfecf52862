"""publish/pages.py: the decisions a resource page makes, on a small dataset built here:
where a link goes, how each graph a fact comes from is named (and linked only when it has
a description), how values are shown and rows ordered, blank-node cycles, a partner's
resource as a contribution, and the schema.org JSON-LD."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from iqkg.publish.describe import Description, describe
from iqkg.publish.labels import Labels
from iqkg.publish.pages import Linker, PageBuilder, ResourcePage
from iqkg.rdf.iris import OWL, PROV, RDF, RDFS, SKOS, XSD, IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme("https://data.example.org/kg/")
CURATED, EDITORIAL = IRIS.graph("curated"), IRIS.graph("editorial")
META, INFERRED = IRIS.graph("meta"), IRIS.graph("inferred")
S1, S2 = IRIS.submission_graph("s1"), IRIS.submission_graph("s2")
NET = IRIS.resource("network", "bayern")
PARTNER_THING = IRIS.base + "id/partner/pa/project/x"
PARTNER = IRIS.base + "id/partner/pa"
NAME, BUDGET = IRIS.term("name"), IRIS.term("budget")
LOOP = BlankNode("loop")


def _q(s: str | BlankNode, p: str, o: str | Literal | BlankNode, g: str) -> Quad:
    subject = s if isinstance(s, BlankNode) else NamedNode(s)
    obj = o if isinstance(o, Literal | BlankNode) else NamedNode(o)
    return Quad(subject, NamedNode(p), obj, NamedNode(g))


@pytest.fixture(scope="module")
def labels() -> Labels:
    dataset = Dataset.open(None, IRIS)
    dataset.store.extend(
        [
            _q(NET, RDF + "type", IRIS.term("Network"), EDITORIAL),
            _q(NET, RDF + "type", "http://www.w3.org/ns/org#Organization", EDITORIAL),
            _q(NET, RDF + "type", "https://schema.org/NGO", INFERRED),
            _q(NET, RDFS + "label", Literal("Bayern", language="de"), CURATED),
            _q(NET, RDFS + "label", Literal("Bavaria", language="en"), CURATED),
            _q(NET, RDFS + "comment", Literal("Ein </script> Netz", language="de"), CURATED),
            _q(NET, NAME, Literal("Zeta"), CURATED),
            _q(NET, NAME, Literal("Alpha", language="en"), CURATED),
            _q(NET, NAME, Literal("Beta", language="de"), CURATED),
            _q(NET, BUDGET, Literal("12", datatype=NamedNode(XSD + "integer")), CURATED),
            _q(NET, SKOS + "exactMatch", "http://www.wikidata.org/entity/Q1", CURATED),
            _q(NET, OWL + "sameAs", "https://d-nb.info/gnd/1", CURATED),
            _q(NET, "https://example.org/other", LOOP, CURATED),
            _q(LOOP, "https://example.org/next", LOOP, CURATED),
            _q(NET, NAME, Literal("Zeta"), S1),  # the same fact from a submission
            _q(PARTNER_THING, IRIS.term("partOf"), NET, S1),
            _q(PARTNER_THING, NAME, Literal("x"), S2),
            # graph/meta: s1 is described and attributed to a partner with a name
            _q(S1, PROV + "wasAttributedTo", PARTNER, META),
            _q(PARTNER, RDFS + "label", Literal("Partner A"), META),
        ]
    )
    return Labels(dataset)


def _page(labels: Labels, iri: str, lang: str) -> ResourcePage:
    description = describe(labels.dataset, iri)
    assert isinstance(description, Description)
    return PageBuilder(labels, lang).page(description)


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        (IRIS.term("Network"), "/def.html#Network"),
        (IRIS.shapes + "#NetworkShape", "/shapes.html#NetworkShape"),
        (NET, "/id/network/bayern"),
        ("https://schema.org/NGO", "https://schema.org/NGO"),
        ("urn:isbn:123", None),
    ],
)
def test_links_go_to_local_pages_term_docs_or_the_web(iri: str, href: str | None) -> None:
    assert Linker(IRIS).href(iri) == href


@pytest.mark.parametrize(
    ("lang", "s1", "s2"),
    [
        ("de", "Einreichung s1 von Partner A", "Einreichung s2"),
        ("en", "submission s1 by Partner A", "submission s2"),
    ],
)
def test_graphs_are_named_for_readers(labels: Labels, lang: str, s1: str, s2: str) -> None:
    builder = PageBuilder(labels, lang)
    first, second = builder.origin(S1), builder.origin(S2)
    assert (first.label.value, first.is_submission, first.curated) == (s1, True, False)
    assert first.href == "/graph/submission/s1"  # graph/meta describes it
    assert (second.label.value, second.href) == (s2, None)  # nothing describes it: no link
    curated = builder.origin(CURATED)
    assert curated.curated and not curated.is_submission
    assert curated.label.value == ("kuratierte Daten" if lang == "de" else "curated data")
    assert builder.origin(EDITORIAL).curated and not builder.origin(META).curated
    assert builder.origin(IRIS.graph("store/x")).label.value == "store/x"


def test_rows_put_types_first_then_own_terms_and_values_in_the_readers_language(
    labels: Labels,
) -> None:
    page = _page(labels, NET, "de")
    order = [row.predicate for row in page.rows]
    assert order[0] == RDF + "type"
    own = [p for p in order if p.startswith(IRIS.vocab)]
    assert order[1 : 1 + len(own)] == own and set(own) == {NAME, BUDGET}
    (names,) = [row for row in page.rows if row.predicate == NAME]
    assert [v.text.value for v in names.values] == ["Beta", "Zeta", "Alpha"]  # de, untagged, en
    (budget,) = [row for row in page.rows if row.predicate == BUDGET]
    assert (budget.values[0].text.value, budget.values[0].datatype) == ("12", "xsd:integer")
    assert names.values[1].datatype is None  # xsd:string is not shown
    zeta = names.values[1]
    assert {o.label.value for o in zeta.origins} == {
        "kuratierte Daten",
        "Einreichung s1 von Partner A",
    }


def test_a_blank_node_cycle_is_shown_once_and_ends_in_an_ellipsis(labels: Labels) -> None:
    page = _page(labels, NET, "en")
    (other,) = [row for row in page.rows if row.predicate == "https://example.org/other"]
    (loop,) = other.values
    (inner,) = loop.nested
    (again,) = inner.values
    assert again.text.value == "…" and again.nested == []


def test_incoming_links_name_their_subjects(labels: Labels) -> None:
    page = _page(labels, NET, "en")
    (part_of,) = page.incoming
    assert part_of.predicate == IRIS.term("partOf")
    assert [v.iri for v in part_of.values] == [PARTNER_THING]


def test_a_partners_resource_is_shown_as_its_contribution(labels: Labels) -> None:
    partner_page = _page(labels, PARTNER_THING, "en")
    assert [o.label.value for o in partner_page.contributed_by] == [
        "submission s1 by Partner A",
        "submission s2",
    ]
    assert partner_page.kind == "partner"
    curated_page = _page(labels, NET, "en")
    assert curated_page.contributed_by == []  # a curated graph states its facts
    assert curated_page.kind == "network"


def test_schema_org_types_come_from_alignments_and_the_closure(labels: Labels) -> None:
    page = _page(labels, NET, "de")
    assert "<\\/script>" in page.schema_jsonld and "</script>" not in page.schema_jsonld
    data = json.loads(page.schema_jsonld)
    assert data["@type"] == ["NGO", "Organization"]
    assert (data["@id"], data["name"], data["inLanguage"]) == (NET, "Bayern", "de")
    assert data["description"] == "Ein </script> Netz"
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q1", "https://d-nb.info/gnd/1"]
    partner = json.loads(_page(labels, PARTNER_THING, "en").schema_jsonld)
    assert partner["@type"] == ["Thing"] and "sameAs" not in partner

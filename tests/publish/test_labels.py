"""publish/labels.py: labels from public graphs only, the first label predicate that has
any, the reader's language first, well-known names, and compact IRIs as the last resort."""

from __future__ import annotations

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from iqkg.publish.labels import LABEL_PREDICATES, WELL_KNOWN, Labels, compact
from iqkg.publish.language import Text
from iqkg.rdf.iris import DCTERMS, RDFS, SKOS, IriScheme, prefixes
from iqkg.store.dataset import Dataset

BASE = "https://data.example.org/kg/"
IRIS = IriScheme(BASE)
THING = IRIS.resource("project", "kp-iq")


def _dataset(*facts: tuple[str, str, Literal, str | None]) -> Dataset:
    dataset = Dataset.open(None, IRIS)
    for subject, predicate, value, graph in facts:
        dataset.store.add(
            Quad(
                NamedNode(subject),
                NamedNode(predicate),
                value,
                NamedNode(IRIS.graph(graph)) if graph else DefaultGraph(),
            )
        )
    return dataset


@pytest.mark.parametrize("prefix", sorted(prefixes(IRIS)))
def test_compact_every_prefix(prefix: str) -> None:
    namespace = prefixes(IRIS)[prefix]
    assert compact(namespace + "Local", IRIS) == f"{prefix}:Local"


def test_compact_takes_the_longest_namespace_and_keeps_paths_whole() -> None:
    assert compact(IRIS.term("Project"), IRIS) == "iq:Project"
    assert compact("https://example.org/unknown#x", IRIS) == "https://example.org/unknown#x"
    # a local part with a slash is no prefixed name
    assert compact("http://www.wikidata.org/entity/Q1/extra", IRIS) == (
        "http://www.wikidata.org/entity/Q1/extra"
    )
    # another installation's vocabulary is not ours
    other = IriScheme().term("Project")
    assert compact(other, IRIS) == other


def test_first_predicate_with_labels_wins() -> None:
    dataset = _dataset(
        (THING, RDFS + "label", Literal("rdfs label", language="en"), "curated"),
        (THING, SKOS + "prefLabel", Literal("Vorzug", language="de"), "curated"),
    )
    labels = Labels(dataset)
    assert LABEL_PREDICATES.index(SKOS + "prefLabel") < LABEL_PREDICATES.index(RDFS + "label")
    assert labels.texts(THING) == {"de": {"Vorzug"}}
    assert labels.texts(THING, [RDFS + "label"]) == {"en": {"rdfs label"}}


def test_only_public_graphs_give_labels() -> None:
    dataset = _dataset(
        (THING, RDFS + "label", Literal("secret", language="en"), "private/p"),
        (THING, RDFS + "label", Literal("old", language="en"), "archive/s/1"),
        (THING, RDFS + "label", Literal("default graph", language="en"), None),
        (THING, RDFS + "label", Literal("public", language="en"), "submission/s"),
    )
    assert Labels(dataset).texts(THING) == {"en": {"public"}}


def test_label_language_order() -> None:
    dataset = _dataset(
        (THING, RDFS + "label", Literal("Projekt", language="de"), "curated"),
        (THING, RDFS + "label", Literal("project", language="en"), "curated"),
        (THING, RDFS + "label", Literal("projet", language="fr"), "curated"),
    )
    labels = Labels(dataset)
    assert labels.label(THING, "de") == Text("Projekt", "de")
    assert labels.label(THING, "en") == Text("project", "en")
    only_french = _dataset((THING, RDFS + "label", Literal("projet", language="fr"), "curated"))
    assert Labels(only_french).label(THING, "de") == Text("projet", "fr")
    untagged = _dataset(
        (THING, RDFS + "label", Literal("plain"), "curated"),
        (THING, RDFS + "label", Literal("projet", language="fr"), "curated"),
    )
    assert Labels(untagged).label(THING, "en") == Text("plain", "")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_label_falls_back_to_well_known_then_compact(lang: str) -> None:
    labels = Labels(_dataset())
    known = SKOS + "exactMatch"
    assert labels.label(known, lang) == Text(WELL_KNOWN[known][lang], lang)
    assert labels.label(IRIS.term("Unlabelled"), lang) == Text("iq:Unlabelled")


def test_data_label_wins_over_well_known_name() -> None:
    known = RDFS + "label"
    dataset = _dataset((known, RDFS + "label", Literal("Etikett", language="de"), "ontology"))
    assert Labels(dataset).label(known, "de") == Text("Etikett", "de")


def test_description_order_and_absence() -> None:
    dataset = _dataset(
        (THING, RDFS + "comment", Literal("comment", language="en"), "curated"),
        (THING, SKOS + "definition", Literal("definition", language="en"), "curated"),
    )
    labels = Labels(dataset)
    assert labels.description(THING, "en") == Text("definition", "en")
    with_description = _dataset(
        (THING, RDFS + "comment", Literal("comment", language="en"), "curated"),
        (THING, DCTERMS + "description", Literal("Beschreibung", language="de"), "curated"),
    )
    assert Labels(with_description).description(THING, "en") == Text("Beschreibung", "de")
    assert labels.description(IRIS.term("Nothing"), "en") is None


def test_non_literal_objects_are_no_labels() -> None:
    dataset = Dataset.open(None, IRIS)
    dataset.store.add(
        Quad(
            NamedNode(THING),
            NamedNode(RDFS + "label"),
            NamedNode(BASE + "not-a-text"),
            NamedNode(IRIS.graph("curated")),
        )
    )
    assert Labels(dataset).texts(THING) == {}

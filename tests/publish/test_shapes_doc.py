"""publish/shapes_doc.py: the shapes read from shapes/*.ttl (rebased, parsed again only
when a file changes) and documented: names and descriptions with their fall-backs,
anchors, targets, and each property's constraints."""

from __future__ import annotations

from pathlib import Path

import pytest

from iqkg.publish.shapes_doc import ShapeDoc, shapes_doc, shapes_files, shapes_triples
from iqkg.rdf.iris import DEFAULT_BASE, IriScheme

IRIS = IriScheme("https://data.example.org/kg/")
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix iq: <{DEFAULT_BASE}def#> .
@prefix shapes: <{DEFAULT_BASE}shapes#> .

shapes:NetworkShape a sh:NodeShape ; sh:targetClass iq:Network ;
  sh:name "Netzwerk"@de , "Network"@en ; rdfs:label "not shown" ;
  rdfs:comment "Ein Netzwerk."@de ;
  sh:property shapes:NetworkShape-name , shapes:NetworkShape-lang .
shapes:NetworkShape-name sh:path iq:name ; sh:minCount 1 ; sh:datatype xsd:string ;
  sh:maxCount 1 ; sh:message "Ein Name fehlt."@de .
shapes:NetworkShape-lang sh:path iq:label ; sh:languageIn ( "de" "en" ) ;
  sh:description "Deutsch oder Englisch."@de ; sh:message "not shown" .
[] sh:targetClass iq:Project ; rdfs:label "Projekt"@de .
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "network.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a shapes file", encoding="utf-8")
    return tmp_path


def _docs(folder: Path) -> dict[str, ShapeDoc]:
    return {d.anchor: d for d in shapes_doc(shapes_triples(folder, IRIS), IRIS)}


def test_shapes_are_the_turtle_files_of_the_folder(folder: Path, tmp_path: Path) -> None:
    assert shapes_files(folder) == [folder / "network.ttl"]
    assert shapes_files(tmp_path / "missing") == []
    assert shapes_triples(tmp_path / "missing", IRIS) == []


def test_shapes_are_rebased_and_parsed_again_only_after_a_change(folder: Path) -> None:
    triples = shapes_triples(folder, IRIS)
    terms = {str(term) for t in triples for term in (t.subject, t.predicate, t.object)}
    assert not any(DEFAULT_BASE in term for term in terms)
    assert f"<{IRIS.vocab}Network>" in terms
    assert shapes_triples(folder, IRIS) is triples  # unchanged: the parsed list again
    (folder / "more.ttl").write_text("<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    more = shapes_triples(folder, IRIS)
    assert more is not triples and len(more) == len(triples) + 1
    other_base = shapes_triples(folder, IriScheme("https://other.example/"))
    assert other_base is not more and len(other_base) == len(more)


def test_a_shape_is_documented_by_its_names_targets_and_properties(folder: Path) -> None:
    docs = _docs(folder)
    network = docs["NetworkShape"]
    assert network.iri == IRIS.shapes + "#NetworkShape"
    assert network.names == {"de": "Netzwerk", "en": "Network"}  # sh:name before rdfs:label
    assert network.descriptions == {"de": "Ein Netzwerk."}  # rdfs:comment as the fall-back
    assert [str(t) for t in network.targets] == [
        '<a href="/def.html#Network"><code>iq:Network</code></a>'
    ]
    lang, name = network.properties  # in the order of their IRIs
    assert str(name.path) == '<a href="/def.html#name"><code>iq:name</code></a>'
    assert [(c, str(v)) for c, v in name.constraints] == [
        ("sh:minCount", "<code>1</code>"),
        ("sh:maxCount", "<code>1</code>"),
        (
            "sh:datatype",
            '<a href="http://www.w3.org/2001/XMLSchema#string"><code>xsd:string</code></a>',
        ),
    ]
    assert name.descriptions == {"de": "Ein Name fehlt."}  # sh:message without a description
    assert lang.descriptions == {"de": "Deutsch oder Englisch."}
    assert [(c, str(v)) for c, v in lang.constraints] == [
        ("sh:languageIn", "<code>de</code>, <code>en</code>")
    ]


def test_a_blank_node_shape_gets_an_anchor_of_its_own(folder: Path) -> None:
    (blank,) = [d for d in _docs(folder).values() if d.iri is None]
    assert blank.anchor.startswith("shape-") and blank.curie == blank.anchor
    assert blank.names == {"de": "Projekt"} and blank.properties == []
    assert "iq:Project" in str(blank.targets[0])

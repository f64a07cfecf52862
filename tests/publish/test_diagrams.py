"""publish/diagrams.py: the map of the regional networks and the programme's structure,
drawn from a small curated dataset built here (partners' additions never redraw them),
and the wrapping of box labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from iqkg.publish.diagrams import (
    STATE_CODES,
    _wrap,
    map_outline,
    network_map,
    programme_structure,
)
from iqkg.publish.labels import Labels
from iqkg.publish.pages import Linker
from iqkg.rdf.iris import RDF, RDFS, IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme("https://data.example.org/kg/")
CURATED, SUBMISSION = IRIS.graph("curated"), IRIS.submission_graph("s1")
SVG = "{http://www.w3.org/2000/svg}"
PROGRAMME = IRIS.resource("programme", "iq")
COORDINATION = IRIS.resource("project", "coordination")
BAYERN_NET = IRIS.resource("network", "bayern")
BERLIN_NET = IRIS.resource("network", "berlin")
CENTRE = IRIS.resource("centre", "fachstelle")
FIELD = IRIS.resource("action-field", "fairness")
PARTNER_NET = IRIS.base + "id/partner/pa/network/x"


def state(slug: str) -> str:
    return IRIS.resource("federal-state", slug)


def _q(s: str, p: str, o: str | Literal, g: str = CURATED) -> Quad:
    return Quad(
        NamedNode(s), NamedNode(p), o if isinstance(o, Literal) else NamedNode(o), NamedNode(g)
    )


def _label(s: str, text: str, lang: str = "de") -> Quad:
    return _q(s, RDFS + "label", Literal(text, language=lang))


@pytest.fixture(scope="module")
def labels() -> Labels:
    dataset = Dataset.open(None, IRIS)
    covers, part_of = IRIS.term("coversFederalState"), IRIS.term("partOfProgramme")
    dataset.store.extend(
        [
            _q(BAYERN_NET, covers, state("bayern")),
            _q(BERLIN_NET, covers, state("berlin")),
            _label(BAYERN_NET, "IQ Netzwerk Bayern"),
            _label(state("bayern"), "Bayern"),
            _label(state("berlin"), "Berlin"),
            _label(state("hessen"), "Hessen"),
            _label(PROGRAMME, "Integration durch Qualifizierung"),
            _label(PROGRAMME, "Integration through Qualification", "en"),
            _label(CENTRE, "Fachstelle Fairness"),
            _label(FIELD, "Faire Integration"),
            *(_q(m, part_of, PROGRAMME) for m in (COORDINATION, BAYERN_NET, BERLIN_NET, CENTRE)),
            _q(COORDINATION, RDF + "type", IRIS.term("CoordinationProject")),
            _q(BAYERN_NET, RDF + "type", IRIS.term("RegionalNetwork")),
            _q(BERLIN_NET, RDF + "type", IRIS.term("RegionalNetwork")),
            _q(CENTRE, RDF + "type", IRIS.term("CompetenceCentre")),
            _q(CENTRE, IRIS.term("buildsExpertiseIn"), FIELD),
            # A partner's network in its submission: neither on the map nor in the structure.
            _q(PARTNER_NET, covers, state("hessen"), SUBMISSION),
            _q(PARTNER_NET, part_of, PROGRAMME, SUBMISSION),
            _q(PARTNER_NET, RDF + "type", IRIS.term("RegionalNetwork"), SUBMISSION),
        ]
    )
    return Labels(dataset)


def test_the_vendored_outline_has_every_state() -> None:
    outline = map_outline()
    assert set(STATE_CODES) <= set(outline.paths)
    assert all(outline.paths[code].startswith(("M", "m")) for code in STATE_CODES)
    assert len(outline.view_box.split()) == 4


def test_each_state_links_to_its_curated_network_else_to_itself(labels: Labels) -> None:
    linker = Linker(IRIS)
    found = {s.code: s for s in network_map(labels, "de", current=BAYERN_NET).states}
    assert list(found) == list(STATE_CODES)
    by, be, he, sl = found["by"], found["be"], found["he"], found["sl"]
    assert (by.href, by.network, by.state.value) == (
        linker.href(BAYERN_NET),
        labels.label(BAYERN_NET, "de"),
        "Bayern",
    )
    assert be.href == linker.href(BERLIN_NET)
    assert he.href == linker.href(state("hessen")) and he.network is None  # partner's: no
    assert sl.href is None and sl.network is None  # nothing known about it
    assert [s.code for s in found.values() if s.current] == ["by"]
    assert [s.code for s in network_map(labels, "de", state("berlin")).states if s.current] == [
        "be"
    ]


def test_the_structure_has_a_linked_box_per_curated_member(labels: Labels) -> None:
    svg = programme_structure(labels, "de", PROGRAMME)
    assert svg is not None
    root = ET.fromstring(svg)  # well-formed SVG
    hrefs = [a.attrib["href"] for a in root.iter(SVG + "a")]
    linker = Linker(IRIS)
    members = (PROGRAMME, COORDINATION, BAYERN_NET, BERLIN_NET, CENTRE, FIELD)
    assert sorted(hrefs) == sorted(linker.href(m) for m in members)
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    # A network is named by its state; the headings are in the page's language.
    assert "Bayern" in texts and "Berlin" in texts and "IQ Netzwerk Bayern" not in texts
    assert {"Landesnetzwerke", "Fachstellen", "Handlungsfelder"} <= set(texts)
    titles = {"".join(t.itertext()) for t in root.iter(SVG + "title")}
    assert "IQ Netzwerk Bayern" in titles  # the full name stays, as the tooltip
    edges = list(root.iter(SVG + "path"))
    # programme → coordination, coordination → 3 members, centre → its field
    assert len(edges) == 1 + 3 + 1
    english = programme_structure(labels, "en", PROGRAMME)
    assert english is not None and "Regional networks" in english
    assert "Integration through Qualification" in english


def test_a_programme_without_members_has_no_structure(labels: Labels) -> None:
    assert programme_structure(labels, "de", IRIS.resource("programme", "other")) is None


@pytest.mark.parametrize(
    ("text", "width", "lines", "expected"),
    [
        ("short text", 200, 1, ["short text"]),
        # 64 pixels at 6.4 a character: 10 characters a line
        ("one two three four", 64, 3, ["one two", "three four"]),
        # more lines than allowed: the last one kept is cut, with an ellipsis
        ("one two three four five six seven", 64, 2, ["one two", "three fou…"]),
        ("Supercalifragilistic word", 64, 2, ["Supercali…", "word"]),  # a word too long
        ("a b", 10, 1, ["a b"]),  # never fewer than 8 characters a line
    ],
)
def test_labels_wrap_into_their_lines(
    text: str, width: int, lines: int, expected: list[str]
) -> None:
    assert _wrap(text, width, lines) == expected

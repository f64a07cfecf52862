"""Synthetic, valid partner submissions of any size (for limits, kill tests and timings)."""

from __future__ import annotations

NETWORKS = ("bayern", "berlin", "hamburg", "sachsen", "hessen")
FIELDS = ("anerkennung", "qualifizierung", "berufsbezogenes-deutsch")
TRIPLES_PER_PROJECT = 11


def synthetic_turtle(partner: str, triples: int, *, tag: str = "") -> bytes:
    """About ``triples`` triples of conforming projects in ``partner``'s IRI space."""
    space = f"https://w3id.org/iqkg/id/partner/{partner}/"
    lines = [
        "@prefix iq: <https://w3id.org/iqkg/def#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        f"@prefix p: <{space}> .",
        "",
    ]
    for i in range(max(1, triples // TRIPLES_PER_PROJECT)):
        network = NETWORKS[i % len(NETWORKS)]
        field = FIELDS[i % len(FIELDS)]
        lines.append(
            f'p:project-{tag}{i} a iq:Project ; rdfs:label "Projekt {tag}{i}"@de , '
            f'"Project {tag}{i}"@en ; '
            f"iq:partOfNetwork <https://w3id.org/iqkg/id/network/{network}> ; "
            f"iq:partOfProgramme <https://w3id.org/iqkg/id/programme/iq> ; "
            f"iq:implementedBy <https://w3id.org/iqkg/id/organisation/ebb> ; "
            f"iq:addressesActionField <https://w3id.org/iqkg/id/action-field/{field}> ; "
            f'iq:startYear "2012"^^xsd:gYear ; iq:endYear "2014"^^xsd:gYear ; '
            f"prov:wasDerivedFrom <https://w3id.org/iqkg/id/source/kp-iq-2011-2014> ; "
            f'dcterms:description "Synthetisches Testprojekt Nummer {i}."@de .'
        )
    return "\n".join(lines).encode()

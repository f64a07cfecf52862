"""The IRI scheme of ARCHITECTURE.md: ``{base}def#``, ``{base}id/``, ``{base}graph/``.

Files under ontology/, shapes/ and data/ are written against :data:`DEFAULT_BASE`; an
installation with another base rewrites that prefix on load (:meth:`IriScheme.rebase`),
so the same files serve any deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

from iqkg.settings import DEFAULT_BASE

ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
DCMITYPE = "http://purl.org/dc/dcmitype/"

#: Matched whole (``fullmatch``): ``$`` would also accept a slug ending in a newline.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

GRAPH_ONTOLOGY = "ontology"
GRAPH_CURATED = "curated"
#: What the project itself states (types, coined labels, translations, source records).
GRAPH_EDITORIAL = "editorial"
GRAPH_INFERRED = "inferred"
GRAPH_META = "meta"


@dataclass(frozen=True)
class IriScheme:
    """Builds and recognises the IRIs of one installation."""

    base: str = DEFAULT_BASE

    @property
    def vocab(self) -> str:
        """Namespace of ontology terms (hash namespace)."""
        return f"{self.base}def#"

    @property
    def ontology(self) -> str:
        return f"{self.base}def"

    @property
    def shapes(self) -> str:
        return f"{self.base}shapes"

    def term(self, local_name: str) -> str:
        return f"{self.vocab}{local_name}"

    def resource(self, kind: str, slug: str) -> str:
        if not _SLUG.fullmatch(kind) or not _SLUG.fullmatch(slug):
            raise ValueError(f"kind and slug must be lower-case ASCII slugs: {kind!r}/{slug!r}")
        return f"{self.base}id/{kind}/{slug}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def submission_graph(self, submission_id: str) -> str:
        return self.graph(f"submission/{submission_id}")

    def partner_space(self, partner_slug: str) -> str:
        """The IRI prefix a partner may mint resources under."""
        return f"{self.base}id/partner/{partner_slug}/"

    def is_resource(self, iri: str) -> bool:
        return iri.startswith(f"{self.base}id/")

    def rebase(self, iri: str) -> str:
        """Map an IRI written against the default base onto this installation's base."""
        if self.base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
            return self.base + iri[len(DEFAULT_BASE) :]
        return iri


def prefixes(iris: IriScheme) -> dict[str, str]:
    """The installation's prefixes: compact IRIs on pages and in reports, Turtle output,
    the JSON-LD context."""
    return {
        "iq": iris.vocab,
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "dcterms": DCTERMS,
        "prov": PROV,
        "org": ORG,
        "schema": SCHEMA,
        "sh": SH,
        "void": VOID,
        "dcat": DCAT,
        "vann": "http://purl.org/vocab/vann/",
        "wd": "http://www.wikidata.org/entity/",
        "gnd": "https://d-nb.info/gnd/",
        "spdx": SPDX,
    }


def is_slug(value: str) -> bool:
    return bool(_SLUG.fullmatch(value))


def valid_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI that pyoxigraph (and so the store) accepts."""
    try:
        NamedNode(text)
    except ValueError:
        return False
    return True


def usable_origin(origin: str, fallback: str) -> str:
    """``origin`` (a request's ``https://host/``, built from its Host header) when it can be
    part of an IRI, else ``fallback`` (the configured base): never an invalid IRI."""
    return origin if valid_iri(origin) else fallback

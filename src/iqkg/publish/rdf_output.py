"""Triples to bytes in a negotiated graph syntax, with the installation's prefixes."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Triple, serialize

from iqkg.publish.labels import prefixes
from iqkg.rdf.formats import JSON_LD, RdfSyntax
from iqkg.rdf.iris import IriScheme


def serialize_triples(triples: Iterable[Triple], syntax: RdfSyntax, iris: IriScheme) -> bytes:
    """Serialise ``triples``; Turtle and RDF/XML get prefixes, JSON-LD stays expanded."""
    ordered = sorted(set(triples), key=str)
    if syntax == JSON_LD:
        return serialize(ordered, format=syntax.format) or b"[]"
    if syntax.format.supports_datasets:
        raise ValueError(f"{syntax.name} is a dataset syntax")
    return serialize(ordered, format=syntax.format, prefixes=prefixes(iris)) or b""

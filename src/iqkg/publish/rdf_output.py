"""Triples to bytes in a negotiated graph syntax, with the installation's prefixes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import Triple, serialize

from iqkg.publish.labels import prefixes
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.formats import JSON_LD, RdfSyntax
from iqkg.rdf.iris import IriScheme


def serialize_triples(
    triples: Iterable[Triple],
    syntax: RdfSyntax,
    iris: IriScheme,
    *,
    context: dict[str, Any] | None = None,
) -> bytes:
    """Serialise ``triples``; Turtle and RDF/XML get prefixes.

    JSON-LD is compacted with ``context`` (the vocabulary's ``@context``, embedded so a
    client needs no second request) when one is given, for descriptions people and
    scripts read (``"label": {"de": …}``, ``"coversFederalState": "…"``); without it,
    Oxigraph writes it expanded. rdflib compacts: Oxigraph's writer has no contexts.
    """
    ordered = sorted(set(triples), key=str)
    if syntax == JSON_LD:
        if context is not None:
            graph = to_rdflib_graph(ordered)
            return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()
        return serialize(ordered, format=syntax.format) or b"[]"
    if syntax.format.supports_datasets:
        raise ValueError(f"{syntax.name} is a dataset syntax")
    return serialize(ordered, format=syntax.format, prefixes=prefixes(iris)) or b""

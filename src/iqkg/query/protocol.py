"""The SPARQL 1.1 Protocol's query operation, independent of the web framework.

A :class:`ProtocolRequest` is what one request asks (query text, dataset, format,
deadline); :func:`choose_syntax` picks the response format from the ``format``/``output``
parameter or the Accept header (q-values). Both raise iqkg errors worded for the person
who sent the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import NamedNode

from iqkg.errors import Forbidden, InputError, PayloadTooLarge
from iqkg.query.policy import QueryShape
from iqkg.rdf.formats import (
    GRAPH_SYNTAXES,
    RdfSyntax,
    ResultsSyntax,
    negotiate_rdf_syntax,
    negotiate_results_syntax,
    rdf_syntax_for_name,
    results_syntax_for_name,
)
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import hidden_graph_prefixes

MISSING_QUERY = (
    "no query given. Send it as ?query=… (GET), as the form field 'query' (POST "
    "application/x-www-form-urlencoded) or as the body of a POST with Content-Type "
    "application/sparql-query (SPARQL 1.1 Protocol §2.1)."
)

#: ``format=json`` on a CONSTRUCT means JSON-LD, ``format=xml`` RDF/XML (SPARQLWrapper
#: and other clients send the results-style names for graphs too).
_GRAPH_ALIASES = {
    "json": "json-ld",
    "xml": "rdf-xml",
    "rdf": "rdf-xml",
    "rdf+xml": "rdf-xml",
    "n3": "turtle",
}


@dataclass(frozen=True)
class ProtocolRequest:
    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None
    timeout: float


def protocol_request(
    query: str | None,
    *,
    default_graphs: list[str],
    named_graphs: list[str],
    format_name: str | None,
    timeout: str | None,
    max_timeout: float,
    max_bytes: int,
) -> ProtocolRequest:
    """Check the protocol parameters of one request (SPARQL 1.1 Protocol §2.1)."""
    if query is None or not query.strip():
        raise InputError(MISSING_QUERY)
    size = len(query.encode("utf-8"))
    if size > max_bytes:
        raise PayloadTooLarge(
            f"the query is {size} bytes; this endpoint accepts at most {max_bytes} "
            "(IQKG_MAX_QUERY_BYTES). Shorten it, e.g. move long VALUES lists into data."
        )
    for parameter, graphs in (
        ("default-graph-uri", default_graphs),
        ("named-graph-uri", named_graphs),
    ):
        for graph in graphs:
            check_iri(parameter, graph)
    return ProtocolRequest(
        query,
        tuple(default_graphs) if default_graphs or named_graphs else None,
        tuple(named_graphs) if default_graphs or named_graphs else None,
        format_name,
        _deadline(timeout, max_timeout),
    )


def check_iri(parameter: str, value: str) -> None:
    """Graph names must be absolute IRIs (SPARQL 1.1 Protocol §2.1.4)."""
    try:
        NamedNode(value)
    except ValueError as error:
        raise InputError(
            f"{parameter}={value!r} is not an absolute IRI ({error}); name a graph such as "
            "https://w3id.org/iqkg/graph/curated."
        ) from None


def _deadline(requested: str | None, maximum: float) -> float:
    """A request may ask for a shorter deadline than the operator's, never a longer one."""
    if requested is None or not requested.strip():
        return maximum
    try:
        value = float(requested)
    except ValueError:
        raise InputError(
            f"timeout={requested!r} is not a number of seconds; e.g. timeout=5."
        ) from None
    if not value > 0:
        raise InputError(f"timeout must be more than 0 seconds, got {requested!r}.")
    return min(value, maximum)


def check_graphs(request: ProtocolRequest, shape: QueryShape, iris: IriScheme) -> None:
    """Hidden graphs (private, archived versions) are refused, by protocol or by FROM.

    This is the clear error for the honest case; the guarantee is the worker's, which only
    ever gives Oxigraph public graphs (:class:`~iqkg.query.execution.OpenCheckpoint`).
    """
    named = [
        *(request.default_graphs or ()),
        *(request.named_graphs or ()),
        *shape.from_graphs,
        *shape.from_named_graphs,
    ]
    for graph in named:
        if graph.startswith(hidden_graph_prefixes(iris)):
            raise Forbidden(
                f"graph <{graph}> is not public (private data or an archived submission "
                "version) and cannot be queried here."
            )


def single(values: list[str], parameter: str) -> str | None:
    """The one value of a protocol parameter; given twice it is refused, never guessed.

    SPARQL 1.1 Protocol §2.1 and §2.2 allow exactly one ``query``/``update``: taking the
    last one silently ran half of what a client sent."""
    if len(values) > 1:
        raise InputError(
            f"the parameter {parameter!r} was given {len(values)} times; send it once."
        )
    return values[0] if values else None


def choose_syntax(
    shape: QueryShape, format_names: list[str], accept: str | None
) -> ResultsSyntax | RdfSyntax:
    """The response syntax: an explicit ``format`` (or ``output``) wins over Accept.

    Each value is a format name (``json``, ``turtle``) or a media-type list (SPARQLWrapper
    sends ``format=json-ld&format=application/ld+json,application/x-json+ld``); several
    values are accepted when they all name the same syntax, else refused naming the
    parameter."""
    chosen: set[ResultsSyntax | RdfSyntax] = set()
    for value in (v.strip() for v in format_names if v.strip()):
        if "/" in value:
            chosen.add(_by_accept(value, shape.returns_graph))
        else:
            chosen.add(_by_name(value.lower(), shape.returns_graph))
    if len(chosen) > 1:
        raise InputError(
            f"the parameter 'format' names different formats ({', '.join(format_names)}); send one."
        )
    if chosen:
        return chosen.pop()
    return _by_accept(accept or "*/*", shape.returns_graph)


@lru_cache(maxsize=256)
def _by_name(name: str, graph: bool) -> ResultsSyntax | RdfSyntax:
    if graph:
        return rdf_syntax_for_name(_GRAPH_ALIASES.get(name, name), GRAPH_SYNTAXES)
    return results_syntax_for_name(name)


@lru_cache(maxsize=256)
def _by_accept(accept: str, graph: bool) -> ResultsSyntax | RdfSyntax:
    if graph:
        return negotiate_rdf_syntax(accept)
    return negotiate_results_syntax(accept)


def content_type(media_type: str) -> str:
    """The Content-Type header: text formats say they are UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type

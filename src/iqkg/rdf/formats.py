"""Media types, file extensions and formats, and content negotiation over them.

One table per family (RDF graphs/datasets, SPARQL results) so every endpoint offers the
same set and names it the same way. Negotiation is python-mimeparse's (RFC 9110
q-values and wildcards); ties go to the format listed first here.
"""

from __future__ import annotations

from dataclasses import dataclass

import mimeparse
from pyoxigraph import QueryResultsFormat, RdfFormat

from iqkg.errors import NotAcceptable, UnsupportedMediaType


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF serialisation: its media types (canonical first), extension and format."""

    name: str
    media_types: tuple[str, ...]
    extension: str
    format: RdfFormat

    @property
    def media_type(self) -> str:
        return self.media_types[0]


@dataclass(frozen=True)
class ResultsSyntax:
    """One SPARQL results serialisation (SELECT/ASK)."""

    name: str
    media_types: tuple[str, ...]
    extension: str
    format: QueryResultsFormat

    @property
    def media_type(self) -> str:
        return self.media_types[0]


TURTLE = RdfSyntax("turtle", ("text/turtle", "application/x-turtle"), "ttl", RdfFormat.TURTLE)
JSON_LD = RdfSyntax("json-ld", ("application/ld+json",), "jsonld", RdfFormat.JSON_LD)
N_TRIPLES = RdfSyntax(
    "n-triples", ("application/n-triples", "text/plain"), "nt", RdfFormat.N_TRIPLES
)
RDF_XML = RdfSyntax(
    "rdf-xml", ("application/rdf+xml", "application/xml", "text/xml"), "rdf", RdfFormat.RDF_XML
)
TRIG = RdfSyntax("trig", ("application/trig",), "trig", RdfFormat.TRIG)
N_QUADS = RdfSyntax("n-quads", ("application/n-quads",), "nq", RdfFormat.N_QUADS)

#: Graph serialisations, in order of preference when the client does not care.
GRAPH_SYNTAXES: tuple[RdfSyntax, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
#: Dataset serialisations (named graphs kept).
DATASET_SYNTAXES: tuple[RdfSyntax, ...] = (TRIG, N_QUADS)
#: Everything iqkg parses.
ALL_RDF_SYNTAXES: tuple[RdfSyntax, ...] = GRAPH_SYNTAXES + DATASET_SYNTAXES

SPARQL_JSON = ResultsSyntax(
    "json", ("application/sparql-results+json", "application/json"), "srj", QueryResultsFormat.JSON
)
SPARQL_XML = ResultsSyntax(
    "xml",
    ("application/sparql-results+xml", "application/xml", "text/xml"),
    "srx",
    QueryResultsFormat.XML,
)
SPARQL_CSV = ResultsSyntax("csv", ("text/csv",), "csv", QueryResultsFormat.CSV)
SPARQL_TSV = ResultsSyntax("tsv", ("text/tab-separated-values",), "tsv", QueryResultsFormat.TSV)

RESULTS_SYNTAXES: tuple[ResultsSyntax, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)


def base_media_type(content_type: str | None) -> str:
    """``text/turtle; charset=utf-8`` → ``text/turtle`` (lower case; ``""`` when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def rdf_syntax_for_media_type(
    content_type: str, syntaxes: tuple[RdfSyntax, ...] = ALL_RDF_SYNTAXES
) -> RdfSyntax:
    """The syntax a request body declares; 415 when iqkg cannot read it."""
    media_type = base_media_type(content_type)
    for syntax in syntaxes:
        if media_type in syntax.media_types:
            return syntax
    offered = ", ".join(s.media_type for s in syntaxes)
    raise UnsupportedMediaType(
        f"Content-Type {media_type or '(none)'!r} is not an RDF format iqkg reads; use one of: "
        f"{offered}."
    )


def rdf_syntax_for_name(name: str, syntaxes: tuple[RdfSyntax, ...] = ALL_RDF_SYNTAXES) -> RdfSyntax:
    """Look a syntax up by short name (``turtle``), extension (``ttl``) or media type."""
    key = name.strip().lower()
    for syntax in syntaxes:
        if key in (syntax.name, syntax.extension) or key in syntax.media_types:
            return syntax
    raise NotAcceptable(
        f"Unknown RDF format {name!r}; use one of: "
        + ", ".join(f"{s.name} ({s.extension})" for s in syntaxes)
    )


def rdf_syntax_for_path(path: str) -> RdfSyntax:
    """The syntax a file name's extension implies (``.ttl``, ``.jsonld`` …)."""
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    aliases = {"turtle": "ttl", "json": "jsonld", "xml": "rdf", "owl": "rdf", "nquads": "nq"}
    extension = aliases.get(extension, extension)
    for syntax in ALL_RDF_SYNTAXES:
        if syntax.extension == extension:
            return syntax
    raise UnsupportedMediaType(
        f"Cannot tell the RDF format of {path!r} from its extension; use one of: "
        + ", ".join("." + s.extension for s in ALL_RDF_SYNTAXES)
    )


def results_syntax_for_name(name: str) -> ResultsSyntax:
    key = name.strip().lower()
    for syntax in RESULTS_SYNTAXES:
        if key in (syntax.name, syntax.extension) or key in syntax.media_types:
            return syntax
    raise NotAcceptable(
        f"Unknown results format {name!r}; use one of: "
        + ", ".join(s.name for s in RESULTS_SYNTAXES)
    )


def negotiate(accept: str | None, offered: list[str]) -> str:
    """The offered media type the Accept header prefers (first offered wins ties).

    A missing or empty Accept means ``*/*``. Raises :class:`NotAcceptable` naming what is
    offered when nothing matches.
    """
    header = accept.strip() if accept and accept.strip() else "*/*"
    try:
        # mimeparse lets the *last* candidate win ties, so offer in reverse preference.
        # RFC 9110 §8.3.1: type and subtype are case-insensitive; mimeparse compares as given.
        chosen: str = mimeparse.best_match(list(reversed(offered)), header.lower())
    except (ValueError, IndexError):
        chosen = ""
    if not chosen:
        raise NotAcceptable(
            f"None of the requested media types ({header}) is available here; "
            f"available: {', '.join(offered)}."
        )
    return chosen


def _offered(accept: str | None, media_types: list[tuple[str, ...]]) -> list[str]:
    """Canonical media types, plus aliases only where the client names them.

    Offering aliases unasked would let ``*/*`` reach ``application/x-turtle`` after the
    client refused ``text/turtle;q=0``.
    """
    named = (accept or "").lower()
    offered = [types[0] for types in media_types]
    offered += [alias for types in media_types for alias in types[1:] if alias in named]
    return offered


def negotiate_rdf_syntax(
    accept: str | None, syntaxes: tuple[RdfSyntax, ...] = GRAPH_SYNTAXES
) -> RdfSyntax:
    """Pick the RDF syntax for a response from an Accept header."""
    by_media_type = {mt: s for s in syntaxes for mt in s.media_types}
    return by_media_type[negotiate(accept, _offered(accept, [s.media_types for s in syntaxes]))]


def negotiate_results_syntax(accept: str | None) -> ResultsSyntax:
    """Pick the SPARQL results syntax for a SELECT/ASK response from an Accept header."""
    by_media_type = {mt: s for s in RESULTS_SYNTAXES for mt in s.media_types}
    offered = _offered(accept, [s.media_types for s in RESULTS_SYNTAXES])
    return by_media_type[negotiate(accept, offered)]

"""``iqkg query`` and ``iqkg export``: read the dataset, from the store or from its server.

Both open the on-disk store when they can. When ``iqkg serve`` holds it (RocksDB's lock),
they ask that server over HTTP instead, so the README's "run the server, then query"
works; ``--endpoint`` asks a chosen server without touching the local store at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from iqkg.cli.common import open_dataset
from iqkg.cli.remote import ServerClient
from iqkg.errors import InputError, StoreHeldByServer
from iqkg.publish.labels import prefixes
from iqkg.query.catalogue import Catalogue, csv_rows
from iqkg.rdf.formats import (
    DATASET_SYNTAXES,
    GRAPH_SYNTAXES,
    RESULTS_SYNTAXES,
    SPARQL_CSV,
    SPARQL_JSON,
    TRIG,
    TURTLE,
    RdfSyntax,
    rdf_syntax_for_name,
    results_syntax_for_name,
)
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.oxigraph_errors import sparql_errors
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset, QueryResult, hidden_graph_prefixes

ENDPOINT_HELP = (
    "ask the iqkg server at URL (e.g. http://127.0.0.1:8000) instead of opening the store; "
    "without it the store is opened, and if a running server holds it, the configured "
    "server (IQKG_HOST/IQKG_PORT) is asked"
)


def register(subparsers: Any) -> None:
    query = subparsers.add_parser(
        "query",
        help="run a SPARQL query against the store (or its running server)",
        description="Run a SPARQL query. Works while `iqkg serve` runs: the server answers.",
    )
    source = query.add_mutually_exclusive_group(required=True)
    source.add_argument("sparql", nargs="?", help="the query text")
    source.add_argument("-f", "--file", type=Path, help="read the query from FILE")
    source.add_argument(
        "--name", help="a catalogue query from queries/, by file stem or number (e.g. 03)"
    )
    query.add_argument(
        "--format",
        default="table",
        help="table (default), json, xml, csv, tsv; for CONSTRUCT/DESCRIBE turtle (default), "
        "n-triples, json-ld, rdf-xml",
    )
    query.add_argument("--endpoint", metavar="URL", help=ENDPOINT_HELP)
    query.set_defaults(func=cmd_query)

    export = subparsers.add_parser(
        "export",
        help="write the dataset (says on stderr which graphs it writes)",
        description="Write the dataset with its named graphs (Turtle: the public union). "
        "Works while `iqkg serve` runs: the server's public dump is read then.",
    )
    export.add_argument(
        "--format",
        default="n-quads",
        help="n-quads (default) or trig keep the named graphs; turtle writes the union of "
        "the public graphs",
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.add_argument(
        "--public",
        action="store_true",
        help="leave out archived (superseded, withdrawn) and private graphs, as the server's "
        "public dumps do",
    )
    export.add_argument("--endpoint", metavar="URL", help=ENDPOINT_HELP)
    export.set_defaults(func=cmd_export)


def _source(args: argparse.Namespace, settings: Settings) -> Dataset | ServerClient:
    """The open store, or the server to ask when ``--endpoint`` names one or a running
    server holds the store."""
    if args.endpoint:
        return ServerClient(args.endpoint)
    try:
        return open_dataset(settings)
    except StoreHeldByServer:
        print(
            f"iqkg: the store is held by a running server; asking {settings.server_url}",
            file=sys.stderr,
        )
        return ServerClient(settings.server_url)


# --- query ---------------------------------------------------------------------------


def _read_query_text(args: argparse.Namespace, settings: Settings) -> str:
    if args.name:
        return Catalogue(settings.queries_dir).get(args.name).sparql
    if args.file:
        try:
            return str(args.file.read_text(encoding="utf-8"))
        except OSError as error:
            raise InputError(f"cannot read {args.file}: {error.strerror}") from None
    return str(args.sparql)


def run_query(dataset: Dataset, sparql: str) -> QueryResult:
    with sparql_errors("query"):
        return dataset.query(sparql)


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    sparql = _read_query_text(args, settings)
    source = _source(args, settings)
    if isinstance(source, ServerClient):
        return _query_server(source, sparql, args.format)
    result = run_query(source, sparql)
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryTriples):
        syntax = rdf_syntax_for_name(
            "turtle" if args.format == "table" else args.format, GRAPH_SYNTAXES
        )
        iris = IriScheme(settings.base)
        out.write(ox.serialize(result, format=syntax.format, prefixes=prefixes(iris)) or b"")
        return 0
    if args.format == "table":
        print(render_table(result))
        return 0
    results_syntax = results_syntax_for_name(args.format)
    out.write(result.serialize(format=results_syntax.format) or b"")
    return 0


def _query_server(server: ServerClient, sparql: str, format_name: str) -> int:
    """Ask for the wanted format, with a fallback for the other kind of answer.

    The CLI cannot tell a SELECT from a CONSTRUCT without parsing, so the Accept header
    names a results format and a graph format; the server picks what fits the query.
    """
    if format_name == "table":
        accept = f"{SPARQL_JSON.media_type}, {TURTLE.media_type};q=0.9"
    elif format_name in {s.name for s in RESULTS_SYNTAXES}:
        accept = f"{results_syntax_for_name(format_name).media_type}, {TURTLE.media_type};q=0.1"
    else:
        graph = rdf_syntax_for_name(format_name, GRAPH_SYNTAXES)
        accept = f"{graph.media_type}, {SPARQL_JSON.media_type};q=0.1"
    media_type, body = server.query(sparql, accept)
    if format_name == "table" and media_type == SPARQL_JSON.media_type:
        print(render_table(ox.parse_query_results(body, format=SPARQL_JSON.format)))
        return 0
    sys.stdout.buffer.write(body)
    return 0


def render_table(result: ox.QuerySolutions | ox.QueryBoolean) -> str:
    """A plain-text table of a SELECT (or the truth of an ASK) for reading in a terminal."""
    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    rows = csv_rows(result.serialize(format=SPARQL_CSV.format) or b"")
    if not rows:
        return "(no columns)"
    widths = [max(len(row[i]) if i < len(row) else 0 for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)))
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    lines.append(f"({len(rows) - 1} row{'s' if len(rows) != 2 else ''})")
    return "\n".join(lines)


# --- export --------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    syntax = rdf_syntax_for_name(args.format, (*DATASET_SYNTAXES, TURTLE))
    iris = IriScheme(settings.base)
    source = _source(args, settings)
    if isinstance(source, ServerClient):
        quads = source.public_quads()
        origin = f"the public dump of {source.endpoint}"
    else:
        quads = list(source.store.quads_for_pattern(None, None, None, None))
        source.close()
        origin = str(settings.store)
    hidden = hidden_graph_prefixes(iris)
    public_only = args.public or syntax is TURTLE
    kept = [q for q in quads if not _graph_name(q).startswith(hidden)] if public_only else quads
    _describe_export(kept, quads, syntax, origin, hidden)
    data = _serialize(kept, syntax, iris)
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _graph_name(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def _serialize(quads: list[ox.Quad], syntax: RdfSyntax, iris: IriScheme) -> bytes:
    if syntax is TURTLE:  # one graph: the union, each triple once
        triples = sorted({q.triple for q in quads}, key=str)
        return ox.serialize(triples, format=syntax.format, prefixes=prefixes(iris)) or b""
    if syntax is TRIG:
        return ox.serialize(quads, format=syntax.format, prefixes=prefixes(iris)) or b""
    return ox.serialize(quads, format=syntax.format) or b""  # N-Quads has no prefixes


def _describe_export(
    kept: list[ox.Quad],
    read: list[ox.Quad],
    syntax: RdfSyntax,
    source: str,
    hidden: tuple[str, ...],
) -> None:
    """Tell the person on stderr what the file holds: which graphs, how many quads."""
    counts: dict[str, int] = {}
    for quad in kept:
        name = _graph_name(quad) or "(default graph)"
        counts[name] = counts.get(name, 0) + 1
    left_out = sorted({_graph_name(q) for q in read} - {_graph_name(q) for q in kept})
    shape = "as one union graph" if syntax is TURTLE else "with their names"
    print(
        f"iqkg export: {len(counts)} graph(s), {len(kept)} quads from {source}, "
        f"{shape} ({syntax.name}):",
        file=sys.stderr,
    )
    for name, count in sorted(counts.items()):
        print(f"  {name}  ({count})", file=sys.stderr)
    if left_out:
        print(f"  left out {len(left_out)} archived/private graph(s):", file=sys.stderr)
        for name in left_out:
            print(f"    {name}", file=sys.stderr)
    included = [name for name in counts if name.startswith(hidden)]
    if included:
        print(
            f"  of these, {len(included)} archived/private graph(s); --public leaves them out",
            file=sys.stderr,
        )

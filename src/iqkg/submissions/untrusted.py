"""Parse RDF from people we do not control: bounded, located errors, no network access.

Oxigraph's parsers never fetch anything, but they are not uniformly *loud* about it: a
remote JSON-LD ``@context`` fails with a cryptic message, an external DTD is silently
ignored, and internal XML entities are expanded without limit (a "billion laughs" body
of 1 KB expands to gigabytes). So before parsing, JSON-LD is scanned for remote contexts
and RDF/XML's document type declaration is checked: external identifiers
(``SYSTEM``/``PUBLIC``), parameter entities and entities defined by other entities are
refused, and the total expansion of the remaining (plain text) entities is bounded.
Named graphs in TriG and N-Quads are merged: a submission is one graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from iqkg.errors import (
    InputError,
    NetworkAccessRefused,
    PayloadTooLarge,
    RdfSyntaxError,
)
from iqkg.rdf.formats import JSON_LD, RDF_XML, RdfSyntax
from iqkg.store.loader import syntax_error_message, syntax_error_position

#: Most characters entity references in an RDF/XML body may expand to, as a multiple of
#: the body's own size (namespace abbreviations such as ``&xsd;`` stay far below).
MAX_ENTITY_EXPANSION = 4

_DOCTYPE = re.compile(rb"<!DOCTYPE\s", re.IGNORECASE)
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*(\[(.*?)\])?\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s]+)\s+(.*?)>", re.DOTALL)
_EXTERNAL_ID = re.compile(rb"\b(SYSTEM|PUBLIC)\b")


def parse_untrusted(
    body: bytes,
    syntax: RdfSyntax,
    *,
    base_iri: str,
    max_triples: int,
    source: str = "body",
) -> list[ox.Triple]:
    """The triples of ``body``, or a clear error: 400 (with line/column), 413, or a refusal.

    Stops reading as soon as ``max_triples`` is exceeded, so a huge N-Triples body
    costs no more than the limit.
    """
    if syntax == JSON_LD:
        _refuse_remote_contexts(body)
    elif syntax == RDF_XML:
        _check_xml_doctype(body)
    triples: list[ox.Triple] = []
    try:
        for quad in _quads(body, syntax, base_iri):
            triples.append(quad.triple)
            if len(triples) > max_triples:
                raise PayloadTooLarge(
                    f"the submission has more than {max_triples} triples, the most iqkg "
                    "accepts at once; split it into several submissions."
                )
    except SyntaxError as error:
        message = syntax_error_message(error)
        if "LoadDocumentCallback" in message:
            raise NetworkAccessRefused(
                "the JSON-LD refers to a remote @context, which iqkg never fetches; "
                "inline the context in the document instead."
            ) from None
        line, column = syntax_error_position(error)
        raise RdfSyntaxError(
            f"malformed {syntax.name}: {message}", source=source, line=line, column=column
        ) from None
    except UnicodeDecodeError as error:
        raise RdfSyntaxError(
            f"malformed {syntax.name}: not UTF-8 at byte {error.start}", source=source
        ) from None
    except ValueError as error:
        raise RdfSyntaxError(f"malformed {syntax.name}: {error}", source=source) from None
    return triples


def _quads(body: bytes, syntax: RdfSyntax, base_iri: str) -> Iterator[ox.Quad]:
    return iter(ox.parse(body, format=syntax.format, base_iri=base_iri))


# --- JSON-LD -------------------------------------------------------------------------


def _refuse_remote_contexts(body: bytes) -> None:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # the RDF parser reports the syntax error with its position
    remote = next(_remote_contexts(document), None)
    if remote is not None:
        raise NetworkAccessRefused(
            f"the JSON-LD refers to the remote context {remote!r}; iqkg never fetches "
            "remote contexts while parsing. Inline the context (an object under "
            '"@context") instead.',
            detail={"url": remote},
        )


def _remote_contexts(node: Any) -> Iterator[str]:
    """Every string that names a context or import to fetch, anywhere in the document."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    values = value if isinstance(value, list) else [value]
                    yield from (v for v in values if isinstance(v, str))
                    stack.extend(v for v in values if not isinstance(v, str))
                else:
                    stack.append(value)


# --- RDF/XML -------------------------------------------------------------------------


def _check_xml_doctype(body: bytes) -> None:
    if not _DOCTYPE.search(body):
        return
    match = _INTERNAL_SUBSET.search(body)
    if match is None:
        raise InputError("malformed RDF/XML: the <!DOCTYPE> declaration is not closed")
    declaration_head = body[match.start() : match.start(1) if match.group(1) else match.end()]
    if _EXTERNAL_ID.search(declaration_head):
        raise NetworkAccessRefused(
            "the RDF/XML names an external DTD (SYSTEM/PUBLIC); iqkg never loads external "
            "DTDs or entities. Remove the external identifier from <!DOCTYPE>."
        )
    subset = match.group(2) or b""
    sizes: dict[bytes, int] = {}
    for entity in _ENTITY.finditer(subset):
        name, definition = entity.group(2), entity.group(3)
        label = name.decode("utf-8", "replace")
        if entity.group(1) or _EXTERNAL_ID.match(definition.strip()):
            raise NetworkAccessRefused(
                f"the RDF/XML declares the external or parameter entity {label!r}; iqkg "
                "never loads external entities. Write the value out instead."
            )
        if b"&" in definition or b"%" in definition:
            raise InputError(
                f"the RDF/XML entity {label!r} is defined through other entities; nested "
                "entities are refused (they allow entity-expansion bombs)."
            )
        sizes[name] = len(definition)
    expanded = sum(size * body.count(b"&" + name + b";") for name, size in sizes.items())
    if expanded > MAX_ENTITY_EXPANSION * max(len(body), 1024):
        raise InputError(
            f"the RDF/XML's entity references would expand to {expanded} characters, "
            f"more than {MAX_ENTITY_EXPANSION}× the document; write the values out."
        )

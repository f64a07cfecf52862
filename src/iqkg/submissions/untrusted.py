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

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any, NoReturn

import pyoxigraph as ox

from iqkg.errors import (
    InputError,
    NetworkAccessRefused,
    PayloadTooLarge,
    RdfSyntaxError,
)
from iqkg.rdf.formats import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TRIG, TURTLE, RdfSyntax
from iqkg.rdf.oxigraph_errors import rdf_errors

#: Most characters entity references in an RDF/XML body may expand to, as a multiple of
#: the body's own size (namespace abbreviations such as ``&xsd;`` stay far below).
MAX_ENTITY_EXPANSION = 4

#: Deepest nesting of JSON objects and arrays a JSON-LD body may have. Oxigraph's JSON-LD
#: parser takes time in the square of the depth (measured: 4,000 levels 8 s, 10,000 more
#: than a minute); real documents stay far below (a @graph of objects is 3 deep).
MAX_JSON_LD_DEPTH = 100


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
    with rdf_errors(syntax.name, source=source):
        # One past the limit and no further: a huge body costs no more than the limit.
        # Read whole, then looked at (a loop per quad here was ~20% of parsing).
        quads = list(itertools.islice(_quads(body, syntax, base_iri), max_triples + 1))
    term = ox.Triple
    if any(type(q.object) is term or type(q.subject) is term for q in quads):
        raise RdfSyntaxError(
            f"RDF 1.2 triple terms (<<( … )>>, << … >>, {{| … |}} annotations) are "
            f"not accepted in {syntax.name}; state the triple itself instead.",
            source=source,
            line=_triple_term_line(body, syntax),
        )
    if len(quads) > max_triples:
        raise PayloadTooLarge(
            f"the submission has more than {max_triples} triples, the most iqkg "
            "accepts at once; split it into several submissions."
        )
    return [quad.triple for quad in quads]


def _quads(body: bytes, syntax: RdfSyntax, base_iri: str) -> Iterator[ox.Quad]:
    return iter(ox.parse(body, format=syntax.format, base_iri=base_iri))


def _triple_term_line(body: bytes, syntax: RdfSyntax) -> int | None:
    """The line of the first triple term in a text syntax, or ``None`` if not certain."""
    if syntax in (N_TRIPLES, N_QUADS):
        for number, line in enumerate(body.split(b"\n"), 1):
            if b"<<" not in line:
                continue
            try:
                with rdf_errors(syntax.name):
                    quads = list(ox.parse(line, format=syntax.format))
            except InputError:
                return None
            if any(
                isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple) for q in quads
            ):
                return number
        return None
    if syntax in (TURTLE, TRIG):
        return _turtle_triple_term_line(body)
    return None


def _turtle_triple_term_line(body: bytes) -> int | None:
    """The line of the first ``<<`` or ``{|`` outside strings, IRIs and comments."""
    text = body.decode("utf-8", "replace")
    i, n, line = 0, len(text), 1
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("<<", i) or text.startswith("{|", i):
            return line
        elif char == "<":
            end = text.find(">", i)
            if end < 0:
                return None
            line += text.count("\n", i, end)
            i = end + 1
            continue
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                return None
            line += text.count("\n", i, j)
            i = j + len(quote)
            continue
        i += 1
    return None


# --- JSON-LD -------------------------------------------------------------------------


def _refuse_remote_contexts(body: bytes) -> None:
    """Refuse remote contexts and nesting deeper than :data:`MAX_JSON_LD_DEPTH`."""
    try:
        document = json.loads(body)
    except RecursionError:
        _refuse_depth()
    except ValueError:
        return  # the RDF parser reports the syntax error with its position
    remote = next(_remote_contexts(document), None)
    if remote is not None:
        raise NetworkAccessRefused(
            f"the JSON-LD refers to the remote context {remote!r}; iqkg never fetches "
            "remote contexts while parsing. Inline the context (an object under "
            '"@context") instead.',
            detail={"url": remote},
        )


def _refuse_depth() -> NoReturn:
    raise InputError(
        f"the JSON-LD is nested more than {MAX_JSON_LD_DEPTH} objects or arrays deep, more "
        "than iqkg reads (Oxigraph's JSON-LD parser slows down with the square of the "
        "depth); flatten it, e.g. with @graph and @id references."
    )


def _remote_contexts(node: Any) -> Iterator[str]:
    """Every string that names a context or import to fetch, anywhere in the document.

    Also refuses documents nested deeper than :data:`MAX_JSON_LD_DEPTH`.
    """
    stack: list[tuple[Any, int]] = [(node, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_LD_DEPTH:
            _refuse_depth()
        if isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    values = value if isinstance(value, list) else [value]
                    yield from (v for v in values if isinstance(v, str))
                    stack.extend((v, depth + 1) for v in values if not isinstance(v, str))
                else:
                    stack.append((value, depth + 1))


# --- RDF/XML -------------------------------------------------------------------------
#
# Oxigraph's RDF/XML parser reads entity declarations loosely: it splits the whole
# ``<!DOCTYPE ...>`` on ``<`` and treats every piece starting with ``!ENTITY`` as a
# declaration, with or without whitespace (``<!ENTITY%a "…">``, ``<!ENTITYa "…">``), and
# expands entities used inside other entities. So the check below fails closed: every
# ``<!ENTITY`` anywhere in the body is examined, the DOCTYPE must be delimited the same way
# by a quote-aware and by a naive bracket-counting reading, and only plain-text internal
# entities inside it pass.

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL_ID = re.compile(rb"\b(SYSTEM|PUBLIC)\b", re.IGNORECASE)
_WHITESPACE = b" \t\r\n"
_BAD_NAME = re.compile(rb"[\"'<>&%;\[\]=]")


def _check_xml_doctype(body: bytes) -> None:
    doctypes = [m.start() for m in _DOCTYPE.finditer(body)]
    if not doctypes:
        if _ENTITY.search(body):
            raise InputError(
                "the RDF/XML declares an entity (<!ENTITY) outside a <!DOCTYPE> internal "
                "subset; iqkg refuses it."
            )
        return
    if len(doctypes) > 1:
        raise InputError("the RDF/XML has more than one <!DOCTYPE> declaration; iqkg refuses it.")
    start = doctypes[0]
    end = _doctype_end_quoted(body, start)
    if end is None or end != _doctype_end_naive(body, start):
        raise InputError(
            "the RDF/XML's <!DOCTYPE> declaration cannot be delimited with certainty (it is "
            "not closed, or a quoted value or comment holds '<', '>', '[' or ']'); iqkg "
            "refuses it. Keep the internal subset to plain entity declarations."
        )
    subset_start = body.find(b"[", start, end)
    head = body[start : subset_start if subset_start >= 0 else end]
    if _EXTERNAL_ID.search(head):
        raise NetworkAccessRefused(
            "the RDF/XML names an external DTD (SYSTEM/PUBLIC); iqkg never loads external "
            "DTDs or entities. Remove the external identifier from <!DOCTYPE>."
        )
    sizes: dict[bytes, int] = {}
    for declaration in _ENTITY.finditer(body):
        if subset_start < 0 or not subset_start < declaration.start() < end:
            raise InputError(
                "the RDF/XML has an entity declaration (<!ENTITY) outside the <!DOCTYPE> "
                "internal subset; iqkg refuses it."
            )
        name, size = _entity_declaration(body, declaration.end(), end)
        sizes[name] = max(size, sizes.get(name, 0))
    expanded = sum(size * body.count(b"&" + name + b";") for name, size in sizes.items())
    if expanded > MAX_ENTITY_EXPANSION * max(len(body), 1024):
        raise InputError(
            f"the RDF/XML's entity references would expand to {expanded} characters, "
            f"more than {MAX_ENTITY_EXPANSION}× the document; write the values out."
        )


def _entity_declaration(body: bytes, at: int, limit: int) -> tuple[bytes, int]:
    """Name and value size of the entity declared at ``at`` (just after ``<!ENTITY``).

    Refuses parameter, external, nested and anything not exactly ``NAME "plain text"``.
    """
    i = _skip_space(body, at, limit)
    parameter = body[i : i + 1] == b"%"
    if parameter:
        i = _skip_space(body, i + 1, limit)
    name_start = i
    while i < limit and body[i] not in _WHITESPACE:
        i += 1
    name = body[name_start:i]
    label = name.decode("utf-8", "replace")
    i = _skip_space(body, i, limit)
    if parameter or _EXTERNAL_ID.match(body, i):
        raise NetworkAccessRefused(
            f"the RDF/XML declares the external or parameter entity {label!r}; iqkg "
            "never loads external entities and refuses parameter entities. Write the "
            "value out instead."
        )
    if not name or _BAD_NAME.search(name):
        raise InputError(f"the RDF/XML has a malformed entity declaration ({label!r}).")
    quote = body[i : i + 1]
    if quote not in (b'"', b"'"):
        raise InputError(f"the RDF/XML's entity {label!r} has no quoted value.")
    close = body.find(quote, i + 1, limit)
    if close < 0:
        raise InputError(f"the RDF/XML's entity {label!r} has an unterminated value.")
    value = body[i + 1 : close]
    if b"&" in value or b"%" in value:
        raise InputError(
            f"the RDF/XML entity {label!r} is defined through other entities; nested "
            "entities are refused (they allow entity-expansion bombs)."
        )
    if b"<" in value or b">" in value:
        raise InputError(f"the RDF/XML entity {label!r} holds '<' or '>'; iqkg refuses it.")
    i = _skip_space(body, close + 1, limit)
    if body[i : i + 1] != b">":
        raise InputError(
            f"the RDF/XML entity {label!r} is not a plain internal entity "
            '(<!ENTITY name "text">); iqkg refuses it.'
        )
    return name, len(value)


def _skip_space(body: bytes, i: int, limit: int) -> int:
    while i < limit and body[i] in _WHITESPACE:
        i += 1
    return i


def _doctype_end_naive(body: bytes, start: int) -> int | None:
    """Where the DOCTYPE ends counting ``<`` and ``>`` only (as simple XML readers do)."""
    depth = 0
    for i in range(start, len(body)):
        char = body[i]
        if char == 0x3C:  # <
            depth += 1
        elif char == 0x3E:  # >
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _doctype_end_quoted(body: bytes, start: int) -> int | None:
    """Where the DOCTYPE ends by the XML grammar: quotes, comments and ``[…]`` respected.

    ``None`` if it is not closed or its quoted values or comments hold brackets.
    """
    i, n = start + len(b"<!DOCTYPE"), len(body)
    in_subset = False
    while i < n:
        char = body[i : i + 1]
        if char in (b'"', b"'"):
            close = body.find(char, i + 1)
            if close < 0 or any(c in body[i + 1 : close] for c in b"<>[]"):
                return None
            i = close + 1
            continue
        if in_subset and body.startswith(b"<!--", i):
            close = body.find(b"-->", i + 4)
            if close < 0 or any(c in body[i + 4 : close] for c in b"<>[]"):
                return None
            i = close + 3
            continue
        if char == b"[":
            if in_subset:
                return None
            in_subset = True
        elif char == b"]":
            if not in_subset:
                return None
            i = _skip_space(body, i + 1, n)
            return i + 1 if body[i : i + 1] == b">" else None
        elif char == b">" and not in_subset:
            return i + 1
        i += 1
    return None

"""Values written into SPARQL text safely, for any SPARQL 1.1 store.

A query built from values (an id from a URL, a partner's slug, a graph IRI) must not let
the value change the query's shape. Engine-specific ways of binding values (pyoxigraph's
``substitutions``, Jena's ``ParameterizedSparqlString``) do not carry over to a remote
store, so the values are rendered as SPARQL terms here, by the grammar (SPARQL 1.1 Query
§19.8, productions IRIREF, STRING_LITERAL_QUOTE, ECHAR, LANGTAG, VARNAME):

- :func:`iri` refuses what IRIREF cannot hold (``<>"{}|^`\\``, spaces, control
  characters) with :class:`UnsafeIri` — it never "repairs" an IRI into another one;
- :func:`literal` escapes every character a string literal cannot hold as itself;
- :func:`values` writes an inline-data block (§10.2.1) of such terms.

What a caller may rely on: the text returned is exactly one term (or one ``VALUES``
block), whatever the input; a value that cannot be written raises an
:class:`~iqkg.errors.InputError` naming what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal as KindLiteral
from typing import NewType

from iqkg.errors import InputError

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Text that is exactly one SPARQL term, made by :func:`iri`, :func:`literal` or
#: :func:`term`. A plain ``str`` is not accepted where this is expected (mypy).
SparqlTerm = NewType("SparqlTerm", str)


class UnsafeIri(InputError):
    """A value cannot be written as an IRI in SPARQL (IRIREF, SPARQL 1.1 Query §19.8)."""


class UnsafeValue(InputError):
    """A value cannot be written as a SPARQL literal, language tag or variable."""


@dataclass(frozen=True)
class Term:
    """An RDF term as plain Python values: what a store answers and what :func:`term` writes.

    ``kind`` is ``iri``, ``literal`` or ``bnode``; a literal has a ``datatype`` (``None``
    means ``xsd:string``) or a ``language``.
    """

    kind: KindLiteral["iri", "literal", "bnode"]
    value: str
    datatype: str | None = None
    language: str | None = None


# IRIREF ::= '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'
_NOT_IN_IRIREF = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')
# LANGTAG ::= '@' [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*
_LANGTAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
# VARNAME, restricted to ASCII letters, digits and '_' (all iqkg's names are).
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ECHAR ::= '\' [tbnrf\"']; other control characters as \u escapes (§19.2).
_ESCAPES = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f"}
_ESCAPES |= {'"': '\\"', "\\": "\\\\", "'": "\\'"}
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f\"'\\]")


def _describe(character: str) -> str:
    names = {" ": "a space", "\n": "a line break", "\t": "a tab", "\r": "a carriage return"}
    return names.get(character, f"{character!r} (U+{ord(character):04X})")


def _check_text(value: str, what: str, refusal: type[InputError] = UnsafeValue) -> None:
    """Refuse lone surrogates: they are not Unicode characters and cannot be UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise refusal(
            f"the {what} contains a lone surrogate at position {error.start}, which is not a "
            "Unicode character; send text in UTF-8"
        ) from None


def iri(value: str) -> SparqlTerm:
    """``<value>``, or :class:`UnsafeIri` when the value cannot be an IRIREF.

    The value is written as given (no normalisation, no resolution): the caller decides
    which IRI it means; this function only refuses what would not be that IRI in SPARQL.
    """
    if not value:
        raise UnsafeIri("an empty IRI cannot name a resource; give an absolute IRI")
    _check_text(value, "IRI", UnsafeIri)
    bad = _NOT_IN_IRIREF.search(value)
    if bad is not None:
        raise UnsafeIri(
            f"{value!r} is not usable as an IRI: it contains {_describe(bad.group())} at "
            f"position {bad.start()}; IRIs may not contain spaces, control characters or any "
            'of <>"{}|^`\\ (percent-encode them, e.g. %20 for a space)'
        )
    if ":" not in value:
        raise UnsafeIri(f"{value!r} is not an absolute IRI (it has no scheme, e.g. 'https:')")
    return SparqlTerm(f"<{value}>")


def _escape(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        character = match.group()
        return _ESCAPES.get(character) or f"\\u{ord(character):04X}"

    return _NEEDS_ESCAPE.sub(one, value)


def literal(
    value: str | bool | int | float,
    *,
    datatype: str | None = None,
    language: str | None = None,
) -> SparqlTerm:
    """A literal: ``"text"``, ``"text"@de``, ``"text"^^<datatype>``.

    ``bool``, ``int`` and ``float`` become ``xsd:boolean``, ``xsd:integer`` and
    ``xsd:double`` unless a ``datatype`` is given. A string ``datatype`` of
    ``xsd:string`` is written as a plain string (RDF 1.1: the same literal).
    """
    if language is not None and datatype not in (None, RDF_LANG_STRING):
        raise UnsafeValue("a literal has a language or a datatype, not both")
    if isinstance(value, bool):
        text, implied = ("true" if value else "false"), XSD + "boolean"
    elif isinstance(value, int):
        text, implied = str(value), XSD + "integer"
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            text = "NaN" if value != value else ("INF" if value > 0 else "-INF")
        else:
            text = repr(value)
        implied = XSD + "double"
    else:
        text, implied = value, XSD + "string"
    _check_text(text, "literal")
    quoted = f'"{_escape(text)}"'
    if language is not None:
        if not _LANGTAG.fullmatch(language):
            raise UnsafeValue(
                f"{language!r} is not a language tag (letters, then '-'-separated letters "
                "or digits, e.g. 'de' or 'en-GB')"
            )
        return SparqlTerm(f"{quoted}@{language}")
    kind = datatype or implied
    if kind == XSD + "string":
        return SparqlTerm(quoted)
    return SparqlTerm(f"{quoted}^^{iri(kind)}")


def term(value: Term) -> SparqlTerm:
    """One :class:`Term` as SPARQL text; blank nodes cannot be named in a query."""
    if value.kind == "iri":
        return iri(value.value)
    if value.kind == "literal":
        return literal(value.value, datatype=value.datatype, language=value.language)
    raise UnsafeValue(
        "a blank node cannot be written into a query: its label names another node there "
        "(SPARQL 1.1 Query §4.1.4)"
    )


def variable(name: str) -> str:
    """``?name``, or :class:`UnsafeValue` when ``name`` is not a plain variable name."""
    if not _VARNAME.fullmatch(name):
        raise UnsafeValue(f"{name!r} is not a variable name (ASCII letters, digits, '_')")
    return f"?{name}"


def values(variables: Sequence[str], rows: Iterable[Sequence[SparqlTerm | None]]) -> str:
    """A ``VALUES`` block binding ``variables`` to each row (``None`` is ``UNDEF``).

    Every row has one term per variable; an empty ``rows`` gives a block with no
    solutions (the group it stands in matches nothing), as §10.2.1 defines.
    """
    if not variables:
        raise UnsafeValue("a VALUES block needs at least one variable")
    names = " ".join(variable(name) for name in variables)
    lines = []
    for number, row in enumerate(rows, 1):
        if len(row) != len(variables):
            raise UnsafeValue(
                f"VALUES row {number} has {len(row)} terms for {len(variables)} variables"
            )
        lines.append("(" + " ".join("UNDEF" if t is None else t for t in row) + ")")
    return f"VALUES ({names}) {{ {' '.join(lines)} }}"

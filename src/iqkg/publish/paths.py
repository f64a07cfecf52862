"""Where an IRI under the base lives on this server, and back.

The base (``https://w3id.org/iqkg/``) need not be the server's own origin: a persistent
identifier service redirects ``{base}id/network/bayern`` to ``{server}/id/network/bayern``.
So the server's path ``/X`` stands for ``{base}X``; when the base *is* served here (or the
request arrives with the base's own path, e.g. ``/iqkg/id/...``) those readings are tried
too (:func:`candidate_iris`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from iqkg.rdf.formats import GRAPH_SYNTAXES, RdfSyntax
from iqkg.rdf.iris import valid_iri

#: Extensions of the format-specific documents, in the order Link headers list them.
HTML_EXTENSION = "html"
DOCUMENT_EXTENSIONS: tuple[str, ...] = (HTML_EXTENSION, *(s.extension for s in GRAPH_SYNTAXES))


def syntax_for_extension(extension: str) -> RdfSyntax | None:
    for syntax in GRAPH_SYNTAXES:
        if syntax.extension == extension:
            return syntax
    return None


def split_extension(path: str) -> tuple[str, str | None]:
    """``/id/x/y.ttl`` → (``/id/x/y``, ``ttl``); unknown or no extension → (path, None)."""
    head, dot, tail = path.rpartition(".")
    if dot and "/" not in tail and tail in DOCUMENT_EXTENSIONS:
        return head, tail
    return path, None


def candidate_iris(path: str, base: str, origin: str) -> list[str]:
    """The IRIs a request path may stand for, most likely first (no duplicates).

    Only valid IRIs: a path (``/id/a%20b``) or an origin (from a ``Host: a%zz`` header)
    that cannot be part of an IRI stands for nothing."""
    relative = path.lstrip("/")
    candidates = [base + relative, origin.rstrip("/") + "/" + relative]
    base_path = urlsplit(base).path.lstrip("/")
    if base_path and relative.startswith(base_path):
        candidates.append(base + relative[len(base_path) :])
    unique: list[str] = []
    for iri in candidates:
        if iri not in unique and valid_iri(iri):
            unique.append(iri)
    return unique


def local_path(iri: str, base: str) -> str | None:
    """The server path of an IRI under the base (``/id/...``), or None for other IRIs.

    Also None when the path would not stay on this server: ``{base}/evil.example/x``
    would give ``//evil.example/x``, which a browser reads as another host (RFC 3986
    §4.2, network-path reference; browsers treat ``/\\`` alike). Such an IRI is linked
    as itself, absolute, or not at all."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if rest.startswith(("/", "\\")):
        return None
    return "/" + rest

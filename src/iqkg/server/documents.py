"""Format-specific documents and the one negotiation pattern that leads to them.

The IRI of a thing answers **303 See Other** to the document the client prefers (W3C
"Cool URIs for the Semantic Web" §4.3; "Best Practice Recipes for Publishing RDF
Vocabularies", recipe 3): ``/id/x`` → ``/id/x.ttl`` … with ``Vary: Accept`` and ``Link``
headers naming every alternate. Documents answer 200 with the same alternates and an
``ETag`` tied to the dataset version (304s: :mod:`iqkg.server.conditional`). HTML is
offered first, so ``*/*`` and a missing Accept get the page; media types come from
:mod:`iqkg.rdf.formats`, negotiated there.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from iqkg.errors import NotAcceptable
from iqkg.publish.paths import DOCUMENT_EXTENSIONS, HTML_EXTENSION, syntax_for_extension
from iqkg.rdf.formats import GRAPH_SYNTAXES, JSON_LD, negotiate
from iqkg.server.conditional import entity_tag, not_modified
from iqkg.server.errors import error_response
from iqkg.server.templates import not_found_page

HTML_TYPES = ("text/html",)
RDF_EXTENSIONS = tuple(s.extension for s in GRAPH_SYNTAXES)
#: A client that asks for plain JSON gets JSON-LD, which is JSON (JSON-LD 1.1 §9.1 lets
#: JSON-LD be served as application/json). Offered last, so it never wins a tie.
PLAIN_JSON = "application/json"


def choose_extension(accept: str | None, *, html: bool = True, html_first: bool = True) -> str:
    """The document extension the Accept header prefers (HTML first on ties, unless
    ``html_first`` is false: then RDF wins ties and HTML goes only to who prefers it)."""
    rdf = [mt for s in GRAPH_SYNTAXES for mt in s.media_types]
    if not html:
        offered = [*rdf, PLAIN_JSON]
    elif html_first:
        offered = [*HTML_TYPES, *rdf, PLAIN_JSON]
    else:
        offered = [*rdf, PLAIN_JSON, *HTML_TYPES]
    chosen = negotiate(accept, offered)
    if chosen in HTML_TYPES:
        return HTML_EXTENSION
    if chosen == PLAIN_JSON:
        return JSON_LD.extension
    return next(s.extension for s in GRAPH_SYNTAXES if chosen in s.media_types)


def _media_type(extension: str) -> str:
    syntax = syntax_for_extension(extension)
    return syntax.media_type if syntax else "text/html"


def alternates(stem: str, *, html: bool = True, query: str = "") -> str:
    extensions = DOCUMENT_EXTENSIONS if html else RDF_EXTENSIONS
    suffix = f"?{query}" if query else ""
    return ", ".join(
        f'<{stem}.{ext}{suffix if ext == HTML_EXTENSION else ""}>; rel="alternate"; '
        f'type="{_media_type(ext)}"'
        for ext in extensions
    )


def see_other(
    request: Request, stem: str, *, html: bool = True, html_first: bool = True
) -> Response:
    """303 to the document the client prefers (Cool URIs §4.3)."""
    extension = choose_extension(request.headers.get("accept"), html=html, html_first=html_first)
    query = request.url.query
    location = f"{stem}.{extension}" + (f"?{query}" if query and extension == "html" else "")
    links = alternates(stem, html=html, query=query)
    return RedirectResponse(
        location,
        status_code=303,
        headers={"Vary": "Accept", "Link": f'<{location}>; rel="describedby", {links}'},
    )


def rdf_response(
    request: Request, body: bytes, extension: str, stem: str, version: str, *, html: bool = True
) -> Response:
    tag = entity_tag(version, extension)
    headers = {"Link": alternates(stem, html=html), "ETag": tag, "Cache-Control": "no-cache"}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    syntax = syntax_for_extension(extension)
    assert syntax is not None
    media = syntax.media_type + ("; charset=utf-8" if syntax.media_type.startswith("text/") else "")
    return Response(body, media_type=media, headers=headers)


def not_found(request: Request, what: str) -> Response:
    """404 as a page for browsers, as text/JSON for everyone else."""
    message = f"{what} is not in the knowledge graph."
    try:
        wants = negotiate(request.headers.get("accept"), [*HTML_TYPES, "text/plain"])
    except NotAcceptable:
        wants = "text/plain"
    if wants in HTML_TYPES:
        return not_found_page(request, message)
    return error_response(request, 404, message)

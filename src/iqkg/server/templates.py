"""Every HTML page of the site: one template setup, one language rule, one way to render.

- **Templates.** One :class:`~starlette.templating.Jinja2Templates` over
  ``iqkg/templates/``, built once by the lifespan (:func:`build_templates`) and held by
  :class:`~iqkg.server.services.Services`. Every page extends ``publish/base.html``: the
  same header (search box, navigation, language switch) and footer everywhere.
- **Language.** :func:`request_language` is the one rule, for pages and API answers
  alike: ``?lang=`` (remembered in the ``iqkg_lang`` cookie), then the cookie, then
  ``Accept-Language``, then English. An unknown ``?lang`` or cookie is ignored, never an
  error. Use it as a dependency (``lang: Language``) or call it with the request.
- **Words.** Every visible string comes from one catalogue,
  :data:`iqkg.messages.MESSAGES`, as ``t("key")`` in templates.

:func:`render` answers with the page, ``Content-Language``, ``Vary: Accept-Language,
Cookie`` and, when ``?lang`` chose, the cookie. A page that depends only on the dataset
version and the language gets its validators from :func:`page_headers` (a weak ``ETag``
of the version, the language and the representation) and answers 304 through
:func:`iqkg.server.conditional.not_modified` before it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from iqkg import __version__
from iqkg.messages import LANGUAGES, MESSAGES, translator
from iqkg.publish.language import Text, choose_language, pick
from iqkg.server.conditional import entity_tag
from iqkg.server.services import get_services

#: The cookie that remembers the reader's choice of language.
LANG_COOKIE = "iqkg_lang"
#: The names of the languages, each in itself (the switch shows them so).
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
#: The layout every page extends.
BASE_TEMPLATE = "publish/base.html"


def _text(value: Text | None) -> Markup:
    """A piece of data text, in a span carrying its language when it differs."""
    if value is None:
        return Markup("")
    if value.lang:
        return Markup('<span lang="{}">{}</span>').format(value.lang, value.value)
    return Markup("{}").format(value.value)


def build_templates() -> Jinja2Templates:
    """The one template setup of the site (the lifespan builds it once)."""
    environment = Environment(
        loader=PackageLoader("iqkg", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["text"] = _text
    environment.globals["pick"] = pick
    return Jinja2Templates(env=environment)


def request_language(request: Request) -> str:
    """The reader's language: ``?lang``, cookie, ``Accept-Language``, English."""
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


#: The request language as a FastAPI dependency: ``lang: Language``.
Language = Annotated[str, Depends(request_language)]


def page_path(request: Request) -> str:
    # One leading slash: "//host/x" in a link would lead to another host (RFC 3986 §4.2).
    return "/" + request.url.path.lstrip("/")


def language_links(request: Request) -> list[tuple[str, str, str]]:
    """``(code, name, href)`` per language: this page in it, its other parameters kept."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    path = page_path(request)
    return [
        (code, LANGUAGE_NAMES[code], path + "?" + urlencode([*kept, ("lang", code)]))
        for code in LANGUAGES
    ]


def page_context(request: Request, lang: str) -> dict[str, Any]:
    """What the layout needs on every page."""
    return {
        "request": request,
        "lang": lang,
        "t": translator(lang),
        "languages": LANGUAGES,
        "language_links": language_links(request),
        "path": page_path(request),
    }


def page_html(
    templates: Jinja2Templates, request: Request, template: str, context: Mapping[str, Any]
) -> str:
    """The page as text (callable in the thread pool for large pages)."""
    lang = request_language(request)
    return templates.get_template(template).render({**page_context(request, lang), **context})


def _vary(headers: Mapping[str, str]) -> str:
    """The page's ``Vary``: what ``headers`` name, and the language's inputs."""
    vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
    vary += [v for v in ("Accept-Language", "Cookie") if v not in vary]
    return ", ".join(vary)


#: The ``version`` of :func:`page_headers` for a page that shows nothing but its template
#: and its words, which change only with the software (whose version the tag holds).
STATIC_PAGE = "static"


def page_headers(
    request: Request,
    version: str,
    representation: str,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers of a page that depends only on ``version`` (of the dataset, or of
    what else it shows) and the reader's language: a weak ``ETag`` of both, the
    representation and the software's version (templates change with it),
    ``Cache-Control: no-cache`` (revalidate every time) and the page's ``Vary``.

    The same headers go on the 200 and on its 304 (pass them to ``not_modified`` first,
    then to :func:`render`). Never for a page built per caller: those are ``private``.
    """
    lang = request_language(request)
    given = dict(headers or {})
    return {
        **given,
        "ETag": entity_tag(version, lang, representation, __version__, weak=True),
        "Cache-Control": given.get("Cache-Control", "no-cache"),
        "Content-Language": lang,
        "Vary": _vary(given),
    }


def html_response(
    request: Request,
    page: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A rendered page with the language headers and, when ``?lang`` chose, the cookie."""
    response = HTMLResponse(page, status_code=status, headers=dict(headers or {}))
    response.headers["Content-Language"] = request_language(request)
    response.headers["Vary"] = _vary({"Vary": response.headers.get("Vary", "")})
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` (which extends the layout) for the reader of ``request``."""
    templates = get_services(request).templates
    page = page_html(templates, request, template, context)
    return html_response(request, page, status=status, headers=headers)


def not_found_page(request: Request, message: str) -> HTMLResponse:
    return error_page(request, 404, message)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page of the site, in the reader's language."""
    key = f"error_{status}" if f"error_{status}" in MESSAGES else "error"
    text = f"error_text_{status}" if f"error_text_{status}" in MESSAGES else "error_text"
    context = {"status": status, "message": message, "heading_key": key, "text_key": text}
    return render(request, "publish/error.html", context, status=status)

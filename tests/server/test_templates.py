"""The one language rule and the language switch of every page (server/templates.py)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from iqkg.messages import MESSAGES
from iqkg.server.queries import EDITOR_WORDS, YASGUI_WORDS
from iqkg.server.templates import language_links, request_language


def _request(query: str = "", cookie: str | None = None, accept: str | None = None) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", f"iqkg_lang={cookie}".encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/search",
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("lang=de", "en", "en", "de"),  # ?lang first
        ("lang=en", "de", "de", "en"),
        ("", "de", "en", "de"),  # then the cookie
        ("", None, "de-AT,de;q=0.9,en;q=0.5", "de"),  # then Accept-Language
        ("", None, "fr, en;q=0.3", "en"),
        ("", None, "fr", "en"),  # then English
        ("", None, None, "en"),
        ("lang=xx", None, "de", "de"),  # an unknown ?lang is ignored
        ("lang=xx", "de", "en", "de"),
        ("lang=", None, "de", "de"),
        ("", "xx", "de", "de"),  # so is an unknown cookie
        ("lang=DE", None, "en", "en"),
    ],
)
def test_the_one_language_rule(
    query: str, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert request_language(_request(query, cookie, accept)) == expected


def test_language_links_keep_every_other_parameter() -> None:
    links = language_links(_request("q=Baden+W%C3%BCrttemberg&type=x&lang=de&type=y"))
    assert links == [
        ("de", "Deutsch", "/search?q=Baden+W%C3%BCrttemberg&type=x&type=y&lang=de"),
        ("en", "English", "/search?q=Baden+W%C3%BCrttemberg&type=x&type=y&lang=en"),
    ]


def test_the_editor_words_are_in_the_catalogue() -> None:
    for key in (*EDITOR_WORDS, *YASGUI_WORDS):
        assert key in MESSAGES, key

"""The reader's language: ``?lang=``, then the remembered choice, then Accept-Language.

Only German and English are offered; the data carries both. Accept-Language is a
language-range list with q-values (RFC 9110 §12.5.4), not a media-type list, so it is
read here rather than with the media-type negotiation of :mod:`iqkg.rdf.formats`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from iqkg.messages import LANGUAGES

DEFAULT_LANGUAGE = "en"


def _ranges(header: str) -> list[tuple[float, int, str]]:
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        if not tag:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((quality, position, tag))
    return ranges


def from_accept_language(header: str | None) -> str | None:
    """The offered language the header prefers most, or None if it names none of them."""
    best: tuple[float, int, str] | None = None
    for quality, position, tag in _ranges(header or ""):
        primary = tag.split("-", 1)[0]
        language = primary if primary in LANGUAGES else None
        if tag == "*":
            language = DEFAULT_LANGUAGE
        if language is None or quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, language)
    return best[2] if best else None


def choose_language(query: str | None, remembered: str | None, accept_language: str | None) -> str:
    for candidate in (query, remembered):
        if candidate in LANGUAGES:
            return candidate
    return from_accept_language(accept_language) or DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Text:
    """A piece of text and the language it is in (``""`` when untagged), for ``lang=``."""

    value: str
    lang: str = ""


def pick(texts: Mapping[str, Iterable[str]] | None, lang: str) -> Text | None:
    """The text in ``lang``, else the other offered language, else untagged, else any."""
    if not texts:
        return None
    order = [lang, *(x for x in LANGUAGES if x != lang), "", *sorted(texts)]
    for key in order:
        values = sorted(texts.get(key, ()))
        if values:
            return Text(values[0], key)
    return None

"""Conditional requests (RFC 9110 §13): the one place that decides 304, 412 or go on.

Every answer of the site that has an ``ETag`` — SPARQL results, documents, dumps, VoID,
the graph store, pages, static files — is checked here, so they all read the
preconditions the same way:

- ``If-None-Match`` compares **weakly** (§8.8.3.2: ``W/"a"`` matches ``"a"``), takes a
  list (``"a", W/"b"``) and ``*``; a match is 304 for ``GET``/``HEAD``, 412 otherwise.
- ``If-Modified-Since`` counts only for ``GET``/``HEAD`` and only without
  ``If-None-Match`` (§13.1.3); a date that is not an HTTP-date is ignored.
- ``If-Match`` compares **strongly** (a weak tag never matches) and, with
  ``If-Unmodified-Since`` (only without ``If-Match``), guards writes: 412 when the
  representation the client saw is no longer the current one.
- The order of evaluation is §13.2.2's. A list that does not parse as entity tags
  matches nothing (an unquoted ``abc`` is not a tag), so it never causes a 304.

:func:`evaluate` is the decision alone (pure, for the tests); :func:`not_modified` is
what a ``GET`` route calls with the headers its 200 would carry, :func:`check_write`
what a write calls with the current validators. A 304 carries the validators and caching
headers of the 200 (§15.4.5): ``ETag``, ``Last-Modified``, ``Cache-Control``, ``Vary``,
``Content-Location``, ``Expires``, ``Date``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from iqkg.errors import PreconditionFailed


class Outcome(enum.Enum):
    """What the preconditions of a request say."""

    PROCEED = 200
    NOT_MODIFIED = 304
    PRECONDITION_FAILED = 412


@dataclass(frozen=True)
class EntityTag:
    """An entity tag (RFC 9110 §8.8.3): the quoted opaque part and whether it is weak."""

    opaque: str
    weak: bool = False

    def __str__(self) -> str:
        return ("W/" if self.weak else "") + self.opaque

    def strong_match(self, other: EntityTag) -> bool:
        return not self.weak and not other.weak and self.opaque == other.opaque

    def weak_match(self, other: EntityTag) -> bool:
        return self.opaque == other.opaque


@dataclass(frozen=True)
class Validators:
    """The current representation's validators. ``etags`` holds more than one tag only
    for a write that may have been read in any of several representations."""

    etags: tuple[EntityTag, ...] = ()
    last_modified: datetime | None = None

    @classmethod
    def of_headers(cls, headers: Mapping[str, str]) -> Validators:
        """The validators an answer's headers state (``ETag``, ``Last-Modified``)."""
        lower = {k.lower(): v for k, v in headers.items()}
        tag = parse_tag(lower.get("etag", ""))
        modified = lower.get("last-modified")
        return cls((tag,) if tag else (), http_date(modified) if modified else None)


#: RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (etagc: no DQUOTE, no
#: space, no control character; obs-text allowed).
_TAG = re.compile(r'(W/)?("[\x21\x23-\x7e\x80-\xff]*")')
#: Optional white space and commas before a list element (RFC 9110 §5.6.1: empty elements
#: are allowed), and what may follow a tag: the end, or white space and a comma.
_SEPARATOR = re.compile(r"[ \t,]*")
_AFTER_TAG = re.compile(r"[ \t]*(,|$)")
#: The headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5), with
#: Last-Modified, which caches use to update what they hold.
KEPT_ON_304 = frozenset(
    ("cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified")
)
#: The request headers that make a request conditional (RFC 9110 §13.1), as Starlette's
#: raw header names (lower case bytes).
_PRECONDITIONS = frozenset(
    (b"if-match", b"if-unmodified-since", b"if-none-match", b"if-modified-since")
)


def entity_tag(*parts: str, weak: bool = False) -> str:
    """An ``ETag`` value from ``parts`` (joined by ``-``), weak when ``weak``."""
    return ("W/" if weak else "") + '"' + "-".join(parts) + '"'


def parse_tag(value: str) -> EntityTag | None:
    """One entity tag, or None when ``value`` is not one."""
    found = _TAG.fullmatch(value.strip())
    return EntityTag(found.group(2), bool(found.group(1))) if found else None


def parse_tag_list(value: str) -> tuple[EntityTag, ...] | Literal["*"]:
    """``*`` or the entity tags of an ``If-Match``/``If-None-Match`` value (§13.1.1).

    Empty list elements are allowed (§5.6.1); a value in which any element is not an
    entity tag gives no tags at all: it matches nothing.
    """
    if value.strip() == "*":
        return "*"
    tags = []
    position = 0
    # Read tag by tag, not split at commas: a comma may be inside the quotes of a tag.
    while (found := _SEPARATOR.match(value, position)) and found.end() < len(value):
        tag = _TAG.match(value, found.end())
        if tag is None:
            return ()
        tags.append(EntityTag(tag.group(2), bool(tag.group(1))))
        position = tag.end()
        if not _AFTER_TAG.match(value, position):
            return ()
    return tuple(tags)


def http_date(value: str) -> datetime | None:
    """An HTTP-date (RFC 9110 §5.6.7) as an aware datetime, or None if it is not one."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_http_date(moment: datetime) -> str:
    """``moment`` as an HTTP-date (whole seconds, GMT)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _matches(header: str, current: Validators | None, *, weak: bool) -> bool:
    listed = parse_tag_list(header)
    if listed == "*":
        return current is not None
    if current is None:
        return False
    return any(
        (c.weak_match(t) if weak else c.strong_match(t)) for c in current.etags for t in listed
    )


def _modified_since(current: Validators | None, header: str) -> bool | None:
    """Whether the representation changed after the date in ``header``; None: unknown."""
    since = http_date(header)
    if since is None or current is None or current.last_modified is None:
        return None
    return current.last_modified.replace(microsecond=0) > since


def evaluate(method: str, headers: Mapping[str, str], current: Validators | None) -> Outcome:
    """The preconditions of a request in RFC 9110 §13.2.2's order.

    ``headers`` are the request's (keys in lower case, as Starlette gives them);
    ``current`` the validators of the current representation, None when there is none
    (a write that would create the resource).
    """
    safe = method.upper() in ("GET", "HEAD")
    if_match = headers.get("if-match")
    unmodified_since = headers.get("if-unmodified-since")
    if_none_match = headers.get("if-none-match")
    modified_since = headers.get("if-modified-since")
    # Steps 1 and 2: the write guards; If-Unmodified-Since only without If-Match.
    if if_match is not None:
        if not _matches(if_match, current, weak=False):
            return Outcome.PRECONDITION_FAILED
    elif unmodified_since is not None and _modified_since(current, unmodified_since):
        return Outcome.PRECONDITION_FAILED
    # Steps 3 and 4: the cache's; If-Modified-Since only without If-None-Match.
    if if_none_match is not None:
        if _matches(if_none_match, current, weak=True):
            return Outcome.NOT_MODIFIED if safe else Outcome.PRECONDITION_FAILED
    elif safe and modified_since is not None and _modified_since(current, modified_since) is False:
        return Outcome.NOT_MODIFIED
    return Outcome.PROCEED


def not_modified(request: Request, headers: Mapping[str, str]) -> Response | None:
    """For a ``GET``/``HEAD`` whose 200 would carry ``headers``: the 304 to send instead,
    or None (send the 200). Raises :class:`~iqkg.errors.PreconditionFailed` (412) when
    ``If-Match``/``If-Unmodified-Since`` fail."""
    # Most requests carry no precondition: answer them without parsing our validators
    # (this runs on every SPARQL GET; parsing them cost ~12 µs of ~600 per cheap query).
    if not any(name in _PRECONDITIONS for name, _ in request.headers.raw):
        return None
    outcome = evaluate(request.method, request.headers, Validators.of_headers(headers))
    if outcome is Outcome.PRECONDITION_FAILED:
        raise PreconditionFailed(_failed_message(request))
    if outcome is Outcome.PROCEED:
        return None
    return Response(status_code=304, headers=not_modified_headers(headers))


def not_modified_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of the 200 that its 304 carries too."""
    return {k: v for k, v in headers.items() if k.lower() in KEPT_ON_304}


def check_write(request: Request, current: Validators | None) -> None:
    """Before a write: raise 412 unless the request's preconditions hold for ``current``
    (None: the target does not exist yet, so ``If-None-Match: *`` holds, ``If-Match``
    does not)."""
    if evaluate(request.method, request.headers, current) is not Outcome.PROCEED:
        raise PreconditionFailed(_failed_message(request))


def validators(etags: Sequence[str], last_modified: datetime | None = None) -> Validators:
    """Validators from ``ETag`` values (those that do not parse are left out)."""
    parsed = tuple(tag for value in etags if (tag := parse_tag(value)) is not None)
    return Validators(parsed, last_modified)


def _failed_message(request: Request) -> str:
    conditions = ("If-Match", "If-Unmodified-Since", "If-None-Match")
    named = [h for h in conditions if h in request.headers]
    return (
        f"the precondition of the request ({', '.join(named)}) does not hold: the "
        "representation changed since it was read. Read it again (GET) and retry."
    )

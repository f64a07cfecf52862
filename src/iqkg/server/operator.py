"""Who is the operator: ``Authorization: Bearer <token>`` or Basic with the token as password.

The operator (``IQKG_ADMIN_TOKEN``) may write through ``/update`` and the Graph Store
Protocol. Bearer is what scripts send; Basic (RFC 7617, user ``IQKG_ADMIN_USER``, the
token as password) is what stock tools such as Jena's ``rupdate`` and rdflib's
SPARQLUpdateStore know. A 401 carries one challenge for each scheme.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Request

from iqkg.errors import NotFound, OperatorUnauthorized
from iqkg.settings import Settings


def require_operator(request: Request, settings: Settings, what: str) -> None:
    """Return when the request carries the operator's credentials, else raise 404/401."""
    if not settings.admin_token:
        raise NotFound(f"{what} is disabled: the operator has not set IQKG_ADMIN_TOKEN.")
    token = settings.admin_token.encode()
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    scheme = scheme.lower()  # RFC 9110 §11.1: the scheme is case-insensitive
    if scheme == "bearer" and hmac.compare_digest(credentials.strip().encode(), token):
        return
    if scheme == "basic" and _basic_matches(credentials.strip(), settings.admin_user, token):
        return
    raise OperatorUnauthorized(
        f"{what} needs the operator's credentials: Authorization: Bearer <token>, or Basic "
        f"with user {settings.admin_user!r} and the token as password."
    )


def _basic_matches(credentials: str, user: str, token: bytes) -> bool:
    try:
        decoded = base64.b64decode(credentials, validate=True)
    except (binascii.Error, ValueError):
        return False
    given_user, _, password = decoded.partition(b":")
    # Both compared, always: no early exit that tells which one was wrong.
    user_ok = hmac.compare_digest(given_user, user.encode())
    password_ok = hmac.compare_digest(password, token)
    return user_ok and password_ok

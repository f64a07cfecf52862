"""The CLI as a client of a running iqkg server.

While ``iqkg serve`` runs it holds the store's lock, so reading commands ask the server
instead: queries go through the SPARQL 1.1 Protocol (``POST /sparql``, form-encoded, §2.1.2)
and exports read the published N-Quads dump (``/dumps/iqkg.nq.gz``). Both are public
interfaces the server keeps stable; the CLI never opens the server's query checkpoints,
which the server prunes whenever it likes.
"""

from __future__ import annotations

import gzip

import httpx
from pyoxigraph import Quad, RdfFormat, parse

from iqkg.errors import InputError, IqkgError

#: A query or a dump may take as long as the server allows; the server enforces deadlines.
TIMEOUT = httpx.Timeout(600, connect=10)


class ServerUnreachable(IqkgError):
    """No iqkg server answers at the endpoint."""


def _message(response: httpx.Response) -> str:
    """The server's own explanation of an error (JSON ``message`` or the text body)."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()
    return str(data.get("message", response.text)) if isinstance(data, dict) else response.text


class ServerClient:
    """A running iqkg at ``endpoint`` (``http://host:port``), read over HTTP."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def _request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = httpx.request(
                method,
                self.endpoint + path,
                timeout=TIMEOUT,
                **kwargs,  # type: ignore[arg-type]
            )
        except httpx.HTTPError as error:
            raise ServerUnreachable(f"no iqkg server answers at {self.endpoint}: {error}") from None
        if response.status_code >= 400:
            message = f"{self.endpoint}{path}: {response.status_code}: {_message(response)}"
            raise (InputError if response.status_code < 500 else IqkgError)(message)
        return response

    def query(self, sparql: str, accept: str) -> tuple[str, bytes]:
        """Run ``sparql``; returns the answer's media type and body."""
        response = self._request(
            "POST", "/sparql", data={"query": sparql}, headers={"Accept": accept}
        )
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return media_type, response.content

    def public_quads(self) -> list[Quad]:
        """Every quad of the public dataset, as the server publishes it in its dump."""
        response = self._request("GET", "/dumps/iqkg.nq.gz")
        return list(parse(gzip.decompress(response.content), format=RdfFormat.N_QUADS))

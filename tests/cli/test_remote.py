"""cli/remote.py: the CLI as a client of a running server, against a small local HTTP
server standing in for iqkg (a real socket on loopback, no network)."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from iqkg.cli.remote import ServerClient, ServerUnreachable
from iqkg.errors import InputError, IqkgError

QUAD = ox.Quad(
    ox.NamedNode("https://e/s"),
    ox.NamedNode("https://e/p"),
    ox.Literal("o"),
    ox.NamedNode("https://e/g"),
)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        query = form["query"][0]
        if query == "bad":
            body = json.dumps({"status": 400, "message": "the query does not parse"}).encode()
            self._send(400, "application/json", body)
        elif query == "crash":
            self._send(503, "text/plain", b"the store is unavailable\n")
        else:
            self._send(200, self.headers["Accept"] + "; charset=utf-8", query.encode())

    def do_GET(self) -> None:
        if self.path == "/dumps/iqkg.nq.gz":
            body = gzip.compress(ox.serialize([QUAD], format=ox.RdfFormat.N_QUADS) or b"")
            self._send(200, "application/gzip", body)
        else:
            self._send(404, "application/json", b'["not an object"]')


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_query_sends_the_form_and_returns_media_type_and_body(endpoint: str) -> None:
    media_type, body = ServerClient(endpoint).query("SELECT * {}", "Text/CSV")
    assert (media_type, body) == ("text/csv", b"SELECT * {}")


def test_client_errors_carry_the_servers_message(endpoint: str) -> None:
    with pytest.raises(InputError) as raised:
        ServerClient(endpoint).query("bad", "text/csv")
    assert raised.value.message.endswith("/sparql: 400: the query does not parse")


def test_server_errors_are_not_input_errors(endpoint: str) -> None:
    with pytest.raises(IqkgError) as raised:
        ServerClient(endpoint).query("crash", "text/csv")
    assert not isinstance(raised.value, InputError)
    assert raised.value.message.endswith("503: the store is unavailable")


def test_json_that_is_not_an_object_is_shown_as_text(endpoint: str) -> None:
    with pytest.raises(InputError, match=r'404: \["not an object"\]'):
        ServerClient(endpoint)._request("GET", "/nothing")


def test_public_quads_from_the_dump(endpoint: str) -> None:
    assert ServerClient(endpoint.rstrip("/")).public_quads() == [QUAD]


def test_no_server_is_unreachable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        ServerUnreachable, match=f"no iqkg server answers at http://127.0.0.1:{port}"
    ):
        ServerClient(f"http://127.0.0.1:{port}").query("ASK {}", "text/csv")

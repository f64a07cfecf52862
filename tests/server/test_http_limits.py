"""HTTP limits of the real server (issue #9, finding 9; the HTTP server choice of #10):
bounded heads, read deadlines that dribbling cannot extend, a connection cap, and the
bodies of requests that carry ``Upgrade: h2c`` (Java's HTTP client) arriving whole."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import sparql_env
from tests.support.server import RunningServer, start_server

#: Long enough never to fire by accident on a loaded machine, short enough for a test.
HEAD_TIMEOUT = 2
BODY_TIMEOUT = 3
#: How long a test keeps trying before it calls a connection "held for ever".
PATIENCE = 60


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("limits") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_HEAD_TIMEOUT=str(HEAD_TIMEOUT),
            IQKG_BODY_TIMEOUT=str(BODY_TIMEOUT),
            IQKG_MAX_HEADER_BYTES="8192",
        ),
    )
    yield running
    running.stop()


def connect(server: RunningServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    return sock


def closed_by_server(sock: socket.socket, dribble: bytes = b"") -> float:
    """Seconds until the server closes ``sock`` while we send ``dribble`` a byte at a time.

    Fails the test if the connection is still open after :data:`PATIENCE` seconds.
    """
    started = time.monotonic()
    sock.settimeout(0.25)
    position = 0
    while time.monotonic() - started < PATIENCE:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            pass
        except ConnectionResetError:
            return time.monotonic() - started
        if position < len(dribble):
            try:
                sock.sendall(dribble[position : position + 1])
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - started
            position += 1
    raise AssertionError(f"the server kept the connection open for {PATIENCE} s")


def test_an_idle_connection_is_closed(guarded: RunningServer) -> None:
    with connect(guarded) as sock:
        closed_by_server(sock)


def test_a_head_sent_a_byte_at_a_time_does_not_hold_the_connection(
    guarded: RunningServer,
) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4000
    with connect(guarded) as sock:
        closed_by_server(sock, dribble=head)


#: A query POST that announces 1,000 bytes of body.
POST_1000 = (
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 1000\r\n\r\n"
)


def test_a_body_that_never_completes_is_cut_off(guarded: RunningServer) -> None:
    with connect(guarded) as sock:
        sock.sendall(POST_1000)
        closed_by_server(sock, dribble=b"S" * 999)
    assert httpx.get(f"{guarded.url}/health").status_code == 200


def test_a_client_that_leaves_mid_body_is_no_server_error(guarded: RunningServer) -> None:
    """Starlette raises ClientDisconnect into the body read; it was logged as a 500."""
    with connect(guarded) as sock:
        sock.sendall(POST_1000 + b"ASK {")
        time.sleep(0.5)  # the application is reading the body
    time.sleep(2)  # the disconnect reaches the application at once; give it ample time
    assert httpx.get(f"{guarded.url}/health").status_code == 200
    assert "unhandled error" not in guarded.log_text()
    assert "ClientDisconnect" not in guarded.log_text()


def test_a_kept_alive_connection_gets_a_new_head_deadline(guarded: RunningServer) -> None:
    with connect(guarded) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in sock.recv(65536)
        closed_by_server(sock, dribble=b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 500)


def test_an_oversized_head_is_refused_without_being_buffered(guarded: RunningServer) -> None:
    with connect(guarded) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), answer[:200]
    assert httpx.get(f"{guarded.url}/health").status_code == 200


def test_a_head_over_the_limit_in_one_piece_gets_431(guarded: RunningServer) -> None:
    response = httpx.get(f"{guarded.url}/health", headers={"X-Big": "a" * 9000})
    assert response.status_code == 431
    assert "at most 8192" in response.text


def test_a_java_style_h2c_upgrade_post_keeps_its_body(guarded: RunningServer) -> None:
    """Java's HttpClient asks to upgrade to h2c on every request; the body must arrive."""
    query = b"ASK { ?s ?p ?o }"
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
        b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
        b"Content-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\n"
        b"User-Agent: Java-http-client/17.0.15\r\n"
        b"Content-Length: " + str(len(query)).encode() + b"\r\n\r\n" + query
    )
    with connect(guarded) as sock:
        sock.sendall(request)
        answer = b""
        while b'"boolean"' not in answer and len(answer) < 65536:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert b'"boolean":true' in answer.replace(b" ", b"")


def test_connections_beyond_the_cap_get_503(tmp_path: Path) -> None:
    server = start_server(
        tmp_path / "store", env=sparql_env(IQKG_MAX_CONNECTIONS="4", IQKG_HEAD_TIMEOUT="60")
    )
    try:
        held = [connect(server) for _ in range(4)]
        try:
            with connect(server) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + PATIENCE
        while httpx.get(f"{server.url}/health").status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover from the cap"
            time.sleep(0.1)
    finally:
        server.stop()


WIRE = json.loads((Path(__file__).parent.parent / "data/http-wire/requests.json").read_text())


def _statuses(sock: socket.socket) -> list[int]:
    """The status of every response on ``sock`` until the server closes it or goes quiet."""
    received = b""
    sock.settimeout(1.0)
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return [int(status) for status in re.findall(rb"HTTP/1\.[01] (\d{3}) ", received)]


@pytest.mark.parametrize("case", WIRE["requests"], ids=[c["id"] for c in WIRE["requests"]])
def test_raw_request(guarded: RunningServer, case: dict[str, Any]) -> None:
    """What the parser refuses (smuggling, a missing Host) and what it must accept."""
    with connect(guarded) as sock:
        sock.sendall(case["send"].encode("latin-1"))
        assert _statuses(sock) == case["answers"]
    assert httpx.get(f"{guarded.url}/health").status_code == 200

"""server/http.py in process: the 431 for a head over the limit, and the head and body
deadlines of :class:`GuardedHttpToolsProtocol` on a connection fed by hand (no socket).

The same guard against a real server over real sockets: tests/server/test_http_limits.py.
Deadlines here are short; each test asserts only what load cannot make false (a
connection is not closed before its deadline, and is closed long before a dribbling
client would have finished).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.server import ServerState

from iqkg.server.http import GuardedHttpToolsProtocol, _head_checked, guarded_protocol

HEAD_TIMEOUT = 0.3
BODY_TIMEOUT = 0.9
#: Past this a deadline that should have fired is taken as never firing.
PATIENCE = 10.0


# --- the head limit (431) ------------------------------------------------------------


async def _reached(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _run(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    await app(scope, receive, send)


def _call(
    limit: int,
    path: bytes,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    version: str = "1.1",
) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": version,
        "raw_path": path,
        "query_string": query,
        "headers": headers,
    }
    asyncio.run(_run(_head_checked(_reached, limit), scope, receive, send))
    return sent


def _size(path: bytes, query: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    """What the guard counts: path, query and each header as ``name: value\\r\\n``."""
    return len(path) + len(query) + sum(len(n) + len(v) + 4 for n, v in headers)


HEADERS = [(b"host", b"example.org"), (b"accept", b"text/turtle"), (b"cookie", b"x" * 300)]


def test_a_head_at_the_limit_reaches_the_app() -> None:
    limit = _size(b"/sparql", b"query=ASK", HEADERS)
    sent = _call(limit, b"/sparql", b"query=ASK", HEADERS)
    assert sent[0]["status"] == 204


@pytest.mark.parametrize(
    ("path", "query", "headers"),
    [
        (b"/sparql", b"query=ASKX", HEADERS),
        (b"/sparqlX", b"query=ASK", HEADERS),
        (b"/sparql", b"query=ASK", [*HEADERS[:2], (b"cookie", b"x" * 301)]),
        (b"/sparql", b"query=ASK", [*HEADERS, (b"a", b"")]),
    ],
    ids=["query", "path", "a header's value", "one more header"],
)
def test_a_head_one_past_the_limit_is_431_and_the_app_never_sees_it(
    path: bytes, query: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    limit = _size(b"/sparql", b"query=ASK", HEADERS)
    assert _size(path, query, headers) > limit
    sent = _call(limit, path, query, headers)
    start, body = sent
    assert start["status"] == 431  # RFC 6585 §5
    fields = dict(start["headers"])
    assert fields[b"connection"] == b"close"
    assert int(fields[b"content-length"]) == len(body["body"])
    assert f"at most {limit}".encode() in body["body"]


@pytest.mark.parametrize(
    ("version", "hosts", "status"),
    [("1.1", 0, 400), ("1.1", 2, 400), ("1.1", 1, 204), ("1.0", 0, 204)],
    ids=["1.1 without Host", "1.1 with two", "1.1 with one", "1.0 without Host"],
)
def test_an_http_1_1_request_needs_exactly_one_host(version: str, hosts: int, status: int) -> None:
    headers = [(b"accept", b"*/*"), *[(b"host", b"example.org")] * hosts]
    sent = _call(65_536, b"/", b"", headers, version)
    assert sent[0]["status"] == status
    if status == 400:
        assert b"exactly one Host" in sent[1]["body"]


def test_other_scopes_pass_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        return None

    asyncio.run(_run(_head_checked(app, 1), {"type": "lifespan"}, nothing, ignore))
    assert seen == ["lifespan"]


def test_configured_protocols_do_not_change_each_other() -> None:
    strict = guarded_protocol(1.0, 2.0, 100)
    lenient = guarded_protocol(30.0, 60.0, 1_000_000)
    assert issubclass(strict, GuardedHttpToolsProtocol)
    assert (strict.head_timeout, strict.body_timeout, strict.max_head_bytes) == (1.0, 2.0, 100)
    assert lenient.head_timeout == 30.0 and lenient.max_head_bytes == 1_000_000
    assert GuardedHttpToolsProtocol.head_timeout == 10.0  # the base keeps its defaults


# --- the deadlines ----------------------------------------------------------------------


class Transport(asyncio.Transport):
    """What the protocol writes, and when it closed the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed_at: float | None = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()

    def is_closing(self) -> bool:
        return self.closed_at is not None

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class App:
    """Answers every request with 200 after reading its body; remembers what it received."""

    def __init__(self) -> None:
        self.received: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.received.append(message)
            if message["type"] == "http.disconnect":
                return
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _connect(app: App) -> tuple[GuardedHttpToolsProtocol, Transport, float]:
    config = uvicorn.Config(app=app, lifespan="off", log_level="warning")
    protocol_class = guarded_protocol(HEAD_TIMEOUT, BODY_TIMEOUT, 65_536)
    protocol = protocol_class(config, ServerState(), {}, asyncio.get_running_loop())
    transport = Transport()
    opened = time.monotonic()
    protocol.connection_made(transport)
    return protocol, transport, opened


async def _until_closed(transport: Transport) -> float:
    waited = time.monotonic()
    while transport.closed_at is None and time.monotonic() - waited < PATIENCE:
        await asyncio.sleep(0.01)
    assert transport.closed_at is not None, "the connection was never closed"
    return transport.closed_at


def test_an_idle_connection_is_closed_at_the_head_deadline() -> None:
    async def scenario() -> None:
        _, transport, opened = await _connect(App())
        closed = await _until_closed(transport)
        assert closed - opened >= HEAD_TIMEOUT

    asyncio.run(scenario())


def test_dribbling_a_head_does_not_extend_its_deadline() -> None:
    head = b"GET /sparql?query=ASK HTTP/1.1\r\nHost: example.org\r\n" + b"X: y\r\n" * 100

    async def scenario() -> None:
        protocol, transport, opened = await _connect(App())
        for byte in head:  # one byte every 20 ms: 13 s for the whole head
            if transport.is_closing():
                break
            protocol.data_received(bytes([byte]))
            await asyncio.sleep(0.02)
        closed = await _until_closed(transport)
        assert HEAD_TIMEOUT <= closed - opened < PATIENCE
        assert transport.written == b""  # no answer: the request never came

    asyncio.run(scenario())


def test_a_kept_alive_connection_gets_a_new_head_deadline() -> None:
    async def scenario() -> None:
        app = App()
        protocol, transport, _ = await _connect(app)
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
        while b"ok" not in transport.written:
            await asyncio.sleep(0.01)
        answered = time.monotonic()
        assert transport.written.startswith(b"HTTP/1.1 200")
        closed = await _until_closed(transport)
        assert closed - answered >= HEAD_TIMEOUT * 0.9  # counted from the answer

    asyncio.run(scenario())


def test_a_body_that_stops_arriving_is_cut_at_the_body_deadline() -> None:
    async def scenario() -> None:
        app = App()
        protocol, transport, _ = await _connect(app)
        protocol.data_received(
            b"POST /sparql HTTP/1.1\r\nHost: example.org\r\nContent-Type: "
            b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK {"
        )
        head_done = time.monotonic()
        closed = await _until_closed(transport)
        # the body's deadline, longer than the head's, applies once the head is in
        assert closed - head_done >= BODY_TIMEOUT * 0.9
        protocol.connection_lost(None)
        for _ in range(100):
            if app.received and app.received[-1]["type"] == "http.disconnect":
                break
            await asyncio.sleep(0.01)
        assert app.received[0]["body"] == b"ASK {"
        assert app.received[-1]["type"] == "http.disconnect"
        assert b"200" not in transport.written

    asyncio.run(scenario())


# --- declined upgrades and the head bound ------------------------------------------------

H2C_HEAD = (
    b"POST /sparql HTTP/1.1\r\nHost: example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
    b"Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
    b"Content-Type: application/sparql-query\r\n"
)


async def _answers(transport: Transport, count: int) -> None:
    waited = time.monotonic()
    while transport.written.count(b"HTTP/1.1 200") < count:
        assert time.monotonic() - waited < PATIENCE, transport.written
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"Content-Length: 16\r\n\r\n", b"ASK { ?s ?p ?o }"),
        (b"Transfer-Encoding: chunked\r\n\r\n", b"5\r\nASK {\r\nb\r\n ?s ?p ?o }\r\n0\r\n\r\n"),
    ],
    ids=["content-length", "chunked"],
)
def test_an_h2c_offer_is_declined_and_the_body_and_the_next_request_arrive(
    framing: bytes, body: bytes
) -> None:
    """httptools skips the body of an upgrade request; the guard replays the head without
    the upgrade, so the body reaches the app and a pipelined request behind it is read."""

    async def scenario() -> None:
        app = App()
        protocol, transport, _ = await _connect(app)
        protocol.data_received(
            H2C_HEAD + framing + body + b"GET /health HTTP/1.1\r\nHost: example.org\r\n\r\n"
        )
        await _answers(transport, 2)
        bodies = [m.get("body") for m in app.received if m["type"] == "http.request"]
        assert b"".join(bodies[:-1]) == b"ASK { ?s ?p ?o }"
        assert bodies[-1] == b""  # the GET behind it
        assert b"101" not in transport.written  # no switch to HTTP/2
        protocol.connection_lost(None)

    asyncio.run(scenario())


def test_an_h2c_body_sent_after_its_head_arrives() -> None:
    async def scenario() -> None:
        app = App()
        protocol, transport, _ = await _connect(app)
        protocol.data_received(H2C_HEAD + b"Content-Length: 16\r\n\r\n")
        await asyncio.sleep(0.05)
        protocol.data_received(b"ASK { ?s ")
        protocol.data_received(b"?p ?o }")
        await _answers(transport, 1)
        assert b"".join(m.get("body", b"") for m in app.received) == b"ASK { ?s ?p ?o }"
        protocol.connection_lost(None)

    asyncio.run(scenario())


def test_a_head_still_incomplete_past_the_bound_is_refused_with_431() -> None:
    async def scenario() -> None:
        app = App()
        protocol, transport, _ = await _connect(app)  # bound: 65,536 bytes
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: example.org\r\n")
        for _ in range(70):
            if transport.is_closing():
                break
            protocol.data_received(b"X-Filler: " + b"a" * 1000 + b"\r\n")
        assert transport.is_closing()
        assert transport.written.startswith(b"HTTP/1.1 431 ")
        assert b"at most 65536" in transport.written
        assert app.received == []

    asyncio.run(scenario())

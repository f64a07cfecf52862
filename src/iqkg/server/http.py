"""The HTTP/1.1 connection guard: uvicorn's httptools protocol with read deadlines.

httptools parses with llhttp, in C; against h11, in Python, this guarded protocol took
0.75–0.87× the server CPU per cheap query and served 1.18–1.39× the requests at 1, 8 and
32 clients (``python -m benchmarks.ab``, benchmarks/README.md). uvicorn's httptools
protocol lacks three things iqkg needs, which this subclass adds:

* **Bodies of requests that ask for ``Upgrade: h2c``** (Java's HTTP client asks on every
  request with a body). httptools tells llhttp to skip the body of any upgrade request, so
  uvicorn gave the application an empty body (uvicorn#2722). iqkg does not upgrade to h2c
  (RFC 9113 §3.1 lets a server ignore the offer), so such a request's head is replayed into
  a fresh parser with ``upgrade`` taken out of ``Connection``: llhttp then reads the body by
  its ``Content-Length`` or chunks like any other, and pipelined requests after it too.
* **Deadlines for receiving a request** (uvicorn#157; its keep-alive timer restarts with
  every byte): a client that never sends, or sends its head one byte at a time, held a
  connection for ever. Two deadlines, counted from when the server starts waiting, not
  from the last byte, so dribbling does not extend them: the **head deadline** while the
  server waits for a request line and headers (on a new connection, and after each
  response on a kept-alive one), the **body deadline** while a request's body is still
  arriving. Past either the connection is closed; the application, if it was reading the
  body, sees the client disconnect. Once a request is complete the application's own
  deadlines apply.
* **A bound on the head**: llhttp streams a head through callbacks with no size limit. A
  head still incomplete after more than ``max_head_bytes`` is answered 431 and the
  connection closed; a complete head over the limit (one that arrived in one read) gets
  the same 431 before the application sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httptools
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with read deadlines, a head bound and h2c offers declined
    (limits in seconds and bytes, class attributes)."""

    head_timeout: float = 10.0
    body_timeout: float = 60.0
    max_head_bytes: int = 65_536

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str = ""
        #: Where the request being parsed is: "" (none), "head" or "body".
        self._reading: str = ""
        #: Bytes received while the current head is incomplete.
        self._head_bytes = 0
        #: An upgrade request whose head is to be replayed without the upgrade.
        self._declined_upgrade = False
        self.app = _head_checked(self.app, self.max_head_bytes)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self._feed(data)
        if self._reading == "head" and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse_head()
                return
        self._watch()

    def _feed(self, data: bytes) -> None:
        """uvicorn's parsing step, with declined upgrades replayed (see the module)."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
        except httptools.HttpParserUpgrade as upgrade:
            if self._declined_upgrade:
                self._replay_without_upgrade(data[upgrade.args[0] :])
            elif self._should_upgrade():
                self.handle_websocket_upgrade()
            else:  # CONNECT: answered by the application, nothing more is read
                self.logger.warning("Unsupported upgrade request.")

    def _replay_without_upgrade(self, rest: bytes) -> None:
        self._declined_upgrade = False
        version = self.parser.get_http_version()
        head = [self.parser.get_method(), b" ", self.url, b" HTTP/"]
        head += [version.encode("ascii"), b"\r\n"]
        for name, value in self.headers:
            if name == b"connection":
                tokens = [t for t in value.split(b",") if t.strip().lower() != b"upgrade"]
                if not tokens:
                    continue
                value = b",".join(tokens)
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        self.parser = httptools.HttpRequestParser(self)
        with contextlib.suppress(AttributeError):  # as uvicorn: httptools < 0.6.3 lacks it
            self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self._reading = ""
        self._feed(b"".join(head) + rest)

    # Parser callbacks: uvicorn's, with where the request is.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading = "head"
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._reading = "body"
        if self.parser.should_upgrade() and self._get_upgrade() and not self._should_upgrade():
            self._declined_upgrade = True  # replayed once the parser stops (see _feed)
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._declined_upgrade:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._reading = ""
        if not self._declined_upgrade:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _refuse_head(self) -> None:
        message = (
            f"431 Request Header Fields Too Large: the request line and headers were still "
            f"incomplete after {self._head_bytes} bytes; at most {self.max_head_bytes} are "
            "accepted.\n"
        ).encode()
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(message)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + message
        )
        self.transport.close()

    def _watch(self) -> None:
        """Arm the deadline that fits what the connection waits for; keep one that runs."""
        if self._reading == "body":
            waiting_for = "body"
        elif self.cycle is None or self.cycle.response_complete:
            waiting_for = "head"
        else:
            waiting_for = ""  # the application is answering: its deadlines apply
        if waiting_for == self._waiting_for:
            return  # same wait as before: its deadline keeps running
        self._disarm()
        self._waiting_for = waiting_for
        if waiting_for and not self.transport.is_closing():
            timeout = self.head_timeout if waiting_for == "head" else self.body_timeout
            self._deadline = self.loop.call_later(timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._waiting_for = ""

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self.logger.info("closing a connection that sent no complete %s in time", self._waiting_for)
        self.transport.close()


def _head_checked(app: ASGIApp, limit: int) -> ASGIApp:
    """``app`` behind what the parser leaves unchecked: a 431 for requests whose line and
    headers exceed ``limit`` bytes, and a 400 for an HTTP/1.1 request without exactly one
    ``Host`` (RFC 9112 §3.2 says MUST; llhttp accepts it, h11 refused it)."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope["raw_path"]) + len(scope["query_string"])
            hosts = 0
            for name, value in scope["headers"]:
                size += len(name) + len(value) + 4
                if name == b"host":
                    hosts += 1
            if size > limit:
                await _refuse(
                    send,
                    431,
                    f"431 Request Header Fields Too Large: the request line and headers "
                    f"take {size} bytes; at most {limit} are accepted.\n",
                )
                return
            if hosts != 1 and scope.get("http_version", "1.1") == "1.1":
                await _refuse(
                    send,
                    400,
                    f"400 Bad Request: an HTTP/1.1 request needs exactly one Host header; "
                    f"this one has {hosts}.\n",
                )
                return
        await app(scope, receive, send)

    return guarded


async def _refuse(send: Send, status: int, text: str) -> None:
    message = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(message)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": message})


def guarded_protocol(
    head_timeout: float, body_timeout: float, max_head_bytes: int
) -> type[GuardedHttpToolsProtocol]:
    """A protocol class with these limits (uvicorn instantiates it per connection)."""
    return type(
        "ConfiguredHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {
            "head_timeout": head_timeout,
            "body_timeout": body_timeout,
            "max_head_bytes": max_head_bytes,
        },
    )

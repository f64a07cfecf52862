"""The HTTP/1.1 connection guard: uvicorn's h11 protocol with read deadlines.

uvicorn with h11 keeps the body of a request that carries ``Upgrade: h2c`` (Java's HTTP
client sends it; httptools drops the body, uvicorn#2722) and bounds an incomplete head
(``h11_max_incomplete_event_size``), but it has no deadline for *receiving* a request
(uvicorn#157): a client that never sends, or sends its head one byte at a time, held a
connection for ever (200 such connections stayed open in a test). This subclass adds two
deadlines, counted from when the server starts waiting, not from the last byte, so
dribbling does not extend them:

* the **head deadline** runs while the server waits for a request line and headers (on a
  new connection, and after each response on a kept-alive one);
* the **body deadline** runs while a request's body is still arriving.

Past either, the connection is closed; the application, if it was reading the body, sees
the client disconnect. Once a request is complete the application's own deadlines apply.

h11 checks ``h11_max_incomplete_event_size`` only while a head is incomplete, so a head
that arrives whole in one read (up to asyncio's 256 KiB) passed unchecked; the guard
answers such a request 431 before the application sees it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` with head and body read deadlines (seconds, class attributes)."""

    head_timeout: float = 10.0
    body_timeout: float = 60.0
    max_head_bytes: int = 65_536

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str = ""
        self.app = _head_limited(self.app, self.max_head_bytes)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Arm the deadline that fits what the connection waits for; keep one that runs."""
        state = self.conn.their_state
        if state is h11.IDLE and (self.cycle is None or self.cycle.response_complete):
            waiting_for = "head"
        elif state is h11.SEND_BODY:
            waiting_for = "body"
        else:
            waiting_for = ""
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


def _head_limited(app: ASGIApp, limit: int) -> ASGIApp:
    """``app`` behind a 431 for requests whose line and headers exceed ``limit`` bytes."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope["raw_path"]) + len(scope["query_string"])
            size += sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            if size > limit:
                message = (
                    f"431 Request Header Fields Too Large: the request line and headers "
                    f"take {size} bytes; at most {limit} are accepted.\n"
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 431,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(message)).encode()),
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": message})
                return
        await app(scope, receive, send)

    return guarded


def guarded_protocol(
    head_timeout: float, body_timeout: float, max_head_bytes: int
) -> type[GuardedH11Protocol]:
    """A protocol class with these limits (uvicorn instantiates it per connection)."""
    return type(
        "ConfiguredH11Protocol",
        (GuardedH11Protocol,),
        {
            "head_timeout": head_timeout,
            "body_timeout": body_timeout,
            "max_head_bytes": max_head_bytes,
        },
    )

"""An ASGI guard that refuses NUL characters anywhere in a request.

No field of the API has a use for U+0000, PostgreSQL cannot store it in text, and a string
that ends at NUL in one layer and not in another is a classic way to smuggle a value past a
check. One guard in front of every route is surer than a validator on every field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["NulGuard", "has_nul"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
"""``\\u0000`` as a JSON escape (an odd number of backslashes before ``u0000``)."""


def has_nul(data: bytes, *, urlencoded: bool) -> bool:
    r"""Whether ``data`` carries a NUL raw, as a JSON escape or (``urlencoded``) as ``%00``.

    >>> has_nul(b'{"a": "x\\u0000"}', urlencoded=False)
    True
    >>> has_nul(b'{"a": "x\\\\u0000"}', urlencoded=False)  # a backslash, then the text u0000
    False
    >>> has_nul(b"username=a%00b", urlencoded=True), has_nul(b"q=%2500", urlencoded=True)
    (True, False)
    """
    if b"\x00" in data or _JSON_NUL.search(data):
        return True
    return urlencoded and b"%00" in data


class NulGuard:
    """Answer 422 naming where a NUL was found (path, query or body); pass all else on.

    The body is read once (at most ``max_bytes``, 413 beyond: this also bounds bodies sent
    without a Content-Length) and replayed to the application.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await _refuse(send, 422, "path", "NUL characters are not allowed")
            return
        if has_nul(scope.get("query_string", b""), urlencoded=True):
            await _refuse(send, 422, "query", "NUL characters are not allowed")
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # the client went away: let the application see it as it would have
                await self.app(scope, _replay([message], receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await _refuse(send, 413, "body", f"request body larger than {self.max_bytes} bytes")
                return
            chunks.append(body)
            more = bool(message.get("more_body", False))
        data = b"".join(chunks)
        ctype = dict(scope.get("headers", [])).get(b"content-type", b"").lower()
        if data and has_nul(data, urlencoded=b"x-www-form-urlencoded" in ctype):
            await _refuse(send, 422, "body", "NUL characters are not allowed")
            return
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": data, "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], then: Receive) -> Receive:
    """Hand out ``messages`` first, then whatever the server sends (a disconnect, later)."""
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        return await then()

    return receive


async def _refuse(send: Send, status: int, where: str, msg: str) -> None:
    body = json.dumps({"detail": [{"loc": [where], "msg": msg, "type": "value_error"}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Errors as RFC 9457 problem documents, mapped in this one place.

Every error a client sees is ``application/problem+json`` with ``type``, ``title``, ``status``
and ``detail``; validation errors add ``errors`` (one per field). An unexpected exception is
logged here with its trace and answered with a generic 500: no trace ever reaches a client.
Text from a request is logged through ``loggable``, so it cannot forge a line of the log.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microlend.errors import (
    ConfigError,
    DataContractError,
    IdempotencyConflictError,
    LedgerError,
    LimitExceededError,
    MicrolendError,
    ModelError,
    NotFoundError,
    OfferUnavailableError,
    ProposalUnavailableError,
    SegregationError,
)
from microlend.store import IDEMPOTENCY_KEY_LENGTH

__all__ = [
    "MEDIA_TYPE",
    "ProblemError",
    "install_problem_handlers",
    "loggable",
    "problem_response",
]

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TYPE = "urn:microlend:problem:"

#: The library's errors by status: the first class in this order that matches wins.
_STATUS: tuple[tuple[type[MicrolendError], int, str], ...] = (
    (NotFoundError, 404, "Not found"),
    (SegregationError, 403, "Forbidden"),
    (IdempotencyConflictError, 409, "Idempotency key reused"),
    (OfferUnavailableError, 409, "Offer no longer available"),
    (ProposalUnavailableError, 409, "Proposal no longer open"),
    (LimitExceededError, 409, "Credit limit exceeded"),
    (LedgerError, 409, "Conflicts with the loan book"),
    (ConfigError, 422, "Request cannot be applied"),
    (DataContractError, 422, "Records break the data contract"),
    (ModelError, 503, "Model unavailable"),
)
_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    422: "Invalid request",
    500: "Internal server error",
}
_NO_KEY = "this request moves money: send an Idempotency-Key header"
#: What is wrong with an Idempotency-Key sent, by pydantic's error type (else: none was sent).
_BAD_KEY = {
    "string_too_long": f"the Idempotency-Key is too long (at most {IDEMPOTENCY_KEY_LENGTH} "
    "characters)",
    "string_pattern_mismatch": "the Idempotency-Key must be visible ASCII characters (no "
    "spaces, no control characters)",
}


def loggable(text: str) -> str:
    """``text`` with control and other unprintable characters escaped as Python writes them
    (``\\n``, ``\\x00``): a request's text cannot add a line of its own to the log."""
    return text if text.isprintable() else repr(text)[1:-1]


class ProblemError(Exception):
    """An error the api itself raises (auth, roles, a request it refuses): status and detail."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    title = title or _TITLES.get(status, "Error")
    body = {
        "type": _TYPE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    sent = {**(headers or {}), **({"WWW-Authenticate": "ApiKey"} if status == 401 else {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=sent)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    return ".".join(parts[1:] if len(parts) > 1 else parts)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    for error in exc.errors():
        if tuple(error["loc"]) == ("header", "Idempotency-Key"):
            # A money movement without a usable key is refused outright, not "unprocessable".
            detail = _BAD_KEY.get(error["type"], _NO_KEY)
            return problem_response(400, detail, slug="idempotency")
    errors = [
        {"field": _field(tuple(e["loc"])), "in": str(e["loc"][0]), "message": e["msg"]}
        for e in exc.errors()
    ]
    names = ", ".join(e["field"] for e in errors)
    return problem_response(422, f"invalid fields: {names}", errors=errors)


async def _library(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MicrolendError)
    for kind, status, title in _STATUS:
        if isinstance(exc, kind):
            # Which state refused the offer or the proposal, for clients to branch on.
            slug = _slug(exc)
            return problem_response(status, str(exc), title=title, slug=slug)
    return problem_response(400, str(exc))


def _slug(exc: MicrolendError) -> str | None:
    if isinstance(exc, OfferUnavailableError):
        return f"offer-{exc.reason}"
    if isinstance(exc, ProposalUnavailableError):
        return f"proposal-{exc.reason}"
    return None


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, slug=exc.slug)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, str(exc.detail), headers=exc.headers)


class _GuardMiddleware:
    """Refuse bodies over ``limit`` bytes (413) and turn any unexpected error into a generic
    500 problem, logged with its trace here. The body is read before the app sees it: one
    sent in chunks declares no length, and an error raised while the app reads it would be
    answered as a malformed body (400)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, receive, send)
            return
        body = await self._read_body(receive)
        if body is None:
            await self._too_large(scope, receive, send)
            return
        await self._serve(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> list[Message] | None:
        """The request's messages up to its body's end, or ``None`` once over the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                return None
            if message["type"] != "http.request" or not message.get("more_body", False):
                return messages

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            method, path = loggable(scope["method"]), loggable(scope["path"])
            logger.exception("unexpected error on %s %s", method, path)
            if started:
                raise
            detail = "the server met an unexpected error; it was logged"
            await problem_response(500, detail)(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the body exceeds {self.limit} bytes"
        await problem_response(413, detail)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first hands out ``messages`` again, then what the server sends."""
    pending = deque(messages)

    async def replayed() -> Message:
        return pending.popleft() if pending else await receive()

    return replayed


def install_problem_handlers(app: FastAPI, *, max_body_bytes: int) -> None:
    """Map every error to a problem document, and guard bodies and unexpected errors."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(MicrolendError, _library)
    app.add_exception_handler(ProblemError, _api)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_middleware(_GuardMiddleware, limit=max_body_bytes)

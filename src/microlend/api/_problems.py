"""Errors as RFC 9457 problem documents, mapped in this one place.

Every error a client sees is ``application/problem+json`` with ``type``, ``title``, ``status``
and ``detail``; validation errors add ``errors`` (one per field). An unexpected exception is
logged here with its trace and answered with a generic 500: no trace ever reaches a client.
"""

from __future__ import annotations

import logging
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
    MicrolendError,
    ModelError,
    NotFoundError,
)

__all__ = ["MEDIA_TYPE", "ProblemError", "install_problem_handlers", "problem_response"]

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TYPE = "urn:microlend:problem:"

#: The library's errors by status: the first class in this order that matches wins.
_STATUS: tuple[tuple[type[MicrolendError], int, str], ...] = (
    (NotFoundError, 404, "Not found"),
    (IdempotencyConflictError, 409, "Idempotency key reused"),
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


class ProblemError(Exception):
    """An error the api itself raises (auth, idempotency header, size): status and detail."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug


def problem_response(
    status: int, detail: str, *, title: str | None = None, slug: str | None = None, **extra: Any
) -> JSONResponse:
    title = title or _TITLES.get(status, "Error")
    body = {
        "type": _TYPE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    return ".".join(parts[1:] if len(parts) > 1 else parts)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(tuple(e["loc"])), "in": str(e["loc"][0]), "message": e["msg"]}
        for e in exc.errors()
    ]
    if any(e["in"] == "header" and e["field"] == "Idempotency-Key" for e in errors):
        # A money-moving request without its key is refused outright, not "unprocessable".
        return problem_response(
            400, "this request moves money: send an Idempotency-Key header", slug="idempotency"
        )
    names = ", ".join(e["field"] for e in errors)
    return problem_response(422, f"invalid fields: {names}", errors=errors)


async def _library(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MicrolendError)
    for kind, status, title in _STATUS:
        if isinstance(exc, kind):
            return problem_response(status, str(exc), title=title)
    return problem_response(400, str(exc))


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, slug=exc.slug)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, str(exc.detail))


class _GuardMiddleware:
    """Refuse bodies over ``limit`` bytes (413) and turn any unexpected error into a generic
    500 problem, logged with its trace here."""

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
        started = False
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise ProblemError(413, f"the body exceeds {self.limit} bytes")
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except ProblemError as problem:
            if started:
                raise
            await problem_response(problem.status, problem.detail)(scope, receive, send)
        except Exception:
            logger.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            detail = "the server met an unexpected error; it was logged"
            await problem_response(500, detail)(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the body exceeds {self.limit} bytes"
        await problem_response(413, detail)(scope, receive, send)


def install_problem_handlers(app: FastAPI, *, max_body_bytes: int) -> None:
    """Map every error to a problem document, and guard bodies and unexpected errors."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(MicrolendError, _library)
    app.add_exception_handler(ProblemError, _api)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_middleware(_GuardMiddleware, limit=max_body_bytes)

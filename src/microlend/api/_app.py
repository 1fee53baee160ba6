"""``create_app``: the decision api over one ``ApiContext``, with no global state."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from microlend import __version__
from microlend.api import (
    _routes_loans,
    _routes_notice,
    _routes_proposals,
    _routes_rating,
    _routes_servicing,
)
from microlend.api._context import ApiContext, Runtime
from microlend.api._problems import MEDIA_TYPE, install_problem_handlers
from microlend.api._schemas import Problem

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_PROBLEMS = {
    status: {"model": Problem, "description": text, "content": {MEDIA_TYPE: {}}}
    for status, text in {
        400: "Bad request (a money movement without an Idempotency-Key)",
        401: "No valid API key",
        403: "The key's role may not do this",
        404: "Not found (or not visible to this key)",
        409: "Conflicts with the loan book, or an idempotency key reused",
        413: "Body too large",
        422: "Invalid request: the fields are named in errors",
        500: "Unexpected server error (logged; no detail is given)",
        503: "The model cannot be used",
    }.items()
}


def create_app(context: ApiContext) -> FastAPI:
    """The FastAPI app serving ``context``: its state lives on ``app.state``, nowhere else."""
    runtime = Runtime(context)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        snapshot = await runtime.snapshot()
        await runtime.settle()
        logger.info("serving as of %s (%d merchants)", snapshot.as_of, len(snapshot.ratings))
        yield

    # Swagger UI at /docs from the files bundled in the wheel (no CDN: it works offline);
    # ReDoc, which would need its own, is left out.
    app = FastAPIOffline(
        docs_url="/docs",
        redoc_url=None,
        static_url="/docs/assets",
        title="microlend decision api",
        version=__version__,
        description="Rate merchants, decide on credit, and service the loan book.",
        lifespan=lifespan,
        responses=_PROBLEMS,
    )
    app.state.runtime = runtime
    app.include_router(_routes_rating.router)
    app.include_router(_routes_loans.router)
    app.include_router(_routes_servicing.router)
    app.include_router(_routes_proposals.router)
    app.include_router(_routes_notice.router)
    install_problem_handlers(app, max_body_bytes=context.settings.max_body_bytes)
    return app

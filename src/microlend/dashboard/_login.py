"""Login for the pages: an API key is exchanged once for a signed session cookie.

Why: a browser cannot send the api's ``X-API-Key`` header, and the pages show a merchant's data.
The cookie names the key's id and an expiry, signed with HMAC-SHA256 under the server's secret
(never the key's secret), so it cannot be forged or stretched. Every page request checks the
signature, the expiry and that the key still stands (``principal_of``): revoking a key ends its
sessions at once. A form that changes anything carries a CSRF token, an HMAC of the cookie its
page came with (the login form's own random cookie, else the session), which another site can
neither read nor compute.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._session import form_token, key_of, local_path, same, seal
from microlend.service import Principal, Role, authenticate, principal_of
from microlend.types import ID_PATTERN

__all__ = [
    "Form",
    "PageRoute",
    "RefusedError",
    "Visitor",
    "add_login_routes",
    "no_merchant",
    "officer",
    "reader_of",
    "require_token",
    "visitor_of",
]

SESSION_COOKIE = "microlend_session"
LOGIN_COOKIE = "microlend_login"
_FIELDS = 10


@dataclass(frozen=True)
class Visitor:
    """Who is logged in, and the CSRF token that this session's forms carry."""

    principal: Principal
    csrf: str

    @property
    def is_officer(self) -> bool:
        return self.principal.role is Role.RISK_OFFICER


class RefusedError(Exception):
    """A page answered by something other than itself (the login form, a 403, a 404): raise it
    anywhere while serving a ``PageRoute``."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class PageRoute(APIRoute):
    """A page's route: a ``RefusedError`` raised while serving it is its answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except RefusedError as refused:
                return refused.response

        return answer


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first value of each); anything else reads as empty."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        return {}
    try:
        fields = parse_qs((await request.body()).decode(), max_num_fields=_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items()}


Form = Annotated[dict[str, str], Depends(_form)]


def _to_login(request: Request) -> Response:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/login?{urlencode({'next': path})}", status_code=303)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def refusal(visitor: Visitor | None, status: int, title: str, text: str) -> HTMLResponse:
    """The page saying no: 403 (not for this key) or 404 (nothing here for this key)."""
    return render("message.html", status, visitor=visitor, title=title, text=text)


def visitor_of(context: DashboardContext, request: Request) -> Visitor:
    """The logged-in visitor, or ``RefusedError``: to the login form, coming back here after."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    now = context.now()
    key_id = key_of(context.session_secret, cookie, now.timestamp())
    principal = None if key_id is None else principal_of(context.engine, key_id, now=now)
    if principal is None:
        raise RefusedError(_to_login(request))
    return Visitor(principal, form_token(context.session_secret, cookie))


def officer(context: DashboardContext, request: Request) -> Visitor:
    """The visitor when a risk officer, else ``RefusedError`` (403)."""
    visitor = visitor_of(context, request)
    if not visitor.is_officer:
        text = "These pages need a risk officer's key."
        raise RefusedError(refusal(visitor, 403, "Not for this key", text))
    return visitor


def reader_of(context: DashboardContext, request: Request, merchant_id: str) -> Visitor:
    """The visitor when it may read ``merchant_id``'s pages: the rule of the api
    (``Principal.may_see``), so that merchant, a risk officer or servicing, which read the same
    merchant's score and notices there. Another merchant is told 'not found', as the api does,
    so it learns nothing; so is an id the api would refuse, before the book is asked (PostgreSQL
    refuses a NUL outright)."""
    visitor = visitor_of(context, request)
    if re.fullmatch(ID_PATTERN, merchant_id) is None or not visitor.principal.may_see(merchant_id):
        raise RefusedError(no_merchant(visitor, merchant_id))
    return visitor


def no_merchant(visitor: Visitor, merchant_id: str) -> HTMLResponse:
    """The same 404 whether the merchant is unknown or someone else's."""
    return refusal(visitor, 404, "Not found", f"No merchant {merchant_id!r} visible to this key.")


def require_token(visitor: Visitor, form: dict[str, str]) -> None:
    """Refuse (403) a form posted without this session's CSRF token: call it first in every
    handler of a form that changes anything."""
    if not same(visitor.csrf, form.get("csrf")):
        text = "The form could not be checked: reload the page and try again."
        raise RefusedError(refusal(visitor, 403, "Refused", text))


def _home(principal: Principal) -> str:
    return f"/merchants/{principal.merchant_id}" if principal.merchant_id else "/dashboard"


def _start_session(
    response: Response, context: DashboardContext, key_id: str, secure: bool
) -> None:
    """Set the session cookie of key ``key_id``, good for the context's session lifetime."""
    lifetime = context.session_lifetime
    expires = int((context.now() + lifetime).timestamp())
    response.set_cookie(
        SESSION_COOKIE,
        seal(context.session_secret, key_id, expires),
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def add_login_routes(router: APIRouter, context: DashboardContext) -> None:
    """``GET``/``POST /login`` (an API key for a session cookie) and ``POST /logout``."""
    secret = context.session_secret

    def form_page(nonce: str, target: str, message: str | None, status: int) -> HTMLResponse:
        token = form_token(secret, nonce)
        page = render("login.html", status, csrf=token, next=target, message=message)
        page.set_cookie(LOGIN_COOKIE, nonce, path="/login", httponly=True, samesite="strict")
        return page

    @router.get("/login")
    def login_form(request: Request, target: Annotated[str, Query(alias="next")] = "") -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        return form_page(nonce, local_path(target) or "", None, 200)

    @router.post("/login")
    def log_in(request: Request, form: Form) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE)
        if not nonce or not same(form_token(secret, nonce), form.get("csrf")):
            text = "The login form could not be checked: reload it and try again."
            return refusal(None, 403, "Refused", text)
        now = context.now()
        principal = authenticate(context.engine, form.get("key", "").strip(), now=now)
        target = local_path(form.get("next"))
        if principal is None:
            return form_page(nonce, target or "", "That key is not valid.", 401)
        response = RedirectResponse(target or _home(principal), status_code=303)
        _start_session(response, context, principal.key_id, request.url.scheme == "https")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @router.post("/logout")
    def log_out(request: Request, form: Form) -> Response:
        require_token(visitor_of(context, request), form)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

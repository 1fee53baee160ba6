"""The signed values behind a login: the session cookie, CSRF tokens, and a safe ``next``.

Pure functions of a server secret (HMAC-SHA256), so they are checked without a web server.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["form_token", "key_of", "local_path", "same", "seal"]


def _sign(secret: bytes, purpose: str, text: str) -> str:
    return hmac.new(secret, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def form_token(secret: bytes, cookie: str) -> str:
    """The CSRF token of a form whose page came with ``cookie``."""
    return _sign(secret, "form", cookie)


def same(expected: str, given: str | None) -> bool:
    """Constant-time equality; ``given`` comes from the client, so it may be any text."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def seal(secret: bytes, key_id: str, expires: int) -> str:
    """A session cookie's value: key id, expiry (Unix seconds) and their signature."""
    body = f"{key_id}.{expires}"
    return f"{body}.{_sign(secret, 'session', body)}"


def key_of(secret: bytes, cookie: str, now: float) -> str | None:
    """The key id in session ``cookie`` when its signature holds and it has not expired."""
    body, _, signature = cookie.rpartition(".")
    key_id, _, expires = body.partition(".")
    if not same(_sign(secret, "session", body), signature):
        return None
    return key_id if expires.isdigit() and now < int(expires) else None


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (one leading '/'), else ``None``: a login
    never sends anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(c.isspace() or not c.isprintable() for c in target):
        return None
    return target

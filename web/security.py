"""What every response carries and every request is held to: security headers, a bounded body, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: every script and stylesheet is a file under /static. Pico's icons are
# data: SVGs in its stylesheet. The passage viewer's pdf.js runs its worker from /static, draws pages into blob:
# images and loads a PDF's embedded fonts as data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
    "worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CSRF_COOKIE = "kb_csrf"
CSRF_FIELD = "csrf_token"
SECRET_FILE = "secret_key"


def is_loopback(host: str) -> bool:
    """Return True when `host` is a loopback address or 'localhost' (a server only this machine can reach)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_secret(data_dir: Path) -> bytes:
    """Return the key that signs session cookies and CSRF tokens, made once and kept in the data directory."""
    path = Path(data_dir) / SECRET_FILE
    try:
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def sign(secret: bytes, value: str) -> str:
    """Return `value` with its HMAC appended (`value.signature`)."""
    mac = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(secret: bytes, signed: str | None) -> str | None:
    """Return the value of a signed string, or None when it is missing or its signature does not match."""
    if not signed or "." not in signed:
        return None
    value, _, _mac = signed.rpartition(".")
    return value if hmac.compare_digest(sign(secret, value), signed) else None


def csrf_token(secret: bytes, csrf_cookie: str, session: str | None) -> str:
    """Return the token a form must send back: bound to the browser's CSRF cookie and to its sign-in."""
    return hmac.new(secret, f"csrf|{csrf_cookie}|{session or ''}".encode(), hashlib.sha256).hexdigest()


class SecurityMiddleware:
    """Add the security headers, refuse bodies over `max_body` bytes, and give each browser a CSRF cookie.

    `larger` names the paths allowed a bigger body (the upload form) and their own limit.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        # A browser without a CSRF cookie gets one; its forms carry a token derived from it (see csrf_token).
        new_csrf = None
        if not cookie_parser(headers.get("cookie", "")).get(CSRF_COOKIE):
            new_csrf = secrets.token_urlsafe(24)
            scope.setdefault("state", {})["new_csrf"] = new_csrf
        received = 0
        overflow = False
        limit = self.larger.get(scope.get("path", ""), self.max_body)

        async def bounded_receive() -> Message:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The app sees the body end here; whatever it answers is replaced by a 413 (see below).
                    overflow = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def send_bounded(message: Message) -> None:
            if not overflow:
                await send_with_headers(message)
            elif message["type"] == "http.response.start":
                await _too_large(send_with_headers, limit)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    out.setdefault(name, value)
                if "content-security-policy" not in out:
                    out["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                if out.get("content-type", "").startswith("text/html"):
                    # A page is worded in the reader's language (cookie, else Accept-Language) and for their session.
                    out.add_vary_header("Cookie")
                    out.add_vary_header("Accept-Language")
                if new_csrf is not None:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    out.append("Set-Cookie", f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Lax{secure}")
            await send(message)

        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send_with_headers, limit)
            return
        await self.app(scope, bounded_receive, send_bounded)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail": "the request body is larger than {limit} bytes"}}'.encode()
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})

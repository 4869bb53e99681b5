"""Security headers on every response: defence in depth behind the escaping the templates do.

- `Content-Security-Policy`: scripts only from this server's own files (no inline script, no
  `on…=` attributes, no CDN: the app serves every asset itself), no plugins, no framing by
  other sites, forms post only back here. Inline `style` attributes are allowed: the templates
  use them for bar widths and tree depths, and styles cannot run code.
- `X-Content-Type-Options: nosniff`: a JSON body or a CSV export is never sniffed into HTML.
- `Referrer-Policy`: an attempt URL (`/a/<token>`) never leaks to another site in a Referer.
- `Strict-Transport-Security` when the site runs on HTTPS (`QUIZ_SECURE_COOKIES=1`): browsers then
  never try plain HTTP again, so a hall's Wi-Fi cannot downgrade the connection.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
    "form-action 'self'",
])


HSTS = "max-age=31536000"


def security_headers(https: bool) -> list[tuple[str, str]]:
    """The header set every response carries: Flask's after_request and the live fast path
    (a WSGI middleware that answers before Flask, quiz.views.live_session.fastpath) both use this list."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "same-origin"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def app_security_headers(app: Flask) -> list[tuple[str, str]]:
    """The set for this app (HSTS when it runs on HTTPS, `QUIZ_SECURE_COOKIES=1`)."""
    return security_headers(bool(app.config.get("SESSION_COOKIE_SECURE")))


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in app_security_headers(app):
            response.headers.setdefault(name, value)
        return response

"""Where a redirect may send a visitor: only to a path of this site.

Both the `?next=` of the login and the Referer the language switch returns to are the visitor's
(or an attacker's link's) to choose, so each goes through `local_path()`; anything else falls
back to the caller's default. Browsers read `\\` as `/` and drop tabs and newlines inside a URL,
so `/\\evil.example` or `/<TAB>/evil.example` would leave the site as `//evil.example` does.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import request


def local_path(target: str | None, *, allow_own_host: bool = False) -> str | None:
    """`target` as a path (with its query) on this site, or None.

    `allow_own_host` also accepts an absolute http(s) URL of this very host (a Referer), and
    keeps only its path and query.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if not (allow_own_host and parts.scheme in ("http", "https") and parts.netloc == request.host):
            return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return urlunsplit(("", "", path, parts.query, ""))

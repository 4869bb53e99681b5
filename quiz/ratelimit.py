"""Rate limits on the two calls a script would flood: the join form's POST and the API's attempt start.

Why two keys. In a hall, hundreds of phones share one Wi-Fi NAT address, so a tight per-IP
limit would lock out a whole room. Each call therefore counts twice:
- per client address (`QUIZ_RATELIMIT_JOIN` / `QUIZ_RATELIMIT_START`, default 600 a minute and
  3000 an hour): a room of 500 phones behind one address all get in within the minute, but one
  script cannot open thousands of attempts;
- per (address, identity typed) (`QUIZ_RATELIMIT_IDENTITY`, default 10 a minute): re-trying or
  resuming the same person stays possible, hammering one identity is not.

The client address is `request.remote_addr`; behind nginx that is 127.0.0.1 unless
`QUIZ_TRUSTED_PROXIES` (the number of proxies in front of the app) lets werkzeug's ProxyFix take
it from X-Forwarded-For. Never set it higher than the real number of proxies: the header is
otherwise the client's to forge.

Share card images (`/j/<code>/card.png`, drawn with Pillow) are limited per address
(`QUIZ_RATELIMIT_CARD`, 60 a minute): a chat app's crawler fetches a card once, a script asking
for every unit's card in a loop is slowed down (the cards are kept too: quiz/views/qr.py).

The login form's POST is limited per address too (`QUIZ_RATELIMIT_LOGIN`, 30 a minute), on top
of the per-account lockout, so one client cannot try a password on every account; so is the
public certificate check `/c/<code>` (`QUIZ_RATELIMIT_LOOKUP`, 30 a minute, 300 an hour).

Counters live in `QUIZ_RATELIMIT_STORAGE_URI` (`memory://` per process; `redis://host:6379` to
share them between several gunicorn workers or servers, under `QUIZ_RATELIMIT_KEY_PREFIX` so that two
deployments on one Redis keep their own counts).

Why fail open. Joining must not depend on Redis: while it is unreachable the same limits are counted
per process (Flask-Limiter's in-memory fallback) and a warning is logged; the shared counters come back
by themselves when Redis does. The start-up check only warns, for the same reason.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address

from .errors import ValidationError
from .extensions import limiter
from .services.identity import canonical_text, normalise_identity


log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    config = app.config
    # Flask-Limiter reads its own RATELIMIT_* keys; ours (QUIZ_*) are the documented ones.
    config["RATELIMIT_ENABLED"] = bool(config["QUIZ_RATELIMIT_ENABLED"])
    config["RATELIMIT_STORAGE_URI"] = config["QUIZ_RATELIMIT_STORAGE_URI"]
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After on a 429
    config["RATELIMIT_KEY_PREFIX"] = config.get("QUIZ_RATELIMIT_KEY_PREFIX") or "thiduaso"
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    limiter.init_app(app)
    if storage_state(app) == "down":
        log.warning("Rate-limit storage %s is unreachable (Redis down?): counting per process until it "
                    "answers", _redacted(config["RATELIMIT_STORAGE_URI"]))


def storage_state(app: Flask) -> str:
    """`off`, `memory` (per process by configuration), `ok`, or `down` (shared storage unreachable)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return "off"
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return "memory"
    try:
        return "ok" if limiter.storage.check() else "down"
    except Exception:  # a storage that cannot even be asked is down too
        return "down"


def _redacted(uri: str) -> str:
    """The storage address without its password, for the log."""
    from urllib.parse import urlsplit
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"


def _identity_key() -> str:
    """Client address + the identity typed (form field or JSON key), normalised as registration does
    (quiz.services.identity): `09７７…`, `+84 977…` and `0977…` share one counter."""
    raw = ""
    if request.form:
        raw = request.form.get("identity", "")
    else:
        body = request.get_json(silent=True, force=True)  # as the API reads it (views/api/common.py)
        if isinstance(body, dict) and isinstance(body.get("identity"), str):
            raw = body["identity"]
    try:
        identity = normalise_identity(raw[:100])[1]
    except ValidationError:  # refused later by the view anyway; still counted, under a loose key
        identity = canonical_text(raw[:100]).upper()[:40]
    return f"{get_remote_address()}|{identity}"


def _limit(config_key: str):
    return lambda: current_app.config[config_key]


# Decorators for the two views (the join page limits only its POST). Over a limit Flask-Limiter
# raises a 429, which quiz.errors renders as a Vietnamese page, or JSON under /api/; the
# Retry-After header says when to try again.
def limit_join(view):
    view = limiter.limit(_limit("QUIZ_RATELIMIT_IDENTITY"), key_func=_identity_key, methods=["POST"],
                         scope="join-identity")(view)
    return limiter.limit(_limit("QUIZ_RATELIMIT_JOIN"), methods=["POST"], scope="join")(view)


def limit_login(view):
    """Per address, on top of the per-account lockout: slows password spraying across accounts."""
    return limiter.limit(_limit("QUIZ_RATELIMIT_LOGIN"), methods=["POST"], scope="login")(view)


def limit_card(view):
    """Per address, on a share card image drawn on demand (`QUIZ_RATELIMIT_CARD`)."""
    return limiter.limit(_limit("QUIZ_RATELIMIT_CARD"), scope="card")(view)


def limit_lookup(view):
    """Per address, on a public lookup by code (certificate verification, `QUIZ_RATELIMIT_LOOKUP`):
    a code is unguessable, and the limit keeps anyone from even trying to enumerate them."""
    return limiter.limit(_limit("QUIZ_RATELIMIT_LOOKUP"), scope="lookup")(view)


def limit_start(view):
    view = limiter.limit(_limit("QUIZ_RATELIMIT_IDENTITY"), key_func=_identity_key, scope="start-identity")(view)
    return limiter.limit(_limit("QUIZ_RATELIMIT_START"), scope="start")(view)

"""The join page for a first-time visitor, rendered once per process for a few seconds.

When a QR poster is shown in a hall, hundreds of phones open `/j/<code>` in the same minute,
each without cookies, each getting the same page. The page is kept for `JOIN_PAGE_CACHE_S`
seconds (config; 10 by default, 0 — no cache — under TESTING), keyed by quiz and the quiz's
last change, and only while the quiz is open. The parts that differ per visitor are put in on
each hit: the CSRF token of the form (tied to the visitor's new session) and the unit a poster's
`?u=` link pre-selects (the page is kept with none selected).
Any visitor with a cookie (an attempt to resume, a language choice, an organizer) or other
query arguments gets the page rendered for them.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from ...models import Quiz

DEFAULT_TTL_S = 10.0
MAX_PAGES = 64  # quizzes


def _ttl() -> float:
    configured = current_app.config.get("JOIN_PAGE_CACHE_S")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_TTL_S
    return float(configured)


def cache_key(quiz: Quiz, state: str) -> tuple | None:
    """The key for this request, or None when it must be rendered for the visitor."""
    if (request.method != "GET" or request.cookies or set(request.args) - {"u"}
            or state != "open" or _ttl() <= 0):
        return None
    return quiz.id, quiz.updated_at


def _store():
    return current_app.extensions.setdefault("join_pages", (OrderedDict(), threading.Lock()))


def cached_page(key: tuple, unit_code: str | None) -> str | None:
    pages, lock = _store()
    with lock:
        hit = pages.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    return personalise(hit[1], hit[2], unit_code)


def personalise(html: str, token: str | None, unit_code: str | None) -> str:
    """This visitor's CSRF token, and their poster's unit selected (the option markup is the
    one templates/play/join.html writes)."""
    if token:
        html = html.replace(token, generate_csrf())
    if unit_code:
        option = f'<option value="{escape(unit_code)}">'
        html = html.replace(option, f'<option selected {option[len("<option "):]}', 1)
    return html


def keep_page(key: tuple, html: str) -> None:
    """Keep a page just rendered for `key` (no unit selected), remembering its CSRF token to swap
    on each hit."""
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else None
    pages, lock = _store()
    with lock:
        pages[key] = (time.monotonic() + _ttl(), html, token)
        pages.move_to_end(key)
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)

"""The join page for a first-time visitor, rendered once per process for a few seconds.

When a QR poster is shown in a hall, hundreds of phones open `/j/<code>` in the same minute,
each without cookies, each getting the same page. The page is kept (the PAGES cache, quiz/cache.py)
for `JOIN_PAGE_CACHE_S` seconds (config; 10 by default, 0: off) and served only while the quiz's
window is open and its row is unchanged: one indexed read of the quiz's window and `updated_at`
per hit, so a close or an edit made on any app server reaches every server's page at once (a page
kept per process must not say "open" after the console closed the quiz elsewhere). An edit of the
unit tree shows within those seconds. The parts that differ per visitor are put in on each hit: the CSRF token of the
form (tied to the visitor's new session) and the unit a poster's `?u=` link pre-selects (the
page is kept with none selected).
Any visitor with a cookie (an attempt to resume, a language choice, an organizer) or other
query arguments gets the page rendered for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from ...cache import get_cache
from ...extensions import db
from ...models import Quiz
from ..qr import public_url
from ...services.quizzes import normalise_code

PAGES = "join_pages"  # quiz code → _Page (registered in create_app)


def cacheable() -> bool:
    """A first-time visitor's plain GET (an optional `?u=`), with the cache on."""
    return (request.method == "GET" and not request.cookies and not set(request.args) - {"u"}
            and get_cache(PAGES).is_active)


def cached_page(code: str, unit_arg: str | None, now: datetime) -> str | None:
    """The kept page of quiz `code` for this visitor; None when there is none, it is older than the
    TTL, the quiz is no longer open, or its row changed since (on this server or another)."""
    code = normalise_code(code)
    hit = get_cache(PAGES).get(code) if code else None
    if hit is None:
        return None
    current = db.session.execute(db.select(Quiz.opens_at, Quiz.closes_at, Quiz.updated_at)
                                 .filter_by(code=code)).first()
    if current is None or tuple(current) != (hit.opens_at, hit.closes_at, hit.updated_at) \
            or not hit.opens_at <= now < hit.closes_at:
        return None
    unit_code = hit.units.get(unit_arg.strip().upper()) if isinstance(unit_arg, str) else None
    return personalise(hit.html, hit.token, unit_code, code.upper())


def personalise(html: str, token: str | None, unit_code: str | None, quiz_code: str) -> str:
    """This visitor's CSRF token, and their poster's unit selected (the option markup is the
    one templates/play/join.html writes) and in the share card's link and image."""
    if token:
        html = html.replace(token, generate_csrf())
    if unit_code:
        option = f'<option value="{escape(unit_code)}">'
        html = html.replace(option, f'<option selected {option[len("<option "):]}', 1)
        for endpoint in ("play.join", "qr.share_card_png"):
            plain = public_url(endpoint, code=quiz_code)
            html = html.replace(f'content="{escape(plain)}"',
                                f'content="{escape(public_url(endpoint, code=quiz_code, u=unit_code))}"', 1)
    return html


def keep_page(quiz: Quiz, html: str, unit_codes: list[str]) -> None:
    """Keep a page just rendered for an open `quiz` (no unit selected), with its CSRF token to
    swap on each hit and the unit codes its picker lists (to select a poster's unit)."""
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else None
    page = _Page(html, token, quiz.opens_at, quiz.closes_at, quiz.updated_at, {c.upper(): c for c in unit_codes})
    get_cache(PAGES).set(quiz.code, page)


@dataclass
class _Page:
    html: str
    token: str | None
    opens_at: datetime
    closes_at: datetime
    updated_at: datetime
    units: dict[str, str]  # upper-case code → code, as find_unit() matches them

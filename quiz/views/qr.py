"""Public QR images of a quiz's join URL: `/j/<code>/qr.svg` and `/j/<code>/qr.png` (`?u=<unit>`),
and its share card `/j/<code>/card.png` (`?u=<unit>`), the Open Graph image of the join page,
the public rankings and the board."""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext as _

from ..cache import get_cache
from ..extensions import db
from ..models import Unit
from ..ratelimit import limit_card
from ..services import qr, share_card
from .access import get_quiz_or_404

bp = Blueprint("qr", __name__)

# Cards kept per process, each some 20 KB, keyed by everything drawn on them (services/share_card).
CARDS = "share_cards"  # what a card draws → its PNG (registered in create_app)
CARD_CACHE_SIZE = 128
CARD_CACHE_SECONDS = 3600  # an edited title reaches the chat apps' caches within the hour

# A join URL never changes for a quiz code, so images may be cached for a day by browsers and
# proxies; an intranet event server then serves each poster's code once.
CACHE_SECONDS = 86400


def join_base_url() -> str:
    """QUIZ_BASE_URL when configured (what posters must print), else this request's host — one
    of QUIZ_ALLOWED_HOSTS when that is set (others got a 400 before any view), or anything in
    development. A response built from it must `vary_on_host()`."""
    return current_app.config.get("QUIZ_BASE_URL") or request.host_url.rstrip("/")


@bp.app_template_global("public_url")
def public_url(endpoint: str, **values) -> str:
    """An absolute URL for share cards and share buttons, on the same base as the QR codes (never a
    Host header a visitor chose, once QUIZ_BASE_URL is set)."""
    return join_base_url() + url_for(endpoint, **values)


def vary_on_host(response: Response) -> Response:
    """A page or image holding a URL built from the request's host differs per Host: say so to
    shared caches. With QUIZ_BASE_URL the host plays no part."""
    if not current_app.config.get("QUIZ_BASE_URL"):
        response.vary.add("Host")
    return response


def requested_join_url(code: str) -> str:
    """The join URL for `code` and the optional `?u=` unit; 404 for an unknown quiz or unit."""
    quiz = get_quiz_or_404(code)
    unit_code = request.args.get("u") or None
    if unit_code is not None and db.session.scalar(db.select(Unit.id).filter_by(code=unit_code)) is None:
        abort(404)
    return qr.join_url(join_base_url(), quiz.code, unit_code)


def _image(body: bytes | str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return vary_on_host(response)


@bp.get("/j/<code>/qr.svg")
def qr_svg(code: str):
    return _image(qr.qr_svg(requested_join_url(code)), "image/svg+xml")


@bp.get("/j/<code>/qr.png")
def qr_png(code: str):
    return _image(qr.qr_png(requested_join_url(code)), "image/png")


def card_response(card: share_card.Card) -> Response:
    """The card's PNG: drawn once per process and kept (bounded); an ETag of its bytes lets a
    crawler revalidate with a 304."""
    body = get_cache(CARDS).get_or_set(card, lambda: share_card.render_card(card))
    response = Response(body, mimetype="image/png")
    response.cache_control.public = True
    response.cache_control.max_age = CARD_CACHE_SECONDS
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return vary_on_host(response).make_conditional(request)


def new_card(*, kicker: str, title: str, url: str, code_label: str, code: str, unit: str = "",
             call: str | None = None) -> share_card.Card:
    return share_card.Card(kicker=kicker, title=title, unit=unit, call=call or _("Quét mã QR để dự thi"),
                           code_label=code_label, code=code, url=qr.short_url(url), qr_data=url,
                           brand=_("Thi Đua Số"))


@bp.get("/j/<code>/card.png")
@limit_card
def share_card_png(code: str):
    """What the join page shows anyone (titles, the poster's unit, the code, the QR): no figure."""
    quiz = get_quiz_or_404(code)
    unit_code = request.args.get("u") or None
    unit = db.session.scalar(db.select(Unit).filter_by(code=unit_code)) if unit_code else None
    if unit_code and unit is None:
        abort(404)
    url = qr.join_url(join_base_url(), quiz.code, unit_code)
    return card_response(new_card(kicker=quiz.contest.title, title=quiz.title, url=url, code_label=_("Mã đợt thi"),
                                  code=quiz.code, unit=_("Đơn vị: %(name)s", name=unit.name) if unit else ""))

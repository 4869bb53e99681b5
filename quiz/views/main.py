"""Public pages that belong to no feature: the home page and the health check."""
from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from .. import clock
from ..extensions import db
from ..services.quizzes import listed_quizzes

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    now = clock.utcnow()
    return render_template("main/index.html", quizzes=listed_quizzes(now), now=now)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/lang/<code>")
def set_language(code: str):
    # The locale selector reads ?lang= and remembers it; this route only sends the visitor back.
    target = request.referrer or url_for("main.index")
    return redirect(f"{url_for('main.index')}?lang={code}" if target is None else _with_lang(target, code))


def _with_lang(url: str, code: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:  # never bounce to another site
        return url_for("main.index", lang=code)
    query = dict(parse_qsl(parts.query))
    query["lang"] = code
    return urlunsplit(("", "", parts.path, urlencode(query), ""))

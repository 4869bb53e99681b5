"""The phones' pages of a live session: join at `/live/<quiz code>` (what the host screen's QR
encodes), then `/live/p/<token>` — big option buttons, driven by static/js/live_phone.js.

Without JavaScript the phone page still works: it shows the current state, its option buttons
post a form, and a link reloads it.
"""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for

from ... import clock
from ...errors import DomainError
from ...extensions import db
from ...forms.play import AnswerForm
from ...ratelimit import limit_join
from ...services import live_session
from ...services.registration import find_unit
from ..access import get_quiz_or_404
from ..play.join import join_form, register_from_form

bp = Blueprint("live", __name__)
COOKIE_MAX_AGE_S = 2 * 24 * 3600


def _cookie_name(quiz_code: str) -> str:
    return f"tdl_{quiz_code.upper()}"


def _remember(response, attempt):
    """The phone's token per quiz (httponly, SameSite=Lax): a reload goes straight back in."""
    response.set_cookie(_cookie_name(attempt.quiz.code), attempt.token, max_age=COOKIE_MAX_AGE_S, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.route("/live/<code>", methods=["GET", "POST"])
@limit_join
def join(code: str):
    quiz = get_quiz_or_404(code)
    session = live_session.latest_session(quiz)
    if session is None:
        return render_template("live/join.html", quiz=quiz, session=None, form=None, problem=None), 404
    mine = live_session.find_player(request.cookies.get(_cookie_name(quiz.code)))
    if mine is not None and mine.live_session_id == session.id and request.method == "GET":
        return redirect(url_for("live.phone", token=mine.token))  # a reload continues, points kept
    form = join_form(quiz, mine)
    status, problem = 200, None
    if request.method == "GET":
        unit = find_unit(request.args.get("u"))
        if unit is not None:
            form.unit_code.data = unit.code
    else:
        attempt, status, problem = register_from_form(
            form, lambda data: live_session.join_session(session, data, now=clock.utcnow()))
        if attempt is not None:
            return _remember(redirect(url_for("live.phone", token=attempt.token)), attempt)
    return make_response(render_template("live/join.html", quiz=quiz, session=session, form=form,
                                         problem=problem), status)


@bp.get("/live/p/<token>")
def phone(token: str):
    attempt = live_session.get_player(token)
    session = live_session.session_of(attempt)
    _version, _body, doc = live_session.state_document(session.id, session.version)
    question = doc.get("question")
    left_ms = question["deadline_ms"] - clock.utcnow().timestamp() * 1000 if question and question["deadline_ms"] else 0
    context = {"attempt": attempt, "session": session, "doc": doc, "me": live_session.player_state(attempt, session),
               "form": AnswerForm(), "seconds_left": max(0, math.ceil(left_ms / 1000))}
    response = make_response(render_template("live/phone.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return _remember(response, attempt)


@bp.post("/live/p/<token>/answer")
def answer(token: str):
    """The no-JavaScript answer: one option button posts the form."""
    if not AnswerForm().validate_on_submit():
        abort(400)
    option = request.form.get("option", "")
    question = request.form.get("question", "")
    if not (option.isdigit() and question.isdigit() and len(option) < 12 and len(question) < 12):
        abort(400)
    live_session.get_player(token)  # 404 for a wrong token
    try:
        live_session.save_live_answer_retrying(token, int(question), [int(option)])
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("live.phone", token=token))

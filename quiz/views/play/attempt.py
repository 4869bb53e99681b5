"""`/a/<token>`: one question per screen, answer posts without JavaScript, submit and result."""
from __future__ import annotations

from flask import (abort, current_app, flash, make_response, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _

from ... import clock
from ...errors import DeadlineError, ValidationError
from ...extensions import db
from ...forms.play import AnswerForm, SubmitForm
from ...services import attempt_data, attempts
from ...services.awards.certificates import attempt_certificates
from . import bp
from .cookies import remember_attempt


def _load(token: str):
    now = clock.utcnow()
    attempt = attempts.get_attempt(token, now=now)
    db.session.commit()  # keeps a lazy finalisation at the deadline
    return attempt, now


@bp.get("/a/sw.js")
def service_worker():
    """The offline copy's worker. Served from /a/ so its scope is the attempt pages and nothing else;
    always revalidated, so a fixed worker reaches every phone on its next visit."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/a/<token>")
def attempt(token: str):
    attempt, now = _load(token)
    if attempt.is_finished:
        return redirect(url_for("play.result", token=token))
    questions = attempt_data.question_items(attempt)
    number = request.args.get("q", type=int) or 1
    number = min(max(number, 1), len(questions))
    context = {
        "attempt": attempt, "quiz": attempt.quiz, "questions": questions, "number": number,
        "answers": attempt_data.saved_answers(attempt), "remaining_s": attempts.remaining_seconds(attempt, now),
        "form": AnswerForm(), "submit_form": SubmitForm(),
    }
    response = make_response(render_template("play/attempt.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return remember_attempt(response, attempt)


@bp.post("/a/<token>/q/<int:number>")
def answer(token: str, number: int):
    if not AnswerForm().validate_on_submit():
        abort(400)
    attempt, now = _load(token)
    if attempt.is_finished:
        return redirect(url_for("play.result", token=token))
    if not 1 <= number <= len(attempt.questions):
        abort(404)
    option_ids = [int(v) for v in request.form.getlist("option") if v.isdigit() and len(v) < 12]
    try:
        attempts.save_answer(attempt, attempt.questions[number - 1].question_id, option_ids, now=now)
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("play.attempt", token=token, q=number))
    db.session.commit()
    move = request.form.get("nav", "next")
    if move == "submit" or (move == "next" and number == len(attempt.questions)):
        return redirect(url_for("play.confirm", token=token))
    target = number - 1 if move == "prev" else number + 1 if move == "next" else number
    return redirect(url_for("play.attempt", token=token, q=min(max(target, 1), len(attempt.questions))))


@bp.get("/a/<token>/submit")
def confirm(token: str):
    attempt, now = _load(token)
    if attempt.is_finished:
        return redirect(url_for("play.result", token=token))
    return render_template("play/confirm.html", attempt=attempt, quiz=attempt.quiz, form=SubmitForm(),
                           unanswered=attempts.unanswered_positions(attempt),
                           remaining_s=attempts.remaining_seconds(attempt, now))


@bp.post("/a/<token>/submit")
def submit(token: str):
    if not SubmitForm().validate_on_submit():
        abort(400)
    now = clock.utcnow()
    # Without the graph: the submit scores from one query of its own, and the result page loads
    # what it shows.
    attempts.submit_attempt(attempt := attempts.get_attempt(token, now=now, graph=False), now=now)
    db.session.commit()
    try:
        attempts.ensure_submitted_in_time(attempt)
    except DeadlineError as error:  # the page still shows the result scored from the saved answers
        flash(error.message, "error")
    return redirect(url_for("play.result", token=token))


@bp.get("/a/<token>/result")
def result(token: str):
    attempt, _now = _load(token)
    if not attempt.is_finished:
        flash(_("Bạn chưa nộp bài."), "info")
        return redirect(url_for("play.attempt", token=token))
    data = attempt_data.result_data(attempt, standing=attempt_data.standing_of(attempt))
    can_retry = attempt.quiz.is_open and attempts.attempts_left(attempt) > 0
    response = make_response(render_template("play/result.html", attempt=attempt, quiz=attempt.quiz,
                                             participant=attempt.participant, result=data, can_retry=can_retry,
                                             certificates=attempt_certificates(attempt),
                                             results_url=f"/r/{attempt.quiz.code}"))
    response.headers["Cache-Control"] = "no-store"
    return remember_attempt(response, attempt)

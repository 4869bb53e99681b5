"""`/j/<code>`: the quiz, its state and rules, and the registration form."""
from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import clock
from ...errors import ConflictError, DeadlineError, ForbiddenError, ValidationError
from ...extensions import db
from ...forms.play import JoinForm
from ...models import Attempt
from ...ratelimit import limit_join
from ...services import attempt_data, attempts
from ...services.registration import OTHER_UNIT, find_unit
from ...services.units import unit_picker_items
from ..access import get_quiz_or_404
from . import bp, page_cache
from .cookies import remember_attempt, remembered_token

INDENT = "\u00a0\u00a0\u00a0"


def unit_choices(allow_other: bool) -> list[tuple[str, str]]:
    # Indented by depth so the tree reads in a plain <select> (no JavaScript needed).
    choices = [("", _("— Chọn đơn vị —"))]
    choices += [(u["code"], INDENT * u["depth"] + u["name"]) for u in unit_picker_items()]
    if allow_other:
        choices.append((OTHER_UNIT, _("Đơn vị khác (ghi rõ bên dưới)")))
    return choices


def register_from_form(form: JoinForm, start) -> tuple[Attempt | None, int, str | None]:
    """The join form's POST (a quiz's, a live session's): `start(registration data)` committed,
    `(attempt, 200, None)`; or `(None, status, message)` to show with the form, fields marked."""
    if not form.validate_on_submit():
        return None, 400, _("Phiên làm việc đã hết hạn, vui lòng gửi lại.")
    try:
        attempt, _created = start(form.registration_data())
    except ValidationError as error:
        form.show_errors(error.fields)
        return None, error.status, error.message
    except (ConflictError, ForbiddenError, DeadlineError) as error:
        return None, error.status, error.message
    db.session.commit()
    return attempt, 200, None


def join_form(quiz, mine: Attempt | None) -> JoinForm:
    """The registration form of `quiz` (a quiz's or a live session's), filled in on a GET with the
    details `mine` was registered with (a returning participant's attempt)."""
    form = JoinForm()
    form.unit_code.choices = unit_choices(quiz.allow_other_unit)
    if request.method == "GET" and mine is not None:
        prefill_form(form, mine.participant)
    return form


def prefill_form(form: JoinForm, participant) -> None:
    form.full_name.data = participant.full_name
    form.identity.data = participant.identity
    form.unit_code.data = participant.unit.code if participant.unit else OTHER_UNIT
    form.other_unit.data = participant.other_unit
    form.birth_year.data = participant.birth_year
    form.position.data = participant.position


@bp.route("/j/<code>", methods=["GET", "POST"])
@limit_join
def join(code: str):
    now = clock.utcnow()
    cacheable = page_cache.cacheable()
    if cacheable and (page := page_cache.cached_page(code, request.args.get("u"), now)) is not None:
        return page
    quiz = get_quiz_or_404(code)
    keep = cacheable and quiz.state_at(now) == "open"
    poster_unit = find_unit(request.args.get("u")) if request.method == "GET" else None
    mine = attempts.find_attempt(remembered_token(quiz.code))
    if mine is not None and mine.quiz_id != quiz.id:
        mine = None
    if mine is not None and attempts.expire_if_due(mine, now=now):
        db.session.commit()
    form = join_form(quiz, mine)
    status, problem = 200, None
    if request.method == "GET":
        if poster_unit is not None and not keep:  # a kept page gets it put in below
            form.unit_code.data = poster_unit.code
    else:
        attempt, status, problem = register_from_form(form, lambda data: attempts.start_attempt(quiz, data, now=now))
        if attempt is not None:
            return remember_attempt(redirect(url_for("play.attempt", token=attempt.token)), attempt)
    info = attempt_data.quiz_info(quiz, now)
    context = {
        "quiz": quiz, "info": info, "form": form, "problem": problem, "mine": mine,
        "attempts_left": attempts.attempts_left(mine) if mine is not None else quiz.max_attempts,
        "results_url": f"/r/{quiz.code}",  # the public rankings page of the contract (PRODUCT.md)
        "share_unit": poster_unit.code if poster_unit is not None and not keep else None,
    }
    html = render_template("play/join.html", **context)
    if keep and status == 200:
        # Kept with no unit selected; this visitor's is put in now.
        page_cache.keep_page(quiz, html, [c for c, _label in form.unit_code.choices if c and c != OTHER_UNIT])
        html = page_cache.personalise(html, None, poster_unit and poster_unit.code, quiz.code)
    return make_response(html, status)


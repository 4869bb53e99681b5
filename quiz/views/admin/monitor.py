"""The live monitor of a running quiz: the page (works without JS) and its JSON feed."""
from flask import jsonify, render_template, request

from ... import clock
from ...services import monitor as monitor_service
from ...templating import format_duration, format_percent, local_time
from ..access import managed_quiz_or_abort, roles_required
from . import bp

REFRESH_SECONDS = 5


def _order() -> str:
    order = request.args.get("sort", "tree")
    return order if order in monitor_service.UNIT_ORDERS else "tree"


def _payload(quiz, order: str) -> dict:
    progress = monitor_service.quiz_progress(quiz)
    now = clock.utcnow()
    units = monitor_service.sort_units(progress.units, order)
    return {
        "quiz": quiz.code, "state": quiz.state_at(now), "generated_at": local_time(now, "%H:%M:%S"),
        "counts": progress.counts.to_dict(),
        "order": order,
        "units": [{**u.to_dict(), "rate": "" if u.percent is None else format_percent(u.percent)} for u in units],
        "other_unit_participants": progress.other_unit_participants,
        "latest": [{**row, "submitted_at": local_time(row["submitted_at"], "%H:%M:%S"),
                    "duration": format_duration(row["duration_s"])} for row in progress.latest],
    }


@bp.get("/quizzes/<code>/monitor")
@roles_required("admin", "organizer")
def quiz_monitor(code: str):
    quiz = managed_quiz_or_abort(code)
    order = _order()
    return render_template("admin/monitor.html", quiz=quiz, data=_payload(quiz, order), order=order,
                           refresh_s=REFRESH_SECONDS)


@bp.get("/quizzes/<code>/monitor.json")
@roles_required("admin", "organizer")
def quiz_monitor_json(code: str):
    quiz = managed_quiz_or_abort(code)
    response = jsonify(_payload(quiz, _order()))
    response.cache_control.no_store = True
    return response

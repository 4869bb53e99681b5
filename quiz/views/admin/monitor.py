"""The live monitor of a running quiz: the page (works without JS) and its JSON feed."""
from flask import jsonify, render_template

from ... import clock
from ...services import monitor as monitor_service
from ...templating import format_duration, local_time
from ..access import managed_quiz_or_abort, roles_required
from . import bp

REFRESH_SECONDS = 5


def _payload(quiz) -> dict:
    progress = monitor_service.quiz_progress(quiz)
    now = clock.utcnow()
    return {
        "quiz": quiz.code, "state": quiz.state_at(now), "generated_at": local_time(now, "%H:%M:%S"),
        "counts": progress.counts.to_dict(),
        "units": [u.to_dict() for u in progress.units],
        "other_unit_participants": progress.other_unit_participants,
        "latest": [{**row, "submitted_at": local_time(row["submitted_at"], "%H:%M:%S"),
                    "duration": format_duration(row["duration_s"])} for row in progress.latest],
    }


@bp.get("/quizzes/<code>/monitor")
@roles_required("admin", "organizer")
def quiz_monitor(code: str):
    quiz = managed_quiz_or_abort(code)
    return render_template("admin/monitor.html", quiz=quiz, data=_payload(quiz), refresh_s=REFRESH_SECONDS)


@bp.get("/quizzes/<code>/monitor.json")
@roles_required("admin", "organizer")
def quiz_monitor_json(code: str):
    quiz = managed_quiz_or_abort(code)
    response = jsonify(_payload(quiz))
    response.cache_control.no_store = True
    return response

"""The organizer console (`/admin`). One module per screen; every route checks the role."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ... import clock
from ...extensions import db
from ...models import Contest
from ...services import monitor as monitor_service
from ...services import permissions
from ..access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin", "organizer", "unit")
def index():
    contests = [] if current_user.role == "unit" else list(db.session.scalars(
        permissions.managed_contests_query(current_user).options(selectinload(Contest.quizzes))))
    counts = monitor_service.quiz_counts([quiz.id for contest in contests for quiz in contest.quizzes])
    return render_template("admin/index.html", contests=contests, counts=counts, now=clock.utcnow())


# Screen modules add their routes to `bp` when imported, so they come after it.
from . import (  # noqa: E402,F401
    accounts, audit, awards, bank, bank_import, certificates, contests, monitor, participation, posters, quality,
    quizzes, rankings, rosters, units,
)

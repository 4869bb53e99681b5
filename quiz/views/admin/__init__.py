"""The organizer console (`/admin`). One module per screen; every route checks the role."""
from flask import Blueprint, render_template
from flask_login import current_user

from ...extensions import db
from ...services import permissions
from ..access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin", "organizer", "unit")
def index():
    contests = [] if current_user.role == "unit" else list(
        db.session.scalars(permissions.managed_contests_query(current_user)))
    return render_template("admin/index.html", contests=contests)

# Screen modules add their routes to `bp` when imported, so they come after it.
from . import accounts, audit, bank, bank_import, rankings, units  # noqa: E402,F401

"""Organizer login and logout."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, login_manager
from ..forms import LoginForm
from ..models import Organizer
from ..ratelimit import limit_login
from ..services import accounts
from .redirects import local_path

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_organizer(session_id: str) -> Organizer | None:
    return accounts.organizer_for_session(session_id)


login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"
login_manager.localize_callback = _


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("admin.index")  # an organizer logs in to work in the console


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        config = current_app.config
        organizer = accounts.authenticate(form.email.data, form.password.data,
                                          max_failures=config["LOGIN_MAX_FAILURES"],
                                          lock_minutes=config["LOGIN_LOCK_MINUTES"])
        if organizer is not None:
            db.session.commit()
            login_user(organizer, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()  # keep the failure count
        # One message for every failure (wrong password, unknown email, locked or disabled
        # account): the page must not tell which emails have an account.
        flash(_("Email hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa vì nhập sai nhiều lần "
                "(sau %(failures)d lần sai liên tiếp, tài khoản bị khóa %(minutes)d phút).",
                failures=config["LOGIN_MAX_FAILURES"], minutes=config["LOGIN_LOCK_MINUTES"]), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_sessions(current_user._get_current_object())  # every browser, remember-me included
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.index"))

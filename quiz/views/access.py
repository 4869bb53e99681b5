"""Role checks for organizer routes, and load-or-abort helpers that apply them."""
from __future__ import annotations

import functools

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ForbiddenError, NotFoundError
from ..extensions import db
from ..models import Contest, Quiz
from ..services import permissions, quizzes


def roles_required(*roles: str):
    """Log in first (redirect to /login), then 403 unless the account has one of `roles`."""
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _shared_data_reason(kind: str) -> str:
    if kind == "units":
        return _("Chỉ quản trị viên được thêm, sửa, xóa hay nhập đơn vị: cây đơn vị và số người dùng chung "
                 "cho mọi cuộc thi, một thay đổi sẽ làm đổi xếp hạng của các cuộc thi khác.")
    return _("Chỉ quản trị viên được thêm, sửa, nhập hay xuất câu hỏi kèm đáp án: ngân hàng câu hỏi dùng chung "
             "cho mọi cuộc thi. Ban tổ chức vẫn chọn được các bộ câu hỏi khi tạo đợt thi.")


def shared_data_admins_only(kind: str):
    """Log in first, then a 403 page saying why unless the account may change shared data
    (`permissions.can_change_shared_data`); `kind` is "units" or "bank"."""
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not permissions.can_change_shared_data(current_user):
                raise ForbiddenError(_shared_data_reason(kind))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def get_quiz_or_404(code: str) -> Quiz:
    """The quiz with this code (one normalisation: `quizzes.normalise_code`), else a 404 that says
    so — a page, or `{"error": {"code": "not_found", …}}` under /api/ (errors.py decides)."""
    quiz = quizzes.find_quiz(code)
    if quiz is None:
        # The page adds what to do (check the link or the poster's code); the API says only this.
        raise NotFoundError(_("Không tìm thấy đợt thi mã %(code)s.", code=str(code)[:32]))
    return quiz


def managed_quiz_or_abort(code: str) -> Quiz:
    quiz = get_quiz_or_404(code)
    if not permissions.can_manage_quiz(current_user, quiz):
        abort(403)
    return quiz


def managed_contest_or_abort(contest_id: int) -> Contest:
    contest = db.get_or_404(Contest, contest_id)
    if not permissions.can_manage_contest(current_user, contest):
        abort(403)
    return contest

"""Domain errors, and how every error becomes an HTML page or a JSON body — in one place.

Services raise the `*Error` classes below; views never build error responses themselves.
Requests under /api/ get `{"error": {"code", "message", "fields"?}}`; the rest get a page.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None,
                 problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.problems = problems or []

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        if self.problems:
            body["problems"] = self.problems
        return body


class ValidationError(DomainError):
    """Input that breaks a rule; `fields` maps field names to messages, `problems` lists rows."""
    status = 422
    code = "invalid"


class NotFoundError(DomainError):
    status = 404
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class ForbiddenError(DomainError):
    status = 403
    code = "forbidden"


class DeadlineError(DomainError):
    """The attempt's deadline (plus grace) has passed, or the quiz is closed."""
    status = 410
    code = "deadline_passed"


class BusyError(DomainError):
    """Too much at once: admission control refused the request before doing anything
    (quiz/admission.py), or the database could not take the write in time (a lock). Either way
    nothing was changed and the same request may simply be sent again after `retry_after` seconds."""
    status = 503
    code = "busy"

    def __init__(self, message: str | None = None, *, retry_after: int = 3):
        super().__init__(message or _("Đang đông, tự thử lại sau %(seconds)d giây.", seconds=retry_after))
        self.retry_after = retry_after

    def to_dict(self) -> dict:
        return {**super().to_dict(), "retry_after": self.retry_after}


# What a database answers when it is busy rather than broken: SQLite's lock wait ran out; PostgreSQL
# gave up on a lock (lock_timeout), a statement (statement_timeout), a serialisable transaction or a
# deadlock, or has no connection slot left. The transaction was rolled back whole, so a retry is safe.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_PG_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014", "53300"}


def database_busy(error: Exception) -> bool:
    if isinstance(error, PoolTimeoutError):  # every pooled connection in use for pool_timeout
        return True
    if not isinstance(error, OperationalError):
        return False
    orig = error.orig
    if getattr(orig, "sqlstate", None) in _PG_BUSY_SQLSTATES:
        return True
    text = str(orig).lower()
    return any(phrase in text for phrase in _SQLITE_BUSY) or "too many clients" in text


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _default_message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        403: _("Bạn không có quyền xem trang này."),
        404: _("Không tìm thấy trang bạn cần."),
        405: _("Phương thức không được hỗ trợ."),
        410: _("Đã hết thời gian."),
        413: _("Tệp tải lên quá lớn (tối đa %(mb)d MB). Hãy chia nhỏ tệp rồi tải lên lại.",
               mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)),
        429: _("Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút."),
        500: _("Máy chủ gặp sự cố. Vui lòng thử lại sau ít phút."),
    }
    return messages.get(status, _("Đã có lỗi xảy ra."))


def error_response(status: int, code: str, message: str, body: dict | None = None):
    if wants_json():
        return jsonify({"error": body or {"code": code, "message": message}}), status
    template = "errors/error.html"
    return render_template(template, status=status, message=message), status


def busy_response(error: BusyError):
    """The 503 for a busy server: `Retry-After`, and for a phone a page that sends the same request
    again by itself (its form fields echoed into a form; static/js/play.js adds the jitter)."""
    if wants_json():
        response = jsonify({"error": error.to_dict()})
    else:
        # The posted fields go back into a form posted to the same address: the participant's
        # registration or submit is re-sent as it was typed (the CSRF token with it, same session).
        fields = [(k, v) for k, v in request.form.items(multi=True)] if request.method == "POST" else []
        response = current_app.make_response(render_template(
            "errors/busy.html", message=error.message, seconds=error.retry_after,
            method=request.method, action=request.full_path if request.query_string else request.path,
            fields=fields))
    response.status_code = 503
    response.headers["Retry-After"] = str(error.retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        if isinstance(error, BusyError):
            return busy_response(error)
        return error_response(error.status, error.code, error.message, error.to_dict())

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def handle_database_error(error: Exception):
        if not database_busy(error):
            return handle_unexpected(error)
        db.session.rollback()
        logging.getLogger(__name__).warning("Database busy on %s %s: %s", request.method, request.path,
                                            str(getattr(error, "orig", error)).strip()[:200])
        from . import metrics
        metrics.DATABASE_BUSY.labels(request.url_rule.endpoint if request.url_rule else "unmatched").inc()
        return busy_response(BusyError(retry_after=int(current_app.config.get("QUIZ_ADMISSION_RETRY_S") or 3)))

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        # A form posted without the token of this browser's session: a forged cross-site post,
        # or a page left open across a server key change. Nothing was done; say how to retry.
        return error_response(400, "csrf_failed", _(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ nên chưa được xử lý. Vui lòng tải lại trang rồi gửi lại."))

    @app.errorhandler(SecurityError)
    def handle_untrusted_host(error: SecurityError):
        # A Host header outside QUIZ_ALLOWED_HOSTS (TRUSTED_HOSTS): Flask could build no URL for
        # it, so no page template either; a short text (or the JSON error) says what happened.
        message = _("Địa chỉ máy chủ (Host) không được phép. Vui lòng dùng đúng địa chỉ của trang thi.")
        if wants_json():
            return jsonify({"error": {"code": "untrusted_host", "message": message}}), 400
        return current_app.response_class(message, status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        # Keep werkzeug's English descriptions out of user-facing text; ours are Vietnamese.
        body, status = error_response(status, code, _default_message(status))
        response = current_app.make_response((body, status))
        # But keep its headers: a 405 must say which methods are allowed (Allow, RFC 9110).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return error_response(500, "server_error", _default_message(500))

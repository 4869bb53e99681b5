"""Blueprints, one per feature."""
from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from ..errors import DomainError
from ..models.types import MAX_ROW_ID, row_id


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number too large for any row id is a 404, not a driver overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def int_arg(name: str, default: int | None = None) -> int | None:
    """A query argument that is an id, a version or a page number: `default` when absent or empty,
    a 400 in Vietnamese when it is not a whole number within the row-id bound (`row_id`)."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        return row_id(raw)
    except ValueError:
        raise DomainError(_("Tham số %(name)s phải là số nguyên từ 0 đến %(max)d.",
                            name=name, max=MAX_ROW_ID)) from None


def filter_form(form_class):
    """A filter form read from the query string; a 400 in Vietnamese when a value could not even
    be read (an id past the row-id bound: see forms.fields), rather than a filter silently dropped."""
    form = form_class(request.args)
    for field in form:
        if field.process_errors:
            raise DomainError(_("Bộ lọc %(label)s không hợp lệ.", label=field.label.text))
    return form


def register_blueprints(app: Flask) -> None:
    from . import admin, api, auth, awards, board, fonts, live_session, main, media, play, qr, results

    app.url_map.converters["int"] = RowIdConverter  # before any rule is added

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(qr.bp)
    app.register_blueprint(live_session.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(fonts.bp)
    app.register_blueprint(awards.bp)

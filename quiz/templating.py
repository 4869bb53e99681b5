"""Locale selection and the Jinja filters shared by every page."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_decimal
from flask_babel import format_percent as babel_percent

from .forms import error_items
from .services.identity import mask_identity
from .services.media import media_url


def select_locale() -> str:
    """Vietnamese unless the visitor chose another language (?lang=en, kept in the session)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """Show a stored UTC time in the event's time zone (Vietnam by default)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["QUIZ_TIMEZONE"])).strftime(fmt)


def format_duration(seconds: float | int | None) -> str:
    """`905` → `15:05`; `3725` → `1:02:05`."""
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _pattern(digits: int, exact: bool) -> str:
    return "#,##0" + ("." + ("#" if exact else "0") * digits if digits else "")


def format_number(value: float | int | None, digits: int = 0, exact: bool = False) -> str:
    """A number the way the reader's language writes it: `47.0666` → `47,07` (vi) / `47.07` (en)
    with `digits=2`; `exact=True` drops trailing zeros (`12.00000` → `12`, `12.5` → `12,5`)."""
    if value is None:
        return ""
    return format_decimal(value, format=_pattern(digits, exact))


def format_percent(value: float | int | None, digits: int = 0) -> str:
    """A percentage given on the 0–100 scale: `33.333` → `33 %`… as the locale writes it (`33%`,
    `33,3%` in Vietnamese with `digits=1`, `33.3%` in English)."""
    if value is None:
        return ""
    return babel_percent(value / 100, format=_pattern(digits, False) + "%")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["mask"] = mask_identity
    app.jinja_env.filters["media_url"] = media_url
    app.jinja_env.globals["form_error_items"] = error_items

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale
        return {"current_locale": str(get_locale())}

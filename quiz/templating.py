"""Locale selection and the Jinja filters shared by every page."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session

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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["mask"] = mask_identity
    app.jinja_env.filters["media_url"] = media_url

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale
        return {"current_locale": str(get_locale())}

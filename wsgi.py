"""The WSGI entry point for gunicorn (`gunicorn wsgi:app`): production.

It refuses to start without QUIZ_BASE_URL or QUIZ_ALLOWED_HOSTS (see quiz/config.py); the
development server (`flask --app quiz run`, `make run`) does not ask for them.
"""
from quiz import create_app

app = create_app(production=True)

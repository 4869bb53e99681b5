"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""
from quiz import create_app

app = create_app()

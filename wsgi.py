"""WSGI entry point for gunicorn: `gunicorn -w 4 -b 0.0.0.0:8000 wsgi:app`."""
from inspector import create_app
from inspector.pwa import current_shell

app = create_app()
with app.app_context():
    current_shell()  # the phone app's hashed, gzip-compressed shell, built before the first visitor

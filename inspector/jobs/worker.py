"""What `celery -A inspector.jobs.worker worker` (and `beat`) load: the Flask app's Celery app."""
from __future__ import annotations

from inspector import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]

"""WSGI entry point for gunicorn: `gunicorn -w 4 -b 0.0.0.0:8000 wsgi:app`.

Each worker imports this module and so builds its own app. What it holds once built (modules,
mappers, schemas, the shell) lives as long as the worker: it is moved out of the garbage
collector's reach (`gc.freeze()`). Otherwise every full collection walks those ~160,000
objects again, 100-400 ms in which the worker answers nothing; one that falls while a push holds
the sync version's row lock stops every other worker's commit with it (bench/load_bench.py).
"""
import gc

from inspector import create_app
from inspector.pwa import current_shell

app = create_app()
with app.app_context():
    current_shell()  # the phone app's hashed, gzip-compressed shell, built before the first visitor
gc.collect()  # the garbage of the build first, so that it is not kept for ever
gc.freeze()

"""农资打假 field inspection: the Flask application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from .config import build_config
from .database import db, install_sqlite_behaviour, write_intent
from .errors import ApiError, register_error_handlers

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app; nothing touches the database or the network here."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path,
                static_folder=str(ROOT / "static"), static_url_path="/static")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path, test_config))
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from . import models  # noqa: F401  (every table on the metadata)
    from .models.sync import install_versioning

    from .services.audit.checkpoints import install_file_copies

    db.init_app(app)
    install_versioning()
    install_file_copies()
    from .services.calendar.notices import on_year_loaded
    from .services.complaints.clocks import recompute_provisional

    on_year_loaded(recompute_provisional)  # stored provisional deadlines follow a new year's notice
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            install_sqlite_behaviour(db.engine)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Login limits count per client address, which behind nginx only the proxy header knows.
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    csrf.init_app(app)
    register_error_handlers(app)
    from .compression import init_app as init_compression

    init_compression(app)  # JSON answers of 1 KB and more gzip-compressed when the client accepts it
    from .jobs import init_app as init_jobs

    init_jobs(app)  # app.extensions["celery"]; connects to the broker only when a job is sent

    @app.errorhandler(CSRFError)
    def _csrf_failed(err: CSRFError):
        from .errors import html_error_page
        from .i18n import t

        page = html_error_page(err, t("csrf_failed"))
        return page if page is not None else (t("csrf_failed") + f" ({err.description})", 400)

    @app.before_request
    def _mark_write_intent() -> None:
        # SQLite write requests take the write lock at BEGIN (see db.write_intent).
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    from .api import bp as api_bp
    from .console import bp as console_bp

    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with the cookie on writes
    app.register_blueprint(api_bp)
    app.register_blueprint(console_bp)
    from .pwa import bp as pwa_bp

    app.register_blueprint(pwa_bp)  # the phone app at /app/, its service worker at /sw.js
    from .verify import bp as verify_bp

    app.register_blueprint(verify_bp)  # public: /verify/<token> (the QR codes' target) and /verify (file check)
    from .public import bp as public_bp

    app.register_blueprint(public_bp)  # public: /public/checks, the published results of random checks (一公开)
    from .open_days import bp as open_days_bp

    app.register_blueprint(open_days_bp)  # public: /open-days/ (lab open days: list, book, look a result up)

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        from .i18n import current_language, t

        return {"t": t, "lang": current_language()}

    @app.get("/healthz")
    def healthz():
        from sqlalchemy import text

        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001  (health must answer, whatever broke)
            return jsonify(status="error", database=str(exc.__class__.__name__)), 503
        return jsonify(status="ok", database=db.engine.dialect.name)

    @app.get("/api/v1/openapi.json")
    def openapi():
        from .openapi import build_spec

        return jsonify(build_spec(app))

    @app.get("/")
    def index():
        from flask import redirect, url_for

        # Phones land in the field app; desktops (reviewers, admins) in the console.
        agent = request.user_agent.string
        if any(word in agent for word in ("Mobi", "Android", "iPhone", "iPad")):
            return redirect("/app/")
        return redirect(url_for("console.home"))

    from .cli import register_cli

    register_cli(app)
    return app


__all__ = ["create_app", "ApiError", "db"]

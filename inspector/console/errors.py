"""Error pages under /console: the console's own layout and navigation, in the reader's language."""
from __future__ import annotations

from flask import g, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from ..i18n import t
from .auth import session_user

PAGES = (400, 403, 404, 405, 500)


def is_console_request() -> bool:
    return request.path == "/console" or request.path.startswith("/console/")


def error_page(err: HTTPException, message: str | None = None):
    """A console page for an HTTP error: what happened in words, and the way back.

    A page outside any route (a mistyped address) never ran the login check, so the user is looked
    up here to show the navigation they are allowed.
    """
    status = err.code or 500
    if "user" not in g:
        try:
            g.user = session_user()
        except Exception:  # noqa: BLE001  (the error may be the database itself: the page still renders)
            g.user = None
    known = status if status in PAGES else None
    title = t(f"error_page_{known}") if known else t("error_page_other")
    text = message or (t(f"error_page_{known}_text") if known else err.description)
    # The exception's own headers still belong to the answer (a 405 names what is Allowed).
    headers = [(name, value) for name, value in err.get_headers() if name.lower() != "content-type"]
    return render_template("console/error.html", status=status, title=title, text=text), status, headers


def console_error_pages(err: HTTPException, message: str | None = None):
    """The app's HTML error hook: the console's page under /console; None elsewhere (the default)."""
    return error_page(err, message) if is_console_request() else None


def refused_filters(problems: tuple[str, ...]):
    """400 for a download whose filters a page would have ignored (an agency outside the
    jurisdiction, a malformed date): a page can say what it ignored, a file cannot, so a file of
    other cases than were asked for is refused, naming the filters."""
    names = "、".join(t("filter_" + name, default=name) for name in problems)
    return error_page(BadRequest(), t("export_refused", names=names))

"""Console pages of the foundation: home and language."""
from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from ..i18n import LANGUAGES
from ..services import queue as queue_service
from ..services import todo as todo_service
from ..services.tasks import manage as task_service
from ..services.todo import reminders as reminder_service
from . import bp
from .auth import login_required, same_site
from .review import CONSOLE_READERS


@bp.get("/")
@login_required()
def home():
    todo = None
    if g.user.role in CONSOLE_READERS:
        counts = queue_service.status_counts(g.user, queue_service.QueueFilters())
        todo = {status: counts[status] for status in ("submitted", "returned")}
    tasks_todo = None
    if g.user.role in task_service.TASK_MANAGERS:
        tasks_todo = {"alerts": task_service.alerts(g.user), "counts": task_service.open_counts(g.user)}
    deadline_counts = {"mine": todo_service.todo(g.user, mine=True).counts,
                       "bureau": todo_service.todo(g.user, mine=False).counts}
    return render_template("console/home.html", user=g.user, todo=todo, tasks_todo=tasks_todo,
                           cap=queue_service.COUNT_CAP, deadline_counts=deadline_counts,
                           deadline_buckets=todo_service.BUCKETS,
                           reminders_unread=reminder_service.unread_count(g.user))


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(same_site(request.form.get("next", "")))

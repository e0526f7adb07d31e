"""Console: the 待办 list (mine or my bureau's) and the reminders the daily job wrote."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ..services import todo as todo_service
from ..services.todo import reminders as reminder_service
from . import bp
from .auth import login_required


@bp.get("/todo")
@login_required()
def todo():
    mine = request.args.get("scope") != "bureau"
    return render_template("console/todo.html", todo=todo_service.todo(g.user, mine=mine), mine=mine,
                           buckets=todo_service.BUCKETS)


@bp.get("/reminders")
@login_required()
def reminders():
    return render_template("console/reminders.html", reminders=reminder_service.reminders_for(g.user))


@bp.post("/reminders/read")
@login_required()
def reminders_read():
    reminder_service.mark_all_read(g.user)
    return redirect(url_for("console.reminders"))

"""Sync for phones (docs/sync-protocol.md): push mutations, pull changes; settling conflicts."""
from __future__ import annotations

import functools
from typing import Callable

from flask import g, request
from marshmallow import fields, validate

from ..database import write_intent
from ..errors import ApiError
from ..schemas.base import UUID_STR, WireSchema
from ..schemas.sync import ConflictValue, PullIn, PullOut, PushIn, PushOut, RejectionListOut, ResolveIn
from ..services import sync as sync_service
from ..services.sync.pull import RejectionRow
from ..services.sync.push import MAX_PUSH_BYTES
from .common import authenticated, bp, documented, json_body

push_in, push_out, pull_in, pull_out = PushIn(), PushOut(), PullIn(), PullOut()
resolve_in, conflict_out, rejections_out = ResolveIn(), ConflictValue(), RejectionListOut()


class RejectionQuery(WireSchema):
    inspection_id = fields.String(load_default=None, validate=UUID_STR, data_key="inspectionID")
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


rejection_query = RejectionQuery()


def reads(view: Callable) -> Callable:
    """A POST that only reads: on SQLite it must not take the write lock at BEGIN, so that a
    phone's pull runs beside a writer instead of queueing behind it."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        write_intent.set(False)
        return view(*args, **kwargs)

    return wrapper


@bp.post("/sync/push")
@authenticated()
@documented("Apply the phone's mutations in order; each is applied once, whatever the retries",
            body=push_in, response=push_out,
            responses={503: "The database is busy; nothing was changed: retry after Retry-After seconds"})
def sync_push():
    size = request.content_length if request.content_length is not None else len(request.get_data(cache=True))
    if size > MAX_PUSH_BYTES:
        raise ApiError("too_large", "A push may carry at most 1 MiB; send fewer mutations at a time.",
                       details={"maxBytes": MAX_PUSH_BYTES})
    return push_out.dump(sync_service.push_mutations(g.user, g.device, json_body(push_in)))


@bp.post("/sync/pull")
@reads
@authenticated()
@documented("Changes in the caller's scope since the cursor, one page from one snapshot",
            body=pull_in, response=pull_out)
def sync_pull():
    return pull_out.dump(sync_service.pull_changes(g.user, g.device, json_body(pull_in)))


@bp.post("/conflicts/<conflict_id>/resolve")
@authenticated("reviewer", "admin")
@documented("Settle a merge conflict: keep the server value or take the phone's", body=resolve_in,
            response=conflict_out)
def resolve_conflict(conflict_id: str):
    choice = json_body(resolve_in)["choice"]
    return conflict_out.dump(sync_service.resolve_conflict(g.user, conflict_id, choice))


@bp.get("/sync/rejections")
@authenticated()
@documented("Rejected mutations the caller may see (their own, their cases', their staff's)",
            query=rejection_query, response=rejections_out)
def list_rejections():
    args = rejection_query.load(request.args.to_dict())
    rows = sync_service.list_rejections(g.user, args["inspection_id"], args["limit"])
    return rejections_out.dump({"rejections": [RejectionRow(r, r.device.client_id) for r in rows]})

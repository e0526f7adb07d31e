"""Reading inspections (writes arrive through sync mutations)."""
from __future__ import annotations

from flask import g, request

from ..schemas.inspections import InspectionListQuery, InspectionOut, InspectionPageOut
from ..services import inspections as inspection_service
from .common import authenticated, bp, documented

inspection_out, page_out, list_query = InspectionOut(), InspectionPageOut(), InspectionListQuery()


@bp.get("/inspections")
@authenticated()
@documented("Inspections in the caller's jurisdiction, newest first", query=list_query, response=page_out)
def list_inspections():
    args = list_query.load(request.args.to_dict())
    rows = inspection_service.list_inspections(g.user, args["status"], args["limit"], args["before"])
    return page_out.dump({"inspections": rows, "next": rows[-1].id if len(rows) == args["limit"] else None})


@bp.get("/inspections/<inspection_id>")
@authenticated()
@documented("One inspection with findings, samples, photos, signatures and decisions", response=inspection_out)
def show_inspection(inspection_id: str):
    return inspection_out.dump(inspection_service.inspection_view(g.user, inspection_id))

"""Reference reads for phones: agencies, colleagues, published checklist templates."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from ..database import db
from ..models import Agency
from ..schemas.accounts import ColleagueListOut
from ..schemas.reference import AgencyListOut, TemplateListOut, TemplateOut
from ..services import templates as template_service
from ..services.users import colleagues as colleagues_of
from .common import authenticated, bp, documented

agencies_out, colleagues_out = AgencyListOut(), ColleagueListOut()
template_out, templates_out = TemplateOut(), TemplateListOut()


@bp.get("/agencies")
@authenticated()
@documented("The agency tree (region, leagues/cities, counties/banners)", response=agencies_out)
def list_agencies():
    return agencies_out.dump({"agencies": db.session.scalars(select(Agency).order_by(Agency.code))})


@bp.get("/colleagues")
@authenticated()
@documented("Inspectors of the caller's league (colleagues), for the second-inspector choice", response=colleagues_out)
def list_colleagues():
    return colleagues_out.dump({"colleagues": colleagues_of(g.user)})


@bp.get("/templates")
@authenticated()
@documented("Published checklist templates", response=templates_out)
def list_templates():
    return templates_out.dump({"templates": template_service.published_templates()})


@bp.get("/templates/<int:template_id>")
@authenticated()
@documented("One checklist template version", response=template_out)
def show_template(template_id: int):
    return template_out.dump(template_service.get_template(template_id))

"""Parties (当事人): search and create, always within the caller's jurisdiction."""
from __future__ import annotations

from flask import g, request

from ..schemas.parties import PartyIn, PartyListOut, PartyOut, PartySearchQuery
from ..services import parties as party_service
from ..services.scope import get_party
from .common import authenticated, bp, device_id, documented, json_body

party_in, party_out, parties_out, search_query = PartyIn(), PartyOut(), PartyListOut(), PartySearchQuery()


@bp.get("/parties")
@authenticated()
@documented("Search parties by name or credit code", query=search_query, response=parties_out)
def search_parties():
    args = search_query.load(request.args.to_dict())
    return parties_out.dump({"parties": party_service.search_parties(g.user, args["q"], args["limit"])})


@bp.post("/parties")
@authenticated("inspector", "reviewer", "admin")
@documented("Create a party; the credit code is checked (GB 32100)", body=party_in, response=party_out, status=201)
def create_party():
    party = party_service.create_party(g.user, json_body(party_in), device_id=device_id())
    return party_out.dump(party), 201


@bp.get("/parties/<party_id>")
@authenticated()
@documented("One party", response=party_out)
def show_party(party_id: str):
    return party_out.dump(get_party(g.user, party_id))

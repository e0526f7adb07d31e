"""Indexes a pull page seeks by: a case's parts and a county's parties, from a version on.

A pull reaches the rows of a user's scope through their cases (or their county's parties) and
keeps those after its cursor's version. Without (case, version) the database reads every part
of every case in scope for each page, so a page's cost grew with the user's history rather than
with what the page keeps. Declared here so the models match migration 0021_pull_indexes.
"""
from __future__ import annotations

from sqlalchemy import Index

from .evidence import Photo
from .inspection import Finding, Sample, Signature
from .party import Party
from .review import ReviewDecision
from .sync_log import Conflict

PARTS_OF_A_CASE = (Finding, Sample, Photo, Signature, ReviewDecision, Conflict)

for _model in PARTS_OF_A_CASE:
    Index(f"ix_{_model.__tablename__}_inspection_id_version", _model.inspection_id, _model.version)
Index("ix_party_agency_id_version", Party.agency_id, Party.version)

"""Helpers for console scenarios: a reviewer's browser session, submitted cases, decisions."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from inspector.database import db

from . import factories
from .api.test_auth import console_login

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def reviewer_session(client, username: str = "hhht.reviewer"):
    """The test client logged in to the console as `username`."""
    response = console_login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token(client, path: str = "/console/") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def submitted_case(agency_code: str = "150122", inspectors: tuple[str, ...] = ("tuoketuo.zhang", "tuoketuo.liu"), *,
                   key: str = "fertilizer", findings: dict[str, str] | None = None, party_name: str | None = None,
                   submitted_at: datetime | None = None, **fields):
    """A case as it arrives from the field: submitted, with findings."""
    party = factories.party(agency_code, party_name)
    case = factories.inspection(party, inspectors, status="submitted", key=key,
                                findings=findings if findings is not None else {"G01": "pass", "G02": "fail"})
    case.submitted_at = submitted_at or datetime.now(timezone.utc) - timedelta(minutes=5)
    for name, value in fields.items():
        setattr(case, name, value)
    db.session.commit()
    return case


def open_case(client, case_id: str) -> tuple[str, str, str]:
    """The case page as the reviewer sees it: (html, csrf token, version in the decision form)."""
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    version = VERSION.search(html)
    return html, CSRF.search(html).group(1), version.group(1) if version else ""


def approve(client, case_id: str, *, photos_confirmed: bool = False, signatures_confirmed: bool = False):
    """通过并分配文号 from the case page, with the confirmations the reviewer ticked."""
    _html, token, version = open_case(client, case_id)
    data = {"csrf_token": token, "decision": "approve", "version": version,
            **({"photos_confirmed": "yes"} if photos_confirmed else {}),
            **({"signatures_confirmed": "yes"} if signatures_confirmed else {})}
    return client.post(f"/console/cases/{case_id}/decide", data=data)


def decide(client, case_id: str, decision: str, *, version: str | None = None, comment: str = "",
           items: dict[str, str] | None = None, token: str | None = None):
    """Post a decision from the case page (as the browser would, with its CSRF token and version)."""
    _html, page_token, page_version = open_case(client, case_id)
    data = {"csrf_token": token if token is not None else page_token, "decision": decision,
            "version": version if version is not None else page_version, "comment": comment}
    for key, text in (items or {}).items():
        data[f"item:{key}"] = text
    return client.post(f"/console/cases/{case_id}/decide", data=data)

"""The complaints and reports register (投诉举报): intake, the two status machines with their
statutory clocks, notices, the inspection task a lead becomes, and reporter confidentiality.

Entry points for other parts (console pages, 12315 import, phone intake, 待办 lists, exports):
- `register_filing(by, data)`: data as loaded by `schemas.complaints.FilingIn`;
- `transition(filing, action, by, reason, ...)` and `allowed_actions(user, filing)`;
- `deadlines(filing)` (every clock, open or met) and the filing's `due_on` / `due_provisional`
  columns (its open deadline, kept current by every step);
- `filing_scope(user)`, `get_filing(user, id)`;
- `may_see_person(user, filing)`, `person_for(user, filing)`, `redact(text, filing)`;
- `create_inspection_task(filing, by, assignees=...)`, `inspection_results(filing)`.
Rules: next-capabilities.md §1 (kept in the repository's own words in rules.py).
"""
from __future__ import annotations

from .confidential import HIDDEN, PersonView, may_see_person, person_for, redact
from .clocks import Deadline, deadlines, refresh_due
from .leads import create_inspection_task, findings_text, inspection_results, jurisdiction_county
from .machine import ACTIONS, Action, allowed_actions, transition
from .queries import REGISTER_ROLES, filing_scope, get_filing, list_filings, parse_filters
from .register import INTAKE_ROLES, register_filing

__all__ = [
    "HIDDEN", "PersonView", "may_see_person", "person_for", "redact", "Deadline", "deadlines", "refresh_due",
    "create_inspection_task", "findings_text", "inspection_results", "jurisdiction_county", "ACTIONS", "Action",
    "allowed_actions", "transition", "REGISTER_ROLES", "filing_scope", "get_filing", "list_filings",
    "parse_filters", "INTAKE_ROLES", "register_filing",
]

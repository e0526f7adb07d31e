"""Who may see the person behind a filing (CR-R5), and text cleaned of them.

A reporter (举报人) is seen only by the officers handling the report: its handler, the officer who
registered it, and the 负责人 of the handling bureau or a bureau above it, who approve its steps.
Everyone else — the respondent's county inspectors, reviewers, other officers, phones, case
files, exports below that level, public pages — gets the report without them. A complainant
(投诉人) is a party to the mediation and is seen by whoever may see the complaint.
Every read of `FilingPerson` goes through this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...database import db
from ...models import Filing, FilingPerson, User

HIDDEN = "（保密）"


@dataclass(frozen=True)
class PersonView:
    """What a user is shown of the person: `hidden` when the identity is withheld from them."""

    hidden: bool
    anonymous: bool
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    id_no: str | None = None
    insider: bool = False


def handles_report(user: User, filing: Filing) -> bool:
    """The report's handler, its registrar, or a 负责人 over the handling bureau."""
    if not user.active:
        return False
    if user.id in (filing.handler_id, filing.created_by_id):
        return True
    return user.role == "head" and filing.handling_agency.path.startswith(user.agency.path)


def may_see_person(user: User, filing: Filing) -> bool:
    if filing.kind != "report":
        return True
    return handles_report(user, filing)


def person_for(user: User, filing: Filing) -> PersonView:
    person = db.session.get(FilingPerson, filing.id)
    if person is None:
        return PersonView(hidden=False, anonymous=True)
    if not may_see_person(user, filing):
        return PersonView(hidden=True, anonymous=person.anonymous)
    return PersonView(False, person.anonymous, person.name, person.phone, person.address, person.id_no, person.insider)


def identity_strings(filing: Filing) -> list[str]:
    """The strings that identify the person (name, phone, ID number), for redaction."""
    person = db.session.get(FilingPerson, filing.id)
    if person is None:
        return []
    return [s.strip() for s in (person.name, person.phone, person.id_no) if s and len(s.strip()) >= 2]


def redact(text: str | None, filing: Filing) -> str:
    """`text` with the person's name, phone and ID number replaced by ＊＊ (also the phone's digits
    written with spaces or dashes), for anything that leaves the handlers: tasks, case files."""
    if not text:
        return text or ""
    for needle in identity_strings(filing):
        if needle.isdigit() or re.fullmatch(r"[\d\s-]+", needle):
            digits = re.sub(r"\D", "", needle)
            pattern = r"[\s-]*".join(re.escape(c) for c in digits)
            text = re.sub(pattern, "＊＊", text)
        else:
            text = text.replace(needle, "＊＊")
    return text

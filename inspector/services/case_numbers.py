"""Case numbers (文号): formatting from the agency's settings and gap-free allocation.

A number looks like `呼托市监检〔2026〕12号`: {机关代字}{类别代字}〔{year}〕{第?}{seq}号, each
part an agency setting (reference/enforcement-records.md §5). The sequence runs per agency,
category and year, and is allocated inside the transaction that uses it, under the counter
row's lock: concurrent approvals queue on that row, a rolled-back approval gives its number
back, so numbers are never skipped and never reused.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from ..database import db, utcnow
from ..errors import ApiError
from ..models import Agency, CaseNumberCounter, Inspection

CHINA = timezone(timedelta(hours=8))  # the year on a case number is the bureau's calendar year
INSPECTION = "inspection"


def local_year(moment: datetime | None = None) -> int:
    return (moment or utcnow()).astimezone(CHINA).year


def _words(agency: Agency, category: str) -> tuple[str, str]:
    """The agency's code word and category word, or a 422 that tells the admin what to set."""
    code_word = (agency.case_code_word or "").strip()
    category_word = str((agency.case_category_words or {}).get(category) or "").strip()
    if not code_word or not category_word:
        missing = "机关代字" if not code_word else f"类别代字（{category}）"
        raise ApiError("case_number_unconfigured",
                       f"{agency.name} has no case-number setting {missing}; an administrator must set it "
                       "under Agencies before cases can be approved.",
                       details={"agency": agency.code, "missing": "case_code_word" if not code_word else "category"})
    return code_word, category_word


def format_case_number(agency: Agency, category: str, year: int, seq: int) -> str:
    """The printed number for sequence `seq` under the agency's settings."""
    code_word, category_word = _words(agency, category)
    digits = str(seq).zfill(max(0, int(agency.case_number_padding or 0)))
    return f"{code_word}{category_word}〔{year}〕{'第' if agency.case_number_uses_di else ''}{digits}号"


def allocate_case_number(agency: Agency, category: str = INSPECTION, when: datetime | None = None) -> str:
    """The next number of the agency's sequence, reserved in the caller's transaction."""
    _words(agency, category)  # refuse before touching the counter
    year = local_year(when)
    session = db.session
    key = (CaseNumberCounter.agency_id == agency.id, CaseNumberCounter.category == category,
           CaseNumberCounter.year == year)
    seq = session.execute(
        update(CaseNumberCounter).where(*key).values(last_seq=CaseNumberCounter.last_seq + 1)
        .returning(CaseNumberCounter.last_seq)
    ).scalar_one_or_none()
    if seq is None:
        # First number of the year: continue after any number already issued under the same
        # words (imported or seeded data), then upsert so a concurrent first use just increments.
        first = _highest_issued(agency, category, year) + 1
        seq = session.execute(
            _insert(session).values(agency_id=agency.id, category=category, year=year, last_seq=first)
            .on_conflict_do_update(index_elements=["agency_id", "category", "year"],
                                   set_={"last_seq": CaseNumberCounter.last_seq + 1})
            .returning(CaseNumberCounter.last_seq)
        ).scalar_one()
    return format_case_number(agency, category, year, seq)


def _insert(session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(CaseNumberCounter)


def _highest_issued(agency: Agency, category: str, year: int) -> int:
    code_word, category_word = _words(agency, category)
    prefix = f"{code_word}{category_word}〔{year}〕"
    pattern = re.compile(re.escape(prefix) + r"第?(\d+)号$")
    numbers = db.session.scalars(
        select(Inspection.case_number).where(Inspection.agency_id == agency.id,
                                             Inspection.case_number.startswith(prefix, autoescape=True))
    )
    return max((int(m.group(1)) for n in numbers if (m := pattern.match(n or ""))), default=0)


def next_case_number_preview(agency: Agency, category: str = INSPECTION) -> str | None:
    """What the next approval would be numbered (for the settings page); None when not configured."""
    try:
        _words(agency, category)
    except ApiError:
        return None
    year = local_year()
    last = db.session.scalar(select(CaseNumberCounter.last_seq).where(
        CaseNumberCounter.agency_id == agency.id, CaseNumberCounter.category == category,
        CaseNumberCounter.year == year))
    if last is None:
        last = _highest_issued(agency, category, year)
    return format_case_number(agency, category, year, last + 1)

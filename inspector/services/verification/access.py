"""Who may see a registered document's pages as issued, and the access code printed on its cover.

The public verify page says whether a page was issued and what became of it; the page itself
(the party's name, the findings, the photos) is shown only to an officer whose jurisdiction
holds the case, or to someone who types the access code printed on the file's cover: the party
and whoever the party gave the file to.

The code is derived from the document's verify token with a server key (HMAC), so that a
re-render of a registered document prints the same code and stays byte-identical; the register
keeps only an Argon2id hash of it, so a copy of the database does not give the codes away.
Wrong codes are counted per document and per address in the database (several workers and hosts
see the same counts); past the limit no code is checked at all until the window has passed.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import delete, func, select

from ...database import db, utcnow
from ...errors import ApiError
from ...models import IssuedDocument, User
from ...models.document import AccessCodeAttempt
from ..passwords import check_password, hash_password
from ..scope import get_document

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, as document numbers use
_CODE_LENGTH = 10  # 50 bits: guessing is bounded by the limits below, not by the length alone
_PURPOSE = b"inspector/document-access-code/v1:"
_TYPED_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
MAX_FAILURES_PER_DOCUMENT = 5
MAX_FAILURES_PER_ADDRESS = 20
_SESSION_KEY = "verify_documents"  # ids of documents this browser has typed the code of
_SESSION_REMEMBERED = 20


def access_code(verify_token: str) -> str:
    """The code printed on the cover of the document with this token: `7KQ2M-X9D4T`."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, _PURPOSE + verify_token.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * _CODE_LENGTH)
    chars = [_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_CODE_LENGTH))]
    half = _CODE_LENGTH // 2
    return "".join(chars[:half]) + "-" + "".join(chars[half:])


def normalise(typed: str) -> str:
    """What a person typed, as the code is hashed: no spaces or dashes, capitals, O read as 0."""
    kept = "".join(c for c in (typed or "").upper() if c.isalnum())
    return kept.translate(_TYPED_ALIASES)


def code_hash(verify_token: str) -> str:
    """What the register keeps of a document's code."""
    return hash_password(normalise(access_code(verify_token)))


@dataclass(frozen=True)
class Viewer:
    """Why someone may see the pages of a document: as an officer in scope, or by its code."""

    officer: User | None
    by_code: bool

    @property
    def may_see_pages(self) -> bool:
        return self.officer is not None or self.by_code


def viewer(document: IssuedDocument, user: User | None) -> Viewer:
    """Whether the current visitor (the console user, if any) may see this document's pages."""
    officer = None
    if user is not None:
        try:
            get_document(user, document.id)
            officer = user
        except ApiError:
            officer = None
    return Viewer(officer=officer, by_code=document.id in session.get(_SESSION_KEY, []))


def enter_code(document: IssuedDocument, typed: str, address: str) -> None:
    """Check a typed code; on success this browser may see the document's pages.

    Raises ApiError `forbidden` (403) for a wrong code, `rate_limited` (429) past the limits;
    neither says anything about the document or the code.
    """
    _check_limits(document, address)
    if document.access_code_hash is None or not check_password(document.access_code_hash, normalise(typed)):
        db.session.add(AccessCodeAttempt(document_id=document.id, address=address[:64]))
        db.session.commit()
        raise ApiError("forbidden", "Wrong access code.")
    db.session.execute(delete(AccessCodeAttempt).where(AccessCodeAttempt.document_id == document.id,
                                                       AccessCodeAttempt.address == address[:64]))
    db.session.commit()
    remembered = [d for d in session.get(_SESSION_KEY, []) if d != document.id]
    session[_SESSION_KEY] = (remembered + [document.id])[-_SESSION_REMEMBERED:]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _check_limits(document: IssuedDocument, address: str) -> None:
    since = utcnow() - _window()
    for column, value, limit in ((AccessCodeAttempt.document_id, document.id, MAX_FAILURES_PER_DOCUMENT),
                                 (AccessCodeAttempt.address, address[:64], MAX_FAILURES_PER_ADDRESS)):
        count, oldest = db.session.execute(
            select(func.count(), func.min(AccessCodeAttempt.at)).where(column == value, AccessCodeAttempt.at > since)
        ).one()
        if count >= limit:
            wait = max(1, math.ceil((oldest + _window() - utcnow()).total_seconds()))
            raise ApiError("rate_limited", f"Too many wrong access codes. Try again in {math.ceil(wait / 60)} minutes.",
                           details={"retryAfterSeconds": wait}, headers={"Retry-After": str(wait)})

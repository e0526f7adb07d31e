"""`verify-audit`: the chain walked end to end, then held against what lies outside it.

Signed checkpoints (rows and their file copies) and the heads printed on issued documents each
say "event N had hash H". A history rewritten with every later hash recomputed breaks the first;
events cut from the end with the head moved back break the second; deleted checkpoint rows leave
lines in the file that no row matches.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from ...database import db
from ...models import AuditCheckpoint, IssuedDocument
from . import ChainReport, checkpoints, verify_chain
from .checkpoints import SignedHead


@dataclass
class AuditReport:
    """What `verify-audit` prints: problems make it exit 1; notes do not."""

    chain: ChainReport
    checkpoints: int
    last_checkpoint: SignedHead | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    @property
    def events(self) -> int:
        return self.chain.events


def verify_audit() -> AuditReport:
    """The chain, checked against every checkpoint (database and file) and every issued document."""
    rows = [SignedHead.of(r) for r in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))]
    path = current_app.config["AUDIT_CHECKPOINT_FILE"]
    copies, problems = checkpoints.read_copies(path)
    documents = db.session.execute(
        select(IssuedDocument.document_no, IssuedDocument.audit_seq, IssuedDocument.audit_hash,
               IssuedDocument.checkpoint_id)
        .where(IssuedDocument.audit_seq.is_not(None)).order_by(IssuedDocument.id)).all()
    signed = list(dict.fromkeys([*rows, *copies]))  # a row and its copy are one checkpoint, unless one was altered
    chain = verify_chain(keep={h.seq for h in signed} | {d.audit_seq for d in documents})
    end = chain.events if chain.ok else (chain.broken_at or 1) - 1

    public = None
    try:
        public = checkpoints.signing_key().public_key() if signed else None
    except (OSError, ValueError) as err:
        problems.append(f"the checkpoints cannot be checked: {err}")
    our_key = checkpoints.key_id(public) if public is not None else None

    for head in signed if public is not None else ():
        what = f"the checkpoint of event {head.seq} signed {head.at.isoformat()}"
        if head.key_id != our_key:
            problems.append(f"{what} names key {head.key_id}, not this server's key {our_key}")
        elif not checkpoints.signature_valid(public, head):
            problems.append(f"{what} has an invalid signature: it was forged or altered")
        elif chain.ok and head.seq > end:
            problems.append(f"{what} covers event {head.seq}, but the chain ends at event {end}: "
                            f"events {end + 1}–{head.seq} were removed and the head moved back")
        elif head.seq in chain.hashes and chain.hashes[head.seq] != head.hash:
            problems.append(f"event {head.seq} no longer has the hash signed in {what}: "
                            f"the history up to event {head.seq} was rewritten")

    in_rows = set(rows)
    for head in copies:
        if head not in in_rows:
            problems.append(f"the checkpoint of event {head.seq} signed {head.at.isoformat()} is in {path} "
                            f"but not in the database: checkpoint rows were deleted or altered")
    in_file = set(copies)
    unfiled = [h for h in rows if h not in in_file]
    notes = []
    if unfiled:  # a crash between commit and copy, or a host whose instance folder holds another file
        notes.append(f"{len(unfiled)} checkpoint(s) of the database are not in {path} "
                     f"(the first: event {unfiled[0].seq}, signed {unfiled[0].at.isoformat()})")

    row_ids = set(db.session.scalars(select(AuditCheckpoint.id)))
    for number, seq, printed, checkpoint_id in documents:
        what = f"document {number} printed the chain's head at event {seq}"
        if chain.ok and seq > end:
            problems.append(f"{what}, but the chain ends at event {end}: events were removed")
        elif seq in chain.hashes and chain.hashes[seq] != printed:
            problems.append(f"{what} with another hash: the history up to event {seq} was rewritten")
        elif checkpoint_id is not None and checkpoint_id not in row_ids:
            problems.append(f"{what}, signed in checkpoint {checkpoint_id}, which is no longer in the database")

    last = max(signed, key=lambda h: (h.seq, h.at), default=None)
    return AuditReport(chain=chain, checkpoints=len(signed), last_checkpoint=last, problems=problems,
                       notes=notes)

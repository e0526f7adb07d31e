"""Signed checkpoints: the audit chain's head, signed with a key kept outside the database.

The chain alone shows a naive edit; someone who can write the database can also rewrite an
event and recompute every later hash, or cut the newest events and move the head back. A
checkpoint signs (seq, head hash, time, key id) with an Ed25519 key that lives in the instance
folder or the environment, never in the database, and a copy of each is appended to a file
outside the database. `verify-audit` then finds a rewritten history (the event at a signed seq
no longer has the signed hash), a cut end (a signed seq the chain no longer reaches) and deleted
checkpoint rows (a line of the file with no row). What stays undetectable: events after the
last checkpoint, and anyone holding the signing key.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ...models import AuditCheckpoint, AuditHead

log = logging.getLogger(__name__)

_MESSAGE_PREFIX = "inspector-audit-checkpoint-v1"
_PENDING = "audit_checkpoint_copies"  # Session.info key: file lines to append once the commit holds


@dataclass(frozen=True)
class SignedHead:
    """A checkpoint as signed and as copied to the file (the database row carries the same)."""

    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: str

    def line(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at.isoformat(), "key": self.key_id,
                           "sig": self.signature}, separators=(",", ":"))

    @classmethod
    def of(cls, row: AuditCheckpoint) -> SignedHead:
        return cls(row.seq, row.hash, row.at, row.key_id, row.signature)


def message(seq: int, head_hash: str, at: datetime, key_id: str) -> bytes:
    """What a checkpoint signs; printed on documents so anyone with the public key can check it."""
    return f"{_MESSAGE_PREFIX}:{seq}:{head_hash}:{at.isoformat()}:{key_id}".encode()


# ---------------------------------------------------------------- the key

def signing_key() -> Ed25519PrivateKey:
    """AUDIT_SIGNING_KEY, or the key file (created on first use, readable by its owner only)."""
    configured = current_app.config.get("AUDIT_SIGNING_KEY")
    if configured:
        return _parse_key(configured, "INSPECTOR_AUDIT_SIGNING_KEY")
    path = Path(current_app.config["AUDIT_SIGNING_KEY_FILE"])
    if not path.exists():
        _create_key_file(path)
    return _parse_key(path.read_text(), str(path))


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _parse_key(text: str, where: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, UnsupportedAlgorithm) as err:  # TypeError: a PEM that needs a password
        raise ValueError(f"{where} does not hold an unencrypted Ed25519 private key (PEM, or base64 of "
                         "32 bytes)") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{where} holds a key that is not Ed25519")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key with mode 0600, atomically: when workers start together, the first key wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)


# ---------------------------------------------------------------- making one

def due(head: AuditHead, now: datetime) -> bool:
    """Whether an append at `now` should sign a checkpoint: none yet, or the last is older than the interval."""
    interval = timedelta(minutes=int(current_app.config["AUDIT_CHECKPOINT_MINUTES"]))
    return head.checkpoint_at is None or now - head.checkpoint_at >= interval


def sign_head(session: Session, head: AuditHead, at: datetime) -> AuditCheckpoint:
    """Sign the locked head in the session's transaction; its file copy is written once that commits."""
    key = signing_key()
    kid = key_id(key.public_key())
    signature = key.sign(message(head.seq, head.hash, at, kid)).hex()
    row = AuditCheckpoint(seq=head.seq, hash=head.hash, at=at, key_id=kid, signature=signature)
    session.add(row)
    head.checkpoint_at = at
    session.info.setdefault(_PENDING, []).append(
        (current_app.config["AUDIT_CHECKPOINT_FILE"], SignedHead(head.seq, head.hash, at, kid, signature).line()))
    return row


def install_file_copies() -> None:
    """Append each committed checkpoint to the file; forget those of a rolled-back transaction.

    After the commit, not before: a line for a checkpoint whose transaction rolled back would look
    like a cut chain. A crash between the two leaves a row without its line, which `verify-audit`
    mentions without failing (the next checkpoint covers it).
    """
    if getattr(install_file_copies, "done", False):
        return
    event.listen(Session, "after_commit", _write_copies)
    event.listen(Session, "after_rollback", lambda session: session.info.pop(_PENDING, None))
    install_file_copies.done = True


def _write_copies(session: Session) -> None:
    for path, line in session.info.pop(_PENDING, ()):
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:  # one write per line: O_APPEND keeps lines whole
                out.write(line + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            log.exception("could not copy an audit checkpoint to %s", path)


# ---------------------------------------------------------------- checking

def read_copies(path: str) -> tuple[list[SignedHead], list[str]]:
    """The checkpoints of the file, and a problem for every line that is not one."""
    heads, problems = [], []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw: dict[str, Any] = json.loads(line)
            heads.append(SignedHead(int(raw["seq"]), str(raw["hash"]), datetime.fromisoformat(raw["at"]),
                                    str(raw["key"]), str(raw["sig"])))
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {number} of {path} is not a checkpoint: the file was damaged or edited")
    return heads, problems


def signature_valid(public: Ed25519PublicKey, head: SignedHead) -> bool:
    try:
        public.verify(bytes.fromhex(head.signature), message(head.seq, head.hash, head.at, head.key_id))
    except (InvalidSignature, ValueError):
        return False
    return True

"""Password hashing with Argon2id, a memory-hard KDF."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["PASSWORD_HASH_MEMORY_KIB"], cfg["PASSWORD_HASH_TIME_COST"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(memory_cost=key[0], time_cost=key[1])
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the username does not exist, so both cases take equal time.
def dummy_check(password: str) -> None:
    if "dummy" not in _hashers:
        _hashers["dummy"] = _hasher().hash("no such user")  # type: ignore[index]
    check_password(_hashers["dummy"], password)  # type: ignore[arg-type]

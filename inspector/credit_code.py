"""Check 统一社会信用代码 (GB 32100-2015) and legacy 15-digit 工商注册号 (GS15-2006)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

# GB 32100 uses 31 characters; I, O, S, V and Z are left out so they cannot be
# confused with 1, 0, 5, U and 2. A character's value is its index here.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN_LETTERS = "IOSVZ"
# Weight of position i (1-based) is 3^(i-1) mod 31.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 组织机构代码 weights for the eight body characters (positions 9-16 of a USCC).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

USCC_LENGTH = 18
LEGACY_LENGTH = 15
REGION_SLICE = slice(2, 8)
ORG_CODE_SLICE = slice(8, 17)

# GB/T 2260 province-level prefixes, plus "10" which the national registry uses (100000).
PROVINCE_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
INNER_MONGOLIA_PREFIX = "15"

_WHITESPACE = re.compile(r"\s+")

Kind = Literal["uscc", "legacy15"]


@dataclass(frozen=True)
class CreditCodeResult:
    """Outcome of checking one credit code; `error` is a stable machine code."""

    code: str
    kind: Kind
    valid: bool
    error: str | None = None
    message: str | None = None
    message_zh: str | None = None
    warnings: list[str] = field(default_factory=list)
    warnings_zh: list[str] = field(default_factory=list)


def normalise(raw: str) -> str:
    """Return the code without whitespace, in half-width upper case."""
    # NFKC folds full-width letters, digits and the ideographic space to ASCII.
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100 check character for 17 already-valid characters."""
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def legacy_check_digit(first14: str) -> str:
    """Return the ISO 7064 MOD 11,10 check digit for 14 digits."""
    product = 10
    for ch in first14:
        remainder = (product + int(ch)) % 10 or 10
        product = (2 * remainder) % 11
    return str((11 - product) % 10)


def org_code_check_character(body8: str) -> str:
    """Return the GB 11714 check character for the 8-character 组织机构代码 body."""
    total = sum(_org_value(ch) * w for ch, w in zip(body8, ORG_CODE_WEIGHTS))
    remainder = 11 - total % 11
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


def make_credit_code(first17: str) -> str:
    """Return a valid 18-character USCC made from 17 characters plus their check character."""
    body = normalise(first17)
    if len(body) != USCC_LENGTH - 1:
        raise ValueError(f"need 17 characters to make a credit code, got {len(body)}")
    for position, ch in enumerate(body, start=1):
        if ch not in USCC_CHARSET:
            raise ValueError(f"position {position} holds {ch!r}, which GB 32100 does not use")
    return body + uscc_check_character(body)


def check_credit_code(raw: str) -> CreditCodeResult:
    """Check a USCC (18 characters) or a legacy registration number (15 digits)."""
    code = normalise(raw)
    if not code:
        return _invalid(
            code,
            "uscc",
            "empty",
            "no code was entered; a unified social credit code has 18 characters",
            "未填写代码；统一社会信用代码应为18位",
        )
    if len(code) == LEGACY_LENGTH:
        return _check_legacy(code)
    if len(code) != USCC_LENGTH:
        # Report against the USCC: it is what the form asks for; 15 digits is the exception.
        return _invalid(
            code,
            "uscc",
            "bad_length",
            f"length is {len(code)}; a unified social credit code has 18 characters "
            "(or 15 digits for a legacy registration number)",
            f"长度为{len(code)}位；统一社会信用代码应为18位（旧版工商注册号为15位数字）",
        )
    return _check_uscc(code)


def _check_uscc(code: str) -> CreditCodeResult:
    """Check an 18-character code against GB 32100."""
    for position, ch in enumerate(code, start=1):
        if ch in FORBIDDEN_LETTERS:
            return _invalid(
                code,
                "uscc",
                "forbidden_letter",
                f"position {position} holds the letter {ch!r}, which GB 32100 never uses "
                "(I, O, S, V, Z are excluded)",
                f"第{position}位为字母“{ch}”，统一社会信用代码不使用该字母（不含I、O、S、V、Z）",
            )
        if ch not in USCC_CHARSET:
            return _invalid(
                code,
                "uscc",
                "bad_charset",
                f"position {position} holds {ch!r}; only digits and upper-case letters "
                "(without I, O, S, V, Z) are allowed",
                f"第{position}位为“{ch}”；统一社会信用代码只能由数字和大写字母（不含I、O、S、V、Z）组成",
            )
        if REGION_SLICE.start < position <= REGION_SLICE.stop and not ch.isdigit():
            return _invalid(
                code,
                "uscc",
                "bad_charset",
                f"position {position} holds the letter {ch!r}; positions 3-8 are the "
                "registering office's region code and must be digits",
                f"第{position}位为字母“{ch}”；第3至8位为登记管理机关行政区划码，只能是数字",
            )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return _invalid(
            code,
            "uscc",
            "bad_check_character",
            f"check character should be {expected!r} but is {code[17]!r}; "
            "a character was probably mistyped",
            f"校验码应为“{expected}”，实际为“{code[17]}”；可能有字符录入错误",
        )
    warnings: list[str] = []
    warnings_zh: list[str] = []
    _warn_region(code[REGION_SLICE], warnings, warnings_zh)
    _warn_org_code(code[ORG_CODE_SLICE], warnings, warnings_zh)
    return CreditCodeResult(
        code=code, kind="uscc", valid=True, warnings=warnings, warnings_zh=warnings_zh
    )


def _check_legacy(code: str) -> CreditCodeResult:
    """Check a 15-digit registration number with ISO 7064 MOD 11,10."""
    for position, ch in enumerate(code, start=1):
        if not ch.isdigit():
            return _invalid(
                code,
                "legacy15",
                "bad_charset",
                f"position {position} holds {ch!r}; a 15-character legacy registration "
                "number has digits only (a unified social credit code has 18 characters)",
                f"第{position}位为“{ch}”；15位旧版工商注册号只能是数字（统一社会信用代码应为18位）",
            )
    expected = legacy_check_digit(code[:14])
    if code[14] != expected:
        return _invalid(
            code,
            "legacy15",
            "bad_check_digit",
            f"check digit should be {expected!r} but is {code[14]!r}; "
            "a digit was probably mistyped",
            f"校验位应为“{expected}”，实际为“{code[14]}”；可能有数字录入错误",
        )
    return CreditCodeResult(code=code, kind="legacy15", valid=True)


def _warn_region(region: str, warnings: list[str], warnings_zh: list[str]) -> None:
    """Add a warning when positions 3-8 are not a region code we recognise."""
    if region[4] == "7":
        # 7x codes are statistical development-zone codes, never GB/T 2260 registry codes.
        warnings.append(
            f"region code {region} ends in 7x, a statistical development-zone code, "
            "not a GB/T 2260 administrative division; check the licence"
        )
        warnings_zh.append(f"行政区划码{region}为统计用开发区代码（7x），不是GB/T 2260区划码，请核对营业执照")
    elif region[:2] not in PROVINCE_PREFIXES:
        warnings.append(f"region code {region} does not start with a known province code")
        warnings_zh.append(f"行政区划码{region}的前两位不是已知的省级区划代码")
    elif region[:2] == INNER_MONGOLIA_PREFIX and region not in _inner_mongolia_codes():
        # Only Inner Mongolia's list ships with the app; other provinces get the prefix check.
        warnings.append(
            f"region code {region} is not in the current list of Inner Mongolia divisions; "
            "it may be an old or changed code"
        )
        warnings_zh.append(f"行政区划码{region}不在现行内蒙古自治区区划代码表中，可能是旧代码或已调整")


def _warn_org_code(org_code: str, warnings: list[str], warnings_zh: list[str]) -> None:
    """Add a warning when positions 9-17 fail the GB 11714 organisation-code check."""
    expected = org_code_check_character(org_code[:8])
    if org_code[8] != expected:
        warnings.append(
            f"position 17 (the 组织机构代码 check character) should be {expected!r} "
            f"but is {org_code[8]!r}; some issuers deviate, so this is only a warning"
        )
        warnings_zh.append(
            f"第17位（组织机构代码校验码）应为“{expected}”，实际为“{org_code[8]}”；"
            "部分登记机关未按此规则赋码，仅作提示"
        )


def _org_value(ch: str) -> int:
    """Return a GB 11714 character value: digits as is, A=10 ... Z=35."""
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


@lru_cache(maxsize=1)
def _inner_mongolia_codes() -> frozenset[str]:
    """Return the division codes shipped in refdata, loaded once."""
    from inspector.refdata import load_divisions  # deferred: keeps import of this module cheap

    return frozenset(agency["code"] for agency in load_divisions())


def _invalid(code: str, kind: Kind, error: str, message: str, message_zh: str) -> CreditCodeResult:
    """Build a failed result."""
    return CreditCodeResult(
        code=code, kind=kind, valid=False, error=error, message=message, message_zh=message_zh
    )

"""居民身份证号码 (GB 11643-1999): the check a person's ID number must pass, and its masked form.

The check digit and the birth date come from python-stdnum's `cn.ric`; its `validate` also
requires the first six digits in its own county table, which lags behind GB/T 2260 (150102
呼和浩特新城区 is missing), so an unknown region is not an error here. The phone's offline
form has its own port (static/pwa/js/idnumber.js): a form in a field without a signal cannot
ask the server.
"""
from __future__ import annotations

from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

MESSAGE = "not a valid resident ID number (GB 11643: 18 characters, check digit and birth date)"
MESSAGE_ZH = "身份证号码无效（应为18位，校验码和出生日期须正确）"


def checked_id_number(raw: str | None) -> str | None:
    """The number normalised (upper-case X, no spaces), None for empty; ValueError when invalid."""
    if raw is None or not raw.strip():
        return None
    number = ric.compact(raw).upper()
    # The 15-digit first-generation card has not been valid since 2013.
    if len(number) != 18 or not isdigits(number[:17]) or ric.calc_check_digit(number) != number[-1]:
        raise ValueError(MESSAGE)
    try:
        ric.get_birth_date(number)
    except ValidationError as exc:
        raise ValueError(MESSAGE) from exc
    return number


def mask_id_number(number: str | None) -> str | None:
    """What a public page may show: the first 3 and last 4 characters, e.g. 150***********102X."""
    if not number:
        return number
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]

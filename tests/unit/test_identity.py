"""居民身份证号码 (GB 11643): the numbers a witness's or an operator's field accepts, and the masked
form public pages show. The phone's static/pwa/js/idnumber.js checks the same vectors (e2e)."""
from __future__ import annotations

import pytest

from inspector.identity import checked_id_number, mask_id_number


@pytest.mark.parametrize("typed,stored", [
    ("150102198001011236", "150102198001011236"),
    (" 11010519491231002x ", "11010519491231002X"),  # lower-case x and spaces, as typed
])
def test_a_valid_number_is_kept_normalised(typed, stored):
    assert checked_id_number(typed) == stored


@pytest.mark.parametrize("typed", [
    "150102198001011230",  # wrong check character
    "150102198013011235",  # month 13
    "150102800101123",  # a first-generation 15-digit card
    "15010219800101123A",
])
def test_a_bad_number_is_refused(typed):
    with pytest.raises(ValueError):
        checked_id_number(typed)


def test_empty_is_none_and_the_public_form_hides_the_birth_date():
    assert checked_id_number("  ") is None
    assert mask_id_number("150102198001011236") == "150***********1236"

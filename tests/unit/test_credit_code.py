"""An inspector types a party's 统一社会信用代码 (or an old 注册号) and learns exactly what is wrong."""

from __future__ import annotations

import pytest

from inspector.credit_code import check_credit_code, make_credit_code, normalise

# Research §9.1 / §9.2 vectors; the Inner Mongolia ones are synthetic.
VALID_USCC = [
    "91350100M000100Y43",  # the common published example
    "91150102MA0N0A1B19",  # 呼和浩特新城区 企业
    "92150404L00000126P",  # 赤峰松山区 个体工商户
    "93152223MA7Q2C3D2D",  # 扎赉特旗 农民专业合作社
]
VALID_LEGACY = "330200400081147"


@pytest.mark.parametrize("code", VALID_USCC)
def test_published_and_synthetic_codes_are_accepted_without_warnings(code: str) -> None:
    result = check_credit_code(code)
    assert result.valid
    assert result.kind == "uscc"
    assert result.code == code
    assert result.error is None and result.message is None and result.message_zh is None
    assert result.warnings == []


def test_code_typed_full_width_lower_case_and_spaced_is_normalised_and_accepted() -> None:
    result = check_credit_code(" ９１１５０１０２ｍａ０ｎ ０ａ１ｂ１９\u3000")
    assert result.valid
    assert result.code == "91150102MA0N0A1B19"


def test_normalise_folds_width_case_and_spaces() -> None:
    assert normalise("ｍａ 0n\t0a") == "MA0N0A"


def test_wrong_check_character_names_expected_and_actual() -> None:
    result = check_credit_code("91350100M000100Y44")
    assert not result.valid
    assert result.error == "bad_check_character"
    assert "should be '3' but is '4'" in result.message
    assert "应为“3”，实际为“4”" in result.message_zh


@pytest.mark.parametrize("code", ["91150102MA0N0A1B1", "91150102MA0N0A1B190", "9115"])
def test_wrong_length_says_how_long_the_code_is(code: str) -> None:
    result = check_credit_code(code)
    assert not result.valid
    assert result.error == "bad_length"
    assert f"length is {len(code)}" in result.message
    assert "18 characters" in result.message and "15 digits" in result.message
    assert f"长度为{len(code)}位" in result.message_zh


def test_empty_input_is_rejected_as_empty() -> None:
    result = check_credit_code("  ")
    assert not result.valid
    assert result.error == "empty"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_each_excluded_letter_is_named_with_its_position(letter: str) -> None:
    # Position 10 is inside the 主体标识码, where letters are otherwise allowed.
    code = "91150102M" + letter + "0N0A1B19"
    result = check_credit_code(code)
    assert not result.valid
    assert result.error == "forbidden_letter"
    assert f"position 10 holds the letter '{letter}'" in result.message
    assert "I, O, S, V, Z" in result.message
    assert f"第10位为字母“{letter}”" in result.message_zh


def test_lower_case_excluded_letter_is_still_caught_after_upper_casing() -> None:
    result = check_credit_code("91150102Mo0N0A1B19")
    assert result.error == "forbidden_letter"
    assert "'O'" in result.message


def test_punctuation_is_rejected_as_bad_charset() -> None:
    result = check_credit_code("91150102MA0N-A1B19")
    assert result.error == "bad_charset"
    assert "position 13" in result.message


def test_letter_in_region_code_is_rejected() -> None:
    result = check_credit_code(make_credit_code("911501A2MA0N0A1B1"))
    assert not result.valid
    assert result.error == "bad_charset"
    assert "position 7" in result.message and "region code" in result.message


def test_make_credit_code_mints_codes_that_pass() -> None:
    assert make_credit_code("91150102MA0N0A1B1") == "91150102MA0N0A1B19"
    assert make_credit_code("9215040 4l00000126") == "92150404L00000126P"
    assert check_credit_code(make_credit_code("93152223MA7Q2C3D2")).valid


@pytest.mark.parametrize("bad", ["91150102MA0N0A1B", "91150102MO0N0A1B1"])
def test_make_credit_code_refuses_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        make_credit_code(bad)


def test_development_zone_region_code_is_only_a_warning() -> None:
    # 150172 呼和浩特经济技术开发区 is a statistical code, not a GB/T 2260 division.
    result = check_credit_code(make_credit_code("91150172MA0N0A1B1"))
    assert result.valid
    assert any("150172" in warning and "7x" in warning for warning in result.warnings)
    assert len(result.warnings_zh) == len(result.warnings)


def test_unknown_inner_mongolia_region_code_is_only_a_warning() -> None:
    result = check_credit_code(make_credit_code("91159902MA0N0A1B1"))
    assert result.valid
    assert any("159902" in warning for warning in result.warnings)


def test_unknown_province_is_only_a_warning() -> None:
    result = check_credit_code(make_credit_code("91990102MA0N0A1B1"))
    assert result.valid
    assert any("province" in warning for warning in result.warnings)


def test_code_registered_in_another_province_is_accepted_quietly() -> None:
    # Inspectors meet dealers licensed elsewhere; only Inner Mongolia's list ships with the app.
    assert check_credit_code("91350100M000100Y43").warnings == []


def test_inner_organisation_code_check_is_only_a_warning() -> None:
    # Position 17 should be '1' for MA0N0A1B; '2' still gets a valid overall code.
    result = check_credit_code(make_credit_code("91150102MA0N0A1B2"))
    assert result.valid
    assert any("position 17" in warning and "'1'" in warning for warning in result.warnings)


def test_legacy_registration_number_is_accepted() -> None:
    result = check_credit_code(VALID_LEGACY)
    assert result.valid
    assert result.kind == "legacy15"


def test_legacy_number_with_wrong_check_digit_names_expected_and_actual() -> None:
    result = check_credit_code("330200400081148")
    assert not result.valid
    assert result.kind == "legacy15"
    assert result.error == "bad_check_digit"
    assert "should be '7' but is '8'" in result.message
    assert "应为“7”，实际为“8”" in result.message_zh


def test_legacy_number_with_a_letter_is_rejected() -> None:
    result = check_credit_code("3302004000811A7")
    assert not result.valid
    assert result.kind == "legacy15"
    assert result.error == "bad_charset"
    assert "position 14" in result.message

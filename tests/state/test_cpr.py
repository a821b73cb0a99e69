"""The CPR guard: what looks like a CPR number, and what does not."""

from __future__ import annotations

import pytest

from state.cpr import contains_cpr

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def passes_modulus_11(digits: str) -> bool:
    """Apply the old CPR control check (the guard must not rely on it)."""
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


@pytest.mark.parametrize(
    "text",
    [
        "010190-1234",
        "0101901234",
        "010190 1234",
        "010190\u20101234",  # hyphen
        "010190\u20111234",  # non-breaking hyphen
        "010190\u20131234",  # en dash
        "010190\u20141234",  # em dash
        "010190\u00a01234",  # no-break space
        "311299-9999",
        "300490-0000",
        "290292-1234",  # 29 February, YY % 4 == 0
        "290200-1234",  # 2000 (or 1900): 00 % 4 == 0
        "281191-4321",
        "０１０１９０-１２３４",  # full-width digits
    ],
)
def test_cpr_numbers_are_found(text: str) -> None:
    assert contains_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "320190-1234",  # no 32nd day
        "311190-1234",  # 31 November
        "310490-1234",  # 31 April
        "300290-1234",  # 30 February
        "290291-1234",  # 29 February, YY % 4 != 0
        "000190-1234",  # day 0
        "010090-1234",  # month 0
        "011390-1234",  # month 13
        "12345678901",  # a longer run of digits
        "10101901234",  # a valid CPR with a digit in front
        "01019012345",  # a valid CPR with a digit behind
        "010190-12345",
        "9010190-1234",
        "010190--1234",  # two dashes
        "010190  1234",  # two spaces
        "010190-123",
        "01019-1234",
        "43 30 05 05",  # Bekey's support line
        "+45 43 30 05 05",
        "43300505",
        "Ring 43 30 05 05 ang. F-0042",
        "F-0042",
        "F-12345",
        "",
        "Døren bagved, nøglen virker ikke",
        "kl. 12:30 den 01.01.1990",
    ],
)
def test_other_text_is_not_a_cpr_number(text: str) -> None:
    assert not contains_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "Borgeren (010190-1234) kan ikke komme ind",
        "cpr:0101901234.",
        "Hos Jens, 010190 1234, bagdøren",
        "abc010190-1234xyz",
    ],
)
def test_a_cpr_number_in_a_sentence_is_found(text: str) -> None:
    assert contains_cpr(text)


@pytest.mark.parametrize(
    "number", ["0101901235", "0101901236", "1503851111", "2902921000", "3112999998"]
)
def test_cpr_numbers_failing_modulus_11_are_still_found(number: str) -> None:
    assert not passes_modulus_11(number)
    assert contains_cpr(number)
    assert contains_cpr(f"{number[:6]}-{number[6:]}")


def test_an_invalid_date_does_not_hide_a_valid_number_after_it() -> None:
    assert contains_cpr("320190-1234 og 010190-1234")
    assert contains_cpr("320190-010190-1234")

"""The CPR guard: what looks like a CPR number, and what does not.

Every number here is made up (test data, nobody's number). The two tables are the guard's
specification: each spelling a person may type that must be caught, and each ordinary text
of a home-care day that must pass.
"""

from __future__ import annotations

import pytest

from state.cpr import contains_cpr, normalise

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def passes_modulus_11(digits: str) -> bool:
    """Apply the old CPR control check (the guard must not rely on it)."""
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


CAUGHT = [
    pytest.param("15.01.1990-1125", id="a four-digit year written apart"),
    pytest.param("15-01-2001 1125", id="a four-digit year of this century"),
    pytest.param("1501901125", id="together"),
    pytest.param("150190-1125", id="dash"),
    pytest.param("150190 1125", id="space"),
    pytest.param("130190\n1123", id="line break"),
    pytest.param("130190\r\n1123", id="CRLF line break"),
    pytest.param("150190-\n1125", id="dash and line break"),
    pytest.param("140190 - 1124", id="spaced dash"),
    pytest.param("150190 / 1125", id="spaced slash"),
    pytest.param("150190/1126", id="slash"),
    pytest.param("150190.1125", id="full stop"),
    pytest.param("15.01.90-1125", id="dotted date, dash"),
    pytest.param("15.01.90 1125", id="dotted date, space"),
    pytest.param("15. 01. 90 - 1125", id="dotted date with spaces"),
    pytest.param("15 01 90 1125", id="spaced date"),
    pytest.param("15-01-90-1125", id="dashed date"),
    pytest.param("15/01/90 1125", id="slashed date"),
    pytest.param("150190\u200b1125", id="zero-width space"),
    pytest.param("1501\u200b90-1125", id="zero-width space in the date"),
    pytest.param("15\u200c01\u200d90-1125", id="zero-width joiners"),
    pytest.param("150190\u20601125", id="word joiner"),
    pytest.param("1501\ufeff901125", id="byte-order mark"),
    pytest.param("\u200e150190-1125\u200f", id="direction marks"),
    pytest.param("150190\u00ad1125", id="soft hyphen"),
    pytest.param("150190-\u00ad1125", id="dash and soft hyphen"),
    pytest.param("150190\t1125", id="tab"),
    pytest.param("150190  1125", id="two spaces"),
    pytest.param("150190\u20091125", id="thin space"),
    pytest.param("150190\u00a01125", id="no-break space"),
    pytest.param("150190\u202f1125", id="narrow no-break space"),
    pytest.param("150190\u30001125", id="ideographic space"),
    pytest.param("150190\u20281125", id="line separator"),
    pytest.param("150190\uff0d1125", id="full-width hyphen"),
    pytest.param("150190\u20101125", id="hyphen"),
    pytest.param("150190\u20111125", id="non-breaking hyphen"),
    pytest.param("150190\u20131125", id="en dash"),
    pytest.param("150190\u20141125", id="em dash"),
    pytest.param("150190\u22121125", id="minus sign"),
    pytest.param("150190\uff0f1125", id="full-width slash"),
    pytest.param("１５０１９０-１１２５", id="full-width digits"),
    pytest.param("1️⃣5️⃣0️⃣1️⃣9️⃣0️⃣1️⃣1️⃣2️⃣5️⃣", id="keycap digits"),
    pytest.param("Ole 170190/1127", id="in a staff name"),
    pytest.param("/inviter ab1234 elev Ole 170190/1127", id="in a command's arguments"),
    pytest.param("Borgeren (150190-1125) kan ikke komme ind", id="in brackets"),
    pytest.param("cpr:1501901125.", id="after a colon"),
    pytest.param("Hos Jens, f. 15.01.90-1125, bagdøren", id="dotted date in a sentence"),
    pytest.param("abc150190-1125xyz", id="between letters"),
    pytest.param("Strandvej 1, 150190-1125", id="after an address"),
    pytest.param("Strandvej 12 15.01.90-1125", id="after a house number"),
    pytest.param("Strandvej 12, 15 01 90 1125", id="spaced date after a number and a comma"),
    pytest.param("15.01.90 1030", id="a date and a time without separator"),
    pytest.param("290292-1234", id="29 February, YY % 4 == 0"),
    pytest.param("290200-1234", id="29 February 2000 (or 1900)"),
    pytest.param("311299-9999", id="31 December"),
    pytest.param("0101901235", id="failing modulus 11"),
    pytest.param("320190-1234 og 010190-1234", id="after an invalid one"),
    pytest.param("320190-010190-1234", id="overlapping an invalid one"),
]

PASSES = [
    pytest.param("43300505", id="8-digit phone"),
    pytest.param("43 30 05 05", id="phone in pairs"),
    pytest.param("+45 43 30 05 05", id="phone with +45"),
    pytest.param("+4543300505", id="phone with +45, together"),
    pytest.param("0045 43 30 05 05", id="phone with 0045"),
    pytest.param("4330 0505", id="phone in fours"),
    pytest.param("Ring 43 30 05 05 ang. F-0042", id="phone and ticket"),
    pytest.param("43 30 05 05 / 5566 7788", id="two phones"),
    pytest.param("Ringede 43 30 05 05\n2026-11-29 kl. 10", id="phone, then a date below"),
    pytest.param("F-0042", id="ticket"),
    pytest.param("F-12345", id="long ticket"),
    pytest.param("F-0042, F-0043, F-0044", id="ticket list"),
    pytest.param("Sager: 0042 0043 0044", id="ticket numbers bare"),
    pytest.param("15.01.90", id="date alone"),
    pytest.param("150190", id="date alone, together"),
    pytest.param("2026-11-29", id="ISO date"),
    pytest.param("29.11.2026", id="date with four-digit year"),
    pytest.param("15.01.90 kl. 10.30", id="date, kl. and time"),
    pytest.param("15.01.90 10.30", id="date and time"),
    pytest.param("15/01/90 10:30", id="date and time with colon"),
    pytest.param("kl. 12:30 den 01.01.1990", id="time and date"),
    pytest.param("kl. 07.30-15.30", id="shift"),
    pytest.param("15.01 0730-1530", id="day and shift"),
    pytest.param("07.30-15.30 / 16.00-22.00", id="two shifts"),
    pytest.param("150190-160190", id="two dates"),
    pytest.param("15.01.90-16.01.90", id="two dotted dates"),
    pytest.param("Ågade 12, 4640 Faxe", id="address"),
    pytest.param("Ågade 12 4640 Faxe", id="address without comma"),
    pytest.param("Nøgleboks 1234, kode 5678", id="key box codes"),
    pytest.param("1.250.000 kr.", id="amount"),
    pytest.param("12345678901", id="longer run of digits"),
    pytest.param("010190-12345", id="five digits after"),
    pytest.param("9010190-1234", id="seven digits before"),
    pytest.param("010190-123", id="three digits after"),
    pytest.param("01019-1234", id="five digits before"),
    pytest.param("", id="empty"),
    pytest.param("Døren bagved, nøglen virker ikke", id="words"),
]


@pytest.mark.parametrize("text", CAUGHT)
def test_each_spelling_of_a_cpr_number_is_caught(text: str) -> None:
    assert contains_cpr(text)


@pytest.mark.parametrize("text", PASSES)
def test_ordinary_text_of_a_home_care_day_passes(text: str) -> None:
    assert not contains_cpr(text)


def test_the_tables_hold_at_least_sixty_spellings() -> None:
    assert len(CAUGHT) >= 40
    assert len(PASSES) >= 20


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("12 15 01 90 1125", id="a date apart after a pair: a phone's tail"),
        pytest.param("150190 11 25", id="the four digits split in two"),
        pytest.param("15011990 1125", id="a four-digit year together: eight digits"),
        pytest.param("1501 90 1125", id="a date split once"),
        pytest.param("150190, 1125", id="a comma between"),
    ],
)
def test_the_documented_limits_pass(text: str) -> None:
    """What state/cpr.py says passes on purpose, so that a change to it is a decision."""
    assert not contains_cpr(text)


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
        "32.01.90-1234",
        "31 11 90 1234",
    ],
)
def test_an_impossible_date_is_not_a_cpr_number(text: str) -> None:
    assert not contains_cpr(text)


@pytest.mark.parametrize(
    "number", ["0101901235", "0101901236", "1503851111", "2902921000", "3112999998"]
)
def test_cpr_numbers_failing_modulus_11_are_still_found(number: str) -> None:
    assert not passes_modulus_11(number)
    assert contains_cpr(number)
    assert contains_cpr(f"{number[:6]}-{number[6:]}")
    assert contains_cpr(f"{number[:2]}.{number[2:4]}.{number[4:6]} {number[6:]}")


def test_the_guard_reads_text_as_a_person_sees_it() -> None:
    assert normalise("１５０１９０－１１２５") == "150190-1125"
    assert normalise("15\u200b01\u00ad90\u2009\ufeff1125") == "150190 1125"
    assert normalise("Ågade 12") == "Ågade 12"


def test_a_long_text_of_separators_and_pairs_is_read_quickly() -> None:
    assert not contains_cpr(("12 " + " " * 500) * 40)
    assert not contains_cpr("43 30 05 05 " * 400)
    assert contains_cpr("43 30 05 05 " * 400 + "\n150190-1125")

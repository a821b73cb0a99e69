"""What a lock partner firm's details may be: name, phone, optional e-mail, never a CPR number."""

from __future__ import annotations

import pytest

from state.firms import FirmProblem, firm_problem

FAKE_CPR = "010190-1234"  # made up: 1 January 1990, serial 1234


@pytest.mark.parametrize(
    ("name", "phone", "email"),
    [
        ("Låse-Jens ApS", "22 33 44 55", ""),
        ("LJ", "22334455", "ordre@laasejens.dk"),
        ("Låse-Jens ApS", "+45 22 33 44 55", "o.r.d.r.e@mail.laasejens.dk"),
        ("x" * 80, "+46 8 123 456 78", ""),
        ("  Låse-Jens ApS ", " 22 33 44 55 ", " ordre@laasejens.dk "),
    ],
)
def test_good_details_pass(name: str, phone: str, email: str) -> None:
    assert firm_problem(name, phone, email) is None


@pytest.mark.parametrize(
    ("name", "phone", "email", "problem"),
    [
        ("J", "22334455", "", FirmProblem.NAME),
        ("x" * 81, "22334455", "", FirmProblem.NAME),
        ("Låse\tJens", "22334455", "", FirmProblem.NAME),
        ("Låse-Jens", "1234567", "", FirmProblem.PHONE),
        ("Låse-Jens", "2233 44 5a", "", FirmProblem.PHONE),
        ("Låse-Jens", "22 33 44+55", "", FirmProblem.PHONE),
        ("Låse-Jens", "+45 " + "1 " * 9, "", FirmProblem.PHONE),
        ("Låse-Jens", "+   2   2   ", "", FirmProblem.PHONE),
        ("Låse-Jens", "22334455", "ordre", FirmProblem.EMAIL),
        ("Låse-Jens", "22334455", "ordre@jens", FirmProblem.EMAIL),
        ("Låse-Jens", "22334455", "or dre@jens.dk", FirmProblem.EMAIL),
        ("Låse-Jens", "22334455", "a@b@c.dk", FirmProblem.EMAIL),
        (f"Jens {FAKE_CPR}", "22334455", "", FirmProblem.CPR),
        ("Låse-Jens", "0101901234", "", FirmProblem.CPR),
        ("Låse-Jens", "22334455", f"{FAKE_CPR}@jens.dk", FirmProblem.CPR),
    ],
)
def test_bad_details_are_refused_with_the_reason(
    name: str, phone: str, email: str, problem: FirmProblem
) -> None:
    assert firm_problem(name, phone, email) is problem

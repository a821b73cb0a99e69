"""What a lock partner firm's details may be: the rules the chat and the command line share.

- ``FirmProblem``: why a firm's name, phone or e-mail is refused.
- ``firm_problem``: the first problem of a firm's details, or None when they may be stored.

A firm is known by its name (2 to 80 printable characters), a phone number (digits, spaces
and a leading ``+``, 8 to 20 characters, at least 8 digits) and an optional e-mail address
of the simple shape ``name@domain.tld``. Nothing that looks like a CPR number is stored.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from state.cpr import contains_cpr

NAME_MIN: Final = 2
NAME_MAX: Final = 80
PHONE_MIN: Final = 8
PHONE_MAX: Final = 20
EMAIL_MAX: Final = 254

_PHONE: Final = re.compile(r"\+?[0-9 ]+")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class FirmProblem(StrEnum):
    """Why a firm's details are refused."""

    CPR = "cpr"
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"


def firm_problem(name: str, phone: str, email: str) -> FirmProblem | None:
    """Return why the details may not be stored (the CPR guard first), or None."""
    if any(contains_cpr(value) for value in (name, phone, email)):
        return FirmProblem.CPR
    name = name.strip()
    if not (NAME_MIN <= len(name) <= NAME_MAX and name.isprintable()):
        return FirmProblem.NAME
    phone = phone.strip()
    digits = sum(char.isdigit() for char in phone)
    if not (
        PHONE_MIN <= len(phone) <= PHONE_MAX and _PHONE.fullmatch(phone) and digits >= PHONE_MIN
    ):
        return FirmProblem.PHONE
    email = email.strip()
    if email and not (len(email) <= EMAIL_MAX and email.isprintable() and _EMAIL.fullmatch(email)):
        return FirmProblem.EMAIL
    return None

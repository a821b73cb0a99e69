"""The CPR guard: spot Danish CPR numbers in free text, so that none is ever stored.

- ``contains_cpr``: does a text hold anything that looks like a CPR number?

What counts (DOMAIN.md, "Care for the data"): six digits DDMMYY that form a calendar
date (29 February when YY is divisible by 4), then four digits, written together or
with one dash (``-``, and the Unicode dashes) or one space between. The number must
stand on its own: a longer run of digits (an account number, ``12345678901``) is not a
CPR number, and neither is a phone number written in pairs (``43 30 05 05``). There is
no modulus-11 check: many valid CPR numbers fail it.

Any Unicode decimal digit counts as a digit, so full-width digits are caught too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign,
# then the spaces a phone keyboard may insert: space, no-break space, narrow no-break space.
_SEPARATORS: Final = "-\u2010\u2011\u2012\u2013\u2014\u2212 \u00a0\u202f"

_CANDIDATE: Final = re.compile(
    rf"(?<!\d)(?P<day>\d{{2}})(?P<month>\d{{2}})(?P<year>\d{{2}})"
    rf"[{re.escape(_SEPARATORS)}]?\d{{4}}(?!\d)"
)

_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_birth_date(day: int, month: int, year: int) -> bool:
    """Tell whether DD, MM and YY form a calendar date (29 February when YY % 4 == 0)."""
    if not 1 <= month <= 12:
        return False
    last_day = _DAYS_IN_MONTH[month - 1]
    if month == 2 and year % 4 == 0:
        last_day = 29
    return 1 <= day <= last_day


def _cpr_matches(text: str) -> Iterator[re.Match[str]]:
    """Yield each CPR-like number in the text, left to right, without overlaps."""
    position = 0
    while (match := _CANDIDATE.search(text, position)) is not None:
        # int() reads any Unicode decimal digit, as \d matched it.
        if _is_birth_date(int(match["day"]), int(match["month"]), int(match["year"])):
            yield match
            position = match.end()
        else:
            position = match.start() + 1


def contains_cpr(text: str) -> bool:
    """Tell whether the text contains anything that looks like a Danish CPR number."""
    return next(_cpr_matches(text), None) is not None

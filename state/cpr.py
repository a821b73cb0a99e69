"""The CPR guard: spot Danish CPR numbers in free text, so that none is ever stored.

- ``contains_cpr``: does a text hold anything that looks like a CPR number?
- ``normalise``: the text as the guard reads it (never stored, never shown).

What counts (DOMAIN.md, "Care for the data"): six digits DDMMYY that form a calendar
date (29 February when YY is divisible by 4), then four digits. There is no modulus-11
check: many valid CPR numbers fail it.

How it may be written. The text is first read as a person sees it: Unicode NFKC (full-width
digits, dashes, slashes and full stops become plain ones; a thin, narrow or no-break space
becomes a space), and every invisible character is removed (Unicode categories Cf, Mn and
Me: zero-width space and joiners, soft hyphen, word joiner, byte-order mark, direction
marks, variation selectors, the keycap of 1️⃣). Then:

- between the date and the four digits: nothing, or any run of separators: whitespace of
  any kind (tabs and line breaks too), dashes and the minus sign, slashes, full stops;
- the date: DDMMYY together, or DD, MM and YY (or YYYY, 19xx or 20xx) each apart with a
  run of separators between them (``15.01.90``, ``15 01 90``, ``15-01-1990``, ``15/01/90``);
- the four digits together;
- nothing but a separator or a non-digit on either side: a longer run of digits
  (``12345678901``, ``010190-12345``) is another kind of number.

What passes on purpose (the tables in ``tests/state/test_cpr.py``):

- Phone numbers: eight digits, in pairs or not, with ``+45`` or ``0045``. The four digits
  of a CPR number are together, and ``45`` is no day.
- A date written apart that continues a run of digit pairs written the same way:
  ``43 30 05 05 / 5566 7788`` holds ``30 05 05 / 5566``, but ``30 05 05`` is the tail of a
  phone number. The price: ``12 15 01 90 1125`` passes (``12, 15 01 90 1125`` and
  ``12 15.01.90-1125`` do not).
- A date with a time: ``15.01.90 10.30``, ``15.01.90 kl. 10.30`` and ``15/01/90 10:30``
  pass, since the time has its own separator. ``15.01.90 1030`` is refused: written so,
  it cannot be told from a CPR number.
- Four digits split in two (``150190 11 25``), and a comma or a colon between the parts:
  not how a CPR number is written, and how addresses (``Ågade 12, 4640 Faxe``), times and
  lists are. A four-digit year written apart (``15.01.1990-1125``) is caught: it names a
  person as surely; written together (``15011990 1125``) it passes, as eight digits
  together may be a phone number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Final

_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Mn", "Me"})
"""Format characters and combining marks: nothing a reader sees between two digits."""

# Whitespace of any kind; hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash,
# em dash, horizontal bar, minus sign, hyphen bullet, small em dash, small hyphen-minus;
# solidus, fraction slash, division slash; full stop. (NFKC has already turned full-width
# and compatibility forms into these.)
_SEPARATOR: Final = r"[\s\-\u2010-\u2015\u2212\u2043\ufe58\ufe63/\u2044\u2215.]"

_CANDIDATE: Final = re.compile(
    rf"(?<!\d)(?P<day>\d\d)(?P<first_gap>{_SEPARATOR}*+)(?P<month>\d\d)"
    rf"(?P<second_gap>{_SEPARATOR}*+)(?P<year>(?:19|20)\d\d|\d\d){_SEPARATOR}*+\d{{4}}(?!\d)"
)
"""A date and four digits. The separator quantifiers are possessive: separators and digits
never overlap; the year is tried as four digits (19xx, 20xx) before two."""

_DIGIT: Final = re.compile(r"\d")

_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def normalise(text: str) -> str:
    """Return the text as the guard reads it: NFKC, with every invisible character removed."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)


def _is_birth_date(day: int, month: int, year: int) -> bool:
    """Tell whether DD, MM and YY form a calendar date (29 February when YY % 4 == 0)."""
    if not 1 <= month <= 12:
        return False
    last_day = _DAYS_IN_MONTH[month - 1]
    if month == 2 and year % 4 == 0:
        last_day = 29
    return 1 <= day <= last_day


def _is_digit(text: str, index: int) -> bool:
    return 0 <= index < len(text) and _DIGIT.match(text, index) is not None


def _continues_pairs(text: str, start: int, gap: str) -> bool:
    """Tell whether a date written apart at ``start`` follows a digit pair and the same gap.

    ``43 30 05 05``: the date ``30 05 05`` continues the pair ``43``; it is a phone number.
    """
    pair = start - len(gap) - 2
    return (
        pair >= 0
        and text[pair + 2 : start] == gap
        and _is_digit(text, pair)
        and _is_digit(text, pair + 1)
        and not _is_digit(text, pair - 1)
    )


def _is_cpr(text: str, match: re.Match[str]) -> bool:
    first_gap, second_gap = match["first_gap"], match["second_gap"]
    if bool(first_gap) != bool(second_gap):
        return False  # "1501 90 1125", "15 0190 1125": not how a date is written
    if len(match["year"]) == 4 and not first_gap:
        return False  # "15011990 1125": eight digits together may be a phone number
    if first_gap and _continues_pairs(text, match.start(), first_gap):
        return False
    # int() reads any Unicode decimal digit, as \d matched it.
    return _is_birth_date(int(match["day"]), int(match["month"]), int(match["year"]))


def _cpr_matches(text: str) -> Iterator[re.Match[str]]:
    """Yield each CPR-like number in a normalised text, left to right, without overlaps."""
    position = 0
    while (match := _CANDIDATE.search(text, position)) is not None:
        if _is_cpr(text, match):
            yield match
            position = match.end()
        else:
            position = match.start() + 1


def contains_cpr(text: str) -> bool:
    """Tell whether the text contains anything that looks like a Danish CPR number."""
    return next(_cpr_matches(normalise(text)), None) is not None

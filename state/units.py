"""Units (home care north, a care centre's nursing, ...): one name, however it was typed.

Names are compared trimmed, with white space collapsed and case folded: "hjemmepleje nord "
is "Hjemmepleje Nord".
"""

from __future__ import annotations

MAX_UNIT_NAME = 60


def unit_key(name: str) -> str:
    """The form under which unit names are compared."""
    return " ".join(name.split()).casefold()


def tidy_unit_name(name: str) -> str:
    """A unit name as stored: trimmed, white space collapsed, case kept."""
    return " ".join(name.split())


def valid_unit_name(name: str) -> bool:
    """Whether text can name a unit."""
    tidy = tidy_unit_name(name)
    return 0 < len(tidy) <= MAX_UNIT_NAME and tidy.isprintable()

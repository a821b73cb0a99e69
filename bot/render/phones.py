"""Phone numbers as the bot shows them: one form everywhere, the one phones offer to dial.

A Danish number has eight digits. However the settings spell it (``43300505``,
``43 30 05 05``, ``+4543300505``, ``0045 43 30 05 05``), the bot shows ``+45 43 30 05 05``:
Telegram makes it a tappable number, and it dials from abroad and from any phone.
Anything else (a foreign or short number) is shown as written.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-./()]")
_DANISH = re.compile(r"^(?:\+45|0045)?(\d{8})$")


def dialable(phone: str) -> str:
    """Return a Danish number as ``+45 43 30 05 05``; anything else as written (trimmed)."""
    written = phone.strip()
    match = _DANISH.match(_SEPARATORS.sub("", written))
    if match is None:
        return written
    digits = match.group(1)
    pairs = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return f"+45 {pairs}"

"""Folding text for search, the way Danes type: ``aase`` finds Åse, ``ORUM`` finds Ørum.

Both sides of a search are folded the same way: case-folded, then æ→ae, ø→oe, å→aa (as
Danes write on a foreign keyboard), then every other accent stripped, and white space
collapsed.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_DANISH: Final = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def fold(text: str) -> str:
    """Return the text as a search compares it."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_DANISH)
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return " ".join(stripped.split())

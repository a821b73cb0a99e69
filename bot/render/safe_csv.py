"""CSV cells a spreadsheet will not run: the OWASP rule against CSV (formula) injection.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be read
as a formula by Excel or LibreOffice (``=HYPERLINK(...)``, ``@SUM(...)``); it is written with
a single quote in front, which the spreadsheet shows as text. Quoting for separators,
quotes and line breaks is the ``csv`` module's job; this only keeps formulas out.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Return the value safe to write as a CSV cell (a formula's start gets a ``'`` in front)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value

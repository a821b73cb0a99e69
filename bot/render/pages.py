"""Long lists, a page at a time, each page well inside Telegram's limits.

A list shows ``PAGE_SIZE`` items a page. Every name on a page is cut (``cut``) to a fixed
length, so a page's size does not depend on what anyone is called: ten lines of at most a
few hundred characters stay far below Telegram's 4096 (``MAX_TEXT``), even counted in
UTF-16 as Telegram counts them.
"""

from __future__ import annotations

PAGE_SIZE = 10
"""Items on one page of a list."""

MAX_TEXT = 4096
"""Telegram's limit on a message's text, in characters."""

NAME_MAX = 40
"""A citizen's name (or typed text) in a list line, at most."""

UNIT_MAX = 60
"""A unit's name in a list's heading, at most."""


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Return how many pages a list of ``total`` items has (an empty list has one)."""
    return max(1, -(-total // size))


def nearest_page(asked: int, total: int, size: int = PAGE_SIZE) -> int:
    """Return the valid page nearest to the one asked for."""
    return min(max(asked, 1), page_count(total, size))


def page_slice(page: int, size: int = PAGE_SIZE) -> slice:
    """Return the slice of a whole list that page ``page`` (1-based) shows."""
    start = (page - 1) * size
    return slice(start, start + size)


def cut(text: str, limit: int) -> str:
    """Return text no longer than ``limit`` characters, cut with an ellipsis if it was longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"

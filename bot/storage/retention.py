"""Retention: what is anonymised once it has been closed longer than the retention period."""

from __future__ import annotations

from bot.storage.session import Session


class Retention:
    """The anonymising statements, over every table that holds free text."""

    def __init__(self, session: Session) -> None:
        self.s = session

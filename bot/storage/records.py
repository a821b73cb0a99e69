"""Records: what the bot holds about one person, and the audit trail, for data protection."""

from __future__ import annotations

from bot.storage.session import Session


class Records:
    """Read-only views across tables for subject access and audit reports."""

    def __init__(self, session: Session) -> None:
        self.s = session

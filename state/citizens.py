"""A citizen's Bekey status: whether staff can open their door with Bekey today."""

from __future__ import annotations

from enum import StrEnum


class CitizenStatus(StrEnum):
    """Where a citizen's Bekey stands."""

    PENDING = "pending"
    ACTIVE = "active"
    REMOVED = "removed"

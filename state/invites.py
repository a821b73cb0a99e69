"""Invite tokens: random, URL-safe, short enough for a deep link, stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from enum import StrEnum

from state.cpr import contains_cpr

TOKEN_BYTES = 24
"""192 random bits: 32 base64url characters, well inside the 64 a deep link allows."""

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Redemption(StrEnum):
    """How an attempt to use an invite ended."""

    BOUND = "bound"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INACTIVE = "inactive"
    ACCOUNT_TAKEN = "account_taken"


def new_token() -> str:
    """Return a fresh invite token (base64url, no padding), never one the CPR guard would stop."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not contains_cpr(token):
            return token


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Whether a /start payload has the shape of an invite token."""
    return bool(_TOKEN_SHAPE.match(text))


def invite_link(bot_username: str, token: str) -> str:
    """Return the deep link that binds an account when opened."""
    return f"https://t.me/{bot_username}?start={token}"


USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{2,32}$")
MAX_NAME = 80


def valid_user_id(text: str) -> bool:
    """Whether text has the shape of a SmartCare user-id."""
    return bool(USER_ID_PATTERN.match(text))


def valid_name(text: str) -> bool:
    """Whether text is a usable display name."""
    return 0 < len(text.strip()) <= MAX_NAME and text.isprintable()

"""Bot API failures: the status, description and parameters Telegram answers with."""

from __future__ import annotations

import math


class ApiError(Exception):
    """A Bot API call that fails as Telegram would fail it."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, object]:
        """Return the Telegram-shaped error body."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """Return a 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """Return a 403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(wait_seconds: float) -> ApiError:
    """Return a 429 telling the caller how many whole seconds to wait."""
    retry_after = max(1, math.ceil(wait_seconds))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def unauthorized() -> ApiError:
    """Return the 401 Telegram gives for a wrong token."""
    return ApiError(401, "Unauthorized")


def method_not_found() -> ApiError:
    """Return the 404 Telegram gives for an unknown method."""
    return ApiError(404, "Not Found: method not found")


def conflict() -> ApiError:
    """Return the 409 an older getUpdates gets when a newer one starts."""
    return ApiError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


CHAT_NOT_FOUND = "chat not found"
BLOCKED = "bot was blocked by the user"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "message to edit not found"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
ANSWER_TOO_LONG = "MESSAGE_TOO_LONG"
DELETE_NOT_FOUND = "message to delete not found"
DELETE_TOO_OLD = "message can't be deleted for everyone"
